/**
 * A finished flow as the public result model gives it (`flows[]` of the teardown/1 JSON):
 * endpoints as text, epoch times (rounded to the nanosecond, see seconds.ts), the state
 * timelines, findings and Zeek's fields. The same record is written as JSON byte by byte by the
 * report layer (report/flow-json.ts); a test holds the two equal.
 */
import { formatIpv4, formatIpv6 } from "../decode/index.js";
import {
  zeekConnState,
  type Direction,
  type Endpoint,
  type Flow,
  type Side,
  type TcpState,
} from "../flow/index.js";
import {
  findingsForFlow,
  handshakeState,
  type Finding,
  type HandshakeState,
} from "./flow-findings.js";
import type { FindingKind } from "./finding-kinds.js";
import { appResult, type AppResult } from "./app-result.js";
import { seconds } from "./seconds.js";
import type { Thresholds } from "./thresholds.js";

export interface EndpointRef {
  readonly ip: string;
  readonly port: number;
}

export interface FindingResult {
  readonly kind: FindingKind;
  readonly side: Side | "none";
  /** Epoch seconds. */
  readonly at: number;
  readonly evidence: readonly number[];
  readonly detail: string;
}

export interface StateResult {
  readonly state: TcpState;
  readonly at: number;
  readonly frame: number;
}

/** What one side sent, beyond packets and bytes. Absent values are null. */
export interface DirectionResult {
  /** Initial sequence number (from its SYN or SYN-ACK). */
  readonly isn: number | null;
  /** MSS and window scale it offered in its SYN. */
  readonly mss: number | null;
  readonly windowScale: number | null;
  /** Segments whose payload it had sent before. */
  readonly retransmits: number;
  /** Packets advertising a zero window. */
  readonly zeroWindows: number;
  /** Its bytes the peer acknowledged but the capture never showed. */
  readonly unseenBytes: number;
  /** Epoch seconds of its first FIN and first RST. */
  readonly fin: number | null;
  readonly rst: number | null;
}

export interface FlowResult {
  readonly id: number;
  readonly client: EndpointRef;
  readonly server: EndpointRef;
  readonly roleInferred: boolean;
  readonly start: number;
  readonly end: number;
  readonly packets: { readonly client: number; readonly server: number };
  readonly bytes: { readonly client: number; readonly server: number };
  readonly sent: { readonly client: DirectionResult; readonly server: DirectionResult };
  readonly closedBy: Side | "none";
  readonly close: "fin" | "rst" | "none";
  readonly handshake: HandshakeState;
  /** Which side entered TIME_WAIT, if any, and when it runs out (epoch seconds, --time-wait after it began). */
  readonly timeWait: Side | "none";
  readonly timeWaitUntil: number | null;
  readonly states: {
    readonly client: readonly StateResult[];
    readonly server: readonly StateResult[];
  };
  /**
   * Present only when a timeline outgrew its room (a 4-tuple reset and reopened over and over):
   * the changes left out before each side's last one.
   */
  readonly statesOmitted?: { readonly client: number; readonly server: number };
  readonly findings: readonly FindingResult[];
  /** Zeek's conn.log `conn_state` and `history` for the same connection. */
  readonly zeek: { readonly connState: string; readonly history: string };
  readonly previous?: { readonly id: number; readonly gapSec: number };
  /** What the payload said (HTTP exchanges, TLS hellos), for flows whose protocol teardown reads. */
  readonly app?: AppResult;
}

export function addressText(f: Flow, side: Side): string {
  if (side === "client")
    return f.ipVersion === 4 ? formatIpv4(f.c0) : formatIpv6(f.c0, f.c1, f.c2, f.c3);
  return f.ipVersion === 4 ? formatIpv4(f.s0) : formatIpv6(f.s0, f.s1, f.s2, f.s3);
}

/**
 * What is worked out once about a finished flow and shared by its result, its JSON and the
 * summary. Times are relative (see FlowTracker.baseSec).
 */
export interface FlowFacts {
  readonly handshake: HandshakeState;
  readonly findings: readonly Finding[];
  readonly timeWait: Side | "none";
  /** When the holder entered TIME_WAIT (relative), -1 when none did. */
  readonly timeWaitStart: number;
  readonly connState: string;
  readonly probe: boolean;
}

export function flowFacts(f: Flow, th: Thresholds, captureEnd: number): FlowFacts {
  const findings = findingsForFlow(f, th, captureEnd);
  const clientTw = f.clientEnd.entered("TIME_WAIT");
  const serverTw = f.serverEnd.entered("TIME_WAIT");
  return {
    handshake: handshakeState(f),
    findings,
    timeWait: clientTw >= 0 ? "client" : serverTw >= 0 ? "server" : "none",
    timeWaitStart: clientTw >= 0 ? clientTw : serverTw,
    connState: zeekConnState(f),
    probe: findings.some((x) => x.kind === "probe"),
  };
}

function directionResult(d: Direction, baseSec: number): DirectionResult {
  return {
    isn: d.synFrame !== 0 ? d.isn : null,
    mss: d.mss >= 0 ? d.mss : null,
    windowScale: d.windowScale >= 0 ? d.windowScale : null,
    retransmits: d.retransmits,
    zeroWindows: d.zeroWindowCount,
    unseenBytes: d.unseenBytes,
    fin: d.finFrame !== 0 ? seconds(baseSec, d.finAt) : null,
    rst: d.rstFrame !== 0 ? seconds(baseSec, d.rstAt) : null,
  };
}

export function buildFlowResult(
  f: Flow,
  facts: FlowFacts,
  th: Thresholds,
  baseSec: number,
): FlowResult {
  const epoch = (t: number): number => seconds(baseSec, t);
  const states = (e: Endpoint): StateResult[] =>
    e.timeline.map((x) => ({ state: x.state, at: epoch(x.at), frame: x.frame }));
  const result: FlowResult = {
    id: f.id,
    client: { ip: addressText(f, "client"), port: f.cPort },
    server: { ip: addressText(f, "server"), port: f.sPort },
    roleInferred: f.roleInferred,
    start: epoch(f.startAt),
    end: epoch(f.endAt),
    packets: { client: f.client.packets, server: f.server.packets },
    bytes: { client: f.client.uniqueBytes, server: f.server.uniqueBytes },
    sent: {
      client: directionResult(f.client, baseSec),
      server: directionResult(f.server, baseSec),
    },
    closedBy: f.closedBy,
    close: f.close,
    handshake: facts.handshake,
    timeWait: facts.timeWait,
    timeWaitUntil: facts.timeWait === "none" ? null : epoch(facts.timeWaitStart + th.timeWaitSec),
    states: { client: states(f.clientEnd), server: states(f.serverEnd) },
    ...(f.clientEnd.omitted + f.serverEnd.omitted > 0
      ? { statesOmitted: { client: f.clientEnd.omitted, server: f.serverEnd.omitted } }
      : {}),
    findings: facts.findings.map((x) => ({ ...x, at: epoch(x.at) })),
    zeek: { connState: facts.connState, history: f.history },
  };
  const withPrevious =
    f.previousId !== 0
      ? { ...result, previous: { id: f.previousId, gapSec: seconds(0, f.reuseGap) } }
      : result;
  const app = f.app;
  return app !== undefined ? { ...withPrevious, app: appResult(app, baseSec) } : withPrevious;
}
