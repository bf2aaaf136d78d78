/**
 * The HTML report of the hostile sample (every flow drawn, under a hostile file name) opened in
 * Debian's Chromium, as in test/browser/html-report.test.ts, with JavaScript off and on. What
 * the capture holds must not run: no dialog, no call to alert/confirm/prompt/print/open, no
 * Content-Security-Policy violation (an inline handler or script that got through would be
 * one), no console error, no page error, no request but the file itself, and the tree the
 * browser's HTML parser builds is the tree the XML parser reads (the report is polyglot XHTML5:
 * a difference between the two would be a way out), with the report's one script. Every element
 * holding captured text is hovered and clicked, and with scripts on the report's own filter is
 * fed markup, in case a handler or an innerHTML slipped in. The hostile text must be visible.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { SCRIPT } from "../../src/report/html/script.js";
import { assertQuiet, CHROMIUM_SKIP, visit } from "../browser/chromium-visit.js";
import { REPO_ROOT } from "../differential/capture-files.js";
import { parseXhtml, walk } from "../report/html-walk.js";
import { HOSTILE_NAME_SHOWN, hostileCopy, hostileReport, utf8 } from "./hostile-sample.js";

const OUT = join(REPO_ROOT, "test-output", "hostile");

/** Records calls that show a script ran, and CSP violations, before the report loads. */
const WATCH = `(() => {
  const calls = [];
  Object.defineProperty(window, "__hostileCalls", { value: calls });
  for (const name of ["alert", "confirm", "prompt", "print", "open"]) {
    const original = window[name];
    window[name] = function (...args) {
      calls.push(name + ": " + String(args[0]));
      return original.apply(this, args);
    };
  }
  document.addEventListener("securitypolicyviolation", (e) =>
    calls.push("csp: " + e.violatedDirective + " " + e.blockedURI));
})();`;

/** Every element in document order: its name and sorted attribute names, as the DOM has them. */
const DOM_TREE = `Array.from(document.querySelectorAll("*"), (e) =>
  e.localName + " " + Array.from(e.attributes, (a) => a.name).sort().join(","))`;

/** Elements holding text from the capture, hovered and clicked (at most MAX each). */
const TOUCHED = ["svg text.note", "svg g.pk", "#flows td", "code", "li.finding p", "h3"];
const MAX = 8;

async function touch(page: Page): Promise<number> {
  let n = 0;
  for (const sel of TOUCHED) {
    const all = page.locator(sel);
    const count = Math.min(await all.count(), MAX);
    for (let i = 0; i < count; i++) {
      const el = all.nth(i);
      await el.scrollIntoViewIfNeeded();
      // Forced: an SVG's text and groups sit under the drawing, which takes the pointer.
      await el.hover({ timeout: 2000, force: true });
      await el.click({ timeout: 2000, force: true });
      n++;
    }
  }
  return n;
}

describe(
  "hostile sample's HTML report in Chromium",
  { skip: CHROMIUM_SKIP, timeout: 180_000 },
  () => {
    const copy = hostileCopy();
    after(copy.remove);
    mkdirSync(OUT, { recursive: true });
    const file = hostileReport(copy);
    const url = pathToFileURL(file).href;
    const xmlTree = [...walk(parseXhtml(utf8(readFileSync(file))))].map(
      (e) => `${e.name} ${Object.keys(e.attrs).sort().join(",")}`,
    );

    for (const js of [false, true]) {
      it(`runs nothing from the capture with JavaScript ${js ? "enabled" : "disabled"}`, async () => {
        let calls: string[] | undefined;
        const v = await visit(
          file,
          js,
          async (page) => {
            // With scripts on, the report's script has added its sort buttons and filter box.
            const dom = (await page.evaluate(DOM_TREE)) as string[];
            const parsed = js ? dom.filter((e) => !/^(button|input) /.test(e)) : dom;
            assert.deepEqual(parsed, xmlTree, "the HTML parser's tree is the XML parser's");
            if (js) assert.ok(dom.length > parsed.length, "the script added its controls");
            const body = await page.locator("body").innerText();
            assert.ok(body.includes("<script>alert(1)</script>"), "markup shown as text");
            assert.ok(body.includes("TLS ClientHello SNI <script>alert(1)</script>\\x1b[2J\\x00"));
            assert.ok(body.includes(HOSTILE_NAME_SHOWN.slice(0, 40)), "the file name");
            assert.ok((await touch(page)) >= 30, "elements with captured text touched");
            // The report's own script ran only when allowed: it adds the flow filter.
            assert.equal(await page.locator("#flow-filter").count(), js ? 1 : 0);
            if (js) {
              await page
                .locator("#flow-filter")
                .fill('<img src=x onerror=alert(1)>"><svg onload=alert(1)>');
              await page.locator("#flow-filter").fill("javascript:alert(1)");
              await page.locator("#flow-filter").fill("");
            }
            await page.waitForTimeout(300);
            assert.deepEqual(
              await page.evaluate("Array.from(document.scripts, (s) => s.textContent)"),
              [SCRIPT],
            );
            assert.equal(
              await page.evaluate(
                'document.querySelectorAll("img, image, iframe, object, embed, use, foreignObject, link, base, form, input:not(#flow-filter)").length',
              ),
              0,
            );
            if (js) calls = (await page.evaluate("window.__hostileCalls")) as string[];
            await page.evaluate("window.scrollTo(0, 0)");
            await page.screenshot({ path: join(OUT, `hostile-js-${js ? "on" : "off"}.png`) });
          },
          async (page) => {
            if (js) await page.addInitScript(WATCH);
          },
        );
        assertQuiet(v, url);
        assert.deepEqual(v.consoleErrors, [], "no console error");
        if (js)
          assert.deepEqual(calls, [], "no alert, confirm, prompt, print, open or CSP violation");
      });
    }
  },
);
