/**
 * The HTML report (`--html FILE`) of the hostile sample, under a hostile file name, with every
 * flow drawn as a ladder (so every HTTP and TLS note is in it): well-formed XML (the report is
 * polyglot XHTML5), no element or attribute the report does not write for an ordinary capture,
 * no link but its own anchors, one script (its own), no control or bidi character, and the
 * hostile text still there, escaped, where it belongs. The same report is opened in Chromium by
 * browser.test.ts.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { XMLValidator } from "fast-xml-parser";
import { SCRIPT } from "../../src/report/html/script.js";
import { STYLE } from "../../src/report/html/style.js";
import { CONTENT_SECURITY_POLICY } from "../../src/report/html/document.js";
import { REPO_ROOT } from "../differential/capture-files.js";
import { parseXhtml, svgDocuments, textOf, walk, type El } from "../report/html-walk.js";
import {
  FLOW_IDS,
  HOSTILE_NAME_SHOWN,
  hostileCopy,
  hostileReport,
  htmlReport,
  offending,
  utf8,
  type HostileCopy,
} from "./hostile-sample.js";

/** Element names and attribute names (`el@attr`) the report writes for ordinary captures. */
function vocabulary(copy: HostileCopy): { elements: Set<string>; attributes: Set<string> } {
  const elements = new Set<string>();
  const attributes = new Set<string>();
  for (const sample of ["client-timeout"]) {
    const html = htmlReport(
      join(REPO_ROOT, "samples/incidents", `${sample}.pcap`),
      join(copy.dir, `${sample}.html`),
    );
    for (const e of walk(parseXhtml(html))) {
      elements.add(e.name);
      for (const a of Object.keys(e.attrs)) attributes.add(`${e.name}@${a}`);
    }
  }
  return { elements, attributes };
}

// Text the report must show, escaped (ladder notes are cut to 64 characters).
const SHOWN = [
  'HTTP GET /<script>alert(1)</script>?q="><svg onload=alert(1)>',
  "HTTP 200 OK <script>alert(1)</script>",
  "HTTP 418 \\x1b[2J\\x1b]0;title\\x07\\x1b[31mteapot\\x00",
  "HTTP 400 \\x1b]0;title\\x07Bad <script>alert(1)</script>",
  "HTTP GET /ÿþí\u00a0\\x80í°\\x80À¯â\\x80®evilâ\\x80¬.txt\\x9b2J (Host ÿþ",
  "HTTP GET /]]><!--<![CDATA[<script>alert(1)</script>]]>\\x09\\",
  "HTTP 200 tab\\there\\rcr ]]><!-- #separator\\t#separator \\x09 \\",
  'HTTP 101 "><svg onload=alert(1)>',
  "TLS ClientHello SNI <script>alert(1)</script>\\x1b[2J\\x00",
  "TLS ClientHello SNI [x](javascript:alert(1))![x](http",
  "TLS ClientHello SNI ]]><!--#separator\\t#separator \\x09\\x01",
  "TLS ServerHello TLS 1.2 ALPN <script>alert(1)</script>\\x1b[31m",
  // Finding details quote the requests.
  "client gave up on GET /[x](javascript:alert(1)) ![x](http://example.invalid/x.png) <http://example.invalid/a> <img src=x onerror=alert(1)>",
];

describe("HTML report of the hostile sample", () => {
  const copy = hostileCopy();
  after(copy.remove);
  const html = utf8(readFileSync(hostileReport(copy)));
  const root = parseXhtml(html);

  it("is well-formed, every inline SVG too, with the report's own policy, style and script", () => {
    assert.equal(XMLValidator.validate(html), true);
    const svgs = svgDocuments(html);
    assert.ok(svgs.length >= FLOW_IDS.length, "a ladder per flow");
    for (const svg of svgs) assert.equal(XMLValidator.validate(svg), true);
    const els = [...walk(root)];
    const csp = els.filter((e) => e.attrs["http-equiv"] === "Content-Security-Policy");
    assert.deepEqual(
      csp.map((e) => e.attrs.content),
      [CONTENT_SECURITY_POLICY],
    );
    assert.deepEqual(
      els.filter((e) => e.name === "script").map((e) => e.text),
      [SCRIPT],
    );
    assert.deepEqual(
      els.filter((e) => e.name === "style").map((e) => e.text),
      [STYLE],
    );
  });

  it("has no element or attribute the report does not write itself, and no live link", () => {
    const { elements, attributes } = vocabulary(copy);
    for (const e of walk(root)) {
      assert.ok(elements.has(e.name), `element <${e.name}>`);
      for (const [name, value] of Object.entries(e.attrs)) {
        assert.ok(attributes.has(`${e.name}@${name}`), `attribute ${name} on <${e.name}>`);
        assert.ok(!/^on/i.test(name), `event handler ${name}`);
        if (name === "href") assert.match(value, /^#[A-Za-z0-9-]+$/);
        if (name === "id" || name === "class") assert.match(value, /^[A-Za-z0-9 _-]+$/);
      }
    }
  });

  it("leaves no control, bidi or XML-forbidden character in the file", () => {
    assert.deepEqual(offending(html), []);
  });

  it("shows the hostile text, escaped, in the ladders, findings and file name", () => {
    const text = textOf(root);
    for (const s of SHOWN) assert.ok(text.includes(s), `shown: ${s}`);
    assert.ok(text.includes(join(copy.dir, HOSTILE_NAME_SHOWN)), "the file name");
    // Nothing with markup is in the file as it was on the wire.
    for (const raw of ["<script>alert", "<svg onload", "<img src", "<http://", "<!--<"])
      assert.ok(!html.includes(raw), `raw ${raw}`);
    const title = [...walk(root)].find((e: El) => e.name === "title");
    assert.ok(title !== undefined && title.text.includes("<svg onload=alert(1)>"), "title");
  });
});
