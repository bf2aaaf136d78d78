/**
 * Opening a report in Debian's Chromium through playwright-core, for the browser tests: a fresh
 * profile, offline, every request but the report's own refused and recorded, and what the page
 * did that it should not (dialogs, Content-Security-Policy violations, console errors, page
 * errors) collected for the test to assert on.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** The `skip` option of a browser test: false, or why it cannot run. */
export const CHROMIUM_SKIP: false | string = existsSync(CHROMIUM)
  ? false
  : `Chromium not installed at ${CHROMIUM} (scripts/install-test-deps.sh installs it)`;

export interface Visit {
  /** URLs requested, the report itself included, and those the route refused. */
  readonly requests: string[];
  readonly refused: string[];
  readonly dialogs: string[];
  /** Console messages about Content-Security-Policy violations, and page errors. */
  readonly violations: string[];
  readonly errors: string[];
  /** Every console message of type "error" (violations among them). */
  readonly consoleErrors: string[];
}

/**
 * Opens `file` in a fresh profile with scripts on or off and hands the page to `check`; every
 * request but the report's own is refused and recorded. `prepare` runs on the page before it
 * loads the file (to add an init script, say).
 */
export async function visit(
  file: string,
  javaScriptEnabled: boolean,
  check: (page: Page) => Promise<void>,
  prepare?: (page: Page) => Promise<void>,
): Promise<Visit> {
  const profile = mkdtempSync(join(tmpdir(), "teardown-chromium-"));
  const url = pathToFileURL(file).href;
  const seen: Visit = {
    requests: [],
    refused: [],
    dialogs: [],
    violations: [],
    errors: [],
    consoleErrors: [],
  };
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    javaScriptEnabled,
    viewport: { width: 1200, height: 900 },
    offline: true,
  });
  try {
    await context.route("**/*", (route) => {
      const u = route.request().url();
      if (u === url) return route.continue();
      seen.refused.push(u);
      return route.abort();
    });
    const page = context.pages()[0] ?? (await context.newPage());
    page.on("request", (r) => void seen.requests.push(r.url()));
    page.on("dialog", (d) => {
      seen.dialogs.push(d.message());
      void d.dismiss();
    });
    page.on("console", (m) => {
      if (/Content.Security.Policy|Refused to/i.test(m.text())) seen.violations.push(m.text());
      if (m.type() === "error") seen.consoleErrors.push(m.text());
    });
    page.on("pageerror", (e) => void seen.errors.push(e.message));
    await prepare?.(page);
    await page.goto(url, { waitUntil: "load" });
    await check(page);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
  return seen;
}

/** No request beyond the report itself, no dialog, no CSP violation, no script error. */
export function assertQuiet(v: Visit, url: string): void {
  assert.deepEqual(v.requests, [url], "no request beyond the report itself");
  assert.deepEqual(v.refused, []);
  assert.deepEqual(v.dialogs, [], "no dialog");
  assert.deepEqual(v.violations, [], "no CSP violation");
  assert.deepEqual(v.errors, [], "no script error");
}
