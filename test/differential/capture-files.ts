/**
 * The captures the differential and robustness tests run over: every sample in `samples/` and
 * every capture of the shared third-party corpus (listed in its INDEX.tsv).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = resolve(fileURLToPath(import.meta.url), "../../../..");
export const CORPUS_DIR = resolve(REPO_ROOT, "../shared/corpus");
export const SAMPLES_DIR = join(REPO_ROOT, "samples");
export const CLI = join(REPO_ROOT, "dist/src/cli/main.js");

const CAPTURE_NAME = /\.(pcap|pcapng|cap|snoop|zst)(\.gz)?$/;

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...walk(path));
    else if (CAPTURE_NAME.test(name)) out.push(path);
  }
  return out;
}

export function sampleCaptures(): string[] {
  return existsSync(SAMPLES_DIR) ? walk(SAMPLES_DIR) : [];
}

export function corpusCaptures(): string[] {
  const index = join(CORPUS_DIR, "INDEX.tsv");
  if (!existsSync(index)) throw new Error(`the shared corpus is missing: ${index}`);
  const lines = readFileSync(index, "utf8").trim().split("\n").slice(1);
  return lines.map((l) => join(CORPUS_DIR, l.split("\t")[0] ?? "")).filter((p) => existsSync(p));
}
