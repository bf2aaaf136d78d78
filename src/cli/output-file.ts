/**
 * One output file of `teardown analyze`, written whole or not at all. The bytes go to a temporary
 * file beside the destination (`.NAME.teardown-RANDOM.tmp`: the same directory, so the rename
 * stays on one file system), renamed over the destination by `commit()` once everything was
 * written; `discard()` removes it. Whoever opens the destination sees the file that was there
 * before or the complete new one, never half of one, even when the run is interrupted or the disk
 * fills up.
 *
 * Opening checks everything that can be checked before the capture is read: the directory exists
 * and takes a new file (creating the temporary file proves it), the destination is not a
 * directory, an existing destination may be written.
 *
 * Special files (a terminal, /dev/null, /dev/full, a FIFO, /dev/stdout) are written in place:
 * renaming over them would replace the device node, not write to it.
 *
 * Limitations: a run killed by SIGKILL or a power cut leaves its temporary file behind (its name
 * says what made it), and the data is not fsync'ed before the rename. The new file takes the
 * permission bits of the one it replaces, not its owner, ACLs or hard links. A symbolic link is
 * followed: the file it points to is replaced, the link stays.
 */
import {
  accessSync,
  constants,
  createWriteStream,
  fchmodSync,
  openSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  type Stats,
  type WriteStream,
} from "node:fs";
import { randomBytes } from "node:crypto";
import { basename, dirname, join } from "node:path";
import { finished } from "node:stream/promises";

/** Characters of the destination's name kept in the temporary name (names stop at 255 bytes). */
const NAME_KEPT = 100;

export class OutputFile {
  private error: NodeJS.ErrnoException | undefined;
  private state: "open" | "committed" | "discarded" = "open";

  private constructor(
    /** Where the output ends up (a symbolic link resolved). */
    readonly target: string,
    /** The temporary file, or undefined when the target is a special file written in place. */
    readonly temp: string | undefined,
    readonly stream: WriteStream,
    /** The file the output replaces, when there is one (to refuse writing over an input). */
    readonly replaces: { readonly dev: number; readonly ino: number } | undefined,
  ) {
    // The first write error is kept for failure(); the stream stops (autoDestroy) and closes.
    stream.on("error", (e: NodeJS.ErrnoException) => {
      this.error ??= e;
    });
  }

  /** Opens `path` for writing, or says in a few words why it cannot be written. */
  static open(path: string): OutputFile | string {
    let target = path;
    try {
      target = realpathSync(path);
    } catch {
      // Not there yet (or a dangling link): written as named.
    }
    let st: Stats | undefined;
    try {
      st = statSync(target);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") return describeError(e);
    }
    try {
      if (st?.isDirectory() === true) return describeError({ code: "EISDIR" });
      if (st !== undefined && !st.isFile()) {
        const stream = createWriteStream("", { fd: openSync(target, "w") });
        return new OutputFile(target, undefined, stream, undefined);
      }
      // An existing file we may not write stays as it is, as with `> file` in a shell (renaming
      // would replace it whatever its permissions).
      if (st !== undefined) accessSync(target, constants.W_OK);
      const name = basename(target).slice(0, NAME_KEPT);
      const temp = join(dirname(target), `.${name}.teardown-${randomBytes(6).toString("hex")}.tmp`);
      const fd = openSync(temp, "wx", 0o666);
      if (st !== undefined) fchmodSync(fd, st.mode & 0o7777);
      const stream = createWriteStream("", { fd });
      return new OutputFile(
        target,
        temp,
        stream,
        st === undefined ? undefined : { dev: st.dev, ino: st.ino },
      );
    } catch (e) {
      return describeError(e);
    }
  }

  /** The first write error, in a few words, or undefined. */
  failure(): string | undefined {
    return this.error === undefined ? undefined : describeError(this.error);
  }

  /** Ends the stream once everything is written; the write error, if one happened. */
  async finish(): Promise<string | undefined> {
    if (this.error === undefined && this.state === "open") {
      this.stream.end();
      try {
        await finished(this.stream);
      } catch (e) {
        this.error ??= e as NodeJS.ErrnoException;
      }
    }
    return this.failure();
  }

  /** Puts the finished file in place (call after finish() found no error). */
  commit(): void {
    if (this.state !== "open") return;
    if (this.temp !== undefined) renameSync(this.temp, this.target);
    this.state = "committed";
  }

  /** Removes the temporary file (nothing after commit()): the destination is left as it was. */
  discard(): void {
    if (this.state !== "open") return;
    this.state = "discarded";
    this.stream.destroy();
    if (this.temp === undefined) return;
    try {
      unlinkSync(this.temp);
    } catch {
      // Already gone: nothing to remove.
    }
  }
}

const PLAIN_WORDS: Readonly<Record<string, string>> = {
  // ENOENT from creating a file in the destination's directory: the directory is missing.
  ENOENT: "no such directory",
  ENOTDIR: "a component of the path is not a directory",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EISDIR: "is a directory",
  EROFS: "read-only file system",
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EFBIG: "file too large",
  EIO: "input/output error",
  ENAMETOOLONG: "file name too long",
  ELOOP: "too many symbolic links",
};

/** A system error in a few words with its code: `no such directory (ENOENT)`. */
export function describeError(e: unknown): string {
  const code = (e as { code?: unknown } | undefined)?.code;
  if (typeof code === "string") {
    const words = PLAIN_WORDS[code];
    if (words !== undefined) return `${words} (${code})`;
  }
  return e instanceof Error ? e.message : String(e);
}
