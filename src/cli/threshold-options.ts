/**
 * The threshold options of `analyze` and `flow`, made from the one catalogue (THRESHOLDS): one
 * `--fin-gap <seconds>` style option per threshold, and the thresholds read back from the
 * parsed options.
 */
import { InvalidArgumentError, Option, type Command } from "commander";
import {
  defaultThresholds,
  THRESHOLDS,
  thresholdUnit,
  type ThresholdName,
  type Thresholds,
} from "../analysis/index.js";

/** Each threshold's option, built once: commander's attribute name is read back from it. */
const OPTIONS: readonly { readonly name: ThresholdName; readonly option: Option }[] = (
  Object.keys(THRESHOLDS) as ThresholdName[]
).map((name) => {
  const t = THRESHOLDS[name];
  const unit = thresholdUnit(name);
  const option = new Option(
    `${t.option} <${unit}>`,
    `${t.meaning} (default ${t.default})`,
  ).argParser(unit === "seconds" ? parseSeconds(t.option) : parseCount(t.option));
  return { name, option };
});

export function addThresholdOptions(command: Command): Command {
  for (const { option } of OPTIONS) command.addOption(option);
  return command;
}

/** The attribute name of a threshold's option in commander's parsed options (`finGap`). */
export function thresholdOptionName(name: ThresholdName): string {
  const entry = OPTIONS.find((o) => o.name === name);
  if (entry === undefined) throw new Error(`no option for threshold ${name}`);
  return entry.option.attributeName();
}

/** Thresholds from a command's parsed options, defaults for the rest. */
export function thresholdsFrom(opts: Record<string, unknown>): Thresholds {
  const thresholds: Record<ThresholdName, number> = { ...defaultThresholds() };
  for (const { name, option } of OPTIONS) {
    const v = opts[option.attributeName()];
    if (typeof v === "number") thresholds[name] = v;
  }
  return thresholds;
}

/** A parser for a seconds option: a non-negative number, else a usage error naming the option. */
function parseSeconds(flag: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n) || n < 0) {
      throw new InvalidArgumentError(`${flag} takes a number of seconds, not "${value}"`);
    }
    return n;
  };
}

/** A parser for a count option: a whole number of at least 1, else a usage error. */
function parseCount(flag: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isInteger(n) || n < 1) {
      throw new InvalidArgumentError(`${flag} takes a whole number of at least 1, not "${value}"`);
    }
    return n;
  };
}
