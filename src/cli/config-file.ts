/**
 * Defaults from a configuration file: `--config FILE`, else `teardown.config.json` in the
 * current directory when there is one. Options given on the command line win over the file,
 * the file over the built-in defaults.
 *
 *   {
 *     "thresholds": { "finGapSec": 2, "timeWaitSec": 30 },
 *     "analyze": { "format": "markdown", "failOn": "warning,refused", "threads": "auto", "quiet": false }
 *   }
 *
 * `thresholds` uses the names of the JSON output's `capture.thresholds` (and of the README's
 * thresholds table) and applies to `analyze` and `flow`; `analyze` holds that command's option
 * names. Anything else in the file is an error, so a typo does not pass silently.
 */
import { existsSync, readFileSync } from "node:fs";
import { InvalidArgumentError, type Command } from "commander";
import { THRESHOLDS, type ThresholdName } from "../analysis/index.js";
import { escapeForTerminal } from "../report/index.js";
import { thresholdOptionName } from "./threshold-options.js";

export const CONFIG_FILE_NAME = "teardown.config.json";

/** The analyze options a file may set, with the parser each goes through on the command line. */
export type ConfigParsers = Readonly<Record<string, (value: string) => unknown>>;

function describeValue(v: unknown): string {
  return escapeForTerminal(JSON.stringify(v) ?? String(v));
}

/**
 * Reads the file (when there is one) and sets, on `command`, every option it names that the
 * command line did not give. Returns a one-line error, or undefined when all went well.
 */
export function applyConfigFile(
  command: Command,
  explicitPath: string | undefined,
  section: "analyze" | "flow",
  parsers: ConfigParsers,
): string | undefined {
  const path = explicitPath ?? (existsSync(CONFIG_FILE_NAME) ? CONFIG_FILE_NAME : undefined);
  if (path === undefined) return undefined;
  const where = escapeForTerminal(path);
  let config: unknown;
  try {
    config = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return `teardown: cannot read config ${where}: ${code ?? (e as Error).message}`;
  }
  if (typeof config !== "object" || config === null || Array.isArray(config))
    return `teardown: config ${where}: expected a JSON object`;
  const setIfDefault = (attribute: string, value: unknown): void => {
    if (command.getOptionValueSource(attribute) === "cli") return;
    command.setOptionValueWithSource(attribute, value, "config");
  };
  for (const [key, value] of Object.entries(config)) {
    if (key === "thresholds") {
      if (typeof value !== "object" || value === null || Array.isArray(value))
        return `teardown: config ${where}: "thresholds" must be an object`;
      for (const [name, seconds] of Object.entries(value)) {
        if (!(name in THRESHOLDS))
          return `teardown: config ${where}: unknown threshold "${escapeForTerminal(name)}" (known: ${Object.keys(THRESHOLDS).join(", ")})`;
        if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds < 0)
          return `teardown: config ${where}: thresholds.${name} must be a number of seconds, not ${describeValue(seconds)}`;
        setIfDefault(thresholdOptionName(name as ThresholdName), seconds);
      }
    } else if (key === "analyze") {
      if (typeof value !== "object" || value === null || Array.isArray(value))
        return `teardown: config ${where}: "analyze" must be an object`;
      if (section !== "analyze") continue;
      for (const [name, raw] of Object.entries(value)) {
        const parse = parsers[name];
        if (parse === undefined)
          return `teardown: config ${where}: unknown analyze setting "${escapeForTerminal(name)}" (known: ${Object.keys(parsers).join(", ")})`;
        try {
          setIfDefault(name, parse(typeof raw === "string" ? raw : JSON.stringify(raw)));
        } catch (e) {
          const why = e instanceof InvalidArgumentError ? e.message : String(e);
          return `teardown: config ${where}: analyze.${name}: ${why}`;
        }
      }
    } else {
      return `teardown: config ${where}: unknown key "${escapeForTerminal(key)}" (known: thresholds, analyze)`;
    }
  }
  return undefined;
}
