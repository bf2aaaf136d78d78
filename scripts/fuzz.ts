/**
 * `npm run fuzz -- [--time S] [--runs N] [--seed N] [--resume] [--out DIR] [--max-len BYTES]
 * [--exec-timeout MS] [--quiet]`: coverage-guided fuzzing of the whole pipeline from capture
 * bytes (test/fuzz/main.ts) for S seconds (default 60) or N executions, from seed N (default 1),
 * writing failures to DIR/crashes/ and the corpus to DIR/corpus/ (DIR: test-output/fuzz);
 * --resume starts from DIR/corpus as well as the seeds. The exit status is 1 when it found a
 * failure.
 *
 * `npm run fuzz -- --repro FILE...` runs saved inputs once through the same target and prints
 * what they gave, or the failure and its stack (exit status 1).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { REPO_ROOT } from "../test/differential/capture-files.js";
import { DEFAULT_FUZZ_OPTIONS, formatReport, runFuzz } from "../test/fuzz/main.js";

async function repro(files: readonly string[]): Promise<number> {
  const { installAllocationGuard } = await import("../test/fuzz/alloc-guard.js");
  installAllocationGuard();
  const { runTarget } = await import("../test/fuzz/target.js");
  let failed = 0;
  for (const file of files) {
    const bytes = new Uint8Array(readFileSync(file));
    try {
      const r = runTarget(bytes);
      process.stdout.write(
        `${file}: ok: ${r.format}, ${r.packets} packets (${r.tcpPackets} TCP), ${r.flows} flows, ` +
          `diagnostics [${r.diagnostics.join(", ")}], chunks of ${r.chunkSize}\n`,
      );
    } catch (e) {
      failed++;
      process.stdout.write(
        `${file}: FAILED\n${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
      );
    }
  }
  return failed > 0 ? 1 : 0;
}

async function cli(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      time: { type: "string" },
      runs: { type: "string" },
      seed: { type: "string" },
      out: { type: "string" },
      resume: { type: "boolean" },
      repro: { type: "boolean" },
      "max-len": { type: "string" },
      "exec-timeout": { type: "string" },
      quiet: { type: "boolean" },
    },
  });
  if (values.repro === true) return repro(positionals);
  const num = (v: string | undefined, d: number): number => (v === undefined ? d : Number(v));
  const seed = num(values.seed, DEFAULT_FUZZ_OPTIONS.seed);
  const outDir = values.out ?? join(REPO_ROOT, "test-output/fuzz");
  const report = await runFuzz({
    seed,
    timeMs: num(values.time, 60) * 1000,
    runs: num(values.runs, DEFAULT_FUZZ_OPTIONS.runs),
    maxLength: num(values["max-len"], DEFAULT_FUZZ_OPTIONS.maxLength),
    execTimeoutMs: num(values["exec-timeout"], DEFAULT_FUZZ_OPTIONS.execTimeoutMs),
    outDir,
    resume: values.resume === true,
    onProgress:
      values.quiet === true
        ? undefined
        : (s) =>
            process.stderr.write(
              `#${s.execs} corpus ${s.corpus} blocks ${s.blocksCovered}/${s.blocksKnown} failures ${s.failures}\n`,
            ),
  });
  process.stdout.write(formatReport(report, seed) + "\n");
  process.stdout.write(`corpus written to ${join(outDir, "corpus")}\n`);
  return report.failures.length > 0 ? 1 : 0;
}

process.exitCode = await cli(process.argv.slice(2));
