/**
 * Where `teardown analyze` writes what: at most one stream of per-flow records (`--json FILE`,
 * or `--format json|ndjson|zeek` to `--output`, default stdout) and at most one whole-capture report
 * (the brief, or `--format markdown|junit`), to `--output` or stdout, and the HTML report
 * (`--html FILE`). Every file is opened before the capture is read, so a path that cannot be
 * written fails at once.
 */
import { createWriteStream, openSync } from "node:fs";
import type { Writable } from "node:stream";
import type { FlowRecordFormat } from "../report/index.js";
import { escapeForTerminal } from "../report/index.js";
import type { CommandIo } from "./commands/packets.js";
import { LineWriter } from "./output.js";

export type ReportFormat = "text" | "markdown" | "junit";
export const OUTPUT_FORMATS = ["text", "json", "ndjson", "zeek", "markdown", "junit"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** A destination: a file path, or "-" for stdout. */
export interface OutputPlan {
  readonly records?: { readonly format: FlowRecordFormat; readonly path: string };
  readonly report?: { readonly format: ReportFormat; readonly path: string };
  /** `--html FILE|-`: the HTML report. */
  readonly html?: string;
}

export interface OutputChoices {
  /** `--json FILE|-`. */
  readonly json: string | undefined;
  readonly format: OutputFormat;
  /** `--output FILE|-`. */
  readonly output: string | undefined;
  readonly quiet: boolean;
  /** `--html FILE|-`. */
  readonly html?: string | undefined;
}

function isRecordFormat(f: OutputFormat): f is FlowRecordFormat {
  return f === "json" || f === "ndjson" || f === "zeek";
}

/** The plan for the options given, or a one-line usage error. */
export function planOutputs(c: OutputChoices): OutputPlan | string {
  const plan = planStreams(c);
  if (typeof plan === "string" || c.html === undefined) return plan;
  // The HTML report shares no destination with the other outputs; on stdout it makes the brief
  // give way, as flow records do.
  const taken = [plan.records?.path, plan.report?.path];
  if (c.html === "-") {
    if (plan.records?.path === "-")
      return "teardown: --html - and the flow records cannot both go to stdout: give a file";
    if (plan.report?.path === "-" && plan.report.format !== "text")
      return `teardown: --html - and --format ${plan.report.format} cannot both go to stdout: give --output`;
    const { report, ...rest } = plan;
    return {
      ...rest,
      ...(report !== undefined && report.path !== "-" ? { report } : {}),
      html: "-",
    };
  }
  if (taken.includes(c.html))
    return `teardown: two outputs to one file (${escapeForTerminal(c.html)})`;
  return { ...plan, html: c.html };
}

function planStreams(c: OutputChoices): OutputPlan | string {
  const target = c.output ?? "-";
  if (isRecordFormat(c.format)) {
    if (c.json !== undefined)
      return `teardown: --json and --format ${c.format} both ask for flow records: give one`;
    const records = { format: c.format, path: target };
    // Records to a file: the brief still goes to stdout, as with --json FILE.
    return !c.quiet && target !== "-"
      ? { records, report: { format: "text", path: "-" } }
      : { records };
  }
  const records = c.json !== undefined ? { format: "json" as const, path: c.json } : undefined;
  const bothOnStdout = target === "-" && records?.path === "-";
  // The brief gives way to --quiet and to records on stdout; the other reports never do.
  if (c.format === "text" && (c.quiet || bothOnStdout)) return records ? { records } : {};
  if (bothOnStdout)
    return `teardown: --format ${c.format} and the flow records cannot both go to stdout: give --output`;
  if (records !== undefined && records.path === target)
    return `teardown: two outputs to one file (${escapeForTerminal(target)})`;
  const report = { format: c.format, path: target };
  return records ? { records, report } : { report };
}

export interface OpenOutputs {
  readonly records?: { readonly format: FlowRecordFormat; readonly writer: LineWriter };
  readonly report?: { readonly format: ReportFormat; readonly writer: LineWriter };
  readonly html?: LineWriter;
  /** Flushes everything and closes the files. */
  close(): Promise<void>;
}

/** Opens the plan's files; a one-line error when one cannot be written. */
export function openOutputs(plan: OutputPlan, io: CommandIo): OpenOutputs | string {
  const streams: Writable[] = [];
  const open = (path: string, what: string): LineWriter | string => {
    if (path === "-") return new LineWriter(io.stdout);
    try {
      const stream = createWriteStream("", { fd: openSync(path, "w") });
      streams.push(stream);
      return new LineWriter(stream);
    } catch (e) {
      return `teardown: cannot write ${what} ${escapeForTerminal(path)}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`;
    }
  };
  let records: OpenOutputs["records"];
  let report: OpenOutputs["report"];
  if (plan.records !== undefined) {
    const w = open(plan.records.path, plan.records.format === "json" ? "--json" : "--output");
    if (typeof w === "string") return w;
    records = { format: plan.records.format, writer: w };
  }
  if (plan.report !== undefined) {
    const w = open(plan.report.path, "--output");
    if (typeof w === "string") return w;
    report = { format: plan.report.format, writer: w };
  }
  let html: LineWriter | undefined;
  if (plan.html !== undefined) {
    const w = open(plan.html, "--html");
    if (typeof w === "string") return w;
    html = w;
  }
  return {
    ...(records ? { records } : {}),
    ...(report ? { report } : {}),
    ...(html ? { html } : {}),
    async close(): Promise<void> {
      await records?.writer.end();
      await report?.writer.end();
      await html?.end();
      for (const s of streams)
        await new Promise<void>((resolve, reject) =>
          s.end((e?: Error | null) => (e ? reject(e) : resolve())),
        );
    },
  };
}
