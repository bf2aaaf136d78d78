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
 * 3. Times once each: `tcptrace -n FILE` and `tshark -r FILE -T fields -e tcp.stream`.
 * 4. Measures the peak RSS of read+decode in a fresh process, for this file and for each of
 *    `--rss-sizes`, to show it does not grow with the file.
 *
 * Absolute seconds depend on the machine and whatever else runs on it; the ratios within one run
 * are the result.
 *
 * Usage: npm run bench -- [--size 1G] [--seed 1] [--shape mixed|short] [--runs 3] [--keep]
 *          [--only cat,read,tcptrace,tshark,rss] [--no-tshark] [--no-tcptrace]
 *          [--rss-sizes 100M,1G]
 */
import { spawn, spawnSync } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
} from "node:fs";
import { cpus, loadavg } from "node:os";
import { basename, join, relative } from "node:path";
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
const MIB = 1024 * 1024;

const STEPS = ["cat", "read", "tcptrace", "tshark", "rss"] as const;
type Step = (typeof STEPS)[number];

interface Options {
  readonly bytes: number;
  readonly seed: number;
  readonly shape: SynthShape;
  readonly runs: number;
  readonly keep: boolean;
  readonly steps: ReadonlySet<Step>;
  readonly rssSizes: readonly number[];
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      size: { type: "string", default: "1G" },
      seed: { type: "string", default: "1" },
      shape: { type: "string", default: "mixed" },
      runs: { type: "string", default: "3" },
      keep: { type: "boolean", default: false },
      only: { type: "string" },
      "no-tshark": { type: "boolean", default: false },
      "no-tcptrace": { type: "boolean", default: false },
      "rss-sizes": { type: "string" },
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
  if (values["no-tshark"]) steps.delete("tshark");
  if (values["no-tcptrace"]) steps.delete("tcptrace");
  const bytes = parseSize(values.size);
  const rssSizes = (values["rss-sizes"] ?? "").split(",").filter((s) => s.trim() !== "");
  return {
    bytes,
    seed: Number(values.seed) >>> 0,
    shape: values.shape,
    runs: Math.max(1, Number(values.runs) | 0),
    keep: values.keep,
    steps,
    rssSizes: rssSizes.length > 0 ? rssSizes.map(parseSize) : [bytes],
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
  const args = [SYNTH_JS, "--out", path, "--shape", shape, "--bytes", String(bytes)];
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

interface Timed {
  readonly seconds: number;
  readonly ok: boolean;
  readonly note: string;
}

/** Runs a command with stdout to /dev/null; wall time from spawn to exit. */
function timeCommand(cmd: string, args: readonly string[]): Promise<Timed> {
  const devNull = openSync("/dev/null", "w");
  return new Promise((resolve) => {
    let stderr = "";
    const t0 = performance.now();
    const child = spawn(cmd, args, { stdio: ["ignore", devNull, "pipe"] });
    if (child.stderr === null) throw new Error("no stderr pipe");
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (s: string) => {
      stderr = (stderr + s).slice(-4000);
    });
    child.on("error", (e) => {
      closeSync(devNull);
      resolve({ seconds: NaN, ok: false, note: e.message });
    });
    child.on("close", (code, signal) => {
      const seconds = (performance.now() - t0) / 1000;
      closeSync(devNull);
      const ok = code === 0;
      const note = ok ? "" : `exit ${code ?? signal}: ${lastLine(stderr)}`;
      resolve({ seconds, ok, note });
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

    const doCat = opts.steps.has("cat");
    const doRead = opts.steps.has("read");
    // One untimed pass so the in-process runs measure optimised code. Only the full read path
    // ever runs in this process, so its call sites see what the CLI's do.
    if (doRead) await readAndDecode(cap.path);
    for (let i = 0; i < opts.runs && (doCat || doRead); i++) {
      log(`run ${i + 1}/${opts.runs}`);
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
    if (opts.steps.has("tcptrace")) {
      log("tcptrace -n (once)");
      const t = await timeCommand("tcptrace", ["-n", cap.path]);
      rows.push({ what: "tcptrace -n FILE", runs: 1, seconds: t.seconds, packets, note: t.note });
    }
    if (opts.steps.has("tshark")) {
      log("tshark -T fields -e tcp.stream (once; slow)");
      const t = await timeCommand("tshark", ["-r", cap.path, "-T", "fields", "-e", "tcp.stream"]);
      rows.push({
        what: "tshark -r FILE -T fields -e tcp.stream",
        runs: 1,
        seconds: t.seconds,
        packets,
        note: t.note,
      });
    }

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
        `cat and teardown: median of ${opts.runs} interleaved runs; tcptrace, tshark: once`,
    );
    out.push("");
    out.push(
      table(
        ["what", "runs", "seconds", "MiB/s", "Mpkt/s", "x cat"],
        rows.map((r) => [
          r.what + (r.note === "" ? "" : ` (FAILED: ${r.note})`),
          String(r.runs),
          fmt(r.seconds, 3),
          r.readsFile === false ? "-" : fmt(mib / r.seconds, 0),
          r.packets === undefined ? "-" : fmt(r.packets / r.seconds / 1e6, 2),
          fmt(r.seconds / catSeconds, 2),
        ]),
      ),
    );
    out.push("");
    if (doRead) {
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
        parts.push(
          r.note === ""
            ? `${ratio(r.seconds / readSeconds)}x faster than ${name}`
            : `${name} failed`,
        );
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
    if (rssRows.length > 0) {
      out.push("");
      out.push("peak RSS of read+decode in a fresh process (node dist/bench/read-only.js FILE):");
      out.push(table(["file", "size", "packets", "seconds", "peak RSS", "over baseline"], rssRows));
    }
    process.stdout.write(`${out.join("\n")}\n`);
  } finally {
    if (!opts.keep) {
      for (const c of made) removeCapture(c);
    } else if (made.length > 0) {
      log(`kept ${made.map((c) => relative(ROOT, c.path)).join(", ")}`);
    }
  }
}

function readOnly(args: readonly string[]): ReadOnlyReport {
  const r = spawnSync(process.execPath, [READ_ONLY_JS, ...args], {
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`read-only.js ${args.join(" ")} failed (exit ${r.status})`);
  return JSON.parse(r.stdout) as ReadOnlyReport;
}

await main();
