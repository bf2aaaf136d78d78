/**
 * Reconstructed netstat: how many sockets each host (IP address), and each server endpoint
 * (address:port), had in each inferred TCP state over the capture, the "TCP states" panel of
 * incident 1 rebuilt from packets (`ss -tan` counted per state, had it run during the capture).
 *
 * Each endpoint's timeline gives intervals: a state holds from the change that entered it to the
 * next change. The client endpoint's sockets count for the client's host; the server endpoint's
 * for the server's host and for the server endpoint. TIME_WAIT lasts `timeWaitSec` after it was
 * entered, as the kernel keeps it (2*MSL) with no packet to show it, unless the timeline shows a
 * later change (a RST or a new SYN ending it early). The last state of a flow that did not
 * reach CLOSED (ESTABLISHED when the capture stopped, CLOSE_WAIT, FIN_WAIT_2...) holds to the
 * capture's end: nothing on the wire says it ended. CLOSED and UNKNOWN are not counted.
 *
 * Flows arrive as they finish, not in start order, and the capture's span is known only at the
 * end, so the counts live in difference arrays (+1 where an interval starts, -1 where it ends)
 * over a grid of at most `maxSamples` sample times `origin + k * interval`. The interval is a
 * power of two of seconds, 2^-10 s (about 1 ms) at first; when a time beyond the grid arrives
 * the interval doubles and pairs of buckets fold into one, so each flow costs O(its state
 * changes) and the arrays never grow. An interval [a, b) counts at every sample time t with
 * a <= t < b. A time before the origin (a long flow that started before the first flow to
 * finish) moves the origin back: the grid slides when it has room past the latest time seen,
 * and folds the same way otherwise.
 *
 * Limitations: the series and peaks are *sampled*: a count is read at each sample time, so a
 * spike shorter than the interval (about span / maxSamples, rounded up to a power of two: 2 s
 * for a 10-minute capture, 8 s for an hour; `grid.intervalSec` says) can be missed. The peak
 * also considers the count at the capture's end; `atEnd` is exact. States are inferred at the
 * capture point (see tcp-state.ts), and the kernel's own timers are not modelled beyond
 * TIME_WAIT: an orphaned FIN_WAIT_2 that Linux drops after tcp_fin_timeout, or a SYN_SENT that
 * gave up, still counts until the capture's end if no packet says otherwise. Only the first
 * `maxTracked` hosts and server endpoints seen are tracked one by one (first come, not the
 * busiest); later ones count under "(others)". A timeline that outgrew its room (flow.ts,
 * `omitted`) loses the states it left out. Besides the arrays, each TIME_WAIT socket not yet
 * run out at the latest time seen is kept as one number, to count it exactly at the end.
 */
import { TCP_STATES, type Endpoint, type Flow, type TcpState } from "../flow/index.js";
import { seconds } from "./seconds.js";
import { HostIndex, OTHER_ENDPOINTS, ServerIndex } from "./endpoint-index.js";

/** The states counted, in the order results list them: every state but UNKNOWN and CLOSED. */
export const NETSTAT_STATES = [
  "SYN_SENT",
  "SYN_RECEIVED",
  "ESTABLISHED",
  "FIN_WAIT_1",
  "FIN_WAIT_2",
  "CLOSING",
  "TIME_WAIT",
  "CLOSE_WAIT",
  "LAST_ACK",
] as const satisfies readonly TcpState[];

export type NetstatState = (typeof NETSTAT_STATES)[number];

// A state added to TcpState must be charted or deliberately left out here: this fails to compile
// until it is one or the other.
type Uncharted = Exclude<TcpState, NetstatState | "UNKNOWN" | "CLOSED">;
const chartsEveryState: [Uncharted] extends [never] ? true : never = true;
void chartsEveryState;

export interface NetstatOptions {
  /** How long TIME_WAIT lasts after it was entered (the `timeWaitSec` threshold). */
  readonly timeWaitSec: number;
  /** Grid origin, relative seconds (see FlowTracker.baseSec); default: the first flow's start. */
  readonly start?: number;
  /** Most sample times in the grid (even, at least 4); default 512. */
  readonly maxSamples?: number;
  /** Hosts, and server endpoints, tracked one by one; default 256 each. */
  readonly maxTracked?: number;
  /** Hosts, and server endpoints, listed in the result (the rest under "(others)"); default 20. */
  readonly top?: number;
}

export interface NetstatPeak {
  /** Highest count seen at a sample time (or at the capture's end). */
  readonly count: number;
  /** Epoch seconds of the first sample time with that count. */
  readonly at: number;
}

/** Counts of one host or server endpoint; states whose counts are all zero are left out. */
export interface NetstatCounts {
  /** Sockets counted here (one per flow; a host at both ends of a flow counts two). */
  readonly sockets: number;
  /** Count at each sample time of the grid. */
  readonly series: Partial<Record<NetstatState, number[]>>;
  readonly peak: Partial<Record<NetstatState, NetstatPeak>>;
  /** Count at the capture's end: what `ss -tan state <state>` would have listed then. */
  readonly atEnd: Partial<Record<NetstatState, number>>;
}

export interface NetstatHost extends NetstatCounts {
  readonly ip: string;
}

export interface NetstatServer extends NetstatCounts {
  readonly ip: string;
  /** 0 for "(others)". */
  readonly port: number;
}

export interface NetstatGrid {
  /** Epoch seconds of the first sample time; sample k is at start + k * intervalSec. */
  readonly start: number;
  readonly intervalSec: number;
  readonly samples: number;
}

export interface NetstatSummary {
  readonly timeWaitSec: number;
  readonly grid: NetstatGrid;
  /** Epoch seconds of the capture's end, when `atEnd` is counted (at or after the last sample). */
  readonly end: number;
  /** By sockets, busiest first, at most `top`, then "(others)" for the rest if any. */
  readonly hosts: NetstatHost[];
  readonly servers: NetstatServer[];
}

const ROWS = NETSTAT_STATES.length;
const TIME_WAIT_ROW = NETSTAT_STATES.indexOf("TIME_WAIT");
/** The row of each TCP_STATES code (Endpoint.stateCodeAt), -1 for a state not counted. */
const ROW_OF_CODE = Int8Array.from(TCP_STATES, (s) =>
  (NETSTAT_STATES as readonly TcpState[]).indexOf(s),
);
/** First interval: a power of two so sample times stay exact binary fractions as it doubles. */
const MIN_INTERVAL_SEC = 2 ** -10;
const DEFAULT_SAMPLES = 512;
const DEFAULT_TRACKED = 256;
const DEFAULT_TOP = 20;
/** Pending TIME_WAIT ends a tally holds before it first looks for ones that ran out. */
const FLUSH_MIN = 64;

/** One host's or server endpoint's difference arrays and exact end counts. */
class Tally {
  sockets = 0;
  /** Row per state, `samples` buckets each: +1 where an interval starts, -1 where it ends. */
  readonly diff: Int32Array;
  /** Sockets whose last state holds to the capture's end, per state. */
  readonly open = new Int32Array(ROWS);
  /** Ends of TIME_WAITs still running at the latest time seen (relative seconds). */
  pending: number[] = [];
  flushAt = FLUSH_MIN;

  constructor(
    readonly ip: string,
    readonly port: number,
    samples: number,
  ) {
    this.diff = new Int32Array(ROWS * samples);
  }
}

export class NetstatBuilder {
  private readonly timeWaitSec: number;
  private readonly n: number;
  private readonly maxTracked: number;
  private readonly top: number;
  private readonly start: number | undefined;
  private started = false;
  /** Sample k is at origin + k * interval (relative seconds). */
  private origin = 0;
  private interval = MIN_INTERVAL_SEC;
  /** Latest time seen (a flow's end, or the capture's time when it finished). */
  private latest = -Infinity;
  /** Earliest flow start seen: the result's first sample is the first at or after it. */
  private earliest = Infinity;
  private readonly scratch: Int32Array;
  private readonly tallies: Tally[] = [];
  /** Hosts, and server endpoints, in order of arrival (ties in the result keep it). */
  private readonly hosts: HostIndex<Tally>;
  private readonly servers: ServerIndex<Tally>;

  constructor(options: NetstatOptions) {
    this.timeWaitSec = options.timeWaitSec;
    const samples = options.maxSamples ?? DEFAULT_SAMPLES;
    // Folding maps bucket pairs onto buckets, which needs an even count.
    this.n = Math.max(4, samples - (samples % 2));
    this.maxTracked = options.maxTracked ?? DEFAULT_TRACKED;
    this.hosts = new HostIndex(this.maxTracked, (ip) => this.newTally(ip, 0));
    this.servers = new ServerIndex(this.maxTracked, (ip, port) => this.newTally(ip, port));
    this.top = options.top ?? DEFAULT_TOP;
    this.start = options.start;
    this.scratch = new Int32Array(this.n);
  }

  /**
   * One finished flow (read during the call: the view may move on after). `now` is the
   * capture's latest time when it finished (relative; FlowAnalysis.add's `captureEnd`): a
   * TIME_WAIT that ran out by then can be settled.
   */
  add(f: Flow, now: number = f.endAt): void {
    const startAt = f.startAt;
    if (!this.started) this.begin(this.start ?? startAt);
    if (startAt < this.earliest) this.earliest = startAt;
    // Every count so far lies at or before `latest`, and the grid always covers it.
    this.latest = Math.max(this.latest, now, f.endAt);
    this.cover(this.latest);
    this.cover(startAt);

    const client = this.hosts.of(f, "client");
    client.sockets++;
    this.addEndpoint(f.clientEnd, client, undefined);
    const serverHost = this.hosts.of(f, "server");
    serverHost.sockets++;
    const server = this.servers.of(f);
    server.sockets++;
    this.addEndpoint(f.serverEnd, serverHost, server);
  }

  /**
   * The counts, with epoch times: `baseSec` is the capture's base second (flow times are
   * relative to it), `captureEnd` the capture's last time (relative; default: the latest seen).
   */
  build(baseSec: number, captureEnd: number = this.latest): NetstatSummary {
    let end = Math.max(captureEnd, this.latest);
    if (!Number.isFinite(end)) end = 0;
    if (!this.started) {
      return {
        timeWaitSec: this.timeWaitSec,
        grid: { start: seconds(baseSec, end), intervalSec: this.interval, samples: 0 },
        end: seconds(baseSec, end),
        hosts: [],
        servers: [],
      };
    }
    this.latest = end;
    this.cover(end);
    for (const t of this.tallies) this.settle(t);
    const first = Math.max(0, this.index(Math.min(this.earliest, end)));
    const last = Math.floor((end - this.origin) / this.interval);
    const count = Math.max(0, last - first + 1);
    const view: View = { baseSec, first, count, end };
    const hosts = this.listed([...this.hosts.tracked], this.hosts.others);
    const servers = this.listed([...this.servers.tracked], this.servers.others);
    return {
      timeWaitSec: this.timeWaitSec,
      grid: {
        start: seconds(baseSec, this.origin + first * this.interval),
        intervalSec: this.interval,
        samples: count,
      },
      end: seconds(baseSec, end),
      hosts: hosts.map((x) => ({ ip: x.ip, ...this.counts(x.diff, x.atEnd, x.sockets, view) })),
      servers: servers.map((x) => ({
        ip: x.ip,
        port: x.port,
        ...this.counts(x.diff, x.atEnd, x.sockets, view),
      })),
    };
  }

  private begin(origin: number): void {
    this.started = true;
    // On a multiple of the first interval, so the origin stays on the grid as it folds.
    this.origin = Math.floor(origin / MIN_INTERVAL_SEC) * MIN_INTERVAL_SEC;
    if (origin < this.earliest) this.earliest = origin;
  }

  /** Each interval of the endpoint's timeline, counted for `a` and for `b` when given. */
  private addEndpoint(e: Endpoint, a: Tally, b: Tally | undefined): void {
    const changes = e.changes;
    let from = changes > 0 ? e.atOf(0) : 0;
    for (let i = 0; i < changes; i++) {
      const row = ROW_OF_CODE[e.stateCodeAt(i)] ?? -1;
      const last = i + 1 === changes;
      const next = last ? Infinity : e.atOf(i + 1);
      if (row >= 0) {
        const expires = row === TIME_WAIT_ROW ? from + this.timeWaitSec : Infinity;
        if (expires < next) {
          // TIME_WAIT runs out by the clock before any later change: it outlives the packets,
          // perhaps the capture.
          this.timeWait(a, from, expires);
          if (b !== undefined) this.timeWait(b, from, expires);
        } else if (last) {
          // Nothing on the wire ended it: it holds to the capture's end, whenever that is.
          this.bump(a, row, from, 1);
          a.open[row]!++;
          if (b !== undefined) {
            this.bump(b, row, from, 1);
            b.open[row]!++;
          }
        } else if (this.index(next) > this.index(from)) {
          this.bump(a, row, from, 1);
          this.bump(a, row, next, -1);
          if (b !== undefined) {
            this.bump(b, row, from, 1);
            this.bump(b, row, next, -1);
          }
        }
      }
      from = next;
    }
  }

  private timeWait(t: Tally, from: number, expires: number): void {
    this.bump(t, TIME_WAIT_ROW, from, 1);
    if (expires <= this.latest) {
      this.bump(t, TIME_WAIT_ROW, expires, -1);
      return;
    }
    // Its end may lie beyond the grid, which only grows to times seen: kept apart until the
    // capture reaches it, and counted at the end if it never does.
    t.pending.push(expires);
    if (t.pending.length >= t.flushAt) this.settle(t);
  }

  /** Moves the pending TIME_WAIT ends the capture has reached into the difference array. */
  private settle(t: Tally): void {
    let kept = 0;
    for (const expires of t.pending) {
      if (expires <= this.latest) this.bump(t, TIME_WAIT_ROW, expires, -1);
      else t.pending[kept++] = expires;
    }
    t.pending.length = kept;
    t.flushAt = Math.max(FLUSH_MIN, 2 * kept);
  }

  /** The sample index of the first sample time at or after `t`. */
  private index(t: number): number {
    return Math.ceil((t - this.origin) / this.interval);
  }

  private bump(t: Tally, row: number, at: number, delta: number): void {
    let k = this.index(at);
    if (k < 0 || k >= this.n) {
      // Only a capture whose timestamps go backwards gets here: a time the flow's bounds did
      // not cover.
      this.cover(at);
      k = this.index(at);
    }
    t.diff[row * this.n + k]! += delta;
  }

  /** Widens the grid until `t` lies within it (and `latest` still does). */
  private cover(t: number): void {
    if (!Number.isFinite(t)) return;
    while (t < this.origin) {
      // Earlier than the origin (a long flow that started before the first flow to finish): if
      // the grid has room above the latest time seen, which holds every count so far, it
      // slides back; otherwise it folds, the origin moving n - 2 samples back (even, so the
      // sample times stay on the new grid, and the old last bucket still fits).
      const m = Math.ceil((this.origin - t) / this.interval);
      if (this.latest <= this.origin + (this.n - 1 - m) * this.interval) this.slide(m);
      else this.fold(this.n - 2);
    }
    while (t > this.origin + (this.n - 1) * this.interval) this.fold(0);
  }

  /** Moves the origin `m` samples back, at the same interval; the top m buckets are empty. */
  private slide(m: number): void {
    const n = this.n;
    for (const t of this.tallies) {
      for (let base = 0; base < t.diff.length; base += n) {
        t.diff.copyWithin(base + m, base, base + n - m);
        t.diff.fill(0, base, base + m);
      }
    }
    this.origin -= m * this.interval;
  }

  /**
   * Doubles the interval, the origin moving `shift` old samples back. A time in old bucket k
   * (ceil((t - origin) / interval) = k) falls in new bucket ceil((k + shift) / 2), since
   * ceil(ceil(x) / 2) = ceil(x / 2) for any x: the difference arrays fold exactly.
   */
  private fold(shift: number): void {
    const n = this.n;
    const scratch = this.scratch;
    for (const t of this.tallies) {
      for (let base = 0; base < t.diff.length; base += n) {
        const row = t.diff.subarray(base, base + n);
        scratch.set(row);
        row.fill(0);
        for (let k = 0; k < n; k++) row[(k + shift + 1) >> 1]! += scratch[k]!;
      }
    }
    this.origin -= shift * this.interval;
    this.interval *= 2;
  }

  private newTally(ip: string, port: number): Tally {
    const t = new Tally(ip, port, this.n);
    this.tallies.push(t);
    return t;
  }

  /** The busiest `top` tallies, then one "(others)" summing the rest and the untracked. */
  private listed(tracked: Tally[], others: Tally | undefined): Listed[] {
    const sorted = tracked.sort((x, y) => y.sockets - x.sockets);
    const out: Listed[] = sorted.slice(0, this.top).map((t) => ({
      ip: t.ip,
      port: t.port,
      sockets: t.sockets,
      diff: t.diff,
      atEnd: this.atEnd(t),
    }));
    const rest = sorted.slice(this.top);
    if (others !== undefined) rest.push(others);
    if (rest.length === 0) return out;
    const diff = new Int32Array(ROWS * this.n);
    const atEnd = new Int32Array(ROWS);
    let sockets = 0;
    for (const t of rest) {
      sockets += t.sockets;
      for (let i = 0; i < diff.length; i++) diff[i]! += t.diff[i]!;
      const e = this.atEnd(t);
      for (let r = 0; r < ROWS; r++) atEnd[r]! += e[r]!;
    }
    out.push({ ip: OTHER_ENDPOINTS, port: 0, sockets, diff, atEnd });
    return out;
  }

  /** Sockets per state at the capture's end (after settle): open ones, and unexpired TIME_WAITs. */
  private atEnd(t: Tally): Int32Array {
    const out = Int32Array.from(t.open);
    out[TIME_WAIT_ROW]! += t.pending.length;
    return out;
  }

  private counts(diff: Int32Array, atEnd: Int32Array, sockets: number, v: View): NetstatCounts {
    const series: Partial<Record<NetstatState, number[]>> = {};
    const peak: Partial<Record<NetstatState, NetstatPeak>> = {};
    const atEndOut: Partial<Record<NetstatState, number>> = {};
    const n = this.n;
    for (let r = 0; r < ROWS; r++) {
      const state = NETSTAT_STATES[r]!;
      let running = 0;
      for (let k = 0; k < v.first; k++) running += diff[r * n + k]!;
      const values: number[] = new Array<number>(v.count);
      let best = -1;
      let bestK = 0;
      for (let i = 0; i < v.count; i++) {
        running += diff[r * n + v.first + i]!;
        values[i] = running;
        if (running > best) {
          best = running;
          bestK = i;
        }
      }
      const endCount = atEnd[r]!;
      if (best <= 0 && endCount === 0) continue;
      series[state] = values;
      peak[state] =
        endCount > best
          ? { count: endCount, at: seconds(v.baseSec, v.end) }
          : {
              count: best,
              at: seconds(v.baseSec, this.origin + (v.first + bestK) * this.interval),
            };
      atEndOut[state] = endCount;
    }
    return { sockets, series, peak, atEnd: atEndOut };
  }
}

/** The slice of the grid a result shows. */
interface View {
  readonly baseSec: number;
  readonly first: number;
  readonly count: number;
  /** Relative. */
  readonly end: number;
}

interface Listed {
  readonly ip: string;
  readonly port: number;
  readonly sockets: number;
  readonly diff: Int32Array;
  readonly atEnd: Int32Array;
}
