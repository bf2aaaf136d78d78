/**
 * A finished flow as the public result model gives it (`flows[]` of the teardown/1 JSON):
 * endpoints as text, epoch times, the state timelines, findings and Zeek's fields. Built once
 * per flow when the tracker hands it over, after which the Flow itself is dropped.
 */
import { formatIpv4, formatIpv6 } from "../decode/index.js";
import { zeekConnState, type Flow, type Side, type TcpState } from "../flow/index.js";
import { findingsForFlow, handshakeState, type HandshakeState } from "./flow-findings.js";
import type { FindingKind } from "./finding-kinds.js";
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

export interface FlowResult {
  readonly id: number;
  readonly client: EndpointRef;
  readonly server: EndpointRef;
  readonly roleInferred: boolean;
  readonly start: number;
  readonly end: number;
  readonly packets: { readonly client: number; readonly server: number };
  readonly bytes: { readonly client: number; readonly server: number };
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
  readonly findings: readonly FindingResult[];
  /** Zeek's conn.log `conn_state` and `history` for the same connection. */
  readonly zeek: { readonly connState: string; readonly history: string };
  readonly previous?: { readonly id: number; readonly gapSec: number };
}

export function addressText(f: Flow, side: Side): string {
  if (side === "client")
    return f.ipVersion === 4 ? formatIpv4(f.c0) : formatIpv6(f.c0, f.c1, f.c2, f.c3);
  return f.ipVersion === 4 ? formatIpv4(f.s0) : formatIpv6(f.s0, f.s1, f.s2, f.s3);
}

export function buildFlowResult(
  f: Flow,
  th: Thresholds,
  captureEnd: number,
  baseSec: number,
): FlowResult {
  const epoch = (t: number): number => baseSec + t;
  const states = (side: Side): StateResult[] =>
    (side === "client" ? f.clientEnd : f.serverEnd).timeline.map((x) => ({
      state: x.state,
      at: epoch(x.at),
      frame: x.frame,
    }));
  const timeWaitStart = (side: Side): number =>
    (side === "client" ? f.clientEnd : f.serverEnd).timeline.find((x) => x.state === "TIME_WAIT")
      ?.at ?? -1;
  const holder: Side | "none" =
    timeWaitStart("client") >= 0 ? "client" : timeWaitStart("server") >= 0 ? "server" : "none";
  const result: FlowResult = {
    id: f.id,
    client: { ip: addressText(f, "client"), port: f.cPort },
    server: { ip: addressText(f, "server"), port: f.sPort },
    roleInferred: f.roleInferred,
    start: epoch(f.startAt),
    end: epoch(f.endAt),
    packets: { client: f.client.packets, server: f.server.packets },
    bytes: { client: f.client.uniqueBytes, server: f.server.uniqueBytes },
    closedBy: f.closedBy,
    close: f.close,
    handshake: handshakeState(f),
    timeWait: holder,
    timeWaitUntil: holder === "none" ? null : epoch(timeWaitStart(holder) + th.timeWaitSec),
    states: { client: states("client"), server: states("server") },
    findings: findingsForFlow(f, th, captureEnd).map((x) => ({ ...x, at: epoch(x.at) })),
    zeek: { connState: zeekConnState(f), history: f.history },
  };
  return f.previousId !== 0
    ? { ...result, previous: { id: f.previousId, gapSec: f.reuseGap } }
    : result;
}
