/**
 * The read benchmark (`npm run bench`): how fast teardown reads and decodes a large capture,
 * as ratios to references measured in the same run (STYLE.md, practice 16).
 *
 * 1. Generates a seeded synthetic capture into bench/out (reused when one with the same
 *    generator version, shape, size and seed is already there), and reads it once so it sits in
 *    the page cache.
 * 2. Times, each `--runs` times (median), interleaved so that a change of machine load hits all
 *    alike: `cat FILE > /dev/null` (the floor: reading the bytes at all), and in this process
 *    teardown's read path: pumpInput alone, pumpInput + CaptureReader, and pumpInput +
 *    CaptureReader + decodePacket for every packet (what the CLI does before the flow layer).
 *    With them, also `--runs` times, the full analysis: the real CLI in a fresh process,
 *    `node dist/src/cli/main.js analyze FILE --json /dev/null -q`, with its peak RSS, and the
 *    same command with payload parsing (HTTP/TLS sniffing) off (`--import dist/bench/no-sniff.js`),
 *    to state what sniffing costs.
 * 3. Times `--ref-runs` times each (default once; median), with peak RSS: `tcptrace -n FILE`,
 *    `tshark -r FILE -T fields -e tcp.stream` and `tshark -r FILE -q -z conv,tcp` (the
 *    conversation table), under `prlimit` caps. Their runs join the rounds of step 2, one per
 *    round, so each reference run sees about the load teardown's runs of that round saw.
 * 4. Measures the peak RSS of read+decode in a fresh process, for this file and for each of
 *    `--rss-sizes`, to show it does not grow with the file.
 * 5. Prints a second table, the full analysis against tcptrace and tshark's conversation table,
 *    with the issue's targets marked PASS or MISS.
 *
 * Absolute seconds depend on the machine and whatever else runs on it; the ratios within one run
 * are the result.
 *
 * Usage: `npm run bench -- --help` (USAGE below).
 */
import { spawn, spawnSync } from "node:child_process";
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
} from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { basename, delimiter, join, relative } from "node:path";
import { PerformanceObserver, performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { readAndDecode, type ReadDecodeResult, type Stage } from "./read-decode.js";
import type { ReadOnlyReport } from "./read-only.js";
import { SYNTH_VERSION, parseSize, type SynthShape, type SynthStats } from "./synth-capture.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const OUT_DIR = join(ROOT, "bench", "out");
const SYNTH_JS = fileURLToPath(new URL("./synth-capture.js", import.meta.url));
const READ_ONLY_JS = fileURLToPath(new URL("./read-only.js", import.meta.url));
const CLI_JS = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));
const NO_SNIFF_JS = fileURLToPath(new URL("./no-sniff.js", import.meta.url));
const MIB = 1024 * 1024;

/**
 * The node options in the CLI's shebang (`#!/usr/bin/env -S node --flag ...`): the installed
 * `teardown` command runs with them, so the benchmark passes them too.
 */
function cliNodeOptions(): string[] {
  try {
    const first = readFileSync(CLI_JS, "utf8").split("\n", 1)[0] ?? "";
    const m = /^#!\S*env\s+(?:-S\s+)?node((?:\s+\S+)*)\s*$/.exec(first);
    return m === null ? [] : (m[1] ?? "").split(/\s+/).filter((x) => x !== "");
  } catch {
    return [];
  }
}
const GIB = 1024 * MIB;

const STEPS = [
  "cat",
  "read",
  "analyze",
  "analyze-nosniff",
  "tcptrace",
  "tshark",
  "tsharkconv",
  "rss",
] as const;
type Step = (typeof STEPS)[number];

interface Options {
  readonly bytes: number;
  readonly seed: number;
  readonly shape: SynthShape;
  readonly runs: number;
  /** Runs of each reference tool, one per round. */
  readonly refRuns: number;
  readonly keep: boolean;
  readonly steps: ReadonlySet<Step>;
  readonly rssSizes: readonly number[];
  /** Caps for the reference tools (prlimit): address space in bytes, CPU seconds; 0 = none. */
  readonly refLimits: Limits;
}

const USAGE = `usage: npm run bench -- [--size 1G] [--seed 1] [--shape mixed|short] [--runs 3] [--ref-runs 1] [--keep]
         [--only ${STEPS.join(",")}]
         [--no-tshark] [--no-tcptrace] [--rss-sizes 100M,1G] [--ref-memory 10G] [--ref-cpu SECONDS]`;

/** A wrong option: said in one line with the usage, not as a stack trace. */
class UsageError extends Error {}

/** The options, or undefined after printing the usage for --help. */
function parseOptions(argv: string[]): Options | undefined {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(USAGE);
    return undefined;
  }
  try {
    return optionsOf(argv);
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}

function optionsOf(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      size: { type: "string", default: "1G" },
      seed: { type: "string", default: "1" },
      shape: { type: "string", default: "mixed" },
      runs: { type: "string", default: "3" },
      "ref-runs": { type: "string", default: "1" },
      keep: { type: "boolean", default: false },
      only: { type: "string" },
      "no-tshark": { type: "boolean", default: false },
      "no-tcptrace": { type: "boolean", default: false },
      "rss-sizes": { type: "string" },
      "ref-memory": { type: "string", default: "10G" },
      "ref-cpu": { type: "string", default: "0" },
    },
  });
  if (values.shape !== "mixed" && values.shape !== "short") {
    throw new Error(`--shape is mixed or short, not ${values.shape}`);
  }
  const steps = new Set<Step>(STEPS);
  if (values.only !== undefined) {
    steps.clear();
    for (const name of values.only.split(",")) {
      const step = STEPS.find((s) => s === name.trim());
      if (step === undefined) throw new Error(`--only takes ${STEPS.join(",")}, not ${name}`);
      steps.add(step);
    }
  }
  if (values["no-tshark"]) {
    steps.delete("tshark");
    steps.delete("tsharkconv");
  }
  if (values["no-tcptrace"]) steps.delete("tcptrace");
  const bytes = parseSize(values.size);
  const rssSizes = (values["rss-sizes"] ?? "").split(",").filter((s) => s.trim() !== "");
  return {
    bytes,
    seed: Number(values.seed) >>> 0,
    shape: values.shape,
    runs: Math.max(1, Number(values.runs) | 0),
    refRuns: Math.max(1, Number(values["ref-runs"]) | 0),
    keep: values.keep,
    steps,
    rssSizes: rssSizes.length > 0 ? rssSizes.map(parseSize) : [bytes],
    refLimits: {
      addressSpace: values["ref-memory"] === "0" ? 0 : parseSize(values["ref-memory"]),
      cpuSeconds: Math.max(0, Math.ceil(Number(values["ref-cpu"]) || 0)),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Captures

interface Capture {
  readonly path: string;
  readonly stats: SynthStats;
  /** Written by this run (and so removed at the end unless --keep). */
  readonly generated: boolean;
  readonly generateSeconds: number;
}

function sizeLabel(bytes: number): string {
  for (const [unit, size] of [
    ["G", 1024 ** 3],
    ["M", 1024 ** 2],
    ["K", 1024],
  ] as const) {
    if (bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}

/** The cached capture for these parameters, or a newly generated one. */
function ensureCapture(shape: SynthShape, bytes: number, seed: number): Capture {
  mkdirSync(OUT_DIR, { recursive: true });
  const path = join(OUT_DIR, `synth-v${SYNTH_VERSION}-${shape}-${sizeLabel(bytes)}-s${seed}.pcap`);
  const metaPath = `${path}.json`;
  if (existsSync(path) && existsSync(metaPath)) {
    try {
      const meta = JSON.parse(readFileSync(metaPath, "utf8")) as { stats: SynthStats };
      if (meta.stats.version === SYNTH_VERSION && meta.stats.bytes === statSync(path).size) {
        return { path, stats: meta.stats, generated: false, generateSeconds: 0 };
      }
    } catch {
      // Unreadable metadata: generate again.
    }
  }
  log(`generating ${relative(ROOT, path)} ...`);
  const t0 = performance.now();
  // The short shape stops at its connection count (1,000,000): the size only names the file.
  const args = [SYNTH_JS, "--out", path, "--shape", shape];
  if (shape !== "short") args.push("--bytes", String(bytes));
  const r = spawnSync(process.execPath, [...args, "--seed", String(seed)], {
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`the generator failed (exit ${r.status})`);
  const meta = JSON.parse(r.stdout) as { stats: SynthStats };
  return {
    path,
    stats: meta.stats,
    generated: true,
    generateSeconds: (performance.now() - t0) / 1000,
  };
}

function removeCapture(c: Capture): void {
  rmSync(c.path, { force: true });
  rmSync(`${c.path}.json`, { force: true });
}

// ---------------------------------------------------------------------------------------------
// Timing

interface Limits {
  readonly addressSpace: number;
  readonly cpuSeconds: number;
}

interface Timed {
  readonly seconds: number;
  readonly ok: boolean;
  readonly note: string;
  /** Peak resident set size in KiB; NaN when not asked for or not known. */
  readonly maxRssKiB: number;
  /**
   * CPU seconds (user + system, every thread) from /usr/bin/time; NaN when not measured. Beside
   * `seconds`, it says how many CPUs the command kept busy.
   */
  readonly cpuSeconds: number;
  /** Stopped at the CPU-time cap, so `seconds` is a lower bound for a complete run. */
  readonly stopped: boolean;
}

interface TimeOptions {
  /** Measure the peak RSS (with /usr/bin/time, else by polling VmHWM). */
  readonly rss?: boolean;
  /** Run under prlimit with these caps (when prlimit is installed). */
  readonly limits?: Limits;
}

/** An executable file named `name` on PATH, or an absolute path that is one. */
function findExecutable(name: string): string | undefined {
  const candidates = name.startsWith("/")
    ? [name]
    : (process.env.PATH ?? "").split(delimiter).map((dir) => join(dir, name));
  for (const path of candidates) {
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

const GNU_TIME = findExecutable("/usr/bin/time");
const PRLIMIT = findExecutable("prlimit");
let timeDir: string | undefined;

/** VmHWM (the peak RSS so far) of a live process, KiB; NaN when it cannot be read. */
function procVmHwmKiB(pid: number): number {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m === null ? NaN : Number(m[1]);
  } catch {
    return NaN;
  }
}

/**
 * Runs a command with stdout to /dev/null; wall time from spawn to exit. With `rss`, the
 * command runs under `/usr/bin/time -f %M` (which execs it, so its peak RSS is the command's
 * own); without /usr/bin/time, VmHWM is polled from /proc every 50 ms, a lower bound. With
 * `limits`, it runs under `prlimit --as --cpu`, which sets the caps and execs it.
 */
function timeCommand(cmd: string, args: readonly string[], opts: TimeOptions = {}): Promise<Timed> {
  let argv = [cmd, ...args];
  const limits = opts.limits;
  if (limits !== undefined && PRLIMIT !== undefined) {
    const caps: string[] = [];
    if (limits.addressSpace > 0) caps.push(`--as=${limits.addressSpace}`);
    if (limits.cpuSeconds > 0) caps.push(`--cpu=${limits.cpuSeconds}`);
    if (caps.length > 0) argv = [PRLIMIT, ...caps, "--", ...argv];
  }
  let timeFile: string | undefined;
  if (opts.rss === true && GNU_TIME !== undefined) {
    timeDir ??= mkdtempSync(join(tmpdir(), "teardown-bench-"));
    timeFile = join(timeDir, "time.txt");
    rmSync(timeFile, { force: true });
    argv = [GNU_TIME, "-o", timeFile, "-f", "%e %M %U %S", ...argv];
  }
  const devNull = openSync("/dev/null", "w");
  return new Promise((resolve) => {
    let stderr = "";
    let polledKiB = NaN;
    let poll: NodeJS.Timeout | undefined;
    const t0 = performance.now();
    const child = spawn(argv[0] ?? cmd, argv.slice(1), { stdio: ["ignore", devNull, "pipe"] });
    if (child.stderr === null) throw new Error("no stderr pipe");
    if (opts.rss === true && timeFile === undefined && child.pid !== undefined) {
      const pid = child.pid;
      poll = setInterval(() => {
        const kib = procVmHwmKiB(pid);
        if (Number.isFinite(kib)) polledKiB = kib;
      }, 50);
    }
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (s: string) => {
      stderr = (stderr + s).slice(-4000);
    });
    child.on("error", (e) => {
      clearInterval(poll);
      closeSync(devNull);
      resolve({
        seconds: NaN,
        ok: false,
        note: e.message,
        maxRssKiB: NaN,
        cpuSeconds: NaN,
        stopped: false,
      });
    });
    child.on("close", (code, signal) => {
      const seconds = (performance.now() - t0) / 1000;
      clearInterval(poll);
      closeSync(devNull);
      let maxRssKiB = polledKiB;
      let cpuSeconds = NaN;
      // What /usr/bin/time reports about the command: "Command exited with non-zero status N"
      // or "Command terminated by signal N", then the format line.
      let status = "";
      if (timeFile !== undefined) {
        let text = "";
        try {
          text = readFileSync(timeFile, "utf8");
        } catch {
          // No report (time itself was killed).
        }
        const m = /^[\d.]+ (\d+) ([\d.]+) ([\d.]+)\s*$/m.exec(text);
        if (m !== null) {
          maxRssKiB = Number(m[1]);
          cpuSeconds = Number(m[2]) + Number(m[3]);
        }
        status = /^Command (.*)$/m.exec(text)?.[1] ?? "";
      }
      const killedBy = /terminated by signal (\d+)/.exec(status)?.[1];
      // At the CPU cap the kernel sends SIGXCPU (24), then SIGKILL (9) at the hard limit.
      const stopped =
        (limits?.cpuSeconds ?? 0) > 0 &&
        PRLIMIT !== undefined &&
        (killedBy === "9" || killedBy === "24" || signal === "SIGXCPU" || signal === "SIGKILL");
      const ok = code === 0;
      const note = ok
        ? ""
        : stopped
          ? `stopped at the --ref-cpu cap of ${limits?.cpuSeconds} CPU s`
          : `FAILED: ${status !== "" ? status.replace(/^exited with /, "") : `exit ${code ?? signal}`}: ${lastLine(stderr)}`;
      resolve({ seconds, ok, note, maxRssKiB, cpuSeconds, stopped });
    });
  });
}

function lastLine(text: string): string {
  const lines = text.split("\n").filter((l) => l.trim() !== "" && !/Running as user/.test(l));
  return lines[lines.length - 1] ?? "";
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
}

const gc = (globalThis as { gc?: () => void }).gc;

// ---------------------------------------------------------------------------------------------
// Output

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function fmt(n: number, digits: number): string {
  return Number.isFinite(n) ? n.toFixed(digits) : "-";
}

function count(n: number): string {
  return n.toLocaleString("en-US");
}

function ratio(n: number): string {
  if (!Number.isFinite(n)) return "-";
  return n >= 10 ? n.toFixed(0) : n.toFixed(1);
}

interface Row {
  readonly what: string;
  readonly runs: number;
  readonly seconds: number;
  readonly packets: number | undefined;
  readonly note: string;
  /** False for a row that moves no file bytes (MiB/s would mean nothing). */
  readonly readsFile?: boolean;
  /** A reference that failed or was stopped: its seconds give no rate. */
  readonly incomplete?: boolean;
  /** Stopped at the CPU cap: its seconds are a lower bound. */
  readonly stopped?: boolean;
}

/** The reference tools, in the order they run in each round. */
const REFERENCES: readonly {
  readonly step: Step;
  readonly what: string;
  readonly cmd: string;
  readonly args: (path: string) => string[];
  /** Shown in the first table (tshark's conversation table is only in the second). */
  readonly inReadTable: boolean;
  readonly slow: boolean;
}[] = [
  {
    step: "tcptrace",
    what: "tcptrace -n FILE",
    cmd: "tcptrace",
    args: (path) => ["-n", path],
    inReadTable: true,
    slow: false,
  },
  {
    // tshark with the least output that still makes it track TCP streams.
    step: "tshark",
    what: "tshark -r FILE -T fields -e tcp.stream",
    cmd: "tshark",
    args: (path) => ["-r", path, "-T", "fields", "-e", "tcp.stream"],
    inReadTable: true,
    slow: true,
  },
  {
    step: "tsharkconv",
    what: "tshark -r FILE -q -z conv,tcp",
    cmd: "tshark",
    args: (path) => ["-r", path, "-q", "-z", "conv,tcp"],
    inReadTable: false,
    slow: false,
  },
];

/**
 * A reference's runs as one: the median seconds and CPU seconds and the highest peak RSS when
 * every run completed; otherwise the first run that failed or was stopped, its note saying how
 * many of the runs did.
 */
function referenceTimed(runs: readonly Timed[]): Timed {
  const bad = runs.find((t) => !t.ok);
  if (bad === undefined) return repeated(runs).t;
  const n = runs.filter((t) => !t.ok).length;
  return runs.length === 1 ? bad : { ...bad, note: `${n} of ${runs.length} runs: ${bad.note}` };
}

/** A reference tool's row: the median of its runs, incomplete when one failed or was stopped. */
function referenceRow(what: string, runs: readonly Timed[], packets: number | undefined): Row {
  const t = referenceTimed(runs);
  return {
    what,
    runs: runs.length,
    seconds: t.seconds,
    packets,
    note: t.note,
    incomplete: !t.ok,
    stopped: t.stopped,
  };
}

/** Seconds, marked as a lower bound when the run was stopped. */
function secondsCell(seconds: number, stopped: boolean | undefined): string {
  return (stopped === true ? ">" : "") + fmt(seconds, 3);
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  if (opts === undefined) return;
  const made: Capture[] = [];
  const load = loadavg()[0] ?? 0;
  try {
    const cap = ensureCapture(opts.shape, opts.bytes, opts.seed);
    if (cap.generated) made.push(cap);
    const mib = statSync(cap.path).size / MIB;
    log(`warming the page cache (cat ${relative(ROOT, cap.path)} > /dev/null)`);
    await timeCommand("cat", [cap.path]);

    const catTimes: number[] = [];
    const spawnTimes: number[] = [];
    const readTimes: number[] = [];
    const freshTimes: Record<Stage, number[]> = { pump: [], frame: [], decode: [] };
    const readWindows: [number, number][] = [];
    let lastRead: ReadDecodeResult | undefined;
    const gcTimes: number[] = [];
    const observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) gcTimes.push(e.startTime);
    });
    observer.observe({ entryTypes: ["gc"] });

    const analyzeRuns: Timed[] = [];
    const noSniffRuns: Timed[] = [];
    const analyzeArgs = [...cliNodeOptions(), CLI_JS, "analyze"];
    // The same command with payload parsing off (no-sniff.ts): what sniffing costs.
    const noSniffArgs = [...cliNodeOptions(), "--import", NO_SNIFF_JS, CLI_JS, "analyze"];
    const analyzeOpts = ["--json", "/dev/null", "-q"];
    const doCat = opts.steps.has("cat");
    const doRead = opts.steps.has("read");
    const doAnalyze = opts.steps.has("analyze");
    const doNoSniff = opts.steps.has("analyze-nosniff");
    // One untimed pass so the in-process runs measure optimised code. Only the full read path
    // ever runs in this process, so its call sites see what the CLI's do.
    if (doRead) await readAndDecode(cap.path);
    // The references, with their peak RSS and under the --ref-memory/--ref-cpu caps: one run
    // each per round, after teardown's, for --ref-runs rounds.
    const refOpts: TimeOptions = { rss: true, limits: opts.refLimits };
    const references = REFERENCES.filter((r) => opts.steps.has(r.step)).map((r) => ({
      ...r,
      runs: [] as Timed[],
    }));
    /** Round `i` of cat, the read path and the CLI. */
    const ownRound = async (i: number): Promise<void> => {
      if (doCat) {
        const t = await timeCommand("cat", [cap.path]);
        if (!t.ok) throw new Error(`cat failed: ${t.note}`);
        catTimes.push(t.seconds);
        // What starting a process costs, paid by cat (and the other tools) but not in-process.
        spawnTimes.push((await timeCommand("cat", ["/dev/null"])).seconds);
      }
      if (doRead) {
        gc?.();
        const start = performance.now();
        lastRead = await readAndDecode(cap.path);
        readWindows.push([start, performance.now()]);
        readTimes.push(lastRead.seconds);
        for (const stage of ["decode", "pump", "frame"] as const) {
          freshTimes[stage].push(readOnly(["--stage", stage, cap.path]).seconds);
        }
      }
      // The real CLI, as a user runs it: node's startup and JIT warm-up included. With and
      // without sniffing, in turn first, so that a drift in load does not favour either.
      const variants: [string[], Timed[], string][] = [];
      if (doAnalyze) variants.push([analyzeArgs, analyzeRuns, "teardown analyze"]);
      if (doNoSniff) variants.push([noSniffArgs, noSniffRuns, "teardown analyze (no sniffing)"]);
      if (i % 2 === 1) variants.reverse();
      for (const [args, runs, name] of variants) {
        const t = await timeCommand(process.execPath, [...args, cap.path, ...analyzeOpts], {
          rss: true,
        });
        if (!t.ok) log(`${name} ${t.note}`);
        runs.push(t);
      }
    };
    const ownRounds = doCat || doRead || doAnalyze || doNoSniff ? opts.runs : 0;
    const refRounds = references.length > 0 ? opts.refRuns : 0;
    const rounds = Math.max(ownRounds, refRounds);
    for (let i = 0; i < rounds; i++) {
      log(`round ${i + 1}/${rounds}`);
      if (i < ownRounds) await ownRound(i);
      if (i >= refRounds) continue;
      for (const ref of references) {
        log(`${ref.what} (${i + 1}/${refRounds}${ref.slow ? "; slow" : ""})`);
        ref.runs.push(await timeCommand(ref.cmd, ref.args(cap.path), refOpts));
      }
    }
    // GC entries arrive asynchronously.
    await new Promise((resolve) => setTimeout(resolve, 100));
    observer.disconnect();

    const packets = cap.stats.packets;
    const rows: Row[] = [];
    const measured = (what: string, times: number[], pkts: number | undefined): Row => ({
      what,
      runs: times.length,
      seconds: median(times),
      packets: pkts,
      note: "",
    });
    if (doCat) {
      rows.push(measured("cat FILE > /dev/null", catTimes, undefined));
      rows.push({
        ...measured("  (process start: cat /dev/null)", spawnTimes, undefined),
        readsFile: false,
      });
    }
    if (doRead) {
      rows.push(measured("teardown read+decode (in-process, warm)", readTimes, packets));
      rows.push(measured("teardown read+decode (fresh process)", freshTimes.decode, packets));
      rows.push(measured("  fresh process: pumpInput only", freshTimes.pump, undefined));
      rows.push(measured("  fresh process: pumpInput + CaptureReader", freshTimes.frame, packets));
    }
    const runsOf = (step: Step) => references.find((r) => r.step === step)?.runs;
    for (const r of references) {
      if (r.inReadTable) rows.push(referenceRow(r.what, r.runs, packets));
    }
    const tcptraceRuns = runsOf("tcptrace");
    const tsharkConvRuns = runsOf("tsharkconv");
    const tcptrace = tcptraceRuns === undefined ? undefined : referenceTimed(tcptraceRuns);
    const tsharkConv = tsharkConvRuns === undefined ? undefined : referenceTimed(tsharkConvRuns);

    // Peak RSS in fresh processes.
    const rssRows: string[][] = [];
    if (opts.steps.has("rss")) {
      log("peak RSS in fresh processes");
      const baseline = readOnly(["--baseline"]);
      rssRows.push([
        "(baseline: node + modules, no file)",
        "-",
        "-",
        "-",
        `${fmt(baseline.maxRssKiB / 1024, 1)} MiB`,
        "-",
      ]);
      for (const size of opts.rssSizes) {
        const c = size === opts.bytes ? cap : ensureCapture(opts.shape, size, opts.seed);
        if (c.generated && c !== cap) made.push(c);
        if (c !== cap) await timeCommand("cat", [c.path]);
        const r = readOnly([c.path]);
        if (r.packets !== c.stats.packets) {
          throw new Error(
            `${c.path}: read ${r.packets} packets, generator wrote ${c.stats.packets}`,
          );
        }
        rssRows.push([
          basename(c.path),
          `${fmt(c.stats.bytes / MIB, 0)} MiB`,
          count(r.packets),
          fmt(r.seconds, 3),
          `${fmt(r.maxRssKiB / 1024, 1)} MiB`,
          `+${fmt((r.maxRssKiB - baseline.maxRssKiB) / 1024, 1)} MiB`,
        ]);
        if (c !== cap && c.generated && !opts.keep) removeCapture(c);
      }
    }

    // ---- Report
    const catSeconds = median(catTimes);
    const readSeconds = median(readTimes);
    const s = cap.stats;
    const out: string[] = [];
    out.push(
      "teardown read benchmark (the ratios within this run are the result; seconds are noise)",
    );
    out.push(
      `capture: ${relative(ROOT, cap.path)}: ${fmt(mib, 1)} MiB, ${count(s.packets)} packets, ` +
        `${count(s.connections)} connections (${fmt((100 * s.ipv6Connections) / s.connections, 1)}% IPv6, ` +
        `up to ${count(s.maxConcurrent)} at once), ` +
        (cap.generated ? `generated in ${fmt(cap.generateSeconds, 1)} s` : "cached"),
    );
    out.push(
      `machine: ${cpus().length} CPUs, node ${process.version}, load average ${fmt(load, 2)} at start; ` +
        `cat and teardown: median of ${opts.runs} interleaved runs; tcptrace, tshark: ` +
        (opts.refRuns === 1 ? "once" : `median of ${opts.refRuns} runs, one a round`),
    );
    out.push(refLimitsLine(opts.refLimits));
    if (rows.length > 0) {
      out.push("");
      out.push(
        table(
          ["what", "runs", "seconds", "MiB/s", "Mpkt/s", "x cat"],
          rows.map((r) => [
            r.what + (r.note === "" ? "" : ` (${r.note})`),
            String(r.runs),
            secondsCell(r.seconds, r.stopped),
            r.readsFile === false || r.incomplete === true ? "-" : fmt(mib / r.seconds, 0),
            r.packets === undefined || r.incomplete === true
              ? "-"
              : fmt(r.packets / r.seconds / 1e6, 2),
            (r.stopped === true ? ">" : "") + fmt(r.seconds / catSeconds, 2),
          ]),
        ),
      );
    }
    if (doRead) {
      out.push("");
      const spawnSeconds = median(spawnTimes);
      const parts = [
        `teardown read+decode = ${ratio(readSeconds / catSeconds)}x cat ` +
          `(${ratio(readSeconds / (catSeconds - spawnSeconds))}x cat without its process start)`,
      ];
      for (const r of rows) {
        const name = r.what.startsWith("tcptrace")
          ? "tcptrace -n"
          : r.what.startsWith("tshark")
            ? "tshark"
            : undefined;
        if (name === undefined) continue;
        parts.push(fasterThan(r, readSeconds, name, ratio));
      }
      out.push(parts.join("; "));
      const r = lastRead as ReadDecodeResult;
      const gcs = gcTimes.filter((t) => readWindows.some(([a, b]) => t >= a && t <= b)).length;
      const match =
        r.packets === s.packets &&
        r.tcpPackets === s.packets &&
        r.tcpPayloadBytes === s.tcpPayloadBytes;
      out.push(
        `teardown read+decode (in-process): ${fmt(packets / readSeconds / 1e6, 2)} M packets/s, ` +
          `${fmt(mib / readSeconds, 0)} MiB/s, ${fmt((readSeconds * 1e9) / packets, 0)} ns/packet; ` +
          `${gcs} GC(s) during its ${readTimes.length} timed runs`,
      );
      out.push(
        "counts " +
          (match
            ? `match the generator: ${count(r.packets)} packets, all TCP, ${count(r.tcpPayloadBytes)} payload bytes`
            : `DIFFER from the generator: read ${count(r.packets)} packets (${count(r.tcpPackets)} TCP, ` +
              `${count(r.tcpPayloadBytes)} payload bytes), wrote ${count(s.packets)} (${count(s.tcpPayloadBytes)})`),
      );
      const all = (xs: number[]) => xs.map((x) => fmt(x, 3)).join(" ");
      out.push(
        `runs (s): cat ${all(catTimes)}; cat /dev/null ${all(spawnTimes)}; in-process ${all(readTimes)}; fresh ${all(freshTimes.decode)}; ` +
          `pumpInput ${all(freshTimes.pump)}; +CaptureReader ${all(freshTimes.frame)}`,
      );
    }
    if (doAnalyze || doNoSniff || tsharkConv !== undefined) {
      out.push("");
      out.push(
        ...analysisReport({
          opts,
          cap,
          mib,
          catSeconds,
          analyzeRuns,
          noSniffRuns,
          analyzeCommand: commandLine(analyzeArgs, analyzeOpts),
          noSniffCommand: commandLine(noSniffArgs, analyzeOpts),
          tcptrace,
          tsharkConv,
          tcptraceRuns: tcptraceRuns ?? [],
          tsharkConvRuns: tsharkConvRuns ?? [],
        }),
      );
    }
    if (rssRows.length > 0) {
      out.push("");
      out.push("peak RSS of read+decode in a fresh process (node dist/bench/read-only.js FILE):");
      out.push(table(["file", "size", "packets", "seconds", "peak RSS", "over baseline"], rssRows));
    }
    process.stdout.write(`${out.join("\n")}\n`);
  } finally {
    if (timeDir !== undefined) rmSync(timeDir, { recursive: true, force: true });
    if (!opts.keep) {
      for (const c of made) removeCapture(c);
    } else if (made.length > 0) {
      log(`kept ${made.map((c) => relative(ROOT, c.path)).join(", ")}`);
    }
  }
}

/** A node command line for the report, with paths relative to the repository. */
function commandLine(args: readonly string[], opts: readonly string[]): string {
  return ["node", ...args.map((x) => (x.startsWith(ROOT) ? relative(ROOT, x) : x))]
    .concat("FILE", opts)
    .join(" ");
}

/** "N.Nx faster than NAME", or why there is no such ratio (a lower bound for a stopped run). */
function fasterThan(
  ref: { readonly seconds: number; readonly note: string; readonly stopped?: boolean },
  seconds: number,
  name: string,
  format: (n: number) => string,
): string {
  if (ref.note === "") return `${format(ref.seconds / seconds)}x faster than ${name}`;
  if (ref.stopped === true) {
    return `at least ${format(ref.seconds / seconds)}x faster than ${name} (stopped at its CPU cap)`;
  }
  return `${name} failed`;
}

function refLimitsLine(limits: Limits): string {
  const caps: string[] = [];
  if (limits.addressSpace > 0) caps.push(`address space ${fmt(limits.addressSpace / GIB, 1)} GiB`);
  if (limits.cpuSeconds > 0) caps.push(`${limits.cpuSeconds} CPU seconds`);
  const limited =
    caps.length === 0
      ? "references run without caps"
      : PRLIMIT === undefined
        ? "prlimit not found: references run without caps"
        : `references capped by prlimit: ${caps.join(", ")}`;
  const rss =
    GNU_TIME !== undefined
      ? "peak RSS of tools from /usr/bin/time %M"
      : "peak RSS of tools from VmHWM polled every 50 ms (/usr/bin/time not found: a lower bound)";
  return `${limited}; ${rss}`;
}

function mibOf(kib: number): string {
  return Number.isFinite(kib) ? `${fmt(kib / 1024, 0)} MiB` : "-";
}

interface AnalysisInput {
  readonly opts: Options;
  readonly cap: Capture;
  readonly mib: number;
  readonly catSeconds: number;
  readonly analyzeRuns: readonly Timed[];
  readonly noSniffRuns: readonly Timed[];
  readonly analyzeCommand: string;
  readonly noSniffCommand: string;
  /** The references' runs as one (referenceTimed), and run by run. */
  readonly tcptrace: Timed | undefined;
  readonly tsharkConv: Timed | undefined;
  readonly tcptraceRuns: readonly Timed[];
  readonly tsharkConvRuns: readonly Timed[];
}

/** The median seconds of a repeated command's successful runs and the highest peak RSS. */
interface Repeated {
  readonly runs: number;
  readonly t: {
    readonly seconds: number;
    readonly note: string;
    /** The highest peak of the runs: the figure a user has to provision for. */
    readonly maxRssKiB: number;
    /** The median CPU seconds of the runs. */
    readonly cpuSeconds: number;
    readonly ok: boolean;
    readonly stopped: boolean;
  };
  readonly failed: Timed | undefined;
}

function repeated(runs: readonly Timed[]): Repeated {
  const ok = runs.filter((t) => t.ok);
  const failed = runs.find((t) => !t.ok);
  return {
    runs: ok.length,
    failed,
    t: {
      seconds: median(ok.map((t) => t.seconds)),
      note:
        failed === undefined
          ? ""
          : `${runs.length - ok.length} of ${runs.length} runs ${failed.note}`,
      maxRssKiB: ok.length === 0 ? NaN : Math.max(...ok.map((t) => t.maxRssKiB)),
      cpuSeconds: median(ok.map((t) => t.cpuSeconds)),
      ok: ok.length > 0,
      stopped: false,
    },
  };
}

/**
 * The full-analysis table: the CLI's `analyze` in a fresh process against tcptrace -n and
 * tshark's TCP conversation table, the ratios, and the issue's targets marked PASS or MISS.
 */
function analysisReport(a: AnalysisInput): string[] {
  const packets = a.cap.stats.packets;
  const analyze = repeated(a.analyzeRuns);
  const noSniff = repeated(a.noSniffRuns);
  const okRuns = a.analyzeRuns.filter((t) => t.ok);
  const failed = analyze.failed;
  const doAnalyze = a.analyzeRuns.length > 0;
  const doNoSniff = a.noSniffRuns.length > 0;
  const seconds = analyze.t.seconds;
  const rssKiB = analyze.t.maxRssKiB;
  interface AnalysisRow {
    readonly what: string;
    readonly runs: number;
    readonly t: Repeated["t"];
  }
  const rows: AnalysisRow[] = [];
  if (doAnalyze) {
    rows.push({ what: "teardown analyze FILE --json /dev/null -q", ...analyze });
  }
  if (doNoSniff) {
    rows.push({ what: "  the same, payload parsing off (no-sniff.js)", ...noSniff });
  }
  if (a.tcptrace !== undefined) {
    rows.push({ what: "tcptrace -n FILE", runs: a.tcptraceRuns.length, t: a.tcptrace });
  }
  if (a.tsharkConv !== undefined) {
    rows.push({
      what: "tshark -r FILE -q -z conv,tcp",
      runs: a.tsharkConvRuns.length,
      t: a.tsharkConv,
    });
  }
  const out: string[] = [];
  out.push(
    "full analysis (a fresh process each, stdout to /dev/null; median of the runs, " +
      "peak RSS the highest of them):",
  );
  out.push(
    table(
      ["what", "runs", "seconds", "CPU s", "MiB/s", "Mpkt/s", "peak RSS", "x cat"],
      rows.map((r) => [
        r.what + (r.t.note === "" ? "" : ` (${r.t.note})`),
        String(r.runs),
        secondsCell(r.t.seconds, r.t.stopped),
        Number.isFinite(r.t.cpuSeconds) ? fmt(r.t.cpuSeconds, 2) : "-",
        r.t.ok ? fmt(a.mib / r.t.seconds, 0) : "-",
        r.t.ok ? fmt(packets / r.t.seconds / 1e6, 2) : "-",
        (r.t.stopped ? ">" : "") + mibOf(r.t.maxRssKiB),
        (r.t.stopped ? ">" : "") + fmt(r.t.seconds / a.catSeconds, 2),
      ]),
    ),
  );
  out.push("");
  const sniffing = doNoSniff ? sniffingReport(a, analyze, noSniff) : [];
  if (!doAnalyze) return out.concat(sniffing);
  if (okRuns.length === 0) {
    out.push(`teardown analyze failed in every run: ${failed?.note ?? ""}`);
    return out;
  }
  const one = (n: number): string => fmt(n, 1);
  const vs = (ref: Timed | undefined, name: string): string =>
    ref === undefined ? `${name} not run` : fasterThan(ref, seconds, name, one);
  const parts = [`teardown analyze = ${vs(a.tcptrace, "tcptrace -n")}`];
  parts.push(vs(a.tsharkConv, "tshark -z conv,tcp"));
  const refRss = [
    a.tcptrace === undefined ? undefined : `tcptrace ${mibOf(a.tcptrace.maxRssKiB)}`,
    a.tsharkConv === undefined ? undefined : `tshark ${mibOf(a.tsharkConv.maxRssKiB)}`,
  ].filter((x) => x !== undefined);
  parts.push(`peak RSS ${mibOf(rssKiB)}` + (refRss.length === 0 ? "" : ` (${refRss.join(", ")})`));
  out.push(parts.join("; "));
  if (Number.isFinite(analyze.t.cpuSeconds)) {
    // On a machine with few CPUs the work itself, not the wall time, is what a second thread
    // cannot hide: this is the budget any speed-up has to come out of.
    const refCpu = [
      a.tcptrace?.ok === true ? `tcptrace ${fmt(a.tcptrace.cpuSeconds, 2)} CPU s` : undefined,
      a.tsharkConv?.ok === true ? `tshark ${fmt(a.tsharkConv.cpuSeconds, 2)} CPU s` : undefined,
    ].filter((x) => x !== undefined);
    out.push(
      `CPU: teardown analyze ${fmt(analyze.t.cpuSeconds, 2)} CPU s in ${fmt(seconds, 2)} s, ` +
        `${fmt(analyze.t.cpuSeconds / seconds, 2)} of this machine's ${cpus().length} CPUs busy` +
        (refCpu.length === 0 ? "" : ` (${refCpu.join(", ")})`),
    );
  }

  // The issue's targets.
  const speedTarget = (ref: Timed | undefined, name: string, min: number): string => {
    const label = `>= ${min}x faster than ${name}: `;
    if (ref === undefined) return `${label}not measured`;
    const x = ref.seconds / seconds;
    if (ref.ok) return `${label}${one(x)}x ${x >= min ? "PASS" : "MISS"}`;
    if (ref.stopped) {
      return x >= min
        ? `${label}at least ${one(x)}x PASS (${name} stopped at its CPU cap)`
        : `${label}unknown (${name} stopped at its CPU cap, at least ${one(x)}x)`;
    }
    return `${label}unknown (${name} failed)`;
  };
  const targets: string[] = [];
  let scope: string;
  if (a.opts.shape === "mixed") {
    scope = "mixed 1 GiB";
    targets.push(speedTarget(a.tcptrace, "tcptrace -n", 1.5));
    targets.push(speedTarget(a.tsharkConv, "tshark -z conv,tcp", 20));
    if (a.opts.bytes !== GIB)
      scope += `; this capture is ${sizeLabel(a.opts.bytes)}, so only a hint`;
  } else {
    scope = "short, 1,000,000 connections";
    targets.push(speedTarget(a.tcptrace, "tcptrace -n", 3));
    const under = rssKiB < 1024 * 1024;
    targets.push(
      `peak RSS under 1 GiB: ${mibOf(rssKiB)} ${Number.isFinite(rssKiB) ? (under ? "PASS" : "MISS") : "unknown"}`,
    );
    if (a.cap.stats.connections !== 1_000_000) {
      scope += `; this capture has ${count(a.cap.stats.connections)}, so only a hint`;
    }
  }
  out.push(`targets (issue; ${scope}): ${targets.join("; ")}`);
  const byRound = [
    roundByRound(a.analyzeRuns, a.tcptraceRuns, "tcptrace -n"),
    roundByRound(a.analyzeRuns, a.tsharkConvRuns, "tshark -z conv,tcp"),
  ].filter((x) => x !== undefined);
  if (byRound.length > 0) out.push(`round by round: ${byRound.join("; ")}`);
  const all = okRuns.map((t) => `${fmt(t.seconds, 3)} s/${mibOf(t.maxRssKiB)}`).join(", ");
  out.push(`teardown analyze runs: ${all}; the command: ${a.analyzeCommand}`);
  return out.concat(sniffing);
}

/** `over`'s seconds over `under`'s, round by round, in the rounds where both completed. */
function roundRatios(over: readonly Timed[], under: readonly Timed[]): number[] {
  const xs: number[] = [];
  for (let i = 0; i < Math.min(over.length, under.length); i++) {
    const o = over[i];
    const u = under[i];
    if (o?.ok === true && u?.ok === true) xs.push(o.seconds / u.seconds);
  }
  return xs;
}

/**
 * How many times faster than a reference teardown analyze was in each round where both ran
 * and completed, with their median: in one round both saw about the same load, so these
 * ratios are less exposed to a change in load than the ratio of the medians. Undefined when
 * there are fewer than two such rounds.
 */
function roundByRound(
  analyze: readonly Timed[],
  ref: readonly Timed[],
  name: string,
): string | undefined {
  const xs = roundRatios(ref, analyze);
  if (xs.length < 2) return undefined;
  const seconds = ref
    .map((t) => (t.ok || t.stopped ? secondsCell(t.seconds, t.stopped) : "failed"))
    .join(" ");
  return (
    `${xs.map((x) => fmt(x, 2)).join(" ")}x ${name} ` +
    `(median ${fmt(median(xs), 2)}x; ${name} runs ${seconds} s)`
  );
}

/**
 * What sniffing (HTTP/TLS payload parsing) costs: analyze over analyze-nosniff, from the
 * medians and run by run (the two ran back to back in each round, so each pair saw about the
 * same load), their peak RSS, and the ratios to the references without it.
 */
function sniffingReport(a: AnalysisInput, analyze: Repeated, noSniff: Repeated): string[] {
  const out: string[] = [];
  const runs = (xs: readonly Timed[]) =>
    xs.map((t) => (t.ok ? `${fmt(t.seconds, 3)} s/${mibOf(t.maxRssKiB)}` : "failed")).join(", ");
  const s = a.cap.stats;
  if (s.apps !== undefined) {
    out.push(
      `payload to sniff: ${count(s.apps.http)} HTTP/1.1 connections (${count(s.http.requests)} requests, ` +
        `${count(s.http.responses)} whole responses, ${count(s.http.cutResponses)} cut by RST), ` +
        `${count(s.apps.tls)} TLS 1.3 (${count(s.tls.clientHellos)} ClientHellos), ` +
        `${count(s.apps.other)} opaque`,
    );
  }
  if (!noSniff.t.ok) {
    out.push(
      `teardown analyze without sniffing failed in every run: ${noSniff.failed?.note ?? ""}`,
    );
    return out;
  }
  if (analyze.t.ok) {
    const x = analyze.t.seconds / noSniff.t.seconds;
    const pairs = roundRatios(a.analyzeRuns, a.noSniffRuns);
    const pct = (r: number) => `${r >= 1 ? "+" : ""}${fmt((r - 1) * 100, 0)}%`;
    out.push(
      `sniffing costs: analyze / analyze without sniffing = ${fmt(x, 2)}x (${pct(x)}; medians ` +
        `${fmt(analyze.t.seconds, 3)} s vs ${fmt(noSniff.t.seconds, 3)} s); round by round ` +
        `${pairs.map((r) => fmt(r, 2)).join(" ")} (median ${fmt(median(pairs), 2)}x); peak RSS ` +
        `${mibOf(analyze.t.maxRssKiB)} vs ${mibOf(noSniff.t.maxRssKiB)}` +
        (Number.isFinite(analyze.t.cpuSeconds) && Number.isFinite(noSniff.t.cpuSeconds)
          ? `; CPU ${fmt(analyze.t.cpuSeconds, 2)} s vs ${fmt(noSniff.t.cpuSeconds, 2)} s`
          : ""),
    );
  }
  const one = (n: number): string => fmt(n, 1);
  const vs = (ref: Timed | undefined, name: string): string | undefined =>
    ref === undefined ? undefined : fasterThan(ref, noSniff.t.seconds, name, one);
  const parts = [vs(a.tcptrace, "tcptrace -n"), vs(a.tsharkConv, "tshark -z conv,tcp")].filter(
    (x) => x !== undefined,
  );
  if (parts.length > 0) out.push(`without sniffing, teardown analyze = ${parts.join("; ")}`);
  out.push(`runs without sniffing: ${runs(a.noSniffRuns)}; the command: ${a.noSniffCommand}`);
  return out;
}

function readOnly(args: readonly string[]): ReadOnlyReport {
  const r = spawnSync(process.execPath, [READ_ONLY_JS, ...args], {
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`read-only.js ${args.join(" ")} failed (exit ${r.status})`);
  return JSON.parse(r.stdout) as ReadOnlyReport;
}

try {
  await main();
} catch (e) {
  if (!(e instanceof UsageError)) throw e;
  console.error(`bench: ${e.message}\n${USAGE}`);
  process.exitCode = 2;
}
