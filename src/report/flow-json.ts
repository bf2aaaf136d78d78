/**
 * One flow of the `--json` output (`flows[]` of teardown/1), written byte by byte from the flow
 * and its facts: the same record as analysis' `buildFlowResult`, field for field and in the same
 * order (a test holds them equal), without building that object tree for each of a million
 * flows.
 */
import type { FinishedFlow } from "../analysis/index.js";
import {
  addressText,
  appFieldKind,
  appNumber,
  APP_PLAIN,
  APP_TIME,
  type AppFieldKind,
} from "../analysis/index.js";
import { TCP_STATES, type Direction, type Endpoint, type Flow, type Side } from "../flow/index.js";
import { JsonBytes, jsonFragment, type JsonFragment } from "./json-bytes.js";

/**
 * The fixed text between the values, pre-encoded: copying bytes costs less than taking the
 * character codes of a string one by one, and neighbouring fragments are merged into one.
 */
const ID = jsonFragment('{"id":');
const CLIENT_IP = jsonFragment(',"client":{"ip":');
const PORT = jsonFragment(',"port":');
const SERVER_IP = jsonFragment('},"server":{"ip":');
const ROLE_INFERRED_START = jsonFragment('},"roleInferred":true,"start":');
const ROLE_SEEN_START = jsonFragment('},"roleInferred":false,"start":');
const END = jsonFragment(',"end":');
const PACKETS_CLIENT = jsonFragment(',"packets":{"client":');
const SERVER = jsonFragment(',"server":');
const BYTES_CLIENT = jsonFragment('},"bytes":{"client":');
const SENT_CLIENT = jsonFragment('},"sent":{"client":');
const ISN = jsonFragment('{"isn":');
const MSS = jsonFragment(',"mss":');
const WINDOW_SCALE = jsonFragment(',"windowScale":');
const RETRANSMITS = jsonFragment(',"retransmits":');
const ZERO_WINDOWS = jsonFragment(',"zeroWindows":');
const UNSEEN_BYTES = jsonFragment(',"unseenBytes":');
const FIN = jsonFragment(',"fin":');
const RST = jsonFragment(',"rst":');
const NULL = jsonFragment("null");
const CLOSED_BY = jsonFragment('},"closedBy":"');
const CLOSE = jsonFragment('","close":"');
const HANDSHAKE = jsonFragment('","handshake":"');
const TIME_WAIT = jsonFragment('","timeWait":"');
const TIME_WAIT_UNTIL = jsonFragment('","timeWaitUntil":');
const STATES_CLIENT = jsonFragment(',"states":{"client":[');
const STATES_SERVER = jsonFragment('],"server":[');
const STATES_END = jsonFragment("]}");
const STATES_OMITTED_CLIENT = jsonFragment(',"statesOmitted":{"client":');
const FINDINGS = jsonFragment(',"findings":[');
const FIRST_KIND = jsonFragment('{"kind":"');
const NEXT_KIND = jsonFragment(',{"kind":"');
const SIDE = jsonFragment('","side":"');
const AT = jsonFragment('","at":');
const EVIDENCE = jsonFragment(',"evidence":[');
const DETAIL = jsonFragment('],"detail":');
const ZEEK_CONN_STATE = jsonFragment('],"zeek":{"connState":');
const HISTORY = jsonFragment(',"history":');
const PREVIOUS_ID = jsonFragment(',"previous":{"id":');
const GAP_SEC = jsonFragment(',"gapSec":');
const APP = jsonFragment(',"app":');
const TRUE = jsonFragment("true");
const FALSE = jsonFragment("false");

function direction(w: JsonBytes, d: Direction, baseSec: number): void {
  w.fragment(ISN);
  if (d.synFrame !== 0) w.number(d.isn);
  else w.fragment(NULL);
  w.fragment(MSS);
  if (d.mss >= 0) w.number(d.mss);
  else w.fragment(NULL);
  w.fragment(WINDOW_SCALE);
  if (d.windowScale >= 0) w.number(d.windowScale);
  else w.fragment(NULL);
  w.fragment(RETRANSMITS).number(d.retransmits);
  w.fragment(ZERO_WINDOWS).number(d.zeroWindowCount);
  w.fragment(UNSEEN_BYTES).number(d.unseenBytes);
  w.fragment(FIN);
  if (d.finFrame !== 0) w.seconds(baseSec, d.finAt);
  else w.fragment(NULL);
  w.fragment(RST);
  if (d.rstFrame !== 0) w.seconds(baseSec, d.rstAt);
  else w.fragment(NULL);
  w.char(CLOSE_BRACE);
}

/**
 * `{"state":"NAME","at":` for each state, pre-encoded, by state code (index in TCP_STATES); the
 * entries after the first begin with the `},` that closes the one before.
 */
const FIRST_STATE: readonly JsonFragment[] = TCP_STATES.map((s) =>
  jsonFragment(`{"state":"${s}","at":`),
);
const NEXT_STATE: readonly JsonFragment[] = TCP_STATES.map((s) =>
  jsonFragment(`},{"state":"${s}","at":`),
);
const FRAME_KEY = jsonFragment(',"frame":');
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACE = 0x7b;
const COLON = 0x3a;

/** The entries of an endpoint's timeline, without the brackets around them. */
function timeline(w: JsonBytes, e: Endpoint, baseSec: number): void {
  const n = e.changes;
  for (let i = 0; i < n; i++) {
    const code = e.stateCodeAt(i);
    w.fragment(i === 0 ? FIRST_STATE[code]! : NEXT_STATE[code]!).seconds(baseSec, e.atOf(i));
    w.fragment(FRAME_KEY).number(e.frameOf(i));
  }
  if (n > 0) w.char(CLOSE_BRACE);
}

/** A flow's address as `addressText` gives it, as a JSON string. */
function address(w: JsonBytes, f: Flow, side: Side): void {
  // Dotted quads are written from the address word directly, without building the text;
  // IPv6 keeps its one formatter (RFC 5952 compression).
  if (f.ipVersion === 4) w.ipv4String(side === "client" ? f.c0 : f.s0);
  else w.string(addressText(f, side));
}

/** Appends the flow's JSON object to `w`. */
export function writeFlowJson(w: JsonBytes, x: FinishedFlow): void {
  const f = x.flow;
  const facts = x.facts;
  const baseSec = x.baseSec;
  w.fragment(ID).number(f.id);
  w.fragment(CLIENT_IP);
  address(w, f, "client");
  w.fragment(PORT).number(f.cPort);
  w.fragment(SERVER_IP);
  address(w, f, "server");
  w.fragment(PORT).number(f.sPort);
  w.fragment(f.roleInferred ? ROLE_INFERRED_START : ROLE_SEEN_START).seconds(baseSec, f.startAt);
  w.fragment(END).seconds(baseSec, f.endAt);
  w.fragment(PACKETS_CLIENT).number(f.client.packets);
  w.fragment(SERVER).number(f.server.packets);
  w.fragment(BYTES_CLIENT).number(f.client.uniqueBytes);
  w.fragment(SERVER).number(f.server.uniqueBytes);
  w.fragment(SENT_CLIENT);
  direction(w, f.client, baseSec);
  w.fragment(SERVER);
  direction(w, f.server, baseSec);
  w.fragment(CLOSED_BY).raw(f.closedBy);
  w.fragment(CLOSE).raw(f.close);
  w.fragment(HANDSHAKE).raw(facts.handshake);
  w.fragment(TIME_WAIT).raw(facts.timeWait);
  w.fragment(TIME_WAIT_UNTIL);
  if (facts.timeWait === "none") w.fragment(NULL);
  else w.seconds(baseSec, facts.timeWaitStart + x.thresholds.timeWaitSec);
  w.fragment(STATES_CLIENT);
  timeline(w, f.clientEnd, baseSec);
  w.fragment(STATES_SERVER);
  timeline(w, f.serverEnd, baseSec);
  w.fragment(STATES_END);
  if (f.clientEnd.omitted + f.serverEnd.omitted > 0) {
    w.fragment(STATES_OMITTED_CLIENT).number(f.clientEnd.omitted);
    w.fragment(SERVER).number(f.serverEnd.omitted).char(CLOSE_BRACE);
  }
  w.fragment(FINDINGS);
  let first = true;
  for (const finding of facts.findings) {
    w.fragment(first ? FIRST_KIND : NEXT_KIND).raw(finding.kind);
    w.fragment(SIDE).raw(finding.side);
    w.fragment(AT).seconds(baseSec, finding.at);
    w.fragment(EVIDENCE);
    for (let i = 0; i < finding.evidence.length; i++) {
      if (i > 0) w.char(COMMA);
      w.number(finding.evidence[i]!);
    }
    w.fragment(DETAIL).string(finding.detail).char(CLOSE_BRACE);
    first = false;
  }
  w.fragment(ZEEK_CONN_STATE).string(facts.connState);
  w.fragment(HISTORY);
  // Zeek's history letters are ASCII letters and '^', stored as such.
  const codes = f.historyCodes();
  if (codes !== null) w.asciiString(codes);
  else w.string(f.history);
  w.char(CLOSE_BRACE);
  if (f.previousId !== 0) {
    w.fragment(PREVIOUS_ID).number(f.previousId);
    w.fragment(GAP_SEC).seconds(0, f.reuseGap).char(CLOSE_BRACE);
  }
  const app = f.app;
  if (app !== undefined) {
    w.fragment(APP);
    appValue(w, app, APP_PLAIN, baseSec);
  }
  w.char(CLOSE_BRACE);
}

/**
 * A value of a flow's payload context, written as analysis' `appResult` gives it (same
 * fields, same order, undefined fields left out, the same numbers), without building it: times
 * as decimals rounded to the nanosecond like the flow's own; text from packets (Latin-1, any byte) is written in ASCII with \u escapes, so the
 * output stays valid UTF-8 whatever the payload held. `kind` is the value's field kind; the
 * numbers of an object under a time field are times too.
 */
function appValue(w: JsonBytes, v: unknown, kind: AppFieldKind, baseSec: number): void {
  if (typeof v === "number") {
    // A time as every flow time is written (the text of secondsText, which appNumber parses).
    if (kind === APP_TIME && v >= 0) w.seconds(baseSec, v);
    else {
      const x = appNumber(v, kind, baseSec);
      if (x === null) w.fragment(NULL);
      else w.number(x);
    }
  } else if (typeof v === "string") {
    w.asciiEscaped(v);
  } else if (typeof v === "boolean") {
    w.fragment(v ? TRUE : FALSE);
  } else if (v === null || typeof v !== "object") {
    w.fragment(NULL);
  } else if (Array.isArray(v)) {
    appArray(w, v, baseSec);
  } else {
    appObject(w, v, kind, baseSec);
  }
}

function appArray(w: JsonBytes, v: readonly unknown[], baseSec: number): void {
  w.char(OPEN_BRACKET);
  for (let i = 0; i < v.length; i++) {
    if (i > 0) w.char(COMMA);
    const x: unknown = v[i];
    if (x === undefined) w.fragment(NULL);
    else appValue(w, x, APP_PLAIN, baseSec);
  }
  w.char(CLOSE_BRACKET);
}

function appObject(w: JsonBytes, v: object, kind: AppFieldKind, baseSec: number): void {
  let first = true;
  for (const k in v) {
    const x: unknown = (v as Record<string, unknown>)[k];
    if (x === undefined) continue;
    const key = appKey(k);
    w.fragment(first ? key.first : key.next);
    first = false;
    if (kind === APP_TIME) {
      // As appResult: what is not a number among times is null.
      if (typeof x === "number") appValue(w, x, APP_TIME, baseSec);
      else w.fragment(NULL);
    } else {
      appValue(w, x, key.kind, baseSec);
    }
  }
  if (first) w.char(OPEN_BRACE);
  w.char(CLOSE_BRACE);
}

/** A context field name: its JSON text up to the colon, and its kind. */
interface AppKey {
  /** `{"name":`, for the first field of an object. */
  readonly first: JsonFragment;
  /** `,"name":`, for the others. */
  readonly next: JsonFragment;
  readonly kind: AppFieldKind;
}

/**
 * The context's field names, encoded once: one Map lookup per field instead of escaping the
 * name and looking up its kind for each of a million flows. The names are those of the context
 * types (flow/app-context.ts), never text from packets, so the map stays a few dozen entries.
 */
const appKeys = new Map<string, AppKey>();

function appKey(name: string): AppKey {
  let key = appKeys.get(name);
  if (key === undefined) {
    const text = new JsonBytes().asciiEscaped(name).char(COLON).text();
    key = {
      first: jsonFragment(`{${text}`),
      next: jsonFragment(`,${text}`),
      kind: appFieldKind(name),
    };
    appKeys.set(name, key);
  }
  return key;
}
