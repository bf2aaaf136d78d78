/**
 * Module hooks for no-sniff.ts: `src/flow/app-sessions.js` becomes a module whose
 * `APP_SESSIONS` is undefined, so the Analyzer's tracker runs without payload parsers.
 */
import type { LoadHook } from "node:module";

const TARGET = "/src/flow/app-sessions.js";
const REPLACEMENT =
  'globalThis["__teardownBenchNoSniff"] = true;\nexport const APP_SESSIONS = undefined;\n';

export const load: LoadHook = (url, context, nextLoad) =>
  url.endsWith(TARGET)
    ? { format: "module", source: REPLACEMENT, shortCircuit: true }
    : nextLoad(url, context);
