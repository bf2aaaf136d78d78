/**
 * Runs the CLI with payload parsing off, for the benchmark's `analyze-nosniff` row:
 *
 *   node --import ./dist/bench/no-sniff.js dist/src/cli/main.js analyze FILE --json /dev/null -q
 *
 * The CLI has no option for it. The Analyzer gives its tracker `APP_SESSIONS` (the HTTP/1.x,
 * TLS and h2c parsers) unless told otherwise; this registers a module hook (no-sniff-hooks.ts)
 * that replaces `src/flow/app-sessions.js` with a module exporting `APP_SESSIONS = undefined`,
 * so the tracker gets no sniffer at all: the same as `new Analyzer({ appSessions: null })`.
 * Everything else is the CLI's own code. Loading every module through the hooks thread costs
 * startup time (about 0.3 s here: bench/README.md), counted against the no-sniff run.
 *
 * If the replacement never happened (the module was renamed or is no longer imported), the
 * process exits with status 70 rather than quietly measure the analysis with sniffing on.
 */
import { register } from "node:module";
import { isMainThread } from "node:worker_threads";

/** Set by the replacement module when it runs. */
export const MARK = "__teardownBenchNoSniff";

// Only the tracking thread (the main one) sniffs; the analysis thread is left alone.
if (isMainThread) {
  register("./no-sniff-hooks.js", import.meta.url);
  process.on("exit", () => {
    if ((globalThis as Record<string, unknown>)[MARK] === true) return;
    process.stderr.write(
      "no-sniff.js: src/flow/app-sessions.js was never loaded, so not replaced\n",
    );
    process.exitCode = 70;
  });
}
