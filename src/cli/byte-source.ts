/**
 * Moves the bytes of one input (a file path, or `-` for standard input) into a consumer in large
 * chunks, decompressing gzip on the way. gzip is recognised by its magic bytes, never by the
 * file name (`tcpdump -z gzip` output is often renamed, and stdin has no name).
 *
 * A plain file is read synchronously into one reused buffer: the consumer copies what it keeps
 * (the capture reader copies only a record that straddles two chunks), so the hot loop
 * allocates nothing. Compressed input and pipes go through Node streams.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";

export const CHUNK_BYTES = 1 << 20;

export interface ByteConsumer {
  push(chunk: Uint8Array): void;
  /**
   * Asked between chunks, with the bytes read from the input so far (compressed bytes for gzip,
   * so a progress report can compare them with the file's size): a promise to wait for (output
   * back-pressure), or undefined.
   */
  ready?(rawBytes: number): Promise<void> | undefined;
}

export interface PumpResult {
  /** Bytes read from the file or stream (compressed bytes for gzip input). */
  readonly rawBytes: number;
  readonly gzip: boolean;
  /**
   * A problem that stopped the input early, such as a gzip stream cut short (tcpdump -z gzip
   * killed mid-write). Everything decompressed before it was pushed.
   */
  readonly inputError: string | undefined;
}

/** Thrown when the input cannot be opened or read at all. */
export class InputError extends Error {}

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

export async function pumpInput(
  path: string,
  consumer: ByteConsumer,
  stdin: Readable,
): Promise<PumpResult> {
  if (path === "-") return pumpStream(stdin, consumer);
  const fd = system(() => openSync(path, "r"));
  try {
    const st = system(() => fstatSync(fd));
    if (st.isDirectory()) throw new InputError("is a directory");
    // A file still being written (tcpdump -U -w) is read as far as it went when it was opened:
    // a writer faster than the reader cannot keep the run going for ever, and the last record,
    // if tcpdump was in the middle of it, is reported as cut short.
    const limit = st.isFile() ? st.size : Number.POSITIVE_INFINITY;
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    // The consumer sees plain Uint8Arrays only, whatever the source: one type keeps the
    // decoder's code monomorphic (a Buffer here and a Uint8Array elsewhere deoptimises it).
    const bytes = plain(buf);
    const read = (from: number): number =>
      system(() => readSync(fd, buf, 0, Math.min(CHUNK_BYTES, limit - from), null));
    let n = read(0);
    if (n >= 2 && buf[0] === GZIP_MAGIC_0 && buf[1] === GZIP_MAGIC_1) {
      return await pumpGzipFile(fd, buf.subarray(0, n), consumer);
    }
    let raw = 0;
    // Errors of the consumer (an interrupted run, a failed output) are not the input's: they go
    // through as they are.
    while (n > 0) {
      raw += n;
      consumer.push(bytes.subarray(0, n));
      const wait = consumer.ready?.(raw);
      if (wait !== undefined) await wait;
      n = read(raw);
    }
    return { rawBytes: raw, gzip: false, inputError: undefined };
  } finally {
    closeSync(fd);
  }
}

/** Runs a file system call; its error becomes an InputError saying what went wrong. */
function system<T>(call: () => T): T {
  try {
    return call();
  } catch (e) {
    throw new InputError(systemMessage(e));
  }
}

async function pumpGzipFile(
  fd: number,
  first: Uint8Array,
  consumer: ByteConsumer,
): Promise<PumpResult> {
  const gunzip = createGunzip({ chunkSize: CHUNK_BYTES });
  let raw = first.length;
  // Feed the compressed file in the background; gunzip applies back-pressure through drain.
  const feed = (async () => {
    let chunk: Uint8Array = Buffer.from(first);
    while (chunk.length > 0) {
      if (!gunzip.write(chunk)) await new Promise((resolve) => gunzip.once("drain", resolve));
      const next = Buffer.allocUnsafe(CHUNK_BYTES);
      const n = readSync(fd, next, 0, CHUNK_BYTES, null);
      raw += n;
      chunk = next.subarray(0, n);
    }
    gunzip.end();
  })().catch((e: unknown) => {
    // A read error ends the decompressed stream with it (drainDecompressed reports it).
    gunzip.destroy(new Error(systemMessage(e)));
  });
  const result = await drainDecompressed(gunzip, consumer, () => raw);
  await feed;
  return { rawBytes: raw, gzip: true, inputError: result };
}

async function pumpStream(input: Readable, consumer: ByteConsumer): Promise<PumpResult> {
  let raw = 0;
  let head = Buffer.alloc(0);
  const it = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  // Gather at least the two magic bytes before deciding (a pipe may deliver one byte first).
  while (head.length < 2) {
    const r = await it.next();
    if (r.done === true) break;
    raw += r.value.length;
    head = Buffer.concat([head, r.value]);
  }
  if (head.length >= 2 && head[0] === GZIP_MAGIC_0 && head[1] === GZIP_MAGIC_1) {
    const gunzip = createGunzip({ chunkSize: CHUNK_BYTES });
    const feed = (async () => {
      if (!gunzip.write(head)) await new Promise((resolve) => gunzip.once("drain", resolve));
      for (let r = await it.next(); r.done !== true; r = await it.next()) {
        raw += r.value.length;
        if (!gunzip.write(r.value)) await new Promise((resolve) => gunzip.once("drain", resolve));
      }
      gunzip.end();
    })();
    const inputError = await drainDecompressed(gunzip, consumer, () => raw);
    await feed.catch(() => undefined);
    return { rawBytes: raw, gzip: true, inputError };
  }
  if (head.length > 0) consumer.push(plain(head));
  for (let r = await it.next(); r.done !== true; r = await it.next()) {
    raw += r.value.length;
    consumer.push(plain(r.value));
    const wait = consumer.ready?.(raw);
    if (wait !== undefined) await wait;
  }
  return { rawBytes: raw, gzip: false, inputError: undefined };
}

/**
 * Pushes everything the decompressor yields; returns its error message, if it failed. An error of
 * the consumer goes through as it is (and stops the decompressor).
 */
async function drainDecompressed(
  gunzip: Readable,
  consumer: ByteConsumer,
  rawSoFar: () => number,
): Promise<string | undefined> {
  const chunks = gunzip[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let done = false;
  try {
    for (;;) {
      let next: IteratorResult<Buffer>;
      try {
        next = await chunks.next();
      } catch (e) {
        done = true;
        return `gzip: ${e instanceof Error ? e.message : String(e)}`;
      }
      if (next.done === true) {
        done = true;
        return undefined;
      }
      consumer.push(plain(next.value));
      const wait = consumer.ready?.(rawSoFar());
      if (wait !== undefined) await wait;
    }
  } finally {
    if (!done) gunzip.destroy();
  }
}

/** The same bytes as a plain Uint8Array (no copy). */
function plain(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

function systemMessage(e: unknown): string {
  if (e instanceof InputError) return e.message;
  const code = (e as { code?: string }).code;
  switch (code) {
    case "ENOENT":
      return "no such file";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "is a directory";
    default:
      return e instanceof Error ? e.message : String(e);
  }
}
