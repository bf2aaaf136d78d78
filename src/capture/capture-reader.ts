/**
 * Reads a capture pushed to it in chunks of any size, and delivers its packets to a sink.
 *
 * Whole records are parsed straight out of each chunk; only a record that straddles two chunks
 * is copied, into one carry buffer that grows to the largest such record (never past the length
 * limits the format parsers check before asking for the bytes, and only as its bytes arrive: a
 * length field that claims more than the file holds costs nothing). Nothing is allocated per
 * record.
 *
 * After an error the reader ignores further input: everything before the error has been
 * delivered, and the error says where it happened.
 */
import { diagnostic, type CaptureDiagnostic } from "./diagnostics.js";
import { SNIFF_BYTES, sniffFormat, type FileKind } from "./format.js";
import { newCaptureRecord, type CaptureRecord } from "./record.js";
import type { CaptureSink, RecordParser } from "./parser.js";
import { PcapParser } from "./pcap-parser.js";
import { PcapngParser } from "./pcapng-parser.js";

const INITIAL_CARRY = 64 * 1024;

export class CaptureReader {
  private parser: RecordParser | undefined;
  private readonly rec: CaptureRecord = newCaptureRecord();
  private carry = new Uint8Array(INITIAL_CARRY);
  private carryView = new DataView(this.carry.buffer);
  private carryLen = 0;
  /** Stream offset of the first byte not yet consumed (the carry's first byte, if any). */
  private consumed = 0;
  private ended = false;
  private fatal: CaptureDiagnostic | undefined;
  private detected: FileKind | undefined;
  private readonly sink: CaptureSink;

  constructor(sink: CaptureSink) {
    // Remember the fatal error so callers can ask for it without a sink of their own.
    this.sink = {
      packet: sink.packet.bind(sink),
      diagnostic: (d) => {
        if (d.severity === "error") this.fatal = d;
        sink.diagnostic(d);
      },
      captureInterface: (iface) => sink.captureInterface?.(iface),
      nonPacketFrame: (frame, fileOffset, what) => sink.nonPacketFrame?.(frame, fileOffset, what),
    };
  }

  /** The format found in the first bytes, once known. */
  get format(): FileKind | undefined {
    return this.detected;
  }

  /** The error that stopped the reading, if any. */
  get error(): CaptureDiagnostic | undefined {
    return this.fatal;
  }

  /** Packets delivered so far. */
  get packets(): number {
    return this.parser?.packets ?? 0;
  }

  /** Bytes of input consumed by complete units so far. */
  get bytesConsumed(): number {
    return this.consumed;
  }

  push(chunk: Uint8Array): void {
    if (this.ended || this.fatal !== undefined || chunk.length === 0) return;
    let pos = 0;
    if (this.parser === undefined) {
      const take = Math.min(SNIFF_BYTES - this.carryLen, chunk.length);
      this.appendCarry(chunk, 0, take, SNIFF_BYTES);
      pos = take;
      if (this.carryLen < SNIFF_BYTES || !this.startParser()) return;
    }
    if (this.carryLen > 0) {
      pos = this.drainCarry(chunk, pos);
      if (pos < 0) return;
    }
    const parser = this.parser as RecordParser;
    const dv = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const end = chunk.length;
    while (pos < end) {
      const avail = end - pos;
      const need = parser.unitLength(chunk, dv, pos, avail, this.consumed);
      if (need < 0) return;
      if (need > avail) {
        this.appendCarry(chunk, pos, avail, need);
        return;
      }
      if (!parser.consume(chunk, dv, pos, need, this.consumed)) return;
      pos += need;
      this.consumed += need;
    }
  }

  /** Signals the end of input: reports a cut-short header or last record. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.fatal !== undefined) return;
    if (this.parser === undefined) {
      const head = this.carry.subarray(0, this.carryLen);
      const kind = sniffFormat(head);
      if (kind.kind === "pcap" || kind.kind === "pcapng") {
        this.sink.diagnostic(
          diagnostic(
            "header-cut-short",
            `the file ends after ${this.carryLen} bytes, inside its header`,
            0,
            undefined,
          ),
        );
      } else {
        this.reportUnreadable(kind);
      }
      return;
    }
    this.parser.finish(this.carryLen, this.consumed);
  }

  private startParser(): boolean {
    const kind = sniffFormat(this.carry.subarray(0, this.carryLen));
    this.detected = kind;
    switch (kind.kind) {
      case "pcap":
        this.parser = new PcapParser(kind, this.rec, this.sink);
        return true;
      case "pcapng":
        this.parser = new PcapngParser(this.rec, this.sink);
        return true;
      case "gzip":
      case "unsupported":
      case "unknown":
        this.reportUnreadable(kind);
        return false;
      default: {
        const never: never = kind;
        return never;
      }
    }
  }

  private reportUnreadable(kind: FileKind): void {
    if (kind.kind === "gzip") {
      // The byte sources decompress gzip before the reader; reaching here means they did not.
      this.sink.diagnostic(
        diagnostic(
          "unsupported-format",
          "gzip-compressed data reached the reader undecompressed",
          0,
          undefined,
        ),
      );
    } else if (kind.kind === "unsupported") {
      this.sink.diagnostic(
        diagnostic("unsupported-format", `not a pcap or pcapng file: ${kind.what}`, 0, undefined),
      );
    } else if (kind.kind === "unknown") {
      this.sink.diagnostic(
        diagnostic("not-a-capture", `not a pcap or pcapng file: ${kind.what}`, 0, undefined),
      );
    }
  }

  /**
   * Completes the unit(s) held in the carry buffer with bytes from `chunk` starting at `pos`.
   * Returns the position in `chunk` after the bytes taken, or -1 when the chunk was used up
   * (or an error stopped the reading) before the carry emptied.
   */
  private drainCarry(chunk: Uint8Array, pos: number): number {
    const parser = this.parser as RecordParser;
    while (this.carryLen > 0) {
      const need = parser.unitLength(this.carry, this.carryView, 0, this.carryLen, this.consumed);
      if (need < 0) return -1;
      if (this.carryLen >= need) {
        if (!parser.consume(this.carry, this.carryView, 0, need, this.consumed)) return -1;
        this.consumed += need;
        // Only the sniffed first bytes can outrun a unit; keep whatever follows it.
        this.carry.copyWithin(0, need, this.carryLen);
        this.carryLen -= need;
        continue;
      }
      if (pos >= chunk.length) return -1;
      const take = Math.min(need - this.carryLen, chunk.length - pos);
      this.appendCarry(chunk, pos, take, need);
      pos += take;
    }
    return pos;
  }

  /**
   * Appends to the carry, growing it when needed: doubling, for bytes that arrive in small
   * chunks, but never past `unitLength`, the unit being completed (already checked against the
   * format's limits). So the carry is at most twice the bytes it holds, and never larger than
   * the largest unit allowed (HARD_MAX_PACKET plus its header or block).
   */
  private appendCarry(src: Uint8Array, from: number, count: number, unitLength: number): void {
    const needed = this.carryLen + count;
    if (needed > this.carry.length) {
      const grown = new Uint8Array(Math.max(needed, Math.min(this.carry.length * 2, unitLength)));
      grown.set(this.carry.subarray(0, this.carryLen));
      this.carry = grown;
      this.carryView = new DataView(grown.buffer);
    }
    this.carry.set(src.subarray(from, from + count), this.carryLen);
    this.carryLen = needed;
  }
}
