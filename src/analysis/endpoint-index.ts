/**
 * A record per host or per server endpoint (address:port), found for each finished flow: the
 * summary's servers and clients and the reconstructed netstat's tallies. IPv4 keys are the
 * address as a signed 32-bit number (and the port), small integers V8 keeps unboxed, so no
 * string is built per flow; IPv6 keys are text. At most `max` endpoints get a record of their
 * own; past that every new one shares a single "(others)" record.
 */
import type { Flow, Side } from "../flow/index.js";
import { addressText } from "./flow-result.js";

/** The label of the record shared by the endpoints past the limit. */
export const OTHER_ENDPOINTS = "(others)";

abstract class EndpointIndex<T> {
  /** Every record made, "(others)" included, in the order they were made. */
  readonly all: T[] = [];
  /** The records of their own (not "(others)"), in the order they were made. */
  readonly tracked: T[] = [];
  private othersRecord: T | undefined;

  constructor(private readonly max: number) {}

  /** The "(others)" record, once an endpoint past the limit was seen. */
  get others(): T | undefined {
    return this.othersRecord;
  }

  /** The record of a new endpoint: its own (`own()`) while under the limit, else "(others)". */
  protected added(own: () => T, others: () => T): { record: T; isOwn: boolean } {
    if (this.tracked.length >= this.max) {
      if (this.othersRecord === undefined) {
        this.othersRecord = others();
        this.all.push(this.othersRecord);
      }
      return { record: this.othersRecord, isOwn: false };
    }
    const record = own();
    this.all.push(record);
    this.tracked.push(record);
    return { record, isOwn: true };
  }
}

/** Records by host address (a flow's client or server side). */
export class HostIndex<T> extends EndpointIndex<T> {
  private readonly byKey = new Map<number | string, T>();

  constructor(
    max: number,
    private readonly make: (ip: string) => T,
  ) {
    super(max);
  }

  /** The record of the flow's `side` host. */
  of(f: Flow, side: Side): T {
    const key: number | string =
      f.ipVersion === 4 ? (side === "client" ? f.c0 : f.s0) | 0 : addressText(f, side);
    const found = this.byKey.get(key);
    if (found !== undefined) return found;
    const { record, isOwn } = this.added(
      () => this.make(addressText(f, side)),
      () => this.make(OTHER_ENDPOINTS),
    );
    if (isOwn) this.byKey.set(key, record);
    return record;
  }
}

/** Records by server endpoint (address and port). */
export class ServerIndex<T> extends EndpointIndex<T> {
  /** IPv4 by address, then port (one combined number would not fit 32 bits). */
  private readonly byV4 = new Map<number, Map<number, T>>();
  private readonly byText = new Map<string, T>();

  constructor(
    max: number,
    private readonly make: (ip: string, port: number) => T,
  ) {
    super(max);
  }

  /** The record of the flow's server endpoint. */
  of(f: Flow): T {
    const port = f.sPort;
    let byPort: Map<number, T> | undefined;
    let key = "";
    if (f.ipVersion === 4) {
      byPort = this.byV4.get(f.s0 | 0);
      const found = byPort?.get(port);
      if (found !== undefined) return found;
    } else {
      key = `${addressText(f, "server")}|${port}`;
      const found = this.byText.get(key);
      if (found !== undefined) return found;
    }
    const { record, isOwn } = this.added(
      () => this.make(addressText(f, "server"), port),
      () => this.make(OTHER_ENDPOINTS, 0),
    );
    if (!isOwn) return record;
    if (f.ipVersion === 4) {
      if (byPort === undefined) {
        byPort = new Map();
        this.byV4.set(f.s0 | 0, byPort);
      }
      byPort.set(port, record);
    } else {
      this.byText.set(key, record);
    }
    return record;
  }
}
