/**
 * pcapng (draft-ietf-opsawg-pcapng): a sequence of blocks, each `type, total length, body,
 * total length`. Each Section Header Block sets the byte order of its section and starts a new
 * list of interfaces; each Interface Description Block gives one interface its link type,
 * snapshot length and timestamp resolution.
 *
 * Packets come from Enhanced Packet Blocks, Simple Packet Blocks and the obsolete Packet Block.
 * Every other block (name resolution, interface statistics, decryption secrets, custom, unknown)
 * is skipped by its length, as the specification asks.
 *
 * Limitations: options other than if_tsresol, if_tsoffset and if_name are not interpreted;
 * per-packet options (epb_flags, comments) are skipped.
 */
import { diagnostic } from "./diagnostics.js";
import { PCAPNG_SHB_TYPE } from "./format.js";
import type { CaptureInterface, CaptureRecord } from "./record.js";
import { HARD_MAX_PACKET, maxPacketFor, type CaptureSink, type RecordParser } from "./parser.js";
import { ticksPerSecondFromResolution, ticksToTime } from "./timestamp.js";

const BLOCK_IDB = 0x00000001;
const BLOCK_PB = 0x00000002;
const BLOCK_SPB = 0x00000003;
const BLOCK_EPB = 0x00000006;

/**
 * Blocks that carry no packet but that Wireshark (wiretap/pcapng.c) turns into records of their
 * own, each numbered as a frame: keeping count of them keeps teardown's frame numbers equal to
 * Wireshark's `frame.number`.
 */
const FRAME_NUMBERED_BLOCKS: ReadonlyMap<number, string> = new Map([
  [0x00000009, "systemd journal export block"],
  [0x00000bad, "custom block"],
  [0x40000bad, "custom block (not to be copied)"],
  [0x00000204, "sysdig event block"],
  [0x00000208, "sysdig event block"],
  [0x00000216, "sysdig event block"],
  [0x00000217, "sysdig event block"],
  [0x00000221, "sysdig event block"],
  [0x00000222, "sysdig event block"],
  [0x00000223, "sysdig event block"],
  [0x00000224, "sysdig event block"],
]);

const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

// Common block layout.
const B_TYPE = 0;
const B_TOTAL_LEN = 4;
const BLOCK_HEADER_LEN = 8;
const BLOCK_TRAILER_LEN = 4;
const MIN_BLOCK_LEN = BLOCK_HEADER_LEN + BLOCK_TRAILER_LEN;
// Section Header Block.
const SHB_BYTE_ORDER = 8;
const SHB_VERSION_MAJOR = 12;
const SHB_VERSION_MINOR = 14;
const SHB_OPTIONS = 24;
const SHB_SNIFF_LEN = 12;
// Interface Description Block.
const IDB_LINKTYPE = 8;
const IDB_SNAPLEN = 12;
const IDB_OPTIONS = 16;
// Enhanced Packet Block.
const EPB_INTERFACE = 8;
const EPB_TS_HIGH = 12;
const EPB_TS_LOW = 16;
const EPB_CAPLEN = 20;
const EPB_ORIGLEN = 24;
const EPB_DATA = 28;
// Obsolete Packet Block: 16-bit interface id and drops count, then as the EPB.
const PB_INTERFACE = 8;
// Simple Packet Block.
const SPB_ORIGLEN = 8;
const SPB_DATA = 12;

// Options.
const OPT_ENDOFOPT = 0;
const IF_NAME = 2;
const IF_TSRESOL = 9;
const IF_TSOFFSET = 14;

/**
 * Largest block accepted: a maximum-size packet plus room for its options. Wireshark caps
 * blocks at 16 MiB too (MAX_BLOCK_SIZE in wiretap/pcapng.c).
 */
const MAX_BLOCK_LEN = HARD_MAX_PACKET + 64 * 1024;

/** Per-interface state kept flat so the per-packet lookup allocates nothing. */
interface InterfaceState extends CaptureInterface {
  readonly maxCapLen: number;
}

export class PcapngParser implements RecordParser {
  packets = 0;
  /** Frames numbered so far: packets plus the blocks in FRAME_NUMBERED_BLOCKS. */
  private frames = 0;
  private blocks = 0;
  private section = -1;
  private le = true;
  private interfaces: InterfaceState[] = [];

  constructor(
    private readonly rec: CaptureRecord,
    private readonly sink: CaptureSink,
  ) {}

  unitLength(
    _buf: Uint8Array,
    dv: DataView,
    off: number,
    avail: number,
    streamOffset: number,
  ): number {
    if (avail < SHB_SNIFF_LEN) return SHB_SNIFF_LEN;
    let le = this.le;
    // A section header's own byte-order magic says how to read its length (and the section's).
    if (dv.getUint32(off + B_TYPE, true) === PCAPNG_SHB_TYPE) {
      const bom = dv.getUint32(off + SHB_BYTE_ORDER, true);
      if (bom === BYTE_ORDER_MAGIC) le = true;
      else if (bom === 0x4d3c2b1a) le = false;
      else
        return this.fail(
          "malformed-block",
          `section header byte-order magic 0x${bom.toString(16)} is not 0x1a2b3c4d`,
          streamOffset,
        );
    } else if (this.section < 0) {
      return this.fail("malformed-block", "the first block is not a section header", streamOffset);
    }
    const total = dv.getUint32(off + B_TOTAL_LEN, le);
    if (total < MIN_BLOCK_LEN || total % 4 !== 0 || total > MAX_BLOCK_LEN) {
      const why =
        total % 4 !== 0
          ? "is not a multiple of 4"
          : total < MIN_BLOCK_LEN
            ? `is shorter than the ${MIN_BLOCK_LEN}-byte minimum`
            : `exceeds the limit of ${MAX_BLOCK_LEN} bytes`;
      return this.fail("impossible-length", `block length ${total} ${why}`, streamOffset);
    }
    return total;
  }

  consume(buf: Uint8Array, dv: DataView, off: number, len: number, streamOffset: number): boolean {
    const ok = this.consumeBlock(buf, dv, off, len, streamOffset);
    this.blocks++;
    return ok;
  }

  private consumeBlock(
    buf: Uint8Array,
    dv: DataView,
    off: number,
    len: number,
    streamOffset: number,
  ): boolean {
    const type =
      dv.getUint32(off + B_TYPE, true) === PCAPNG_SHB_TYPE
        ? PCAPNG_SHB_TYPE
        : dv.getUint32(off + B_TYPE, this.le);
    if (type === PCAPNG_SHB_TYPE) return this.readSectionHeader(buf, dv, off, len, streamOffset);
    const trailer = dv.getUint32(off + len - BLOCK_TRAILER_LEN, this.le);
    if (trailer !== len) {
      this.fail(
        "block-length-mismatch",
        `block length ${len} at the start but ${trailer} at the end`,
        streamOffset,
      );
      return false;
    }
    switch (type) {
      case BLOCK_EPB:
        return this.readPacket(
          buf,
          dv,
          off,
          len,
          streamOffset,
          dv.getUint32(off + EPB_INTERFACE, this.le),
          EPB_DATA,
        );
      case BLOCK_PB:
        return this.readPacket(
          buf,
          dv,
          off,
          len,
          streamOffset,
          dv.getUint16(off + PB_INTERFACE, this.le),
          EPB_DATA,
        );
      case BLOCK_SPB:
        return this.readSimplePacket(buf, dv, off, len, streamOffset);
      case BLOCK_IDB:
        return this.readInterface(buf, dv, off, len, streamOffset);
      default: {
        const what = FRAME_NUMBERED_BLOCKS.get(type);
        if (what !== undefined) this.sink.nonPacketFrame?.(++this.frames, streamOffset, what);
        return true;
      }
    }
  }

  finish(pending: number, streamOffset: number): void {
    if (pending === 0) return;
    if (this.section < 0) {
      this.fail(
        "header-cut-short",
        `the file ends after ${pending} bytes, inside its section header`,
        0,
      );
      return;
    }
    this.sink.diagnostic(
      diagnostic(
        "truncated-record",
        `the file ends ${pending} bytes into block ${this.blocks + 1}, so the last block is incomplete (the capture is still being written, or was cut short); the ${this.packets} packets before it were read`,
        streamOffset,
        this.blocks + 1,
      ),
    );
  }

  private fail(
    code:
      | "malformed-block"
      | "impossible-length"
      | "block-length-mismatch"
      | "header-cut-short"
      | "unsupported-version",
    message: string,
    streamOffset: number,
  ): -1 {
    this.sink.diagnostic(
      diagnostic(code, message, streamOffset, this.blocks + (code === "header-cut-short" ? 0 : 1)),
    );
    return -1;
  }

  private readSectionHeader(
    _buf: Uint8Array,
    dv: DataView,
    off: number,
    len: number,
    streamOffset: number,
  ): boolean {
    this.le = dv.getUint32(off + SHB_BYTE_ORDER, true) === BYTE_ORDER_MAGIC;
    if (this.tooShort(len, SHB_OPTIONS + BLOCK_TRAILER_LEN, "section header", streamOffset))
      return false;
    if (dv.getUint32(off + len - BLOCK_TRAILER_LEN, this.le) !== len) {
      this.fail(
        "block-length-mismatch",
        `section header length ${len} at the start but ${dv.getUint32(off + len - BLOCK_TRAILER_LEN, this.le)} at the end`,
        streamOffset,
      );
      return false;
    }
    const major = dv.getUint16(off + SHB_VERSION_MAJOR, this.le);
    const minor = dv.getUint16(off + SHB_VERSION_MINOR, this.le);
    // 1.0 is the specification; 1.2 was written by some early tools and means the same.
    if (major !== 1 || (minor !== 0 && minor !== 2)) {
      this.fail(
        "unsupported-version",
        `pcapng section version ${major}.${minor} is not supported (1.0 is)`,
        streamOffset,
      );
      return false;
    }
    if (!this.checkOptions(dv, off + SHB_OPTIONS, off + len - BLOCK_TRAILER_LEN, streamOffset))
      return false;
    this.section++;
    this.interfaces = [];
    return true;
  }

  /** Reports a block shorter than its fixed fields (an error that ends the file). */
  private tooShort(len: number, min: number, what: string, streamOffset: number): boolean {
    if (len >= min) return false;
    this.fail(
      "impossible-length",
      `${what} length ${len} is shorter than its ${min}-byte minimum`,
      streamOffset,
    );
    return true;
  }

  /** Walks an option list only to check that no option runs past its block (Wireshark rejects those). */
  private checkOptions(dv: DataView, start: number, end: number, streamOffset: number): boolean {
    let p = start;
    while (p + 4 <= end) {
      const code = dv.getUint16(p, this.le);
      const optLen = dv.getUint16(p + 2, this.le);
      if (code === OPT_ENDOFOPT) return true;
      const next = p + 4 + ((optLen + 3) & ~3);
      if (p + 4 + optLen > end) {
        this.fail(
          "malformed-block",
          `option ${code} of length ${optLen} runs past the end of its block`,
          streamOffset,
        );
        return false;
      }
      p = next;
    }
    return true;
  }

  private readInterface(
    buf: Uint8Array,
    dv: DataView,
    off: number,
    len: number,
    streamOffset: number,
  ): boolean {
    if (this.tooShort(len, IDB_OPTIONS + BLOCK_TRAILER_LEN, "interface description", streamOffset))
      return false;
    const end = off + len - BLOCK_TRAILER_LEN;
    if (!this.checkOptions(dv, off + IDB_OPTIONS, end, streamOffset)) return false;
    const linkType = dv.getUint16(off + IDB_LINKTYPE, this.le);
    const snapLen = dv.getUint32(off + IDB_SNAPLEN, this.le);
    let ticksPerSecond = 1e6;
    let tsOffsetSec = 0;
    let name: string | undefined;
    for (let p = off + IDB_OPTIONS; p + 4 <= end;) {
      const code = dv.getUint16(p, this.le);
      const optLen = dv.getUint16(p + 2, this.le);
      if (code === OPT_ENDOFOPT) break;
      const value = p + 4;
      if (code === IF_TSRESOL && optLen >= 1) {
        const tps = ticksPerSecondFromResolution(dv.getUint8(value));
        if (tps === undefined) {
          this.fail(
            "malformed-block",
            `if_tsresol 0x${dv.getUint8(value).toString(16)} is out of range`,
            streamOffset,
          );
          return false;
        }
        ticksPerSecond = tps;
      } else if (code === IF_TSOFFSET && optLen >= 8) {
        tsOffsetSec = Number(dv.getBigInt64(value, this.le));
      } else if (code === IF_NAME && optLen > 0) {
        name = new TextDecoder("utf-8", { fatal: false }).decode(
          buf.subarray(value, value + optLen),
        );
      }
      p = value + ((optLen + 3) & ~3);
    }
    const iface: InterfaceState = {
      section: this.section,
      id: this.interfaces.length,
      linkType,
      snapLen,
      ticksPerSecond,
      tsOffsetSec,
      name,
      maxCapLen: maxPacketFor(snapLen),
    };
    this.interfaces.push(iface);
    this.sink.captureInterface?.(iface);
    return true;
  }

  private readPacket(
    buf: Uint8Array,
    dv: DataView,
    off: number,
    len: number,
    streamOffset: number,
    interfaceId: number,
    dataAt: number,
  ): boolean {
    if (this.tooShort(len, dataAt + BLOCK_TRAILER_LEN, "packet block", streamOffset)) return false;
    const iface = this.interfaces[interfaceId];
    if (iface === undefined) {
      this.fail(
        "malformed-block",
        `packet on interface ${interfaceId}, but the section describes ${this.interfaces.length}`,
        streamOffset,
      );
      return false;
    }
    const capLen = dv.getUint32(off + EPB_CAPLEN, this.le);
    if (capLen > len - dataAt - BLOCK_TRAILER_LEN) {
      this.fail(
        "malformed-block",
        `captured length ${capLen} runs past the end of its ${len}-byte block`,
        streamOffset,
      );
      return false;
    }
    if (capLen > iface.maxCapLen) {
      this.fail(
        "impossible-length",
        `captured length ${capLen} exceeds the limit of ${iface.maxCapLen} bytes`,
        streamOffset,
      );
      return false;
    }
    const rec = this.rec;
    ticksToTime(
      rec,
      dv.getUint32(off + EPB_TS_HIGH, this.le),
      dv.getUint32(off + EPB_TS_LOW, this.le),
      iface.ticksPerSecond,
      iface.tsOffsetSec,
    );
    this.deliver(
      buf,
      iface,
      off + dataAt,
      capLen,
      dv.getUint32(off + EPB_ORIGLEN, this.le),
      streamOffset,
    );
    return true;
  }

  private readSimplePacket(
    buf: Uint8Array,
    dv: DataView,
    off: number,
    len: number,
    streamOffset: number,
  ): boolean {
    if (this.tooShort(len, SPB_DATA + BLOCK_TRAILER_LEN, "simple packet block", streamOffset))
      return false;
    const iface = this.interfaces[0];
    if (iface === undefined) {
      this.fail(
        "malformed-block",
        "simple packet block in a section that describes no interface",
        streamOffset,
      );
      return false;
    }
    const origLen = dv.getUint32(off + SPB_ORIGLEN, this.le);
    // The SPB has no captured length: it is the original length cut by the snapshot length.
    let capLen = Math.min(origLen, len - SPB_DATA - BLOCK_TRAILER_LEN);
    if (iface.snapLen !== 0) capLen = Math.min(capLen, iface.snapLen);
    // SPBs carry no timestamp; the record keeps the previous packet's time.
    this.deliver(buf, iface, off + SPB_DATA, capLen, origLen, streamOffset);
    return true;
  }

  private deliver(
    buf: Uint8Array,
    iface: InterfaceState,
    dataOffset: number,
    capLen: number,
    origLen: number,
    streamOffset: number,
  ): void {
    const rec = this.rec;
    this.packets++;
    rec.frame = ++this.frames;
    rec.fileOffset = streamOffset;
    rec.interfaceId = iface.id;
    rec.linkType = iface.linkType;
    rec.snapLen = iface.snapLen;
    rec.capLen = capLen;
    rec.origLen = origLen;
    rec.buf = buf;
    rec.offset = dataOffset;
    this.sink.packet(rec);
  }
}
