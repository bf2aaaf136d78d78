/**
 * Recognises a capture file by its first bytes, never by its name: rotation sets are often
 * renamed, `tcpdump -z gzip` keeps `.pcap` in the middle, and stdin has no name at all.
 */

export type FileKind =
  | {
      readonly kind: "pcap";
      readonly littleEndian: boolean;
      readonly nanosecond: boolean;
      readonly modified: boolean;
    }
  | { readonly kind: "pcapng" }
  | { readonly kind: "gzip" }
  | { readonly kind: "unsupported"; readonly what: string }
  | { readonly kind: "unknown"; readonly what: string };

/** Bytes needed to recognise every format below. */
export const SNIFF_BYTES = 8;

export const PCAP_MAGIC_USEC = 0xa1b2c3d4;
export const PCAP_MAGIC_NSEC = 0xa1b23c4d;
/** Alexey Kuznetzov's patched libpcap: 8 more bytes per record header. Wireshark reads it. */
export const PCAP_MAGIC_MODIFIED = 0xa1b2cd34;
export const PCAPNG_SHB_TYPE = 0x0a0d0d0a;

function u32be(b: Uint8Array, o: number): number {
  return (
    ((b[o] ?? 0) * 0x1000000 +
      (((b[o + 1] ?? 0) << 16) | ((b[o + 2] ?? 0) << 8) | (b[o + 3] ?? 0))) >>>
    0
  );
}

function swap32(v: number): number {
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}

/** Identifies `head` (the first SNIFF_BYTES bytes, or fewer for a shorter file). */
export function sniffFormat(head: Uint8Array): FileKind {
  if (head.length === 0) return { kind: "unknown", what: "the file is empty" };
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return { kind: "gzip" };
  if (head.length >= 4) {
    const be = u32be(head, 0);
    const le = swap32(be);
    for (const [value, littleEndian] of [
      [be, false],
      [le, true],
    ] as const) {
      if (value === PCAP_MAGIC_USEC)
        return { kind: "pcap", littleEndian, nanosecond: false, modified: false };
      if (value === PCAP_MAGIC_NSEC)
        return { kind: "pcap", littleEndian, nanosecond: true, modified: false };
      if (value === PCAP_MAGIC_MODIFIED)
        return { kind: "pcap", littleEndian, nanosecond: false, modified: true };
    }
    if (be === PCAPNG_SHB_TYPE) return { kind: "pcapng" };
    const other = describeOther(head, be);
    if (other !== undefined) return { kind: "unsupported", what: other };
  }
  return { kind: "unknown", what: describeBytes(head) };
}

function describeOther(head: Uint8Array, be: number): string | undefined {
  if (be === 0x28b52ffd) return "zstd-compressed data (decompress it first: zstd -d)";
  if (head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68)
    return "bzip2-compressed data (decompress it first: bunzip2)";
  if (be === 0xfd377a58) return "xz-compressed data (decompress it first: unxz)";
  if (be === 0x504b0304) return "a zip archive (extract it first)";
  if (be === 0x736e6f6f && u32be(head, 4) === 0x70000000)
    return "a Solaris snoop capture (convert it: editcap -F pcap)";
  if (be === 0x4d3c2b1a || be === 0x1a2b3c4d)
    return "a pcapng section without its block type (damaged)";
  return undefined;
}

/** A short, safe description of unrecognised bytes: printable text is quoted, the rest in hex. */
export function describeBytes(head: Uint8Array): string {
  const n = Math.min(head.length, SNIFF_BYTES);
  let printable = true;
  for (let i = 0; i < n; i++) {
    const c = head[i] ?? 0;
    if (!(c === 0x09 || c === 0x0a || c === 0x0d || (c >= 0x20 && c < 0x7f))) printable = false;
  }
  if (printable) {
    let text = "";
    for (let i = 0; i < n; i++) {
      const c = head[i] ?? 0;
      text += c >= 0x20 ? String.fromCharCode(c) : c === 0x09 ? "\\t" : c === 0x0a ? "\\n" : "\\r";
    }
    return `text starting "${text}"`;
  }
  const hex: string[] = [];
  for (let i = 0; i < n; i++) hex.push((head[i] ?? 0).toString(16).padStart(2, "0"));
  return `bytes ${hex.join(" ")}`;
}
