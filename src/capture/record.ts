/**
 * The record a capture reader hands to its sink for each packet.
 *
 * One object is reused for every packet of a file: the reader writes its fields in place and
 * calls the sink, so reading allocates nothing per packet. A sink that needs a field after it
 * returns must copy it; the bytes at `buf[offset .. offset + capLen)` are only valid during the
 * call.
 */
export interface CaptureRecord {
  /** 1-based packet number within the file, as Wireshark's `frame.number`. */
  frame: number;
  /** Byte offset of the record (pcap record header or pcapng block) in the decompressed stream. */
  fileOffset: number;
  /** pcapng interface id (0 for classic pcap). */
  interfaceId: number;
  /** LINKTYPE_* value of the interface the packet was captured on. */
  linkType: number;
  /** Capture time, whole seconds since the epoch (UTC). */
  tsSec: number;
  /** Capture time, nanoseconds within `tsSec` (0 .. 999,999,999). */
  tsNsec: number;
  /** Bytes present in the file. */
  capLen: number;
  /** Bytes on the wire (may exceed capLen when the snapshot length cut the packet). */
  origLen: number;
  /** Snapshot length of the interface, 0 when the file does not say. */
  snapLen: number;
  /** Buffer holding the packet bytes. */
  buf: Uint8Array;
  /** Offset of the first packet byte in `buf`. */
  offset: number;
}

export function newCaptureRecord(): CaptureRecord {
  return {
    frame: 0,
    fileOffset: 0,
    interfaceId: 0,
    linkType: 0,
    tsSec: 0,
    tsNsec: 0,
    capLen: 0,
    origLen: 0,
    snapLen: 0,
    buf: new Uint8Array(0),
    offset: 0,
  };
}

/** What a reader knows about one capture interface (pcap has exactly one). */
export interface CaptureInterface {
  readonly section: number;
  readonly id: number;
  readonly linkType: number;
  readonly snapLen: number;
  /** Ticks per second of the interface's timestamps (pcapng `if_tsresol`). */
  readonly ticksPerSecond: number;
  /** Seconds added to every timestamp (pcapng `if_tsoffset`). */
  readonly tsOffsetSec: number;
  readonly name: string | undefined;
}
