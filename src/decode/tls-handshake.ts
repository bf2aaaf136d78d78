/**
 * The TLS wire in clear, as far as teardown needs it without keys: the record header (RFC 8446
 * 5.1, RFC 5246 6.2.1), the handshake message header (RFC 8446 4), and the two hellos: SNI
 * (RFC 6066 3), ALPN (RFC 7301 3.1), supported_versions (RFC 8446 4.2.1), the cipher suite the
 * server chose, and whether a ServerHello is really a HelloRetryRequest (RFC 8446 4.1.3).
 *
 * Each parser works in place on `buf[off, end)`: the record header through a reusable checked
 * view (one length check, then accessors that cannot throw or allocate, so walking the records
 * of a multi-GB capture allocates nothing), the hellos into a plain readonly record (once per
 * connection). A field that runs past its container stops the parse there: what was read
 * before stays, `problem` and `problemOffset` say what and where. Nothing here throws.
 *
 * Text (SNI, ALPN names) is decoded as Latin-1, one char per byte, and cut to `maxText` chars;
 * lists are cut to `maxItems` entries. Both limits are the caller's (the flow layer's MAX_TEXT):
 * this layer imports nothing above it.
 *
 * Limitations: only ClientHello and ServerHello bodies are read; the extensions teardown does
 * not use are skipped by their length, unvalidated. SSL 2.0 compatible ClientHellos (RFC 5246
 * E.2) and DTLS are not parsed. Encrypted Client Hello (the outer SNI is what is read) and
 * GREASE values (RFC 8701) are reported as sent, not interpreted.
 */
import { latin1, u16, u8 } from "./bytes.js";

/** Record content types (RFC 8446 5.1, RFC 5246 6.2.1; heartbeat: RFC 6520 3). */
export const TLS_CHANGE_CIPHER_SPEC = 20;
export const TLS_ALERT = 21;
export const TLS_HANDSHAKE = 22;
export const TLS_APPLICATION_DATA = 23;
export const TLS_HEARTBEAT = 24;

/** Handshake message types (RFC 8446 4). A HelloRetryRequest travels as a ServerHello. */
export const TLS_CLIENT_HELLO = 1;
export const TLS_SERVER_HELLO = 2;

/** Record header: type (1), legacy_record_version (2), length (2). */
export const TLS_RECORD_HEADER_LEN = 5;
const REC_TYPE = 0;
const REC_VERSION = 1;
const REC_LENGTH = 3;
/**
 * Largest record body: 2^14 + 2048 for TLSCiphertext in TLS 1.2 (RFC 5246 6.2.3); TLS 1.3
 * allows only 2^14 + 256 (RFC 8446 5.2), so this bound holds for both.
 */
export const TLS_MAX_RECORD_BODY = 16384 + 2048;
/** Every SSL 3.0 / TLS record version has major 3 (TLS 1.3 freezes it at 0x0303, RFC 8446 5.1). */
const RECORD_VERSION_MAJOR = 3;
const RECORD_VERSION_MAX_MINOR = 4;

/** Handshake header: msg_type (1), length (3) (RFC 8446 4). */
export const TLS_HANDSHAKE_HEADER_LEN = 4;
const HS_TYPE = 0;
const HS_LENGTH = 1;

/** An alert in clear is level (1) and description (1) (RFC 8446 6, RFC 5246 7.2). */
export const TLS_ALERT_LEN = 2;

/** Hello bodies: legacy_version (2), random (32), legacy_session_id<0..32> (RFC 8446 4.1.2-3). */
const HELLO_VERSION = 0;
const HELLO_RANDOM = 2;
const HELLO_RANDOM_LEN = 32;
const HELLO_SESSION_ID_LEN = HELLO_RANDOM + HELLO_RANDOM_LEN; // 34
const HELLO_MAX_SESSION_ID = 32;
/** Bytes a ClientHello has before its cipher suites, with an empty session id. */
const HELLO_FIXED_LEN = HELLO_SESSION_ID_LEN + 1;

/** Extension numbers (IANA "TLS ExtensionType Values"). */
const EXT_SERVER_NAME = 0; // RFC 6066 3
const EXT_ALPN = 16; // RFC 7301 3.1
const EXT_SUPPORTED_VERSIONS = 43; // RFC 8446 4.2.1
/** server_name entry type host_name (RFC 6066 3). */
const SNI_HOST_NAME = 0;

/** SHA-256 of "HelloRetryRequest": the random of a HelloRetryRequest (RFC 8446 4.1.3). */
const HRR_RANDOM = [
  0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
  0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
] as const;

export type TlsProblem =
  | "tls-record-truncated"
  | "tls-record-unknown-type"
  | "tls-record-bad-version"
  | "tls-record-too-long"
  | "tls-hello-short"
  | "tls-hello-bad-length"
  | "tls-extension-bad-length"
  | "tls-sni-malformed"
  | "tls-alpn-malformed"
  | "tls-supported-versions-malformed";

export interface TlsProblemInfo {
  readonly status: "truncated" | "malformed" | "unsupported";
  readonly meaning: string;
}

/** One line per problem code; codes are stable (appended, never renamed). */
export const TLS_PROBLEMS = {
  "tls-record-truncated": {
    status: "truncated",
    meaning: "Fewer than the 5 bytes of a TLS record header.",
  },
  "tls-record-unknown-type": {
    status: "unsupported",
    meaning:
      "A record content type other than change_cipher_spec, alert, handshake, application_data or heartbeat (20-24): not TLS, or a type teardown does not know.",
  },
  "tls-record-bad-version": {
    status: "malformed",
    meaning: "A record version whose major byte is not 3 or whose minor byte is above 4.",
  },
  "tls-record-too-long": {
    status: "malformed",
    meaning: "A record longer than 2^14 + 2048 bytes, the most any TLS version allows.",
  },
  "tls-hello-short": {
    status: "malformed",
    meaning: "A hello body ends inside its fixed fields (version, random, session id).",
  },
  "tls-hello-bad-length": {
    status: "malformed",
    meaning:
      "A hello field (session id, cipher suites, compression methods, extensions block) runs past the message.",
  },
  "tls-extension-bad-length": {
    status: "malformed",
    meaning: "An extension's length runs past the extensions block.",
  },
  "tls-sni-malformed": {
    status: "malformed",
    meaning: "The server_name extension's list or a name in it runs past the extension.",
  },
  "tls-alpn-malformed": {
    status: "malformed",
    meaning: "The ALPN extension's list, or a protocol name in it, is empty or runs past it.",
  },
  "tls-supported-versions-malformed": {
    status: "malformed",
    meaning: "The supported_versions extension has an impossible length.",
  },
} as const satisfies Record<TlsProblem, TlsProblemInfo>;

/** Limits on what a hello parse keeps: text length (chars) and list entries. */
export interface TlsHelloLimits {
  readonly maxText: number;
  readonly maxItems: number;
}

export interface TlsRecordHeader {
  readonly contentType: number;
  readonly version: number;
  /** Body length, the bytes that follow the 5-byte header. */
  readonly length: number;
  /** Why these bytes cannot be a record header; null when they can. */
  readonly problem: TlsProblem | null;
}

const EMPTY = new Uint8Array(0);

/**
 * A checked view over a record header. `wrap` is the one length check; after it returns true
 * the accessors read in place and never throw. Reusable: wrap it again for the next record.
 */
export class TlsRecordHeaderView {
  private buf: Uint8Array = EMPTY;
  private off = 0;

  /** Points the view at `buf[off, end)`: false (truncated) when fewer than 5 bytes are there. */
  wrap(buf: Uint8Array, off: number, end: number): boolean {
    if (end - off < TLS_RECORD_HEADER_LEN || off < 0) return false;
    this.buf = buf;
    this.off = off;
    return true;
  }

  get contentType(): number {
    return u8(this.buf, this.off + REC_TYPE);
  }

  get version(): number {
    return u16(this.buf, this.off + REC_VERSION);
  }

  get length(): number {
    return u16(this.buf, this.off + REC_LENGTH);
  }

  /** Why the wrapped bytes cannot start a TLS record, null when they can. */
  problem(): TlsProblem | null {
    const type = this.contentType;
    if (type < TLS_CHANGE_CIPHER_SPEC || type > TLS_HEARTBEAT) return "tls-record-unknown-type";
    const version = this.version;
    if (version >> 8 !== RECORD_VERSION_MAJOR || (version & 0xff) > RECORD_VERSION_MAX_MINOR) {
      return "tls-record-bad-version";
    }
    if (this.length > TLS_MAX_RECORD_BODY) return "tls-record-too-long";
    return null;
  }
}

/** The record header at `buf[off, end)` as a plain record (zeros and a problem when cut). */
export function parseTlsRecordHeader(buf: Uint8Array, off: number, end: number): TlsRecordHeader {
  const view = new TlsRecordHeaderView();
  if (!view.wrap(buf, off, end)) {
    return { contentType: 0, version: 0, length: 0, problem: "tls-record-truncated" };
  }
  return {
    contentType: view.contentType,
    version: view.version,
    length: view.length,
    problem: view.problem(),
  };
}

/** Handshake msg_type at `off`; the caller checked TLS_HANDSHAKE_HEADER_LEN bytes are there. */
export function tlsHandshakeType(buf: Uint8Array, off: number): number {
  return u8(buf, off + HS_TYPE);
}

/** Handshake body length (24 bits) at `off`; the caller checked the header is there. */
export function tlsHandshakeLength(buf: Uint8Array, off: number): number {
  return (u8(buf, off + HS_LENGTH) << 16) | u16(buf, off + HS_LENGTH + 1);
}

export interface TlsClientHello {
  readonly legacyVersion: number;
  /** Cipher suites offered (how many; -1 when the parse stopped before them). */
  readonly cipherSuiteCount: number;
  /** First host_name of server_name, null when absent. */
  readonly sni: string | null;
  /** ALPN protocols offered, in order, at most maxItems; `alpnCount` counts them all. */
  readonly alpn: readonly string[];
  readonly alpnCount: number;
  /** supported_versions offered, in order, at most maxItems (empty when absent). */
  readonly supportedVersions: readonly number[];
  /** Where the parse stopped, as an offset from the body's start; null / -1 when it did not. */
  readonly problem: TlsProblem | null;
  readonly problemOffset: number;
}

export interface TlsServerHello {
  readonly legacyVersion: number;
  /** The random is the HelloRetryRequest constant (RFC 8446 4.1.3). */
  readonly helloRetryRequest: boolean;
  /** The chosen cipher suite (IANA number), -1 when the parse stopped before it. */
  readonly cipherSuite: number;
  /** supported_versions' selected_version (TLS 1.3, RFC 8446 4.2.1), 0 when absent. */
  readonly selectedVersion: number;
  /** The negotiated version: selectedVersion when present, else legacyVersion. */
  readonly version: number;
  /** The protocol ALPN chose (RFC 7301 3.1), null when absent. */
  readonly alpn: string | null;
  readonly problem: TlsProblem | null;
  readonly problemOffset: number;
}

/** `buf[from, to)` as Latin-1 text, one char per byte, at most `max` chars. */
export function latin1Text(buf: Uint8Array, from: number, to: number, max: number): string {
  const stop = Math.min(to - from > max ? from + max : to, buf.length);
  if (stop <= from) return "";
  return latin1(buf, from, stop);
}

/** A mutable draft of either hello, filled as far as the bytes allow. */
interface HelloDraft {
  legacyVersion: number;
  random: boolean;
  cipherSuiteCount: number;
  cipherSuite: number;
  sni: string | null;
  alpn: string[];
  alpnCount: number;
  versions: number[];
  selectedVersion: number;
  problem: TlsProblem | null;
  problemOffset: number;
}

function draft(): HelloDraft {
  return {
    legacyVersion: 0,
    random: false,
    cipherSuiteCount: -1,
    cipherSuite: -1,
    sni: null,
    alpn: [],
    alpnCount: 0,
    versions: [],
    selectedVersion: 0,
    problem: null,
    problemOffset: -1,
  };
}

function fail(d: HelloDraft, problem: TlsProblem, at: number, off: number): void {
  d.problem = problem;
  d.problemOffset = at - off;
}

/**
 * The ClientHello body at `buf[off, end)` (the handshake header already stripped, `end` the
 * end its length gives). RFC 8446 4.1.2, RFC 5246 7.4.1.2 (extensions optional there).
 */
export function parseClientHello(
  buf: Uint8Array,
  off: number,
  end: number,
  limits: TlsHelloLimits,
): TlsClientHello {
  const d = draft();
  let at = helloStart(d, buf, off, end);
  if (at >= 0) {
    // cipher_suites<2..2^16-2>: pairs of bytes.
    const suitesLen = end - at >= 2 ? u16(buf, at) : -1;
    if (suitesLen < 0 || suitesLen > end - at - 2) fail(d, "tls-hello-bad-length", at, off);
    else {
      d.cipherSuiteCount = suitesLen >> 1;
      at += 2 + suitesLen;
      // legacy_compression_methods<1..2^8-1>.
      const compLen = end - at >= 1 ? u8(buf, at) : -1;
      if (compLen < 0 || compLen > end - at - 1) fail(d, "tls-hello-bad-length", at, off);
      else extensions(d, buf, at + 1 + compLen, end, off, true, limits);
    }
  }
  return {
    legacyVersion: d.legacyVersion,
    cipherSuiteCount: d.cipherSuiteCount,
    sni: d.sni,
    alpn: d.alpn,
    alpnCount: d.alpnCount,
    supportedVersions: d.versions,
    problem: d.problem,
    problemOffset: d.problemOffset,
  };
}

/**
 * The ServerHello body at `buf[off, end)`. RFC 8446 4.1.3 (a HelloRetryRequest has the same
 * layout), RFC 5246 7.4.1.3.
 */
export function parseServerHello(
  buf: Uint8Array,
  off: number,
  end: number,
  limits: TlsHelloLimits,
): TlsServerHello {
  const d = draft();
  let at = helloStart(d, buf, off, end);
  if (at >= 0) {
    // cipher_suite (2), legacy_compression_method (1).
    if (end - at < 3) fail(d, "tls-hello-bad-length", at, off);
    else {
      d.cipherSuite = u16(buf, at);
      at += 3;
      extensions(d, buf, at, end, off, false, limits);
    }
  }
  return {
    legacyVersion: d.legacyVersion,
    helloRetryRequest: d.random,
    cipherSuite: d.cipherSuite,
    selectedVersion: d.selectedVersion,
    version: d.selectedVersion !== 0 ? d.selectedVersion : d.legacyVersion,
    alpn: d.alpn[0] ?? null,
    problem: d.problem,
    problemOffset: d.problemOffset,
  };
}

/** Version, random and session id: the offset after them, or -1 (problem set). */
function helloStart(d: HelloDraft, buf: Uint8Array, off: number, end: number): number {
  if (end - off < HELLO_FIXED_LEN) {
    if (end - off >= 2) d.legacyVersion = u16(buf, off + HELLO_VERSION);
    fail(d, "tls-hello-short", end > off ? end : off, off);
    return -1;
  }
  d.legacyVersion = u16(buf, off + HELLO_VERSION);
  let hrr = true;
  for (let i = 0; i < HELLO_RANDOM_LEN; i++) {
    if (u8(buf, off + HELLO_RANDOM + i) !== HRR_RANDOM[i]) {
      hrr = false;
      break;
    }
  }
  d.random = hrr;
  const idLen = u8(buf, off + HELLO_SESSION_ID_LEN);
  const at = off + HELLO_FIXED_LEN;
  if (idLen > HELLO_MAX_SESSION_ID || idLen > end - at) {
    fail(d, "tls-hello-bad-length", off + HELLO_SESSION_ID_LEN, off);
    return -1;
  }
  return at + idLen;
}

/**
 * The extensions block from `at` (none when the body ends there, RFC 5246 7.4.1.2). The first
 * occurrence of an extension counts: RFC 8446 4.2 forbids repeats.
 */
function extensions(
  d: HelloDraft,
  buf: Uint8Array,
  at: number,
  end: number,
  off: number,
  client: boolean,
  limits: TlsHelloLimits,
): void {
  if (at === end) return;
  if (end - at < 2) return fail(d, "tls-hello-bad-length", at, off);
  const blockLen = u16(buf, at);
  if (blockLen > end - at - 2) return fail(d, "tls-hello-bad-length", at, off);
  at += 2;
  const blockEnd = at + blockLen;
  let sawSni = false;
  let sawAlpn = false;
  let sawVersions = false;
  while (at < blockEnd) {
    if (blockEnd - at < 4) return fail(d, "tls-extension-bad-length", at, off);
    const type = u16(buf, at);
    const len = u16(buf, at + 2);
    const body = at + 4;
    if (len > blockEnd - body) return fail(d, "tls-extension-bad-length", at, off);
    const bodyEnd = body + len;
    if (type === EXT_SERVER_NAME && client && !sawSni) {
      sawSni = true;
      if (!serverName(d, buf, body, bodyEnd, limits)) return fail(d, "tls-sni-malformed", at, off);
    } else if (type === EXT_ALPN && !sawAlpn) {
      sawAlpn = true;
      if (!alpn(d, buf, body, bodyEnd, limits)) return fail(d, "tls-alpn-malformed", at, off);
    } else if (type === EXT_SUPPORTED_VERSIONS && !sawVersions) {
      sawVersions = true;
      if (!supportedVersions(d, buf, body, bodyEnd, client, limits)) {
        return fail(d, "tls-supported-versions-malformed", at, off);
      }
    }
    at = bodyEnd;
  }
}

/** ServerNameList (RFC 6066 3): the first host_name entry; false when malformed. */
function serverName(
  d: HelloDraft,
  buf: Uint8Array,
  at: number,
  end: number,
  limits: TlsHelloLimits,
): boolean {
  // An empty extension is what a server sends to acknowledge SNI (RFC 6066 3); in a
  // ClientHello the list holds at least one entry.
  if (end - at < 2) return false;
  const listLen = u16(buf, at);
  if (listLen > end - at - 2) return false;
  at += 2;
  const listEnd = at + listLen;
  while (at < listEnd) {
    if (listEnd - at < 3) return false;
    const nameType = u8(buf, at);
    const nameLen = u16(buf, at + 1);
    const name = at + 3;
    if (nameLen > listEnd - name) return false;
    if (nameType === SNI_HOST_NAME && d.sni === null) {
      d.sni = latin1Text(buf, name, name + nameLen, limits.maxText);
    }
    at = name + nameLen;
  }
  return true;
}

/** ProtocolNameList (RFC 7301 3.1): names of 1..255 bytes; false when malformed. */
function alpn(
  d: HelloDraft,
  buf: Uint8Array,
  at: number,
  end: number,
  limits: TlsHelloLimits,
): boolean {
  if (end - at < 2) return false;
  const listLen = u16(buf, at);
  if (listLen > end - at - 2) return false;
  at += 2;
  const listEnd = at + listLen;
  while (at < listEnd) {
    const nameLen = u8(buf, at);
    const name = at + 1;
    if (nameLen === 0 || nameLen > listEnd - name) return false;
    if (d.alpn.length < limits.maxItems) {
      d.alpn.push(latin1Text(buf, name, name + nameLen, limits.maxText));
    }
    d.alpnCount++;
    at = name + nameLen;
  }
  return true;
}

/**
 * supported_versions (RFC 8446 4.2.1): a list `versions<2..254>` in a ClientHello, a single
 * `selected_version` in a ServerHello or HelloRetryRequest.
 */
function supportedVersions(
  d: HelloDraft,
  buf: Uint8Array,
  at: number,
  end: number,
  client: boolean,
  limits: TlsHelloLimits,
): boolean {
  if (!client) {
    if (end - at !== 2) return false;
    d.selectedVersion = u16(buf, at);
    return true;
  }
  if (end - at < 1) return false;
  const listLen = u8(buf, at);
  if (listLen > end - at - 1 || listLen % 2 !== 0) return false;
  for (let i = 0; i < listLen; i += 2) {
    if (d.versions.length >= limits.maxItems) break;
    d.versions.push(u16(buf, at + 1 + i));
  }
  return true;
}

/**
 * A protocol version's usual name: "TLS 1.3", "SSL 3.0", "TLS 1.3 draft 28" (RFC 8446
 * drafts used 0x7fNN), else the number in hex ("0x0a0a" for a GREASE value, RFC 8701).
 */
export function tlsVersionName(version: number): string {
  switch (version) {
    case 0x0300:
      return "SSL 3.0";
    case 0x0301:
      return "TLS 1.0";
    case 0x0302:
      return "TLS 1.1";
    case 0x0303:
      return "TLS 1.2";
    case 0x0304:
      return "TLS 1.3";
    default:
      if (version >> 8 === 0x7f) return `TLS 1.3 draft ${version & 0xff}`;
      return `0x${version.toString(16).padStart(4, "0")}`;
  }
}
