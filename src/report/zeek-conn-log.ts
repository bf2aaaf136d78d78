/**
 * teardown's flows as a Zeek conn.log in Zeek's TSV layout (the ASCII writer's default): the
 * header lines, one row per finished flow, the `#close` line. Zeek 6's conn.log columns come
 * first, in Zeek's order and with Zeek's types, so zeek-cut, Zeek's input framework and the tools
 * built for Zeek logs read it; teardown's own columns follow them, named `teardown_*`.
 *
 * Values follow base/protocols/conn/main.zeek: `duration`, `orig_bytes` and `resp_bytes` are
 * set only when the duration is above zero, an empty `history` is unset, `local_orig`,
 * `local_resp` and `tunnel_parents` are unset (teardown has no Site::local_nets and does not
 * follow tunnels), `proto` is always `tcp`. `service` is what teardown's payload parsers
 * confirmed, in Zeek's names (see zeekService).
 *
 * Escaping is the ASCII writer's (threading::formatter::Ascii, ODesc with escaping on,
 * util::get_escaped_string): see zeekString.
 *
 * Limitations: `uid` is not Zeek's (Zeek's are random; see zeekUid), and the same connection can
 * be split into rows differently (Zeek's close and inactivity timers, see
 * test/flow/zeek-baselines.test.ts). The log is written as Zeek writes it with
 * `LogAscii::enable_utf_8 = F`, so it is pure ASCII: with `T` (the default of recent Zeeks)
 * valid UTF-8 would pass through where this writes `\xNN` escapes. The `#open` and
 * `#close` times are given by the caller (the capture's first and last packet), not a clock,
 * and written in UTC where Zeek uses local time.
 */
import type { FinishedFlow } from "../analysis/index.js";
import { addressText, decimalSeconds } from "../analysis/index.js";
import { zeekBytes, type AppContext, type Direction, type Flow } from "../flow/index.js";

const SEPARATOR = "\t";
const SET_SEPARATOR = ",";
const EMPTY_FIELD = "(empty)";
const UNSET_FIELD = "-";

/** One column: its name and Zeek type for `#fields` and `#types`, and its value for a flow. */
interface Column {
  readonly name: string;
  readonly type: string;
  /** The field as written (already escaped), UNSET_FIELD when unset. */
  readonly value: (x: FinishedFlow, row: RowFacts) => string;
}

/** What several columns of one row need, worked out once per row. */
interface RowFacts {
  /** Zeek's duration when above 0 (else Zeek leaves duration and the sizes unset). */
  readonly duration: number | undefined;
  /** orig_bytes and resp_bytes, when there is a duration. */
  readonly bytes: { readonly orig: number; readonly resp: number } | undefined;
}

/**
 * `whole + offset` seconds rounded to the microsecond, with 6 decimals, as Zeek writes a `time`
 * or an `interval` (Formatter::Render(double), trailing zeros kept).
 */
export function zeekSeconds(whole: number, offset: number): string {
  return decimalSeconds(whole, offset, 6, false);
}

/** The digits of Zeek's base 62 (util::uitoa_n): 0-9, A-Z, a-z. */
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** Base-62 digits of a uid after its "C": 62^9 > 2^53, so every flow id fits. */
export const ZEEK_UID_DIGITS = 9;

/**
 * The conn.log `uid` of a flow: "C" (Zeek's prefix for connections) and the flow id in base 62,
 * zero-padded to ZEEK_UID_DIGITS digits (flow 1 is `C000000001`). Zeek's uids are random;
 * these are deterministic, so the same capture always gives the same log, and a uid leads back
 * to `teardown flow <capture> <id>`.
 */
export function zeekUid(id: number): string {
  let digits = "";
  let n = Math.max(0, Math.trunc(id));
  do {
    digits = BASE62[n % 62]! + digits;
    n = Math.floor(n / 62);
  } while (n > 0);
  return `C${digits.padStart(ZEEK_UID_DIGITS, "0")}`;
}

const HEX = "0123456789abcdef";
const utf8 = new TextEncoder();

/** Printable ASCII but the backslash: the characters a value keeps as they are. */
const PLAIN = /^[\x20-\x5b\x5d-\x7e]*$/;

function escapeBytes(bytes: Uint8Array, inSet: boolean): string {
  let out = "";
  for (const b of bytes) {
    if (b === 0x5c) {
      // get_escaped_string(..., escape_all = true) doubles a backslash.
      out += "\\\\";
    } else if (b < 0x20 || b > 0x7e || (inSet && b === 0x2c)) {
      // Not isprint() in the C locale (the tab separator among them), or the set separator
      // inside a set element: \xNN, lower-case hex (util::bytetohex).
      out += `\\x${HEX[b >> 4]}${HEX[b & 0x0f]}`;
    } else {
      out += String.fromCharCode(b);
    }
  }
  return out;
}

function stringField(value: string | Uint8Array, inSet: boolean): string {
  if (value.length === 0) return EMPTY_FIELD;
  // A value spelling a reserved marker gets its first character escaped (escapeReservedContent).
  if (isReserved(value, UNSET_FIELD)) return `\\x2d${UNSET_FIELD.slice(1)}`;
  if (isReserved(value, EMPTY_FIELD)) return `\\x28${EMPTY_FIELD.slice(1)}`;
  if (typeof value !== "string") return escapeBytes(value, inSet);
  if (PLAIN.test(value) && !(inSet && value.includes(SET_SEPARATOR))) return value;
  return escapeBytes(utf8.encode(value), inSet);
}

function isReserved(value: string | Uint8Array, reserved: string): boolean {
  if (typeof value === "string") return value === reserved;
  if (value.length !== reserved.length) return false;
  for (let i = 0; i < value.length; i++) if (value[i] !== reserved.charCodeAt(i)) return false;
  return true;
}

/**
 * A `string` (or `enum`) value as Zeek's ASCII writer writes it: an empty value is `(empty)`;
 * a value equal to `-` or `(empty)` (the unset and empty markers) has its first character
 * escaped (`\x2d`, `\x28empty)`); a backslash is doubled; the tab separator, every other control
 * byte, DEL and every byte above 0x7e is written `\xNN`. A JS string is written as its UTF-8
 * bytes (a lone surrogate as U+FFFD's); pass the bytes themselves for packet data that need not
 * be text.
 */
export function zeekString(value: string | Uint8Array): string {
  return stringField(value, false);
}

/**
 * A `set[string]` value: the elements, escaped as zeekString and with the set separator `,`
 * inside an element written `\x2c`, sorted (Zeek's own order is its hash table's) and joined
 * with `,`; an empty set is `(empty)`.
 */
export function zeekStringSet(values: Iterable<string>): string {
  const sorted = [...new Set(values)].sort();
  if (sorted.length === 0) return EMPTY_FIELD;
  return sorted.map((v) => stringField(v, true)).join(SET_SEPARATOR);
}

const bool = (b: boolean): string => (b ? "T" : "F");

/** When a side first sent a FIN or a RST (relative), undefined when it sent neither. */
function closedAt(d: Direction): number | undefined {
  const fin = d.finFrame !== 0 ? d.finAt : Infinity;
  const rst = d.rstFrame !== 0 ? d.rstAt : Infinity;
  const t = Math.min(fin, rst);
  return t === Infinity ? undefined : t;
}

/**
 * Zeek's `duration`: from the first packet to the connection's last time, which Zeek stops
 * moving once both endpoints have closed (TCPSessionAdapter: `if ( ! orig->did_close || !
 * resp->did_close ) Conn()->SetLastTime(...)`, before the packet's flags are processed). So the
 * last ACK after two FINs counts in `orig_pkts` but not in `duration`. An endpoint closes at its
 * first FIN or RST here; Zeek defers a close while its reassembler still holds data, which
 * teardown does not model.
 */
export function zeekDuration(f: Flow): number {
  const c = closedAt(f.client);
  const s = closedAt(f.server);
  const end = c === undefined || s === undefined ? f.endAt : Math.min(f.endAt, Math.max(c, s));
  return end - f.startAt;
}

/**
 * Zeek's `service` for a flow's payload context: the analyzers Zeek would have confirmed, of
 * those teardown has. Zeek names a service only once an analyzer confirmed its protocol, and off
 * an analyzer's well-known ports it starts one only when dynamic protocol detection matched both
 * sides (base/protocols/http/dpd.sig: a request, then a reply starting "HTTP/"); its SSL analyzer
 * confirms once the server answers in TLS (a ClientHello sent to an HTTP server stays "-").
 * teardown knows no ports, so it asks for both sides too:
 * - "http" when a request and a response to it (any status line, 1xx too) were parsed;
 * - "ssl" (Zeek's name for TLS) when a ServerHello was parsed;
 * - unset otherwise, h2c included: Zeek's base scripts have no HTTP/2 analyzer, and an h2c
 *   server never answers "HTTP/".
 *
 * Limitations: on HTTP's well-known ports (80, 8080...) Zeek's HTTP analyzer runs from the
 * first packet and confirms at the first request line, without waiting for a reply (so it would
 * name an h2c preface "http" there); Zeek finds protocols teardown does not read (server-first
 * ones, STARTTLS, TLS in a CONNECT or WebSocket tunnel: "http,ssl"); teardown decides the
 * protocol from the client's first payload only (flow/app-sniffer.ts).
 */
export function zeekService(app: AppContext | undefined): string {
  if (app?.protocol === "http") {
    const answered = app.http?.exchanges.some((e) => e.requestFrame !== 0 && e.responseFrame !== 0);
    return answered === true ? "http" : UNSET_FIELD;
  }
  if (app?.protocol === "tls") return (app.tls?.serverHelloFrame ?? 0) !== 0 ? "ssl" : UNSET_FIELD;
  return UNSET_FIELD;
}

/** Zeek 6's conn.log columns (base/protocols/conn/main.zeek, Conn::Info), then teardown's. */
const COLUMNS: readonly Column[] = [
  { name: "ts", type: "time", value: (x) => zeekSeconds(x.baseSec, x.flow.startAt) },
  { name: "uid", type: "string", value: (x) => zeekUid(x.flow.id) },
  { name: "id.orig_h", type: "addr", value: (x) => addressText(x.flow, "client") },
  { name: "id.orig_p", type: "port", value: (x) => String(x.flow.cPort) },
  { name: "id.resp_h", type: "addr", value: (x) => addressText(x.flow, "server") },
  { name: "id.resp_p", type: "port", value: (x) => String(x.flow.sPort) },
  { name: "proto", type: "enum", value: () => "tcp" },
  { name: "service", type: "string", value: (x) => zeekService(x.flow.app) },
  {
    name: "duration",
    type: "interval",
    value: (_, row) => (row.duration !== undefined ? zeekSeconds(0, row.duration) : UNSET_FIELD),
  },
  {
    name: "orig_bytes",
    type: "count",
    value: (_, row) => (row.bytes !== undefined ? String(row.bytes.orig) : UNSET_FIELD),
  },
  {
    name: "resp_bytes",
    type: "count",
    value: (_, row) => (row.bytes !== undefined ? String(row.bytes.resp) : UNSET_FIELD),
  },
  { name: "conn_state", type: "string", value: (x) => zeekString(x.facts.connState) },
  { name: "local_orig", type: "bool", value: () => UNSET_FIELD },
  { name: "local_resp", type: "bool", value: () => UNSET_FIELD },
  {
    // Zeek counts the bytes its reassembler skipped over (content gaps). teardown does not
    // reassemble; the closest it knows is the bytes a peer acknowledged that the capture never
    // showed (unseenBytes), both directions together as in Zeek.
    name: "missed_bytes",
    type: "count",
    value: (x) => String(x.flow.client.unseenBytes + x.flow.server.unseenBytes),
  },
  {
    name: "history",
    type: "string",
    value: (x) => (x.flow.history === "" ? UNSET_FIELD : zeekString(x.flow.history)),
  },
  { name: "orig_pkts", type: "count", value: (x) => String(x.flow.client.packets) },
  { name: "orig_ip_bytes", type: "count", value: (x) => String(x.flow.client.ipBytes) },
  { name: "resp_pkts", type: "count", value: (x) => String(x.flow.server.packets) },
  { name: "resp_ip_bytes", type: "count", value: (x) => String(x.flow.server.ipBytes) },
  { name: "tunnel_parents", type: "set[string]", value: () => UNSET_FIELD },
  // teardown's columns: the flow id of `teardown flow` and the JSON's `id`, and its verdicts.
  { name: "teardown_id", type: "count", value: (x) => String(x.flow.id) },
  { name: "teardown_role_inferred", type: "bool", value: (x) => bool(x.flow.roleInferred) },
  { name: "teardown_handshake", type: "string", value: (x) => zeekString(x.facts.handshake) },
  { name: "teardown_closed_by", type: "string", value: (x) => zeekString(x.flow.closedBy) },
  { name: "teardown_close", type: "string", value: (x) => zeekString(x.flow.close) },
  { name: "teardown_time_wait", type: "string", value: (x) => zeekString(x.facts.timeWait) },
  {
    name: "teardown_findings",
    type: "set[string]",
    value: (x) => zeekStringSet(x.facts.findings.map((f) => f.kind)),
  },
];

/** The `#fields` of the log, in order (Zeek's 21 conn.log columns, then teardown's). */
export const ZEEK_CONN_FIELDS: readonly string[] = COLUMNS.map((c) => c.name);
/** The `#types`, one for each of ZEEK_CONN_FIELDS. */
export const ZEEK_CONN_TYPES: readonly string[] = COLUMNS.map((c) => c.type);

function pad2(n: number): string {
  return String(n).padStart(2, "0");
}

/** Epoch seconds as Zeek's `#open` and `#close` write them (%Y-%m-%d-%H-%M-%S), in UTC. */
export function zeekLogTime(epochSec: number): string {
  // Zeek truncates to the second (time_t(t)).
  const d = new Date(Math.floor(epochSec) * 1000);
  return (
    `${String(d.getUTCFullYear()).padStart(4, "0")}-${pad2(d.getUTCMonth() + 1)}-` +
    `${pad2(d.getUTCDate())}-${pad2(d.getUTCHours())}-${pad2(d.getUTCMinutes())}-` +
    pad2(d.getUTCSeconds())
  );
}

/**
 * The header lines, each ending in "\n": `#separator \x09` (the one header line Zeek separates
 * with a space), `#set_separator`, `#empty_field`, `#unset_field`, `#path conn`, `#open` at
 * `openEpochSec`, `#fields` and `#types`.
 */
export function zeekConnLogHeader(openEpochSec: number): string {
  return (
    `#separator \\x09\n` +
    `#set_separator${SEPARATOR}${SET_SEPARATOR}\n` +
    `#empty_field${SEPARATOR}${EMPTY_FIELD}\n` +
    `#unset_field${SEPARATOR}${UNSET_FIELD}\n` +
    `#path${SEPARATOR}conn\n` +
    `#open${SEPARATOR}${zeekLogTime(openEpochSec)}\n` +
    `#fields${SEPARATOR}${ZEEK_CONN_FIELDS.join(SEPARATOR)}\n` +
    `#types${SEPARATOR}${ZEEK_CONN_TYPES.join(SEPARATOR)}\n`
  );
}

/** One row, ending in "\n", for a finished flow (valid while its flow view is: in onFlow). */
export function zeekConnLogRow(x: FinishedFlow): string {
  // Zeek sets duration, orig_bytes and resp_bytes only when the duration is above 0.
  const duration = zeekDuration(x.flow);
  const row: RowFacts =
    duration > 0
      ? { duration, bytes: zeekBytes(x.flow) }
      : { duration: undefined, bytes: undefined };
  let line = "";
  for (let i = 0; i < COLUMNS.length; i++) {
    if (i > 0) line += SEPARATOR;
    line += COLUMNS[i]!.value(x, row);
  }
  // Zeek escapes a row's first character when it would make the row read as a header line.
  if (line.startsWith("#")) line = `\\x23${line.slice(1)}`;
  return `${line}\n`;
}

/** The closing line, `#close` at `closeEpochSec`, ending in "\n". */
export function zeekConnLogFooter(closeEpochSec: number): string {
  return `#close${SEPARATOR}${zeekLogTime(closeEpochSec)}\n`;
}
