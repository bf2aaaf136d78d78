/**
 * The hostile sample capture (samples/hostile/hostile.pcap, made on loopback by
 * samples/gen/hostile/) and how the tests run teardown on it: the committed file, and a copy
 * under a file name an attacker could choose (the name reaches every format; the Markdown and
 * JUnit reports carry no other text from the capture).
 *
 * The expected strings here are written out by hand from what the Go program sent (see
 * samples/hostile/README.md), not computed with teardown's own escaping functions: a test that
 * escaped its expectations with the code under test would prove nothing.
 */
import { spawnSync } from "node:child_process";
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI, REPO_ROOT } from "../differential/capture-files.js";

export const SAMPLE = join(REPO_ROOT, "samples/hostile/hostile.pcap");
/** Connections in the sample, one per exchange of samples/gen/hostile/hostile-traffic/main.go. */
export const FLOWS = 12;

/**
 * A file name carrying markup, a Markdown link, a backtick, a pipe, ESC, C1 NEL and CSI, a bidi
 * override, a tab, a newline, the end of a CDATA section and Zeek's header marker.
 */
export const HOSTILE_NAME =
  "h <svg onload=alert(1)> [x](javascript:alert(1)) `tick` | pipe \u001b[2J\u0085\u009b31m \u202eevil\ttab\nnl ]]> #separator.pcap";
/** The same name as it must be shown: every control and bidi character as a visible escape. */
export const HOSTILE_NAME_SHOWN =
  "h <svg onload=alert(1)> [x](javascript:alert(1)) `tick` | pipe \\x1b[2J\\x85\\x9b31m \\u202eevil\\ttab\\nnl ]]> #separator.pcap";

export interface HostileCopy {
  readonly path: string;
  readonly dir: string;
  readonly remove: () => void;
}

/** The sample copied into a fresh directory under HOSTILE_NAME. */
export function hostileCopy(): HostileCopy {
  const dir = mkdtempSync(join(tmpdir(), "teardown-hostile-"));
  const path = join(dir, HOSTILE_NAME);
  copyFileSync(SAMPLE, path);
  return { path, dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Run {
  readonly status: number | null;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
}

/** `teardown ARGS...` from the repository root, its output as bytes. */
export function teardown(args: readonly string[]): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: REPO_ROOT,
    maxBuffer: 64 << 20,
  });
  if (r.error !== undefined) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Bytes as UTF-8 text; throws when they are not valid UTF-8. */
export function utf8(bytes: Uint8Array): string {
  return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
}

/**
 * Characters a terminal, an editor or a reader's eye would act on rather than show: C0 controls
 * but the newline (ESC, NUL, BEL, tab, CR...), DEL, C1 controls (the 8-bit CSI 0x9b among them),
 * bidirectional embeddings, overrides, isolates and marks (CVE-2021-42574), lone surrogates.
 */
export function actsOn(c: number): boolean {
  if (c < 0x20) return c !== 0x0a;
  if (c >= 0x7f && c <= 0x9f) return true;
  if (c === 0x061c || c === 0x200e || c === 0x200f) return true;
  if (c >= 0x202a && c <= 0x202e) return true;
  if (c >= 0x2066 && c <= 0x2069) return true;
  return c >= 0xd800 && c <= 0xdfff;
}

/** The characters of `s` that `bad` flags, described for an assertion message (at most 5). */
export function offending(s: string, bad: (c: number) => boolean = actsOn): string[] {
  const out: string[] = [];
  let i = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (bad(c)) {
      const at = s.slice(Math.max(0, i - 30), i + 10);
      out.push(`U+${c.toString(16).padStart(4, "0")} at ${i} near ${JSON.stringify(at)}`);
      if (out.length >= 5) break;
    }
    i += ch.length;
  }
  return out;
}

/** The flow ids of the sample: 1..FLOWS. */
export const FLOW_IDS: readonly number[] = Array.from({ length: FLOWS }, (_, i) => i + 1);

/** `teardown analyze CAPTURE --html FILE ARGS`, the report's text. */
export function htmlReport(capture: string, file: string, args: readonly string[] = []): string {
  const r = teardown(["analyze", capture, "--html", file, "--quiet", ...args]);
  assert.equal(r.status, 0, r.stderr.toString());
  return utf8(readFileSync(file));
}

/** `--flow` for every flow of the sample: each gets a ladder. */
export const ALL_LADDERS: readonly string[] = FLOW_IDS.flatMap((id) => ["--flow", String(id)]);

/** The hostile copy's report with every ladder, written to `name` in the copy's directory. */
export function hostileReport(copy: HostileCopy, name = "report.html"): string {
  const file = join(copy.dir, name);
  htmlReport(copy.path, file, ALL_LADDERS);
  return file;
}
