/**
 * Payload parsing handed to another thread. With `teardown analyze` on two or more threads, the
 * tracking thread reads, decodes and tracks every packet, and would also parse every HTTP
 * payload while the analysis thread is idle part of the time: on a capture of long, busy
 * connections, HTTP parsing (with the objects it makes and their encoding for the other thread)
 * is about a quarter of the tracking thread's work. A connection whose parsing is forwarded
 * gets a ForwardedSession here: each payload segment, FIN and RST it is given is written as an
 * event (the segment's bytes copied) into an AppEventWriter, whose chunks go to the analysis
 * thread ahead of the flow batches; there an AppEventReplayer gives the same calls, in the same
 * order, to a real session (HttpSession...) and hands its context to the flow's view when the
 * flow's batch comes. A session sees the same calls wherever it runs, so the result is the
 * same: only where the work is done changes.
 *
 * Which connections are forwarded is decided when each starts (AppForward.wanted; the analysis
 * thread takes every HTTP one, analysis-thread.ts says why).
 *
 * Events name a session by a channel: a small number, given back when the flow finishes and
 * then given to another one, so that the replaying side finds a session by index. Numbers are
 * little-endian; an event never spans two chunks.
 * - START: type, channel (u32), flow id (f64), protocol (index in APP_PROTOCOLS);
 * - DATA: type, channel, from client (u8), time (f64), frame (f64), bytes skipped before (f64),
 *   length (u32), the bytes;
 * - CLOSED: type, channel, from client, RST (u8), time, frame.
 */
import { copyBytes } from "../decode/index.js";
import {
  APP_PROTOCOLS,
  type AppContext,
  type AppProtocol,
  type AppSession,
  type AppSessionFactories,
} from "./app-context.js";
import { GrowingBytes } from "./growing-bytes.js";

const START = 1;
const DATA = 2;
const CLOSED = 3;

const START_BYTES = 1 + 4 + 8 + 1;
const DATA_HEADER_BYTES = 1 + 4 + 1 + 8 + 8 + 8 + 4;
const CLOSED_BYTES = 1 + 4 + 1 + 1 + 8 + 8;

/** Where the payload of connections parsed elsewhere goes (see the module comment). */
export interface AppForward {
  /** Whether a connection of `protocol` starting now is to be parsed elsewhere. */
  wanted(protocol: AppProtocol): boolean;
  readonly events: AppEventWriter;
}

/**
 * Writes the events of forwarded sessions. Once a chunk holds `chunkBytes` or more, it is handed
 * to `onChunk` (between events), which sends it on; `recycle` takes the buffers back.
 */
export class AppEventWriter extends GrowingBytes {
  /** Channels given back, to give out again; `channels` were ever given out. */
  private readonly free: number[] = [];
  private channels = 0;

  constructor(
    private readonly chunkBytes: number,
    private readonly onChunk: (chunk: Uint8Array) => void,
  ) {
    super(chunkBytes * 2);
  }

  /** Channels given out so far, each counted once however often it was given again. */
  get channelsGiven(): number {
    return this.channels;
  }

  /** A session for the flow with id `flowId`, parsed elsewhere as `protocol`. */
  session(flowId: number, protocol: AppProtocol): ForwardedSession {
    const channel = this.free.pop() ?? this.channels++;
    this.room(START_BYTES);
    const at = this.pos;
    this.buf[at] = START;
    this.view.setUint32(at + 1, channel, true);
    this.view.setFloat64(at + 5, flowId, true);
    this.buf[at + 13] = APP_PROTOCOLS.indexOf(protocol);
    this.pos = at + START_BYTES;
    this.written();
    return new ForwardedSession(this, channel);
  }

  data(
    channel: number,
    fromClient: boolean,
    bytes: Uint8Array,
    start: number,
    end: number,
    skipped: number,
    t: number,
    frame: number,
  ): void {
    const n = end > start ? end - start : 0;
    this.room(DATA_HEADER_BYTES + n);
    const at = this.pos;
    const v = this.view;
    this.buf[at] = DATA;
    v.setUint32(at + 1, channel, true);
    this.buf[at + 5] = fromClient ? 1 : 0;
    v.setFloat64(at + 6, t, true);
    v.setFloat64(at + 14, frame, true);
    v.setFloat64(at + 22, skipped, true);
    v.setUint32(at + 30, n, true);
    if (n > 0) copyBytes(bytes, start, end, this.buf, at + DATA_HEADER_BYTES);
    this.pos = at + DATA_HEADER_BYTES + n;
    this.written();
  }

  closed(channel: number, fromClient: boolean, rst: boolean, t: number, frame: number): void {
    this.room(CLOSED_BYTES);
    const at = this.pos;
    this.buf[at] = CLOSED;
    this.view.setUint32(at + 1, channel, true);
    this.buf[at + 5] = fromClient ? 1 : 0;
    this.buf[at + 6] = rst ? 1 : 0;
    this.view.setFloat64(at + 7, t, true);
    this.view.setFloat64(at + 15, frame, true);
    this.pos = at + CLOSED_BYTES;
    this.written();
  }

  /** The flow on `channel` is finished: the channel can name another one. */
  release(channel: number): void {
    this.free.push(channel);
  }

  /** Hands over the chunk so far, if any (before a batch of flows goes, and at the end). */
  flush(): void {
    if (this.pos > 0) this.onChunk(this.take());
  }

  private written(): void {
    if (this.pos >= this.chunkBytes) this.onChunk(this.take());
  }
}

/** A connection whose payload is parsed elsewhere: its calls become events. */
export class ForwardedSession implements AppSession {
  constructor(
    private readonly events: AppEventWriter,
    private readonly channel: number,
  ) {}

  data(
    fromClient: boolean,
    bytes: Uint8Array,
    start: number,
    end: number,
    skipped: number,
    t: number,
    frame: number,
  ): void {
    this.events.data(this.channel, fromClient, bytes, start, end, skipped, t, frame);
  }

  closed(fromClient: boolean, rst: boolean, t: number, frame: number): void {
    this.events.closed(this.channel, fromClient, rst, t, frame);
  }

  /** The flow is finished; its context is made where its payload went. */
  end(): void {
    this.events.release(this.channel);
  }

  result(): AppContext {
    throw new Error("a forwarded session's context is made where its payload went");
  }
}

/**
 * Feeds the events of forwarded sessions to real ones (on the analysis thread) and hands out
 * each finished flow's context.
 */
export class AppEventReplayer {
  /** The session each channel names now (none once its flow is finished). */
  private readonly byChannel: (AppSession | undefined)[] = [];
  /** Sessions by flow id, with their channel, until their flow's batch takes them. */
  private readonly byFlow = new Map<
    number,
    { readonly session: AppSession; readonly channel: number }
  >();

  constructor(private readonly factories: AppSessionFactories) {}

  /** Sessions started and not yet finished. */
  get live(): number {
    return this.byFlow.size;
  }

  /** Sessions a channel still names: those of flows not finished yet. */
  get held(): number {
    return this.byChannel.reduce((n, s) => (s === undefined ? n : n + 1), 0);
  }

  /** One chunk of events, as an AppEventWriter wrote it. */
  replay(chunk: Uint8Array): void {
    const v = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let at = 0;
    while (at < chunk.length) {
      const type = chunk[at];
      const channel = v.getUint32(at + 1, true);
      if (type === DATA) {
        const n = v.getUint32(at + 30, true);
        const from = at + DATA_HEADER_BYTES;
        this.byChannel[channel]?.data(
          chunk[at + 5] === 1,
          chunk,
          from,
          from + n,
          v.getFloat64(at + 22, true),
          v.getFloat64(at + 6, true),
          v.getFloat64(at + 14, true),
        );
        at = from + n;
      } else if (type === START) {
        const protocol = APP_PROTOCOLS[chunk[at + 13]!];
        if (protocol === undefined) throw new Error(`app events: no protocol ${chunk[at + 13]}`);
        const s = this.factories[protocol]();
        this.byChannel[channel] = s;
        this.byFlow.set(v.getFloat64(at + 5, true), { session: s, channel });
        at += START_BYTES;
      } else if (type === CLOSED) {
        this.byChannel[channel]?.closed(
          chunk[at + 5] === 1,
          chunk[at + 6] === 1,
          v.getFloat64(at + 7, true),
          v.getFloat64(at + 15, true),
        );
        at += CLOSED_BYTES;
      } else {
        throw new Error(`app events: no event type ${type} (at byte ${at})`);
      }
    }
  }

  /** The flow with id `flowId` is finished: its context, if it was parsed here. */
  finish(flowId: number): AppContext | undefined {
    const e = this.byFlow.get(flowId);
    if (e === undefined) return undefined;
    this.byFlow.delete(flowId);
    // Dropped, so that a finished session is not kept until its channel is given again; unless
    // the channel already names the next flow's session (given again before this batch came).
    if (this.byChannel[e.channel] === e.session) this.byChannel[e.channel] = undefined;
    return e.session.result();
  }
}
