/**
 * The analysis pipeline over decoded packets: flows from the tracker, each finished flow turned
 * into its public result (findings included) and added to the summary. Results are handed to a
 * callback as flows finish, so a caller can stream them out and memory stays bounded by the
 * flows alive at once plus the summary.
 */
import type { DecodedPacket } from "../decode/index.js";
import {
  APP_SESSIONS,
  DEFAULT_TRACKER_OPTIONS,
  FlowTracker,
  type AppForward,
  type AppSessionFactories,
  type Flow,
  type FlowEndReason,
  type Side,
} from "../flow/index.js";
import { buildFlowResult, flowFacts, type FlowFacts, type FlowResult } from "./flow-result.js";
import type { FlowPredicate } from "./flow-filter.js";
import type { ReportFlows } from "./ladder-flow.js";
import { ReportFlowCollector, type ReportFlowOptions } from "./report-flows.js";
import { NetstatBuilder } from "./netstat.js";
import { SummaryBuilder, type CaptureSummary } from "./summary.js";
import { defaultThresholds, type Thresholds } from "./thresholds.js";

/** A flow handed over when it finished, with what was worked out about it. */
export class FinishedFlow {
  constructor(
    readonly flow: Flow,
    readonly facts: FlowFacts,
    readonly thresholds: Thresholds,
    /** The capture's base second: flow times are relative to it. */
    readonly baseSec: number,
  ) {}

  /** The public result object (`flows[]` of the teardown/1 JSON). */
  result(): FlowResult {
    return buildFlowResult(this.flow, this.facts, this.thresholds, this.baseSec);
  }
}

/**
 * The per-flow half of the analysis: facts and findings for each finished flow, and the capture
 * summary. It needs nothing but the flow, so it can run on another thread than the tracker, on
 * flows handed over as records (see FlowBatch).
 */
export class FlowAnalysis {
  private readonly summary: SummaryBuilder;
  private readonly netstat: NetstatBuilder;
  private readonly reportFlows: ReportFlowCollector | undefined;
  /** The capture's base second and latest time, as the flows gave them. */
  private baseSec = 0;
  private captureEnd = 0;
  private built: CaptureSummary | undefined;

  /** `report`: also choose the flows the HTML report draws, and list them (report-flows.ts). */
  constructor(
    readonly thresholds: Thresholds,
    report?: ReportFlowOptions,
  ) {
    this.reportFlows =
      report === undefined ? undefined : new ReportFlowCollector(report, thresholds);
    this.summary = new SummaryBuilder(thresholds);
    this.netstat = new NetstatBuilder({ timeWaitSec: thresholds.timeWaitSec });
  }

  /**
   * One finished flow: `captureEnd` is the tracker's latest time when it finished (relative),
   * `baseSec` the capture's base second. The result is valid while the flow view is.
   */
  add(f: Flow, captureEnd: number, baseSec: number): FinishedFlow {
    const facts = flowFacts(f, this.thresholds, captureEnd);
    this.baseSec = baseSec;
    if (captureEnd > this.captureEnd) this.captureEnd = captureEnd;
    this.summary.add(f, facts, captureEnd);
    this.netstat.add(f, captureEnd);
    this.reportFlows?.add(f, facts, baseSec);
    return new FinishedFlow(f, facts, this.thresholds, baseSec);
  }

  build(): CaptureSummary {
    const netstat = this.netstat.build(this.baseSec, this.captureEnd);
    this.built = this.summary.build(this.baseSec, netstat);
    return this.built;
  }

  /** After build(): the ladders and flow index, when asked for (undefined otherwise). */
  buildReportFlows(): ReportFlows | undefined {
    return this.reportFlows?.build(this.built?.servers.flatMap((s) => s.aggregates) ?? []);
  }
}

/** Packets kept per flow for the report's ladders: its opening ones and its closing ones. */
export const LADDER_PACKETS = { head: 24, tail: 24 } as const;

export interface AnalyzerOptions {
  readonly thresholds: Thresholds;
  /** Called as each flow finishes; the flow is not changed afterwards. */
  readonly onFlow: (flow: FinishedFlow) => void;
  /**
   * Instead of analysing finished flows here, hand each to this (with the tracker's latest
   * time and the capture's base second) for a FlowAnalysis elsewhere; `onFlow` is then not
   * called and `finish()` returns an empty summary.
   */
  readonly handOff?: (flow: Flow, captureEnd: number, baseSec: number) => void;
  /**
   * Keep packets for ladders and choose the flows the HTML report draws (report-flows.ts). With
   * `handOff`, the FlowAnalysis elsewhere must be given the same options.
   */
  readonly report?: ReportFlowOptions;
  /** The payload parsers (flow/app-sniffer.ts): absent, APP_SESSIONS (HTTP/1.x, TLS); null, none. */
  readonly appSessions?: AppSessionFactories | null;
  /**
   * With `handOff`: where the payload of connections parsed on the other side goes
   * (flow/app-forward.ts); that side replays it (AppEventReplayer) before each flow's analysis.
   */
  readonly appForward?: AppForward;
  /** Only flows this selects are analysed (and handed over); see flow-filter.ts. */
  readonly select?: FlowPredicate;
  /** Called for each packet of the flow with this id, after it was added (`teardown flow`). */
  readonly follow?: {
    readonly id: number;
    readonly onPacket: (flow: Flow, side: Side, frame: number, p: DecodedPacket) => void;
  };
}

export class Analyzer {
  readonly thresholds: Thresholds;
  private readonly tracker: FlowTracker;
  private readonly analysis: FlowAnalysis;
  private readonly onFlow: (flow: FinishedFlow) => void;
  private readonly handOff: ((flow: Flow, captureEnd: number, baseSec: number) => void) | undefined;
  private readonly select: FlowPredicate | undefined;
  firstSec = -1;
  firstNsec = 0;
  lastSec = -1;
  lastNsec = 0;
  tcpPackets = 0;
  /** TCP packets timestamped earlier than the latest packet before them, and the first such frame. */
  backwards = 0;
  firstBackwardsFrame = 0;

  constructor(options: Partial<AnalyzerOptions> = {}) {
    this.thresholds = options.thresholds ?? defaultThresholds();
    this.onFlow = options.onFlow ?? (() => undefined);
    this.handOff = options.handOff;
    this.select = options.select;
    this.analysis = new FlowAnalysis(this.thresholds, options.report);
    const follow = options.follow;
    this.tracker = new FlowTracker(
      {
        flowEnded: (f: Flow, reason: FlowEndReason) => this.flowEnded(f, reason),
        packetAdded:
          follow === undefined
            ? undefined
            : (f: Flow, side: Side, frame: number, p: DecodedPacket) => {
                if (f.id === follow.id) follow.onPacket(f, side, frame, p);
              },
      },
      {
        timeWaitSec: this.thresholds.timeWaitSec,
        idleTimeoutSec: this.thresholds.idleTimeoutSec,
        closeLingerSec: this.thresholds.closeLingerSec,
        maxLingering: DEFAULT_TRACKER_OPTIONS.maxLingering,
        maxRemembered: DEFAULT_TRACKER_OPTIONS.maxRemembered,
        // A report keeps each flow's first and last packets too: 3 KB more a flow (packet-log.ts).
        maxFlows:
          options.report !== undefined
            ? Math.max(1, Math.floor(this.thresholds.maxLiveConnections / 2))
            : this.thresholds.maxLiveConnections,
        ...(options.appSessions !== null
          ? {
              appSessions: options.appSessions ?? APP_SESSIONS,
              ...(options.appForward !== undefined ? { appForward: options.appForward } : {}),
            }
          : {}),
        ...(options.report !== undefined ? { keepPackets: LADDER_PACKETS } : {}),
      },
    );
  }

  /** One decoded TCP packet. */
  packet(frame: number, tsSec: number, tsNsec: number, p: DecodedPacket): void {
    this.tcpPackets++;
    if (
      this.firstSec < 0 ||
      tsSec < this.firstSec ||
      (tsSec === this.firstSec && tsNsec < this.firstNsec)
    ) {
      this.firstSec = tsSec;
      this.firstNsec = tsNsec;
    }
    if (tsSec > this.lastSec || (tsSec === this.lastSec && tsNsec >= this.lastNsec)) {
      this.lastSec = tsSec;
      this.lastNsec = tsNsec;
    } else {
      // Earlier than a packet before it: a merged or damaged capture. States stay in packet
      // order; the count says how far to trust the times.
      this.backwards++;
      if (this.firstBackwardsFrame === 0) this.firstBackwardsFrame = frame;
    }
    this.tracker.packet(frame, tsSec, tsNsec, p);
  }

  /** Ends the capture: every flow still alive is finished; returns the summary. */
  finish(): CaptureSummary {
    this.tracker.end();
    return this.analysis.build();
  }

  /**
   * Before finish(), optionally: ends at most `n` of the flows still alive; true once none is
   * left (see FlowTracker.endSome).
   */
  endSome(n: number): boolean {
    return this.tracker.endSome(n);
  }

  /** After finish(): the report's ladders and flow index (with `report` and no `handOff`). */
  reportFlows(): ReportFlows | undefined {
    return this.analysis.buildReportFlows();
  }

  /** Epoch seconds of the first packet (meaningless before it). */
  get startEpoch(): number {
    return this.firstSec + this.firstNsec * 1e-9;
  }

  /** Epoch seconds of a time relative to the capture's base. */
  epochOf(relative: number): number {
    return this.tracker.baseSec + relative;
  }

  get flowsSeen(): number {
    return this.tracker.flows;
  }

  get peakLiveFlows(): number {
    return this.tracker.peakLive;
  }

  /** Flows alive at once before the quietest is finished early (--max-live-connections). */
  get maxLiveFlows(): number {
    return this.tracker.maxFlows;
  }

  /** Flows finished early because --max-live-connections were alive when a new one came. */
  get evictedFlows(): number {
    return this.tracker.evictedFlows;
  }

  /** Packets on the 4-tuple of a connection already closed and finished (stragglers). */
  get latePackets(): number {
    return this.tracker.latePackets;
  }

  private flowEnded(f: Flow, _reason: FlowEndReason): void {
    if (this.select !== undefined) {
      if (!this.select(f, this.tracker.baseSec, this.startEpoch)) return;
    }
    if (this.handOff !== undefined) this.handOff(f, this.tracker.now, this.tracker.baseSec);
    else this.onFlow(this.analysis.add(f, this.tracker.now, this.tracker.baseSec));
  }
}
