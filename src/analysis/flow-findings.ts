/**
 * The findings for one finished flow: pure functions of its two directions and endpoint
 * timelines (STYLE.md practice 8). Each rule says what on the wire it rests on.
 */
import type { Direction, Flow, HttpExchange, Side } from "../flow/index.js";
import { finGap } from "./fin-gap.js";
import type { FindingKind } from "./finding-kinds.js";
import type { Thresholds } from "./thresholds.js";

export interface Finding {
  readonly kind: FindingKind;
  readonly side: Side | "none";
  /** Relative time (see FlowTracker.baseSec) of the packet that shows it. */
  readonly at: number;
  /** Frame numbers of the packets that show it, in order. */
  readonly evidence: readonly number[];
  readonly detail: string;
}

export type HandshakeState = "complete" | "refused" | "unanswered" | "incomplete" | "mid-stream";

export function handshakeState(f: Flow): HandshakeState {
  const c = f.client;
  const s = f.server;
  if (c.synFrame === 0) return "mid-stream";
  if (s.synFrame === 0) {
    if (s.rstFrame !== 0) return "refused";
    return s.packets === 0 ? "unanswered" : "incomplete";
  }
  return f.clientEnd.entered("ESTABLISHED") >= 0 ? "complete" : "incomplete";
}

const secs = (x: number): string => `${x.toFixed(x < 10 ? 3 : 1)} s`;

function peerOf(f: Flow, side: Side): Direction {
  return side === "client" ? f.server : f.client;
}

export function findingsForFlow(f: Flow, th: Thresholds, captureEnd: number): Finding[] {
  const out: Finding[] = [];
  const hs = handshakeState(f);
  const c = f.client;
  const s = f.server;

  if (hs === "refused") {
    out.push({
      kind: "refused",
      side: "server",
      at: s.rstAt,
      evidence: [c.synFrame, s.rstFrame],
      detail: `SYN answered by RST after ${secs(s.rstAt - c.synAt)}${c.synCount > 1 ? ` (${c.synCount} SYNs)` : ""}`,
    });
    return out;
  }
  if (hs === "unanswered") {
    out.push({
      kind: "syn-unanswered",
      side: "server",
      at: c.synAt,
      evidence: [c.synFrame],
      detail: `${c.synCount} SYN${c.synCount > 1 ? "s" : ""} over ${secs(c.lastAt - c.synAt)}, no answer`,
    });
    return out;
  }

  if (s.synFrame !== 0 && c.synFrame !== 0 && s.synAt - c.synAt > th.slowHandshakeSec) {
    out.push({
      kind: "slow-handshake",
      side: "server",
      at: s.synAt,
      evidence: [c.synFrame, s.synFrame],
      detail: `SYN-ACK ${secs(s.synAt - c.synAt)} after the first SYN${c.synCount > 1 ? ` (${c.synCount} SYNs sent)` : ""}`,
    });
  }

  const probe =
    hs === "complete" && c.payloadBytes === 0 && s.payloadBytes === 0 && f.closedBy !== "none";
  if (probe) {
    out.push({
      kind: "probe",
      side: f.closedBy,
      at: f.closeAt,
      evidence: [c.synFrame, f.closeFrame],
      detail: `handshake, then ${f.close === "rst" ? "RST" : "FIN"} from the ${f.closedBy} after ${secs(f.closeAt - c.synAt)}, no payload either way`,
    });
  }

  // The client closed with its request unanswered.
  if (
    f.closedBy === "client" &&
    f.unansweredSince >= 0 &&
    f.closeAt - f.unansweredSince >= th.clientTimeoutSec
  ) {
    const wait = secs(f.closeAt - f.unansweredSince);
    const close = f.close === "rst" ? "RST" : "FIN";
    const request = unansweredRequest(f, f.closeAt);
    const tls = f.app?.tls;
    const helloAnswered =
      tls !== undefined && tls.serverHelloFrame !== 0 && tls.serverHelloAt <= f.closeAt;
    out.push({
      kind: "client-timeout",
      side: "client",
      at: f.closeAt,
      evidence: [request?.requestFrame ?? f.unansweredFrame, f.closeFrame],
      detail:
        request !== undefined
          ? `client gave up on ${requestText(request)} after ${wait} (${close}), with no response`
          : tls !== undefined && tls.clientHelloFrame !== 0 && !helloAnswered
            ? `client sent ${close} ${wait} after its TLS ClientHello (frame ${tls.clientHelloFrame}), with no ServerHello yet`
            : `client sent ${close} ${wait} after its last request (frame ${f.unansweredFrame}), with no response`,
    });
  }

  for (const side of ["client", "server"] as const) {
    const d = side === "client" ? c : s;
    if (d.rstFrame === 0) continue;
    const peer = peerOf(f, side);
    if (d.rstAnsweredLateFrame !== 0) {
      out.push({
        kind: "rst-after-close",
        side,
        at: d.rstAt,
        evidence: [d.finFrame, d.rstAnsweredLateFrame, d.rstFrame],
        detail: `the ${side} had closed (FIN, frame ${d.finFrame}); the ${other(side)}'s later segment (frame ${d.rstAnsweredLateFrame}, ${secs(d.rstAt - d.finAt)} after that FIN) was answered by RST`,
      });
    } else if (d.finFrame === 0 && d.rstUnansweredBytes > 0) {
      const response = side === "client" ? lastResponse(f) : undefined;
      out.push({
        kind: "rst-unread-data",
        side,
        at: d.rstAt,
        evidence: [peer.lastDataFrame, d.rstFrame],
        detail:
          `RST instead of FIN after receiving ${d.rstUnansweredBytes} bytes it never answered` +
          (response !== undefined
            ? ` (the response to ${requestText(response)}: ${response.status}, ${response.bodyBytes}-byte body` +
              `${response.responseComplete ? "" : ", cut short"})`
            : "") +
          `: closed with those bytes unread (Linux sends RST, RFC 2525 2.17), or with SO_LINGER 0; the wire cannot tell these apart`,
      });
    } else if (!probe && !(f.closedBy !== side && hasRstAfterPeerRst(f, side))) {
      out.push({
        kind: "abortive-close",
        side,
        at: d.rstAt,
        evidence: [d.rstFrame],
        detail: `RST from the ${side} in ${d.rstSenderState} with nothing pending: SO_LINGER 0, a killed process or a middlebox`,
      });
    }
  }

  // FIN gaps (fin-gap.ts): the passive side in CLOSE_WAIT, the active side in FIN_WAIT_2.
  const gap = finGap(f);
  if (gap !== undefined) {
    const active = gap.closer === "client" ? c : s;
    const passive = gap.closer === "client" ? s : c;
    const passiveSide = other(gap.closer);
    if (gap.sec !== null) {
      if (gap.sec > th.finGapSec) {
        out.push({
          kind: "long-fin-gap",
          side: passiveSide,
          at: passive.finAt,
          evidence: [active.finFrame, passive.finFrame],
          detail: `the ${passiveSide} sat in CLOSE_WAIT ${secs(gap.sec)} after the ${gap.closer}'s FIN (the ${gap.closer} in FIN_WAIT_2)`,
        });
      }
    } else if (
      (passiveSide === "client" ? f.clientEnd : f.serverEnd).state === "CLOSE_WAIT" &&
      captureEnd - active.finAt > th.finGapSec
    ) {
      out.push({
        kind: "close-wait-at-end",
        side: passiveSide,
        at: active.finAt,
        evidence: [active.finFrame],
        detail: `the ${passiveSide} was still in CLOSE_WAIT when the capture ended, ${secs(captureEnd - active.finAt)} after the ${gap.closer}'s FIN`,
      });
    }
  }

  // The server never sent a byte, and did not close while the client was there. A client that
  // had sent a request and gave up is a client timeout instead (the server may have accepted and
  // blocked); one that sent nothing is a probe that found no application behind the kernel.
  if (
    hs === "complete" &&
    s.payloadBytes === 0 &&
    c.payloadBytes === 0 &&
    f.closedBy === "client"
  ) {
    const serverCloseAt =
      s.finFrame !== 0 ? s.finAt : s.rstFrame !== 0 && s.rstAnsweredLateFrame === 0 ? s.rstAt : -1;
    const late =
      serverCloseAt < 0
        ? captureEnd - f.closeAt > th.finGapSec
        : serverCloseAt - f.closeAt > th.finGapSec;
    if (late) {
      out.push({
        kind: "server-silent",
        side: "server",
        at: f.closeAt,
        evidence: [s.synFrame, f.closeFrame],
        detail:
          serverCloseAt < 0
            ? "handshake completed; the server sent nothing and had not closed when the capture ended"
            : `handshake completed; the server sent nothing and closed ${secs(serverCloseAt - f.closeAt)} after the client left`,
      });
    }
  }

  for (const side of ["client", "server"] as const) {
    const d = side === "client" ? c : s;
    if (d.zeroWindowCount > 0) {
      out.push({
        kind: "zero-window",
        side,
        at: d.zeroWindowAt,
        evidence: [d.zeroWindowFrame],
        detail: `the ${side} advertised a zero window ${d.zeroWindowCount} time${d.zeroWindowCount > 1 ? "s" : ""}`,
      });
    }
    if (d.unseenBytes > 0) {
      out.push({
        kind: "capture-loss",
        side,
        at: f.startAt,
        evidence: [d.unseenFrame],
        detail: `${d.unseenBytes} bytes from the ${side} were acknowledged but never captured`,
      });
    }
  }

  tlsFindings(f, th, out);

  if (f.previousId !== 0 && f.reuseGap < th.timeWaitSec) {
    out.push({
      kind: "port-reuse",
      side: "client",
      at: f.startAt,
      evidence: [f.firstFrame],
      detail: `same 4-tuple as flow ${f.previousId}, reused ${secs(f.reuseGap)} after it ended (inside TIME_WAIT, ${th.timeWaitSec} s)`,
    });
  }
  return out;
}

/**
 * TLS: a ServerHello long after the ClientHello (or none before the client left), and a client
 * that closed before it finished the handshake. In TLS 1.3 every record after the ServerHello is
 * of type application_data (RFC 8446 5.1), the client's Finished included: a client that sent no
 * such record never finished the handshake, so never sent a request.
 */
function tlsFindings(f: Flow, th: Thresholds, out: Finding[]): void {
  const tls = f.app?.tls;
  if (tls === undefined || tls.clientHelloFrame === 0) return;
  const clientClose = f.closedBy === "client" ? f.closeAt : -1;
  const closeWord = f.close === "rst" ? "RST" : "FIN";
  if (tls.serverHelloFrame !== 0) {
    const wait = tls.serverHelloAt - tls.clientHelloAt;
    if (wait > th.slowTlsHandshakeSec) {
      const late = clientClose >= 0 && clientClose < tls.serverHelloAt;
      out.push({
        kind: "slow-tls-handshake",
        side: "server",
        at: tls.serverHelloAt,
        evidence: [tls.clientHelloFrame, tls.serverHelloFrame],
        detail:
          `ServerHello ${secs(wait)} after the ClientHello` +
          (late
            ? `, ${secs(tls.serverHelloAt - clientClose)} after the client had closed: the server did the handshake for nothing`
            : ""),
      });
    }
  } else if (clientClose >= 0 && clientClose - tls.clientHelloAt > th.slowTlsHandshakeSec) {
    out.push({
      kind: "slow-tls-handshake",
      side: "server",
      at: clientClose,
      evidence: [tls.clientHelloFrame, f.closeFrame],
      detail: `no ServerHello ${secs(clientClose - tls.clientHelloAt)} after the ClientHello, when the client closed`,
    });
  }
  if (clientClose >= 0 && tls.appRecords.client === 0 && tls.stopped === null) {
    out.push({
      kind: "tls-handshake-abandoned",
      side: "client",
      at: clientClose,
      evidence: [tls.clientHelloFrame, f.closeFrame],
      detail:
        `the client sent ${closeWord} ${secs(clientClose - tls.clientHelloAt)} after its ClientHello, before finishing the handshake` +
        (tls.serverHelloFrame === 0 ? " (no ServerHello yet)" : "") +
        ": no request was sent on this connection",
    });
  }
}

/** The last HTTP request sent before `at` that had no response by then, if any. */
function unansweredRequest(f: Flow, at: number): HttpExchange | undefined {
  const exchanges = f.app?.http?.exchanges ?? [];
  for (let i = exchanges.length - 1; i >= 0; i--) {
    const x = exchanges[i]!;
    if (x.requestFrame === 0 || x.requestAt > at) continue;
    return x.responseFrame === 0 || x.responseAt > at ? x : undefined;
  }
  return undefined;
}

/** The last HTTP exchange with a response, if any. */
function lastResponse(f: Flow): HttpExchange | undefined {
  const last = f.app?.http?.exchanges.at(-1);
  return last !== undefined && last.status !== 0 && last.requestFrame !== 0 ? last : undefined;
}

/** "GET /path (frame N)": request text is from the wire, escaped by whoever prints it. */
function requestText(x: HttpExchange): string {
  return `${x.method} ${x.target} (frame ${x.requestFrame})`;
}

function other(side: Side): Side {
  return side === "client" ? "server" : "client";
}

/** The peer reset first and this side's RST only answered what followed. */
function hasRstAfterPeerRst(f: Flow, side: Side): boolean {
  const d = side === "client" ? f.client : f.server;
  const peer = peerOf(f, side);
  return peer.rstFrame !== 0 && peer.rstAt <= d.rstAt;
}
