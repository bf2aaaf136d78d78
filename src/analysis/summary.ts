/**
 * Aggregates finished flows into the capture summary: counts by finding kind, who closed
 * first, who holds TIME_WAIT, and the same per server endpoint (address:port) and per client
 * host, with the distribution of their FIN gaps. Probes are counted apart from real connections
 * everywhere, as health checks would otherwise drown the traffic that matters; the FIN gaps
 * include them, as a health check left in CLOSE_WAIT is incident 5's signature.
 */
import type { Flow, Side } from "../flow/index.js";
import { FINDING_KINDS, type FindingKind } from "./finding-kinds.js";
import { HostIndex, ServerIndex } from "./endpoint-index.js";
import type { FlowFacts } from "./flow-result.js";
import { FinGapTally, finGap, type FinGapDistribution } from "./fin-gap.js";
import type { NetstatSummary } from "./netstat.js";
import {
  ServerAggregates,
  ServerTally,
  type AggregateFinding,
  type ServerHttp,
  type ServerTls,
} from "./server-aggregates.js";
import type { Thresholds } from "./thresholds.js";

/** Example flow ids kept per aggregate. */
const EXAMPLES = 10;
/**
 * Distinct servers and clients tracked one by one; connections of any beyond these are counted
 * together under "(others)", so a scan of 65,535 ports or a million clients keeps memory bounded.
 */
const MAX_ENDPOINTS = 10_000;

export interface KindCount {
  kind: FindingKind;
  count: number;
  flows: number[];
  /** The detail of the first flow that showed it (text from packets: escape it to print it). */
  example: string;
}

export interface ServerSummary {
  ip: string;
  port: number;
  /** Connections whose handshake completed (or was seen mid-stream), probes excluded. */
  connections: number;
  probes: number;
  /** Attempts refused by RST, and attempts never answered. */
  refused: number;
  unanswered: number;
  closedBy: Record<Side | "none", number>;
  timeWait: Record<Side, number>;
  findings: KindCount[];
  /** HTTP/1.x and TLS on its connections, when any were parsed. */
  http?: ServerHttp;
  tls?: ServerTls;
  /** What its connections show taken together (server-aggregates.ts). */
  aggregates: AggregateFinding[];
  /** First FIN to second FIN over its connections and probes (fin-gap.ts). */
  finGap: FinGapDistribution;
}

export interface ClientSummary {
  ip: string;
  connections: number;
  probes: number;
  timeWait: number;
  finWait2: number;
  /** New connections per second from it, over the span of its connections' starts (null: one). */
  newPerSec: number | null;
  /** First FIN to second FIN over its connections and probes (fin-gap.ts). */
  finGap: FinGapDistribution;
}

export interface CaptureSummary {
  flows: number;
  connections: number;
  probes: number;
  refused: number;
  unanswered: number;
  byKind: Partial<Record<FindingKind, number>>;
  closedBy: Record<Side | "none", number>;
  timeWait: Record<Side, number>;
  servers: ServerSummary[];
  clients: ClientSummary[];
  /** Sockets in each inferred state over time, per host and server endpoint (netstat.ts). */
  netstat?: NetstatSummary;
}

function bump(list: KindCount[], kind: FindingKind, id: number, detail: string): void {
  let k = list.find((x) => x.kind === kind);
  if (k === undefined) {
    k = { kind, count: 0, flows: [], example: detail };
    list.push(k);
  }
  k.count++;
  if (k.flows.length < EXAMPLES) k.flows.push(id);
}

/** An endpoint's FIN gaps until build() gives it its own. */
const NO_FIN_GAPS: FinGapDistribution = new FinGapTally().result();

function newServer(ip: string, port: number): ServerSummary {
  return {
    ip,
    port,
    connections: 0,
    probes: 0,
    refused: 0,
    unanswered: 0,
    closedBy: { client: 0, server: 0, none: 0 },
    timeWait: { client: 0, server: 0 },
    findings: [],
    aggregates: [],
    finGap: NO_FIN_GAPS,
  };
}

function newClient(ip: string): ClientSummary {
  return {
    ip,
    connections: 0,
    probes: 0,
    timeWait: 0,
    finWait2: 0,
    newPerSec: null,
    finGap: NO_FIN_GAPS,
  };
}

export class SummaryBuilder {
  private flows = 0;
  private probes = 0;
  private refused = 0;
  private unanswered = 0;
  private readonly byKind = new Map<FindingKind, number>();
  private readonly closedBy: Record<Side | "none", number> = { client: 0, server: 0, none: 0 };
  private readonly timeWait: Record<Side, number> = { client: 0, server: 0 };
  private readonly servers = new ServerIndex(MAX_ENDPOINTS, (ip, port) => ({
    summary: newServer(ip, port),
    tally: new ServerTally(),
  }));
  private readonly clients = new HostIndex(MAX_ENDPOINTS, (ip) => ({
    summary: newClient(ip),
    firstStart: Infinity,
    lastStart: -Infinity,
    gaps: new FinGapTally(),
  }));
  private readonly aggregates: ServerAggregates;

  constructor(private readonly thresholds: Thresholds) {
    this.aggregates = new ServerAggregates(thresholds);
  }

  /** Adds a finished flow; `captureEnd` is the tracker's latest time when it finished. */
  add(f: Flow, facts: FlowFacts, captureEnd: number): void {
    this.flows++;
    const { summary: server, tally } = this.servers.of(f);
    const clientRecord = this.clients.of(f, "client");
    const client = clientRecord.summary;
    this.aggregates.add(tally, f, facts, captureEnd);
    const gap = finGap(f);
    if (gap !== undefined) {
      tally.finGaps.add(gap);
      clientRecord.gaps.add(gap);
    }
    for (const x of facts.findings) {
      this.byKind.set(x.kind, (this.byKind.get(x.kind) ?? 0) + 1);
      bump(server.findings, x.kind, f.id, x.detail);
    }
    if (facts.probe) {
      this.probes++;
      server.probes++;
      client.probes++;
      return;
    }
    if (facts.handshake === "refused") {
      this.refused++;
      server.refused++;
      return;
    }
    if (facts.handshake === "unanswered") {
      this.unanswered++;
      server.unanswered++;
      return;
    }
    server.connections++;
    client.connections++;
    if (f.startAt < clientRecord.firstStart) clientRecord.firstStart = f.startAt;
    if (f.startAt > clientRecord.lastStart) clientRecord.lastStart = f.startAt;
    this.closedBy[f.closedBy]++;
    server.closedBy[f.closedBy]++;
    if (facts.timeWait !== "none") {
      this.timeWait[facts.timeWait]++;
      server.timeWait[facts.timeWait]++;
      if (facts.timeWait === "client") client.timeWait++;
    }
    if (f.clientEnd.entered("FIN_WAIT_2") >= 0) client.finWait2++;
  }

  /** The summary; `baseSec` is the capture's base second, `netstat` the reconstructed netstat. */
  build(baseSec: number, netstat?: NetstatSummary): CaptureSummary {
    const byKind: Partial<Record<FindingKind, number>> = {};
    for (const kind of Object.keys(FINDING_KINDS) as FindingKind[]) {
      const n = this.byKind.get(kind);
      if (n !== undefined) byKind[kind] = n;
    }
    const records = [...this.servers.all].sort(
      (a, b) =>
        b.summary.connections + b.summary.probes - (a.summary.connections + a.summary.probes),
    );
    const servers = records.map((r) => r.summary);
    for (const { summary: s, tally } of records) {
      s.findings.sort((a, b) => b.count - a.count);
      const http = this.aggregates.http(tally);
      const tls = this.aggregates.tls(tally);
      if (http !== undefined) s.http = http;
      if (tls !== undefined) s.tls = tls;
      s.finGap = tally.finGaps.result();
      s.aggregates = this.aggregates.findings(
        tally,
        s,
        s.connections,
        s.probes,
        s.timeWait.server,
        baseSec,
        netstat,
      );
    }
    for (const { summary: client, firstStart, lastStart, gaps } of this.clients.all) {
      if (lastStart > firstStart)
        client.newPerSec = Math.round((client.connections / (lastStart - firstStart)) * 10) / 10;
      client.finGap = gaps.result();
    }
    return {
      flows: this.flows,
      connections: this.flows - this.probes - this.refused - this.unanswered,
      probes: this.probes,
      refused: this.refused,
      unanswered: this.unanswered,
      byKind,
      closedBy: { ...this.closedBy },
      timeWait: { ...this.timeWait },
      servers,
      clients: this.clients.all
        .map((r) => r.summary)
        .sort((a, b) => b.connections - a.connections)
        .slice(0, 100),
      ...(netstat !== undefined ? { netstat } : {}),
    };
  }
}
