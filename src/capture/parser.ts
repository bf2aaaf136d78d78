import type { CaptureDiagnostic } from "./diagnostics.js";
import type { CaptureInterface, CaptureRecord } from "./record.js";

/** Where a reader delivers what it reads. */
export interface CaptureSink {
  /** One packet; `rec` is reused for the next one (see CaptureRecord). */
  packet(rec: CaptureRecord): void;
  /** A warning, or the error that ended the file. */
  diagnostic(d: CaptureDiagnostic): void;
  /** An interface description (pcap: once; pcapng: each IDB). */
  captureInterface?(iface: CaptureInterface): void;
  /**
   * A pcapng block that is not a packet but that Wireshark lists as a frame of its own (custom
   * blocks, systemd journal entries, system-call events). Reported so frame numbers stay
   * Wireshark's.
   */
  nonPacketFrame?(frame: number, fileOffset: number, what: string): void;
}

/**
 * A format's record layout. The chunk framer (`capture-reader.ts`) asks how long the next unit
 * (file header, record or block) is and hands it over only when all of it is in one buffer, so
 * a format parser never sees a unit split across chunks.
 */
export interface RecordParser {
  /**
   * Bytes the unit at `off` needs, given `avail` bytes there: the fixed header size while fewer
   * bytes than that are available, else the whole unit's length once validated. -1 after the
   * parser reported a fatal diagnostic (a length that cannot be right).
   */
  unitLength(
    buf: Uint8Array,
    dv: DataView,
    off: number,
    avail: number,
    streamOffset: number,
  ): number;
  /** Handles one complete unit. False after the parser reported a fatal diagnostic. */
  consume(buf: Uint8Array, dv: DataView, off: number, len: number, streamOffset: number): boolean;
  /** The input ended with `pending` bytes of an incomplete unit (0 when it ended cleanly). */
  finish(pending: number, streamOffset: number): void;
  /** Packets delivered so far. */
  readonly packets: number;
}

/**
 * Largest packet the readers accept by default: Wireshark's WTAP_MAX_PACKET_SIZE_STANDARD and
 * libpcap's MAXIMUM_SNAPLEN. A file whose snapshot length is larger raises it, up to
 * HARD_MAX_PACKET.
 */
export const DEFAULT_MAX_PACKET = 262_144;
/** No length field read from a file may make the reader hold more than this for one record. */
export const HARD_MAX_PACKET = 16 * 1024 * 1024;

export function maxPacketFor(snapLen: number): number {
  return Math.min(HARD_MAX_PACKET, Math.max(DEFAULT_MAX_PACKET, snapLen));
}
