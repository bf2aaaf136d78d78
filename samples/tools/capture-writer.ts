/**
 * Writes pcap and pcapng files byte by byte, for crafted samples, tests and the benchmark
 * generator: the shapes no tool on this machine writes (big-endian files, pcapng with several
 * sections or power-of-two timestamp resolutions, damaged files).
 */

export interface PcapHeaderSpec {
  littleEndian?: boolean;
  nanosecond?: boolean;
  /** Kuznetzov's modified format (24-byte record headers). */
  modified?: boolean;
  linkType: number;
  snapLen?: number;
  versionMajor?: number;
  versionMinor?: number;
}

export interface PcapRecordSpec {
  tsSec: number;
  /** Microseconds, or nanoseconds in a nanosecond file. */
  tsFrac: number;
  data: Uint8Array;
  /** Length on the wire; defaults to data.length. */
  origLen?: number;
  /** Captured length to write in the header; defaults to data.length (for damaged files). */
  capLenField?: number;
}

class ByteWriter {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  length = 0;
  constructor(private readonly le: boolean) {}

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    grown.set(this.buf.subarray(0, this.length));
    this.buf = grown;
    this.view = new DataView(grown.buffer);
  }
  u8(v: number): this {
    this.ensure(1);
    this.view.setUint8(this.length, v);
    this.length += 1;
    return this;
  }
  u16(v: number): this {
    this.ensure(2);
    this.view.setUint16(this.length, v, this.le);
    this.length += 2;
    return this;
  }
  u32(v: number): this {
    this.ensure(4);
    this.view.setUint32(this.length, v >>> 0, this.le);
    this.length += 4;
    return this;
  }
  i64(v: bigint): this {
    this.ensure(8);
    this.view.setBigInt64(this.length, v, this.le);
    this.length += 8;
    return this;
  }
  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }
  pad4(): this {
    while (this.length % 4 !== 0) this.u8(0);
    return this;
  }
  setU32(at: number, v: number): void {
    this.view.setUint32(at, v >>> 0, this.le);
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

export function pcapFileHeader(spec: PcapHeaderSpec): Uint8Array {
  const le = spec.littleEndian ?? true;
  const magic = spec.modified ? 0xa1b2cd34 : spec.nanosecond ? 0xa1b23c4d : 0xa1b2c3d4;
  return new ByteWriter(le)
    .u32(magic)
    .u16(spec.versionMajor ?? 2)
    .u16(spec.versionMinor ?? 4)
    .u32(0)
    .u32(0)
    .u32(spec.snapLen ?? 262144)
    .u32(spec.linkType)
    .result();
}

export function pcapRecord(spec: PcapHeaderSpec, r: PcapRecordSpec): Uint8Array {
  const w = new ByteWriter(spec.littleEndian ?? true)
    .u32(r.tsSec)
    .u32(r.tsFrac)
    .u32(r.capLenField ?? r.data.length)
    .u32(r.origLen ?? r.data.length);
  if (spec.modified) w.u32(0).u16(0x0800).u8(0).u8(0);
  return w.bytes(r.data).result();
}

export function pcapFile(spec: PcapHeaderSpec, records: readonly PcapRecordSpec[]): Uint8Array {
  return concatBytes([pcapFileHeader(spec), ...records.map((r) => pcapRecord(spec, r))]);
}

// --- pcapng -------------------------------------------------------------------------------

export interface PcapngOption {
  code: number;
  value: Uint8Array;
}

function writeOptions(w: ByteWriter, options: readonly PcapngOption[]): void {
  if (options.length === 0) return;
  for (const o of options) {
    w.u16(o.code).u16(o.value.length).bytes(o.value).pad4();
  }
  w.u16(0).u16(0);
}

function block(
  le: boolean,
  type: number,
  body: (w: ByteWriter) => void,
  totalLenOverride?: number,
): Uint8Array {
  const w = new ByteWriter(le);
  w.u32(type).u32(0);
  body(w);
  w.pad4();
  const total = w.length + 4;
  w.u32(totalLenOverride ?? total);
  w.setU32(4, totalLenOverride ?? total);
  return w.result();
}

export function shb(
  le: boolean,
  opts: { major?: number; minor?: number; options?: PcapngOption[] } = {},
): Uint8Array {
  return block(le, 0x0a0d0d0a, (w) => {
    w.u32(0x1a2b3c4d)
      .u16(opts.major ?? 1)
      .u16(opts.minor ?? 0)
      .i64(-1n);
    writeOptions(w, opts.options ?? []);
  });
}

export interface IdbSpec {
  linkType: number;
  snapLen?: number;
  /** Raw if_tsresol byte (6 = microseconds, 9 = nanoseconds, 0x80 | n = 2^-n). */
  tsresol?: number;
  tsoffset?: bigint;
  name?: string;
}

export function idb(le: boolean, spec: IdbSpec): Uint8Array {
  const options: PcapngOption[] = [];
  if (spec.name !== undefined)
    options.push({ code: 2, value: new TextEncoder().encode(spec.name) });
  if (spec.tsresol !== undefined) options.push({ code: 9, value: Uint8Array.of(spec.tsresol) });
  if (spec.tsoffset !== undefined) {
    const v = new Uint8Array(8);
    new DataView(v.buffer).setBigInt64(0, spec.tsoffset, le);
    options.push({ code: 14, value: v });
  }
  return block(le, 1, (w) => {
    w.u16(spec.linkType)
      .u16(0)
      .u32(spec.snapLen ?? 262144);
    writeOptions(w, options);
  });
}

export interface EpbSpec {
  interfaceId: number;
  /** Timestamp in the interface's ticks. */
  ticks: bigint;
  data: Uint8Array;
  origLen?: number;
  capLenField?: number;
  options?: PcapngOption[];
}

export function epb(le: boolean, spec: EpbSpec): Uint8Array {
  return block(le, 6, (w) => {
    w.u32(spec.interfaceId)
      .u32(Number(spec.ticks >> 32n))
      .u32(Number(spec.ticks & 0xffffffffn))
      .u32(spec.capLenField ?? spec.data.length)
      .u32(spec.origLen ?? spec.data.length)
      .bytes(spec.data)
      .pad4();
    writeOptions(w, spec.options ?? []);
  });
}

/** The obsolete Packet Block (type 2): 16-bit interface id and drop count. */
export function pb(le: boolean, spec: EpbSpec): Uint8Array {
  return block(le, 2, (w) => {
    w.u16(spec.interfaceId)
      .u16(0)
      .u32(Number(spec.ticks >> 32n))
      .u32(Number(spec.ticks & 0xffffffffn))
      .u32(spec.capLenField ?? spec.data.length)
      .u32(spec.origLen ?? spec.data.length)
      .bytes(spec.data)
      .pad4();
  });
}

export function spb(le: boolean, data: Uint8Array, origLen?: number): Uint8Array {
  return block(le, 3, (w) => {
    w.u32(origLen ?? data.length)
      .bytes(data)
      .pad4();
  });
}

/** Any other block (NRB = 4, ISB = 5, DSB = 10, custom = 0x00000BAD...), skipped by readers. */
export function otherBlock(
  le: boolean,
  type: number,
  body: Uint8Array,
  totalLenOverride?: number,
): Uint8Array {
  return block(le, type, (w) => w.bytes(body), totalLenOverride);
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
