/**
 * Runs one stage of teardown's read path over a capture in a fresh process, the way the CLI
 * reads one file, and reports the time and the peak resident set size (so the benchmark can
 * show that memory does not grow with the file).
 *
 * Usage: node dist/bench/read-only.js [--stage pump|frame|decode] FILE   (one JSON line)
 *        node dist/bench/read-only.js --baseline    (the same modules loaded, nothing read)
 *
 * The stage defaults to `decode`: pumpInput -> CaptureReader -> decodePacket.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { runStage, STAGES, type Stage } from "./read-decode.js";

export interface ReadOnlyReport {
  readonly file: string | undefined;
  readonly stage: Stage | undefined;
  readonly packets: number;
  readonly tcpPackets: number;
  readonly tcpPayloadBytes: number;
  /** From the first read to the end of the reader, in this process (no startup). */
  readonly seconds: number;
  /** `process.resourceUsage().maxRSS`, KiB. */
  readonly maxRssKiB: number;
  /** VmHWM from /proc/self/status, KiB (the same figure, from the kernel's side). */
  readonly vmHwmKiB: number;
}

function vmHwmKiB(): number {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync("/proc/self/status", "utf8"));
    return m === null ? 0 : Number(m[1]);
  } catch {
    return 0;
  }
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      stage: { type: "string", default: "decode" },
      baseline: { type: "boolean", default: false },
    },
  });
  const stage = STAGES.find((s) => s === values.stage);
  if (stage === undefined) throw new Error(`--stage is ${STAGES.join(", ")}`);
  const file = positionals[0];
  let report: ReadOnlyReport;
  if (values.baseline) {
    report = {
      file: undefined,
      stage: undefined,
      packets: 0,
      tcpPackets: 0,
      tcpPayloadBytes: 0,
      seconds: 0,
      maxRssKiB: process.resourceUsage().maxRSS,
      vmHwmKiB: vmHwmKiB(),
    };
  } else {
    if (file === undefined) throw new Error("usage: read-only.js [--stage S] FILE | --baseline");
    const r = await runStage(stage, file);
    const error = r.diagnostics.find((d) => d.severity === "error");
    if (error !== undefined) throw new Error(`${file}: ${error.message}`);
    report = {
      file,
      stage,
      packets: r.packets,
      tcpPackets: r.tcpPackets,
      tcpPayloadBytes: r.tcpPayloadBytes,
      seconds: r.seconds,
      maxRssKiB: process.resourceUsage().maxRSS,
      vmHwmKiB: vmHwmKiB(),
    };
  }
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

await main(process.argv.slice(2));
