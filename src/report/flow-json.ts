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
import { TCP_STATES, type Direction, type Endpoint } from "../flow/index.js";
import { asciiBytes, type JsonBytes } from "./json-bytes.js";

function direction(w: JsonBytes, d: Direction, baseSec: number): void {
  w.raw('{"isn":');
  if (d.synFrame !== 0) w.number(d.isn);
  else w.raw("null");
  w.raw(',"mss":');
  if (d.mss >= 0) w.number(d.mss);
  else w.raw("null");
  w.raw(',"windowScale":');
  if (d.windowScale >= 0) w.number(d.windowScale);
  else w.raw("null");
  w.raw(',"retransmits":').number(d.retransmits);
  w.raw(',"zeroWindows":').number(d.zeroWindowCount);
  w.raw(',"unseenBytes":').number(d.unseenBytes);
  w.raw(',"fin":');
  if (d.finFrame !== 0) w.seconds(baseSec, d.finAt);
  else w.raw("null");
  w.raw(',"rst":');
  if (d.rstFrame !== 0) w.seconds(baseSec, d.rstAt);
  else w.raw("null");
  w.char(CLOSE_BRACE);
}

/** `{"state":"NAME","at":` for each state, pre-encoded, by state code (index in TCP_STATES). */
const STATE_ENTRY: readonly Uint8Array[] = TCP_STATES.map((s) =>
  asciiBytes(`{"state":"${s}","at":`),
);
const FRAME_KEY = asciiBytes(',"frame":');
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACE = 0x7b;
const COLON = 0x3a;

function timeline(w: JsonBytes, e: Endpoint, baseSec: number): void {
  w.char(OPEN_BRACKET);
  const n = e.changes;
  for (let i = 0; i < n; i++) {
    if (i > 0) w.char(COMMA);
    w.bytes(STATE_ENTRY[e.stateCodeAt(i)]!).seconds(baseSec, e.atOf(i));
    w.bytes(FRAME_KEY).number(e.frameOf(i)).char(CLOSE_BRACE);
  }
  w.char(CLOSE_BRACKET);
}

/** Appends the flow's JSON object to `w`. */
export function writeFlowJson(w: JsonBytes, x: FinishedFlow): void {
  const f = x.flow;
  const facts = x.facts;
  const baseSec = x.baseSec;
  w.raw('{"id":').number(f.id);
  w.raw(',"client":{"ip":').string(addressText(f, "client")).raw(',"port":').number(f.cPort);
  w.raw('},"server":{"ip":').string(addressText(f, "server")).raw(',"port":').number(f.sPort);
  w.raw('},"roleInferred":').raw(f.roleInferred ? "true" : "false");
  w.raw(',"start":').seconds(baseSec, f.startAt);
  w.raw(',"end":').seconds(baseSec, f.endAt);
  w.raw(',"packets":{"client":').number(f.client.packets);
  w.raw(',"server":').number(f.server.packets);
  w.raw('},"bytes":{"client":').number(f.client.uniqueBytes);
  w.raw(',"server":').number(f.server.uniqueBytes);
  w.raw('},"sent":{"client":');
  direction(w, f.client, baseSec);
  w.raw(',"server":');
  direction(w, f.server, baseSec);
  w.raw('},"closedBy":"').raw(f.closedBy);
  w.raw('","close":"').raw(f.close);
  w.raw('","handshake":"').raw(facts.handshake);
  w.raw('","timeWait":"').raw(facts.timeWait);
  w.raw('","timeWaitUntil":');
  if (facts.timeWait === "none") w.raw("null");
  else w.seconds(baseSec, facts.timeWaitStart + x.thresholds.timeWaitSec);
  w.raw(',"states":{"client":');
  timeline(w, f.clientEnd, baseSec);
  w.raw(',"server":');
  timeline(w, f.serverEnd, baseSec);
  w.char(CLOSE_BRACE);
  if (f.clientEnd.omitted + f.serverEnd.omitted > 0) {
    w.raw(',"statesOmitted":{"client":').number(f.clientEnd.omitted);
    w.raw(',"server":').number(f.serverEnd.omitted).char(CLOSE_BRACE);
  }
  w.raw(',"findings":[');
  let first = true;
  for (const finding of facts.findings) {
    w.raw(first ? '{"kind":"' : ',{"kind":"').raw(finding.kind);
    w.raw('","side":"').raw(finding.side);
    w.raw('","at":').seconds(baseSec, finding.at);
    w.raw(',"evidence":[');
    for (let i = 0; i < finding.evidence.length; i++) {
      if (i > 0) w.char(COMMA);
      w.number(finding.evidence[i]!);
    }
    w.raw('],"detail":').string(finding.detail).char(CLOSE_BRACE);
    first = false;
  }
  w.raw('],"zeek":{"connState":').string(facts.connState);
  w.raw(',"history":');
  // Zeek's history letters are ASCII letters and '^', stored as such.
  const codes = f.historyCodes();
  if (codes !== null) w.asciiString(codes);
  else w.string(f.history);
  w.char(CLOSE_BRACE);
  if (f.previousId !== 0) {
    w.raw(',"previous":{"id":').number(f.previousId);
    w.raw(',"gapSec":').seconds(0, f.reuseGap).char(CLOSE_BRACE);
  }
  const app = f.app;
  if (app !== undefined) {
    w.raw(',"app":');
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
      if (x === null) w.raw("null");
      else w.number(x);
    }
  } else if (typeof v === "string") {
    w.asciiEscaped(v);
  } else if (typeof v === "boolean") {
    w.raw(v ? "true" : "false");
  } else if (Array.isArray(v)) {
    w.char(OPEN_BRACKET);
    for (let i = 0; i < v.length; i++) {
      if (i > 0) w.char(COMMA);
      const x: unknown = v[i];
      if (x === undefined) w.raw("null");
      else appValue(w, x, APP_PLAIN, baseSec);
    }
    w.char(CLOSE_BRACKET);
  } else if (v !== null && typeof v === "object") {
    w.char(OPEN_BRACE);
    let first = true;
    for (const k in v) {
      const x: unknown = (v as Record<string, unknown>)[k];
      if (x === undefined) continue;
      if (!first) w.char(COMMA);
      first = false;
      w.asciiEscaped(k).char(COLON);
      if (kind === APP_TIME) {
        // As appResult: what is not a number among times is null.
        if (typeof x === "number") appValue(w, x, APP_TIME, baseSec);
        else w.raw("null");
      } else {
        appValue(w, x, appFieldKind(k), baseSec);
      }
    }
    w.char(CLOSE_BRACE);
  } else {
    w.raw("null");
  }
}
