/**
 * Classic libpcap files: a 24-byte file header, then records of a 16-byte header and the
 * captured bytes (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html).
 *
 * Limitations: the AIX, Nokia and other variants with their own magic numbers are not read;
 * the Kuznetzov "modified" format is (its 8 extra header bytes are skipped).
 */
import { diagnostic } from "./diagnostics.js";
import type { CaptureRecord } from "./record.js";
import { maxPacketFor, type CaptureSink, type RecordParser } from "./parser.js";

const FILE_HEADER_LEN = 24;
// File header fields.
const FH_VERSION_MAJOR = 4;
const FH_VERSION_MINOR = 6;
const FH_SNAPLEN = 16;
const FH_LINKTYPE = 20;
// Record header fields.
const RH_TS_SEC = 0;
const RH_TS_FRAC = 4;
const RH_CAPLEN = 8;
const RH_ORIGLEN = 12;
const RECORD_HEADER_LEN = 16;
const MODIFIED_RECORD_HEADER_LEN = 24;

/** Link-type word: low 16 bits the type, bits 16-25 reserved, 26-31 FCS information. */
const LINKTYPE_MASK = 0x0000ffff;
const LINKTYPE_RESERVED = 0x03ff0000;

export interface PcapFlavour {
  readonly littleEndian: boolean;
  readonly nanosecond: boolean;
  readonly modified: boolean;
}

export class PcapParser implements RecordParser {
  packets = 0;
  private headerDone = false;
  private readonly le: boolean;
  private readonly fracToNanos: number;
  private readonly recordHeaderLen: number;
  private linkType = 0;
  private snapLen = 0;
  private maxCapLen = 0;
  private warnedExceedsWire = false;
  private warnedTimestamp = false;

  constructor(
    flavour: PcapFlavour,
    private readonly rec: CaptureRecord,
    private readonly sink: CaptureSink,
  ) {
    this.le = flavour.littleEndian;
    this.fracToNanos = flavour.nanosecond ? 1 : 1000;
    this.recordHeaderLen = flavour.modified ? MODIFIED_RECORD_HEADER_LEN : RECORD_HEADER_LEN;
  }

  unitLength(
    _buf: Uint8Array,
    dv: DataView,
    off: number,
    avail: number,
    streamOffset: number,
  ): number {
    if (!this.headerDone) return FILE_HEADER_LEN;
    if (avail < this.recordHeaderLen) return this.recordHeaderLen;
    const capLen = dv.getUint32(off + RH_CAPLEN, this.le);
    if (capLen > this.maxCapLen) {
      this.sink.diagnostic(
        diagnostic(
          "impossible-length",
          `record length ${capLen} exceeds the limit of ${this.maxCapLen} bytes (snapshot length ${this.snapLen})`,
          streamOffset,
          this.packets + 1,
        ),
      );
      return -1;
    }
    return this.recordHeaderLen + capLen;
  }

  consume(buf: Uint8Array, dv: DataView, off: number, len: number, streamOffset: number): boolean {
    if (!this.headerDone) return this.readFileHeader(dv, off);
    const rec = this.rec;
    const capLen = len - this.recordHeaderLen;
    const origLen = dv.getUint32(off + RH_ORIGLEN, this.le);
    rec.frame = ++this.packets;
    rec.fileOffset = streamOffset;
    rec.tsSec = dv.getUint32(off + RH_TS_SEC, this.le);
    rec.tsNsec = dv.getUint32(off + RH_TS_FRAC, this.le) * this.fracToNanos;
    rec.capLen = capLen;
    rec.origLen = origLen;
    rec.buf = buf;
    rec.offset = off + this.recordHeaderLen;
    if (origLen < capLen && !this.warnedExceedsWire) {
      this.warnedExceedsWire = true;
      this.sink.diagnostic(
        diagnostic(
          "captured-exceeds-wire",
          `captured length ${capLen} is larger than the length on the wire ${origLen} (reported once per file)`,
          streamOffset,
          rec.frame,
        ),
      );
    }
    if (rec.tsNsec >= 1e9 && !this.warnedTimestamp) {
      this.warnedTimestamp = true;
      this.sink.diagnostic(
        diagnostic(
          "invalid-timestamp",
          `sub-second timestamp ${rec.tsNsec} ns is a second or more (reported once per file)`,
          streamOffset,
          rec.frame,
        ),
      );
    }
    this.sink.packet(rec);
    return true;
  }

  private readFileHeader(dv: DataView, off: number): boolean {
    const major = dv.getUint16(off + FH_VERSION_MAJOR, this.le);
    const minor = dv.getUint16(off + FH_VERSION_MINOR, this.le);
    // Wireshark and libpcap read 2.x; 1.x predates the record header this parser knows.
    if (major !== 2) {
      this.sink.diagnostic(
        diagnostic(
          "unsupported-version",
          `pcap version ${major}.${minor} is not supported (2.4 is)`,
          0,
          undefined,
        ),
      );
      return false;
    }
    const linkWord = dv.getUint32(off + FH_LINKTYPE, this.le);
    if ((linkWord & LINKTYPE_RESERVED) !== 0) {
      this.sink.diagnostic(
        diagnostic(
          "bad-file-header",
          `link-type field 0x${linkWord.toString(16)} has reserved bits set`,
          FH_LINKTYPE,
          undefined,
        ),
      );
      return false;
    }
    this.linkType = linkWord & LINKTYPE_MASK;
    this.snapLen = dv.getUint32(off + FH_SNAPLEN, this.le);
    this.maxCapLen = maxPacketFor(this.snapLen);
    this.rec.interfaceId = 0;
    this.rec.linkType = this.linkType;
    this.rec.snapLen = this.snapLen;
    this.headerDone = true;
    this.sink.captureInterface?.({
      section: 0,
      id: 0,
      linkType: this.linkType,
      snapLen: this.snapLen,
      ticksPerSecond: this.fracToNanos === 1 ? 1e9 : 1e6,
      tsOffsetSec: 0,
      name: undefined,
    });
    return true;
  }

  finish(pending: number, streamOffset: number): void {
    if (pending === 0) return;
    if (!this.headerDone) {
      this.sink.diagnostic(
        diagnostic(
          "header-cut-short",
          `the file ends after ${pending} bytes, inside its ${FILE_HEADER_LEN}-byte header`,
          0,
          undefined,
        ),
      );
      return;
    }
    this.sink.diagnostic(
      diagnostic(
        "truncated-record",
        `the file ends ${pending} bytes into record ${this.packets + 1}, so the last record is incomplete (the capture is still being written, or was cut short); the ${this.packets} records before it were read`,
        streamOffset,
        this.packets + 1,
      ),
    );
  }
}
