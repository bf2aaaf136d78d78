/**
 * Which flows a report covers (`--host`, `--port`, `--server`, `--since`, `--until`, `--flow`):
 * a predicate over finished flows. Flows left out are neither written nor counted in the
 * summary; the capture's own counts (packets, stragglers) still cover everything read.
 *
 * Each kind of criterion narrows the selection (AND); several values of one kind widen it (OR):
 * `--host a --host b --port 443` is "a or b, on port 443 at either end".
 */
import type { Flow } from "../flow/index.js";
import { addressText } from "./flow-result.js";

/** A point in time: absolute (epoch seconds), or seconds after the capture's first packet. */
export type TimePoint = { readonly epoch: number } | { readonly afterStart: number };

export interface FlowSelection {
  /** Addresses (canonical text, as the JSON writes them) at either end. */
  readonly hosts?: readonly string[];
  /** Ports at either end. */
  readonly ports?: readonly number[];
  /** Server endpoints: an address, a port, or both. */
  readonly servers?: readonly { readonly ip?: string; readonly port?: number }[];
  /** The flow was alive at or after `since` and at or before `until`. */
  readonly since?: TimePoint;
  readonly until?: TimePoint;
  readonly flowIds?: readonly number[];
}

/**
 * Whether a finished flow is selected. `baseSec` is the capture's base second (flow times are
 * relative to it); `startEpoch` the first packet's time, for relative time points.
 */
export type FlowPredicate = (f: Flow, baseSec: number, startEpoch: number) => boolean;

function epochOf(p: TimePoint, startEpoch: number): number {
  return "epoch" in p ? p.epoch : startEpoch + p.afterStart;
}

/** The predicate for a selection, or undefined when it selects everything. */
export function flowPredicate(sel: FlowSelection): FlowPredicate | undefined {
  const { hosts, ports, servers, since, until, flowIds } = sel;
  const any = (xs: readonly unknown[] | undefined): boolean => xs !== undefined && xs.length > 0;
  if (
    !any(hosts) &&
    !any(ports) &&
    !any(servers) &&
    since === undefined &&
    until === undefined &&
    !any(flowIds)
  )
    return undefined;
  return (f, baseSec, startEpoch) => {
    if (flowIds !== undefined && flowIds.length > 0 && !flowIds.includes(f.id)) return false;
    if (ports !== undefined && ports.length > 0) {
      if (!ports.includes(f.cPort) && !ports.includes(f.sPort)) return false;
    }
    if (hosts !== undefined && hosts.length > 0) {
      const c = addressText(f, "client");
      const s = addressText(f, "server");
      if (!hosts.includes(c) && !hosts.includes(s)) return false;
    }
    if (servers !== undefined && servers.length > 0) {
      const ip = addressText(f, "server");
      const hit = servers.some(
        (x) => (x.ip === undefined || x.ip === ip) && (x.port === undefined || x.port === f.sPort),
      );
      if (!hit) return false;
    }
    if (since !== undefined && baseSec + f.endAt < epochOf(since, startEpoch)) return false;
    if (until !== undefined && baseSec + f.startAt > epochOf(until, startEpoch)) return false;
    return true;
  };
}
