/**
 * The inputs of `teardown analyze` as one capture: a rotation set (`tcpdump -C/-G/-W`, `-z gzip`)
 * given as files, directories or globs, read in the order of each file's first packet (a `-W`
 * ring wraps, so names do not tell), with stdin (`-`) where it was given.
 *
 * Limitations: globs match the last path component only (`*`, `?`, `[...]`), as a shell would
 * have expanded them; a directory is read one level deep.
 */
import { closeSync, openSync, readdirSync, readSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { constants as zlib, gunzipSync } from "node:zlib";
import { CaptureReader, sniffFormat, SNIFF_BYTES } from "../capture/index.js";

/** Bytes read from the start of a file to find its first packet. */
const PEEK_BYTES = 256 * 1024;

export interface ExpandedInputs {
  /** Files (or "-") to read, in the order given, directories and globs expanded. */
  readonly paths: string[];
  /** Files of a directory that are not captures: skipped, each with why. */
  readonly skipped: { readonly path: string; readonly why: string }[];
  /** Arguments that name nothing (a glob that matches no file). */
  readonly unmatched: string[];
}

const GLOB = /[*?[]/;

function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] ?? "";
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const end = glob.indexOf("]", i + 1);
      if (end < 0) re += "\\[";
      else {
        const body = glob.slice(i + 1, end).replace(/\\/g, "\\\\");
        re += `[${body.startsWith("!") ? `^${body.slice(1)}` : body}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** What a file's first bytes say it is: undefined for a capture (or gzip), else why it is not. */
function notACapture(path: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const head = new Uint8Array(SNIFF_BYTES);
    const n = readSync(fd, head, 0, SNIFF_BYTES, 0);
    const kind = sniffFormat(head.subarray(0, n));
    return kind.kind === "unknown" || kind.kind === "unsupported" ? kind.what : undefined;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code ?? String(e);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Expands directories (their files, by name) and globs; other arguments are kept as given. */
export function expandInputs(args: readonly string[]): ExpandedInputs {
  const paths: string[] = [];
  const skipped: { path: string; why: string }[] = [];
  const unmatched: string[] = [];
  for (const arg of args) {
    if (arg === "-") {
      paths.push(arg);
      continue;
    }
    let dir: string | undefined;
    let match: RegExp | undefined;
    let isDirectory = false;
    try {
      isDirectory = statSync(arg).isDirectory();
    } catch {
      // Not there: perhaps a glob, else reported when read.
    }
    if (isDirectory) dir = arg;
    else if (!isFile(arg) && GLOB.test(basename(arg)) && !GLOB.test(dirname(arg))) {
      dir = dirname(arg);
      match = globToRegExp(basename(arg));
    }
    if (dir === undefined) {
      paths.push(arg);
      continue;
    }
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      unmatched.push(arg);
      continue;
    }
    const found = names.filter((n) => (match === undefined ? !n.startsWith(".") : match.test(n)));
    let added = 0;
    for (const name of found) {
      const path = join(dir, name);
      if (!isFile(path)) continue;
      // Named one by one a file must be a capture; found in a directory, others are skipped.
      const why = match === undefined ? notACapture(path) : undefined;
      if (why !== undefined) skipped.push({ path, why });
      else {
        paths.push(path);
        added++;
      }
    }
    if (added === 0 && match !== undefined) unmatched.push(arg);
  }
  return { paths, skipped, unmatched };
}

/** The first packet's time of a file (whole seconds and nanoseconds), or undefined. */
export function firstPacketTime(path: string): { sec: number; nsec: number } | undefined {
  if (path === "-") return undefined;
  let bytes: Uint8Array;
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const buf = new Uint8Array(PEEK_BYTES);
    bytes = buf.subarray(0, readSync(fd, buf, 0, PEEK_BYTES, 0));
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      // The start of a gzip stream: decompress what is there without asking for its end.
      bytes = gunzipSync(bytes, { finishFlush: zlib.Z_SYNC_FLUSH });
    } catch {
      return undefined;
    }
  }
  let first: { sec: number; nsec: number } | undefined;
  const reader = new CaptureReader({
    packet(rec): void {
      first ??= { sec: rec.tsSec, nsec: rec.tsNsec };
    },
    diagnostic: () => undefined,
  });
  reader.push(bytes);
  return first;
}

/**
 * The paths in the order of their first packet. Stdin, and files whose first packet cannot be
 * found (they say why when read), go last in the order given; equal times keep that order too.
 */
export function orderByFirstPacket(paths: readonly string[]): string[] {
  // One input has no order to find: do not read its start twice.
  if (paths.length < 2) return [...paths];
  const timed = paths.map((path, i) => ({ path, i, t: firstPacketTime(path) }));
  return timed
    .sort((a, b) => {
      if (a.t === undefined || b.t === undefined) {
        if (a.t !== b.t) return a.t === undefined ? 1 : -1;
        return a.i - b.i;
      }
      return a.t.sec - b.t.sec || a.t.nsec - b.t.nsec || a.i - b.i;
    })
    .map((x) => x.path);
}
