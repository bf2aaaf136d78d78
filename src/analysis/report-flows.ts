/**
 * Chooses, as flows finish, the ones the HTML report draws as ladders, keeps their packets, and
 * builds the flow index (ladder-flow.ts). For each finding kind the first `maxLadders` flows
 * that show it are kept as candidates (warnings before information, each kind's flows in the
 * order they finished); the report then draws up to `maxLadders` of them, taking kinds in turn
 * so that every kind present gets an example before any gets a second. Flows asked for by id
 * (`--flow`) are always drawn. Memory: at most kinds x maxLadders flows, each with the packets
 * the tracker kept (packet-log.ts), and `indexLimit` index rows.
 */
import { TCP_ACK } from "../decode/index.js";
import { orderedRows, P, PM, type Flow } from "../flow/index.js";
import { FINDING_KINDS, type FindingKind } from "./finding-kinds.js";
import { addressText, buildFlowResult, type FlowFacts } from "./flow-result.js";
import type { FlowIndexRow, LadderFlow, LadderPacket, ReportFlows } from "./ladder-flow.js";
import { seconds } from "./seconds.js";
import type { Thresholds } from "./thresholds.js";

export interface ReportFlowOptions {
  /** Ladders drawn at most (besides those asked for by id). */
  readonly maxLadders: number;
  /** Flows listed in the index at most. */
  readonly indexLimit: number;
  /** Flow ids always drawn. */
  readonly requested: readonly number[];
}

export const DEFAULT_REPORT_FLOW_OPTIONS: ReportFlowOptions = {
  maxLadders: 12,
  indexLimit: 2000,
  requested: [],
};

const endpoint = (ip: string, port: number): string =>
  ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`;

export class ReportFlowCollector {
  private readonly candidates = new Map<FindingKind, LadderFlow[]>();
  /**
   * The first flows with no finding of their own: a server's aggregate findings (known only at
   * the end) name their examples among them, like a server that closes first in every clean
   * connection.
   */
  private readonly plain: LadderFlow[] = [];
  private readonly requested = new Map<number, LadderFlow>();
  private readonly wanted: ReadonlySet<number>;
  private readonly index: FlowIndexRow[] = [];
  private indexOmitted = 0;

  constructor(
    private readonly options: ReportFlowOptions,
    private readonly thresholds: Thresholds,
  ) {
    this.wanted = new Set(options.requested);
  }

  add(f: Flow, facts: FlowFacts, baseSec: number): void {
    const kinds = [...new Set(facts.findings.map((x) => x.kind))];
    if (this.index.length < this.options.indexLimit) {
      this.index.push({
        id: f.id,
        client: endpoint(addressText(f, "client"), f.cPort),
        server: endpoint(addressText(f, "server"), f.sPort),
        start: seconds(baseSec, f.startAt),
        durationSec: seconds(0, f.endAt - f.startAt),
        closedBy: f.closedBy,
        close: f.close,
        findings: kinds,
      });
    } else {
      this.indexOmitted++;
    }
    const asked = this.wanted.has(f.id);
    const wantedFor = kinds.filter(
      (k) => (this.candidates.get(k)?.length ?? 0) < this.options.maxLadders,
    );
    const plain = kinds.length === 0 && this.plain.length < this.options.maxLadders;
    if (!asked && wantedFor.length === 0 && !plain) return;
    const ladder = this.ladder(f, facts, baseSec, asked ? ["requested", ...kinds] : kinds);
    if (asked) this.requested.set(f.id, ladder);
    if (plain) this.plain.push(ladder);
    for (const k of wantedFor) {
      let list = this.candidates.get(k);
      if (list === undefined) {
        list = [];
        this.candidates.set(k, list);
      }
      list.push(ladder);
    }
  }

  private ladder(f: Flow, facts: FlowFacts, baseSec: number, reasons: string[]): LadderFlow {
    const log = f.store.log;
    const packets: LadderPacket[] = [];
    let omitted: LadderFlow["omitted"] = null;
    if (log !== undefined) {
      const { offsets, gapAfter } = orderedRows(log, f.slot);
      const r = log.rows;
      // Relative numbers as Wireshark counts them: from each side's ISN, or from the first
      // sequence number seen from it when its SYN was not captured.
      let clientBase = f.client.synFrame !== 0 ? f.client.isn : -1;
      let serverBase = f.server.synFrame !== 0 ? f.server.isn : -1;
      for (const x of offsets) {
        if (r[x + P.FROM_CLIENT] === 1 && clientBase < 0) clientBase = r[x + P.SEQ]!;
        if (r[x + P.FROM_CLIENT] !== 1 && serverBase < 0) serverBase = r[x + P.SEQ]!;
      }
      for (const x of offsets) {
        const fromClient = r[x + P.FROM_CLIENT] === 1;
        const own = fromClient ? clientBase : serverBase;
        const peer = fromClient ? serverBase : clientBase;
        packets.push({
          frame: r[x + P.FRAME]!,
          at: seconds(baseSec, r[x + P.AT]!),
          from: fromClient ? "client" : "server",
          flags: r[x + P.FLAGS]!,
          seq: (r[x + P.SEQ]! - own) >>> 0,
          // Without the ACK flag the field means nothing (Wireshark shows none): 0.
          ack:
            (r[x + P.FLAGS]! & TCP_ACK) === 0
              ? 0
              : peer < 0
                ? r[x + P.ACK]!
                : (r[x + P.ACK]! - peer) >>> 0,
          len: r[x + P.LEN]!,
          window: r[x + P.WINDOW]!,
        });
      }
      const m = f.slot * PM.SIZE;
      if (gapAfter >= 0) {
        omitted = {
          after: gapAfter,
          packets: log.meta[m + PM.OMITTED]!,
          bytes: {
            client: log.meta[m + PM.OMITTED_CLIENT_BYTES]!,
            server: log.meta[m + PM.OMITTED_SERVER_BYTES]!,
          },
        };
      }
    }
    return {
      flow: buildFlowResult(f, facts, this.thresholds, baseSec),
      packets,
      omitted,
      reasons,
    };
  }

  /**
   * The ladders and index. `aggregates`: each server's aggregate findings, whose example flows
   * are drawn too when they were kept (one per aggregate kind, before the per-flow kinds).
   */
  build(
    aggregates: readonly { readonly kind: FindingKind; readonly flows: readonly number[] }[] = [],
  ): ReportFlows {
    const order = (Object.keys(FINDING_KINDS) as FindingKind[])
      .filter((k) => this.candidates.has(k))
      .sort((a, b) => {
        const sa = FINDING_KINDS[a].severity === "warning" ? 0 : 1;
        const sb = FINDING_KINDS[b].severity === "warning" ? 0 : 1;
        return sa - sb;
      });
    const chosen = new Map<number, LadderFlow>(this.requested);
    let drawn = 0;
    const kept = new Map<number, LadderFlow>();
    for (const l of [...this.plain, ...[...this.candidates.values()].flat()])
      kept.set(l.flow.id, l);
    for (const a of aggregates) {
      if (drawn >= this.options.maxLadders) break;
      const id = a.flows.find((x) => kept.has(x) && !chosen.has(x));
      if (id === undefined) continue;
      const ladder = kept.get(id)!;
      chosen.set(id, { ...ladder, reasons: [a.kind, ...ladder.reasons] });
      drawn++;
    }
    for (let round = 0; drawn < this.options.maxLadders; round++) {
      let any = false;
      for (const k of order) {
        const ladder = this.candidates.get(k)?.[round];
        if (ladder === undefined) continue;
        any = true;
        if (chosen.has(ladder.flow.id)) continue;
        chosen.set(ladder.flow.id, ladder);
        if (++drawn >= this.options.maxLadders) break;
      }
      if (!any) break;
    }
    return {
      ladders: [...chosen.values()].sort((a, b) => a.flow.id - b.flow.id),
      index: this.index,
      indexOmitted: this.indexOmitted,
    };
  }
}
