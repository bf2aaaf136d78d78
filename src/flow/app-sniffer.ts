/**
 * Which application protocol a connection carries, decided once from its first payload, and the
 * payload parser (AppSession) of each live connection that carries one teardown reads: HTTP/1.x
 * and TLS. Sessions are kept by flow slot in a plain array, so finding a packet's session costs
 * an index, not a lookup.
 *
 * Detection looks at the client's first payload only (Zeek's dynamic protocol detection does
 * more; this is the common case of a client that speaks first):
 * - the HTTP/2 connection preface (`PRI * HTTP/2.0`, RFC 9113 3.4): h2c with prior knowledge;
 * - a request line's method (a token of capital letters, RFC 9110 9.1), a space and the start
 *   of a request target: HTTP/1.x;
 * - a TLS handshake record (content type 22, version 3.x, RFC 8446 5.1): TLS.
 * Anything else, a server that speaks first, or a first client segment too short to tell (under
 * 4 bytes), is not parsed.
 */
import type { AppContext, AppProtocol, AppSession, AppSessionFactories } from "./app-context.js";
import { ForwardedSession, type AppForward } from "./app-forward.js";

/** Longest method token recognised (RFC 9110 has no limit; registered methods are shorter). */
const MAX_METHOD = 20;
const PREFACE = "PRI * HTTP/2.0";

/** The protocol of a client's first payload `b[start, end)`, or null when teardown does not parse it. */
export function detectApp(b: Uint8Array, start: number, end: number): AppProtocol | null {
  const n = end - start;
  if (n < 4) return null;
  if (b[start] === 0x16 && b[start + 1] === 0x03 && b[start + 2]! <= 0x04) return "tls";
  let i = start;
  const limit = Math.min(end, start + MAX_METHOD + 1);
  while (i < limit && ((b[i]! >= 0x41 && b[i]! <= 0x5a) || b[i] === 0x2d || b[i] === 0x5f)) i++;
  if (i === start || i + 1 >= end || b[i] !== 0x20) return null;
  if (n >= PREFACE.length && startsWith(b, start, PREFACE)) return "h2c";
  // The request target (RFC 9112 3.2): origin form "/...", asterisk form "*", absolute form
  // "http://...", or CONNECT's authority. Other text after a capital word is some other
  // protocol (a Redis "PING x", an SMTP "HELO x").
  const target = b[i + 1]!;
  const connect = i - start === 7 && startsWith(b, start, "CONNECT");
  if (target === 0x2f || target === 0x2a || connect) return "http";
  return end - (i + 1) >= 4 && startsWith(b, i + 1, "http") ? "http" : null;
}

function startsWith(b: Uint8Array, start: number, text: string): boolean {
  for (let k = 0; k < text.length; k++) if (b[start + k] !== text.charCodeAt(k)) return false;
  return true;
}

/** An h2c connection: the preface is all teardown reads of it (HTTP/2 frames are not parsed). */
export class PrefaceSession implements AppSession {
  data(): void {}
  closed(): void {}
  result(): AppContext {
    return { protocol: "h2c" };
  }
}

export class AppSniffer {
  private readonly sessions: (AppSession | undefined)[] = [];

  /** `forward`: where connections parsed on another thread go (app-forward.ts); absent, none. */
  constructor(
    private readonly factories: AppSessionFactories,
    private readonly forward?: AppForward,
  ) {}

  /**
   * Starts parsing the flow in `slot` (whose id is `flowId`) as `protocol`: here, or elsewhere
   * when the forward wants it.
   */
  start(slot: number, flowId: number, protocol: AppProtocol): AppSession {
    const s =
      this.forward?.wanted(protocol) === true
        ? this.forward.events.session(flowId, protocol)
        : this.factories[protocol]();
    this.sessions[slot] = s;
    return s;
  }

  session(slot: number): AppSession | undefined {
    return this.sessions[slot];
  }

  /**
   * The flow in `slot` is finished: its context, and the session forgotten. Undefined when it
   * had none, or when it was parsed elsewhere (its context is made there).
   */
  finish(slot: number): AppContext | undefined {
    const s = this.sessions[slot];
    if (s === undefined) return undefined;
    this.sessions[slot] = undefined;
    if (!(s instanceof ForwardedSession)) return s.result();
    s.end();
    return undefined;
  }
}
