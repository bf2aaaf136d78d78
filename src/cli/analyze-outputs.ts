/**
 * Where `teardown analyze` writes what: at most one stream of per-flow records (`--json FILE`,
 * or `--format json|ndjson|zeek` to `--output`, default stdout) and at most one whole-capture report
 * (the brief, or `--format markdown|junit`), to `--output` or stdout, and the HTML report
 * (`--html FILE`). Every file is opened before the capture is read, so a path that cannot be
 * written fails at once, and is put in place only once it is complete (output-file.ts).
 */
import { statSync } from "node:fs";
import type { FlowRecordFormat } from "../report/index.js";
import { escapeForTerminal } from "../report/index.js";
import type { CommandIo } from "./commands/packets.js";
import { LineWriter } from "./output.js";
import { describeError, OutputFile } from "./output-file.js";

export type ReportFormat = "text" | "markdown" | "junit";
export const OUTPUT_FORMATS = ["text", "json", "ndjson", "zeek", "markdown", "junit"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** A destination: a file path, or "-" for stdout. */
export interface OutputPlan {
  readonly records?: {
    readonly format: FlowRecordFormat;
    readonly path: string;
    /** The option that named the path, for messages. */
    readonly option: "--json" | "--output";
  };
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
    const records = { format: c.format, path: target, option: "--output" as const };
    // Records to a file: the brief still goes to stdout, as with --json FILE.
    return !c.quiet && target !== "-"
      ? { records, report: { format: "text", path: "-" } }
      : { records };
  }
  const records =
    c.json !== undefined
      ? { format: "json" as const, path: c.json, option: "--json" as const }
      : undefined;
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
  /** The first write error of a file, as a one-line message, or undefined. */
  failure(): string | undefined;
  /** The option of the first output that would replace one of these files, or undefined. */
  overwrites(inputs: readonly string[]): string | undefined;
  /**
   * Flushes everything; then, when every file was written, puts the files in place, else
   * removes them all and returns the one-line error.
   */
  close(): Promise<string | undefined>;
  /**
   * Removes the files not yet in place (the destinations are left as they were); says what the
   * run leaves behind ("no output file written", flow records on stdout cut short).
   */
  discard(): string;
}

/** A file output and the option that named it. */
interface NamedFile {
  readonly option: string;
  readonly path: string;
  readonly file: OutputFile;
}

/**
 * Opens the plan's files (see output-file.ts: each is written to a temporary file and renamed
 * into place at the end); a one-line error when one cannot be written, with nothing left behind.
 */
export function openOutputs(plan: OutputPlan, io: CommandIo): OpenOutputs | string {
  const files: NamedFile[] = [];
  const discardAll = (): void => files.forEach((f) => f.file.discard());
  const message = (f: { option: string; path: string }, why: string): string =>
    `teardown: cannot write ${f.option} ${escapeForTerminal(f.path)}: ${why}`;
  const open = (path: string, option: string): LineWriter | string => {
    if (path === "-") return new LineWriter(io.stdout);
    const file = OutputFile.open(path);
    if (typeof file === "string") return message({ option, path }, file);
    files.push({ option, path, file });
    return new LineWriter(file.stream);
  };
  let records: OpenOutputs["records"];
  let report: OpenOutputs["report"];
  let html: LineWriter | undefined;
  const opened = ((): string | undefined => {
    if (plan.records !== undefined) {
      const w = open(plan.records.path, plan.records.option);
      if (typeof w === "string") return w;
      records = { format: plan.records.format, writer: w };
    }
    if (plan.report !== undefined) {
      const w = open(plan.report.path, "--output");
      if (typeof w === "string") return w;
      report = { format: plan.report.format, writer: w };
    }
    if (plan.html !== undefined) {
      const w = open(plan.html, "--html");
      if (typeof w === "string") return w;
      html = w;
    }
    return undefined;
  })();
  if (opened !== undefined) {
    discardAll();
    return opened;
  }
  let committed = false;
  const failure = (): string | undefined => {
    for (const f of files) {
      const why = f.file.failure();
      if (why !== undefined) return message(f, why);
    }
    return undefined;
  };
  return {
    ...(records ? { records } : {}),
    ...(report ? { report } : {}),
    ...(html ? { html } : {}),
    failure,
    overwrites(inputs: readonly string[]): string | undefined {
      for (const f of files) {
        const old = f.file.replaces;
        if (old === undefined) continue;
        for (const input of inputs) {
          if (input === "-") continue;
          try {
            const st = statSync(input);
            if (st.dev === old.dev && st.ino === old.ino)
              return `teardown: ${f.option} ${escapeForTerminal(f.path)} is also an input: give another file`;
          } catch {
            // Unreadable inputs are reported when read.
          }
        }
      }
      return undefined;
    },
    async close(): Promise<string | undefined> {
      await records?.writer.end();
      await report?.writer.end();
      await html?.end();
      for (const f of files) await f.file.finish();
      const problem = failure();
      if (problem !== undefined) {
        discardAll();
        return problem;
      }
      committed = true;
      for (const f of files) {
        try {
          f.file.commit();
        } catch (e) {
          discardAll();
          return message(f, describeError(e));
        }
      }
      return undefined;
    },
    discard(): string {
      if (committed) return "its outputs were written";
      discardAll();
      const cut = plan.records?.path === "-" ? "the flow records on stdout are cut short" : "";
      if (files.length === 0) return cut !== "" ? cut : "no output written";
      return cut !== "" ? `no output file written; ${cut}` : "no output file written";
    },
  };
}
