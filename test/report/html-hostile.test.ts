/**
 * The HTML report fed text an attacker controls (file names, addresses, HTTP targets, Host,
 * reason phrases, SNI, all carrying `<script>`, `"><svg onload=...>`, `javascript:`, ANSI
 * escapes, NUL, bidi overrides): the document stays well-formed, no element, attribute, link or
 * script comes from the capture, and the hostile text is still shown, as visible text.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { XMLValidator } from "fast-xml-parser";
import { renderHtmlReport } from "../../src/report/html/html-report.js";
import { SCRIPT } from "../../src/report/html/script.js";
import { HOSTILE, hostileInput, htmlInput } from "./html-fixture.js";
import { parseXhtml, svgDocuments, textOf, walk } from "./html-walk.js";

/** Elements the report writes: anything else came from a capture. */
const ELEMENTS = new Set(
  (
    "html head meta title style body header nav ul ol li a main section h1 h2 h3 p dl dt dd code " +
    "strong span br div table caption thead tbody tr th td details summary figure figcaption script " +
    "svg g rect path text title"
  ).split(" "),
);
const ATTRIBUTES = new Set(
  (
    "xmlns lang xml:lang charset http-equiv content name id class href scope aria-label role " +
    "width height viewBox x y d text-anchor data-frame data-v"
  ).split(" "),
);

/** A control character (but tab, newline, CR), C1, or a bidi control: never in the file. */
function forbidden(c: number): boolean {
  if (c < 0x20) return c !== 0x09 && c !== 0x0a && c !== 0x0d;
  return (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}
const firstForbidden = (s: string): number =>
  [...s].findIndex((c) => forbidden(c.codePointAt(0) ?? 0));
const markupOrControl = (s: string): boolean =>
  /[<>"']/.test(s) || [...s].some((c) => (c.codePointAt(0) ?? 0) < 0x20);

describe("HTML report on hostile input", () => {
  const base = htmlInput(
    ["samples/incidents/client-timeout.pcap", "samples/incidents/unread-body.pcap"],
    4,
  );
  const html = renderHtmlReport(hostileInput(base));
  const root = parseXhtml(html);

  it("is well-formed, and so is each SVG", () => {
    for (const svg of svgDocuments(html)) assert.equal(XMLValidator.validate(svg), true);
    assert.ok(svgDocuments(html).length >= 4);
  });

  it("creates no element, attribute, link or script from captured text", () => {
    let scripts = 0;
    for (const e of walk(root)) {
      assert.ok(ELEMENTS.has(e.name), `element <${e.name}>`);
      for (const [name, value] of Object.entries(e.attrs)) {
        assert.ok(ATTRIBUTES.has(name), `attribute ${name} on <${e.name}>`);
        if (name === "href") assert.match(value, /^#[a-z0-9-]+$/);
        if (name === "id" || name === "class") assert.match(value, /^[A-Za-z0-9 _-]+$/);
      }
      if (e.name === "script") {
        scripts++;
        assert.equal(e.text, SCRIPT);
      }
    }
    assert.equal(scripts, 1);
  });

  it("leaves no control, bidi or XML-forbidden character in the file", () => {
    assert.equal(firstForbidden(html), -1);
  });

  it("still shows the hostile text, escaped, where it belongs", () => {
    const all = textOf(root);
    assert.ok(all.includes("<script>alert(1)</script>"), "markup shown as text");
    assert.ok(all.includes('"><svg onload=alert(1)>'));
    assert.ok(all.includes("\\x1b[31mred"), "ANSI escape shown escaped");
    assert.ok(all.includes("nul\\x00byte"), "NUL shown escaped");
    assert.ok(all.includes("\\u202eevil"), "bidi override shown escaped");
    assert.ok(all.includes("HTTP GET /<script>"), "HTTP request annotated on the ladder");
    assert.ok(all.includes("TLS ClientHello SNI"), "TLS hello annotated");
    // No hostile string that holds a markup or control character is in the file as it was.
    for (const s of HOSTILE)
      assert.ok(!html.includes(s) || !markupOrControl(s), `raw ${JSON.stringify(s)}`);
  });
});
