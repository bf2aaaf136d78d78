/**
 * The HTML report in a real browser: Debian's Chromium driven by playwright-core, opening the
 * report from a file:// URL with JavaScript disabled and enabled. It checks what a person sees
 * (the brief's findings, a ladder with its arrows and state bands), that the page made no
 * request beyond itself, raised no dialog and broke no Content-Security-Policy rule (its own
 * style and script are allowed by hash), and saves screenshots under test-output/html-report/.
 * The same runs on a report whose captured text is hostile: nothing in it may run.
 *
 * Skipped, with a message, only when Chromium is not installed (scripts/install-test-deps.sh
 * installs it; CI runs it).
 */
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, it } from "node:test";
import { renderHtmlReport } from "../../src/report/html/html-report.js";
import { REPO_ROOT } from "../differential/capture-files.js";
import { hostileInput, htmlInput } from "../report/html-fixture.js";
import { assertQuiet, CHROMIUM_SKIP, visit } from "./chromium-visit.js";

const OUT = join(REPO_ROOT, "test-output", "html-report");

describe("HTML report in Chromium", { skip: CHROMIUM_SKIP, timeout: 60_000 }, () => {
  mkdirSync(OUT, { recursive: true });
  const input = htmlInput(["samples/incidents/client-timeout.pcap"], 4);
  const file = join(OUT, "client-timeout.html");
  writeFileSync(file, renderHtmlReport(input));
  const url = pathToFileURL(file).href;
  const ladder = input.flows.ladders[0];
  assert.ok(ladder !== undefined);

  for (const js of [false, true]) {
    it(`shows the brief and a ladder with JavaScript ${js ? "enabled" : "disabled"}`, async () => {
      const v = await visit(file, js, async (page) => {
        const brief = page.locator("#brief");
        assert.ok(await brief.isVisible());
        assert.match(await brief.innerText(), /Client gave up waiting/);
        const section = page.locator(`#flow-${ladder.flow.id}`);
        await section.scrollIntoViewIfNeeded();
        const arrows = section.locator("g.pk");
        assert.equal(await arrows.count(), ladder.packets.length);
        assert.ok(await arrows.first().isVisible(), "an arrow is visible");
        const box = await arrows.first().locator("path.shaft").boundingBox();
        assert.ok(box !== null && box.width > 100, "arrows span the two lifelines");
        const bands = section.locator("g.band rect");
        assert.ok((await bands.count()) >= 4);
        assert.ok(await bands.nth(2).isVisible(), "state bands are visible");
        assert.match(await section.locator("svg").innerHTML(), /ESTABLISHED/);
        // The stylesheet applied (allowed by its hash): RST arrows are drawn dashed.
        const dash = await section
          .locator("g.pk.rst path.shaft")
          .first()
          // A string, evaluated in the page: the tests compile without the DOM library.
          .evaluate("(e) => getComputedStyle(e).strokeDasharray");
        assert.notEqual(dash, "none");
        // The script ran only when allowed: it adds the flow filter and sort buttons.
        assert.equal(await page.locator("#flow-filter").count(), js ? 1 : 0);
        if (js) {
          await page.locator("#flow-filter").fill("rst");
          const shown = await page.locator("#flow-index-table tbody tr:not([hidden])").count();
          const all = await page.locator("#flow-index-table tbody tr").count();
          assert.ok(shown > 0 && shown < all, "the filter narrows the index");
        }
        await page.screenshot({ path: join(OUT, `client-timeout-js-${js ? "on" : "off"}.png`) });
        await section.screenshot({
          path: join(OUT, `client-timeout-ladder-js-${js ? "on" : "off"}.png`),
        });
        await page.emulateMedia({ media: "print" });
        assert.equal(
          await page.locator("nav.toc").isVisible(),
          false,
          "print hides the navigation",
        );
      });
      assertQuiet(v, url);
    });
  }

  it("runs nothing from hostile captured text", async () => {
    const hostileFile = join(OUT, "hostile.html");
    writeFileSync(hostileFile, renderHtmlReport(hostileInput(input)));
    const v = await visit(hostileFile, true, async (page) => {
      // Hover and click whatever holds captured text, in case a handler slipped through.
      for (const sel of ["#servers code", "#flows td", `#flow-${ladder.flow.id} svg text`]) {
        const el = page.locator(sel).first();
        await el.hover();
        await el.click();
      }
      assert.match(await page.locator("body").innerText(), /<script>alert\(1\)<\/script>/);
      assert.equal(await page.evaluate("document.scripts.length"), 1);
      await page.screenshot({ path: join(OUT, "hostile.png") });
    });
    assertQuiet(v, pathToFileURL(hostileFile).href);
  });
});
