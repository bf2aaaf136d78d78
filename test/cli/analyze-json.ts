/**
 * Helpers of the rotation-set tests (capture-set, tcpdump-rotation): `teardown analyze ... --json -` run as a child process, its
 * document parsed, and a fixed shuffle of the inputs.
 */
import { spawnSync } from "node:child_process";
import { CLI } from "../differential/capture-files.js";

export interface SetDoc {
  flows: unknown[];
  summary: unknown;
  capture: {
    packets: number;
    files: {
      path: string;
      packets: number;
      damaged: boolean;
      gzip: boolean;
      first: number | null;
      last: number | null;
      frameOffset: number;
      gapBefore: number | null;
    }[];
  };
}

export function analyze(args: readonly string[]): {
  code: number | null;
  doc: SetDoc;
  stderr: string;
} {
  const r = spawnSync(process.execPath, [CLI, "analyze", ...args, "--json", "-"], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  let doc: SetDoc;
  try {
    doc = JSON.parse(r.stdout) as SetDoc;
  } catch (e) {
    throw new Error(
      `teardown analyze ${args.join(" ")}: no JSON on stdout (status ${r.status}): ${r.stderr}`,
      { cause: e },
    );
  }
  return { code: r.status, doc, stderr: r.stderr };
}

/** A fixed shuffle (reverse, then swap pairs): not the time order, the same every run. */
export function shuffled<T>(xs: readonly T[]): T[] {
  const out = [...xs].reverse();
  for (let i = 0; i + 1 < out.length; i += 2) [out[i], out[i + 1]] = [out[i + 1] as T, out[i] as T];
  return out;
}
