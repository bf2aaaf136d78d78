/**
 * A record per host or per server endpoint (address:port), found for each finished flow: the
 * summary's servers and clients and the reconstructed netstat's tallies. IPv4 keys are the
 * address as a signed 32-bit number (and the port), small integers V8 keeps unboxed; IPv6
 * endpoints are found by a hash of their address words (and port) and compared word by word. No
 * string is built per flow: an address is written out only for a new record. At most `max`
 * endpoints get a record of their own; past that every new one shares a single "(others)"
 * record.
 */
import { hashWords, type Flow, type Side } from "../flow/index.js";
import { addressText } from "./flow-result.js";

/** The label of the record shared by the endpoints past the limit. */
export const OTHER_ENDPOINTS = "(others)";

/** An IPv6 endpoint's record, found by its address words (and port) in a bucket of its hash. */
interface V6Entry<T> {
  readonly w0: number;
  readonly w1: number;
  readonly w2: number;
  readonly w3: number;
  readonly port: number;
  readonly record: T;
}

abstract class EndpointIndex<T> {
  /** Every record made, "(others)" included, in the order they were made. */
  readonly all: T[] = [];
  /** The records of their own (not "(others)"), in the order they were made. */
  readonly tracked: T[] = [];
  private othersRecord: T | undefined;
  private readonly byV6 = new Map<number, V6Entry<T>[]>();

  /** `makeOthers`: the "(others)" record, made the first time an endpoint is past `max`. */
  constructor(
    private readonly max: number,
    private readonly makeOthers: () => T,
  ) {}

  /** The "(others)" record, once an endpoint past the limit was seen. */
  get others(): T | undefined {
    return this.othersRecord;
  }

  /** Whether new endpoints go to "(others)". */
  protected get full(): boolean {
    return this.tracked.length >= this.max;
  }

  /** The shared record of the endpoints past the limit. */
  protected shared(): T {
    if (this.othersRecord === undefined) {
      this.othersRecord = this.makeOthers();
      this.all.push(this.othersRecord);
    }
    return this.othersRecord;
  }

  /** A new endpoint's own record (call only when not full). */
  protected own(record: T): T {
    this.all.push(record);
    this.tracked.push(record);
    return record;
  }

  /** The record of an IPv6 endpoint, or undefined when it has none yet. */
  protected findV6(w0: number, w1: number, w2: number, w3: number, port: number): T | undefined {
    const bucket = this.byV6.get(hashWords(w0, w1, w2, w3, port));
    if (bucket === undefined) return undefined;
    for (const e of bucket)
      if (e.w0 === w0 && e.w1 === w1 && e.w2 === w2 && e.w3 === w3 && e.port === port)
        return e.record;
    return undefined;
  }

  protected keepV6(w0: number, w1: number, w2: number, w3: number, port: number, record: T): void {
    const h = hashWords(w0, w1, w2, w3, port);
    const entry = { w0, w1, w2, w3, port, record };
    const bucket = this.byV6.get(h);
    if (bucket === undefined) this.byV6.set(h, [entry]);
    else bucket.push(entry);
  }
}

/** Records by host address (a flow's client or server side). */
export class HostIndex<T> extends EndpointIndex<T> {
  private readonly byV4 = new Map<number, T>();

  constructor(
    max: number,
    private readonly make: (ip: string) => T,
  ) {
    super(max, () => make(OTHER_ENDPOINTS));
  }

  /** The record of the flow's `side` host. */
  of(f: Flow, side: Side): T {
    const client = side === "client";
    if (f.ipVersion === 4) {
      const key = (client ? f.c0 : f.s0) | 0;
      const found = this.byV4.get(key);
      if (found !== undefined) return found;
      if (this.full) return this.shared();
      const record = this.own(this.make(addressText(f, side)));
      this.byV4.set(key, record);
      return record;
    }
    const w0 = client ? f.c0 : f.s0;
    const w1 = client ? f.c1 : f.s1;
    const w2 = client ? f.c2 : f.s2;
    const w3 = client ? f.c3 : f.s3;
    const found = this.findV6(w0, w1, w2, w3, 0);
    if (found !== undefined) return found;
    if (this.full) return this.shared();
    const record = this.own(this.make(addressText(f, side)));
    this.keepV6(w0, w1, w2, w3, 0, record);
    return record;
  }
}

/** Records by server endpoint (address and port). */
export class ServerIndex<T> extends EndpointIndex<T> {
  /** IPv4 by address, then port (one combined number would not fit 32 bits). */
  private readonly byV4 = new Map<number, Map<number, T>>();

  constructor(
    max: number,
    private readonly make: (ip: string, port: number) => T,
  ) {
    super(max, () => make(OTHER_ENDPOINTS, 0));
  }

  /** The record of the flow's server endpoint. */
  of(f: Flow): T {
    const port = f.sPort;
    if (f.ipVersion === 4) {
      let byPort = this.byV4.get(f.s0 | 0);
      const found = byPort?.get(port);
      if (found !== undefined) return found;
      if (this.full) return this.shared();
      const record = this.own(this.make(addressText(f, "server"), port));
      if (byPort === undefined) {
        byPort = new Map();
        this.byV4.set(f.s0 | 0, byPort);
      }
      byPort.set(port, record);
      return record;
    }
    const w0 = f.s0;
    const w1 = f.s1;
    const w2 = f.s2;
    const w3 = f.s3;
    const found = this.findV6(w0, w1, w2, w3, port);
    if (found !== undefined) return found;
    if (this.full) return this.shared();
    const record = this.own(this.make(addressText(f, "server"), port));
    this.keepV6(w0, w1, w2, w3, port, record);
    return record;
  }
}
