/**
 * Finished flows copied into a batch read back through Flow views exactly as they were in the
 * store, histories longer than the store keeps included; a batch's arrays can be filled again.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { newDecodedPacket, TCP_ACK, TCP_RST, TCP_SYN } from "../../src/decode/index.js";
import {
  batchArrays,
  batchRecords,
  Flow,
  FlowBatchWriter,
  FlowTracker,
  orderedRows,
  P,
  type AppContext,
  type AppSession,
  type FlowBatchData,
} from "../../src/flow/index.js";

interface Seen {
  id: number;
  history: string;
  states: string;
  packets: number;
  closedBy: string;
}

function describeFlow(f: Flow): Seen {
  return {
    id: f.id,
    history: f.history,
    states: JSON.stringify([f.clientEnd.timeline, f.serverEnd.timeline]),
    packets: f.packets,
    closedBy: f.closedBy,
  };
}

describe("FlowBatchWriter", () => {
  it("hands over flows that read back the same, in batches, with recycled arrays", () => {
    const expected: Seen[] = [];
    const batches: FlowBatchData[] = [];
    const writer = new FlowBatchWriter(3);
    const tracker = new FlowTracker({
      flowEnded(f: Flow): void {
        expected.push(describeFlow(f));
        writer.add(f, 0);
        if (writer.full) batches.push(writer.take(tracker.baseSec));
      },
    });
    const p = newDecodedPacket();
    p.status = "tcp";
    p.ipVersion = 4;
    let frame = 0;
    for (let port = 1000; port < 1008; port++) {
      // Each connection: SYN, SYN-ACK, ACK; the last one then gets 40 RSTs with new sequence
      // numbers, a Zeek history of over 40 letters (more than the store keeps per flow).
      const send = (fromClient: boolean, flags: number, seq: number, ack: number): void => {
        p.src0 = fromClient ? 0x0a000001 : 0x0a000002;
        p.dst0 = fromClient ? 0x0a000002 : 0x0a000001;
        p.srcPort = fromClient ? port : 80;
        p.dstPort = fromClient ? 80 : port;
        p.flags = flags;
        p.seq = seq;
        p.ack = ack;
        frame++;
        tracker.packet(frame, 1_700_000_000, frame * 1000, p);
      };
      send(true, TCP_SYN, 100, 0);
      send(false, TCP_SYN | TCP_ACK, 500, 101);
      send(true, TCP_ACK, 101, 501);
      if (port === 1007) for (let i = 0; i < 40; i++) send(true, TCP_RST, 101 + i * 7, 0);
    }
    tracker.end();
    if (writer.count > 0) batches.push(writer.take(tracker.baseSec));
    assert.equal(batches.length, 3);
    assert.ok(
      expected.some((x) => x.history.length > 40),
      "a history longer than the store keeps",
    );

    const seen: Seen[] = [];
    for (const b of batches) {
      const view = new Flow(batchRecords(b));
      for (let i = 0; i < b.count; i++) seen.push(describeFlow(view.show(i)));
      writer.recycle(batchArrays(b));
    }
    assert.deepEqual(seen, expected);
    // The next batch is filled in arrays given back, not new ones.
    const reused = batches.map((b) => b.f64);
    const next = new FlowBatchWriter(3);
    next.recycle(batchArrays(batches[0]!));
    const taken = next.take(0);
    assert.ok(reused.includes(taken.f64) === false, "the batch taken is the one being filled");
    assert.ok(reused.includes((next as unknown as { f64: Float64Array }).f64));
  });

  it("carries each flow's payload context and kept packets", () => {
    /** A session that remembers how many payload bytes it was given. */
    class Counting implements AppSession {
      bytes = 0;
      data(_c: boolean, _b: Uint8Array, start: number, end: number): void {
        this.bytes += end - start;
      }
      closed(): void {}
      result(): AppContext {
        const http = {
          requests: this.bytes,
          responses: 0,
          exchanges: [],
          omitted: 0,
          connectionClose: { client: 0, server: 0 },
          upgraded: null,
          stopped: null,
        };
        return { protocol: "h2c", http };
      }
    }
    const head = 2;
    const tail = 2;
    const writer = new FlowBatchWriter(4, { head, tail });
    const frames: number[][] = [];
    const tracker = new FlowTracker(
      {
        flowEnded(f: Flow): void {
          const { offsets } = orderedRows(f.store.log!, f.slot);
          frames.push(offsets.map((x) => f.store.log!.rows[x + P.FRAME]!));
          writer.add(f, 0);
        },
      },
      {
        timeWaitSec: 60,
        idleTimeoutSec: 900,
        closeLingerSec: 5,
        maxLingering: 10,
        maxRemembered: 10,
        appSessions: {
          http: () => new Counting(),
          tls: () => new Counting(),
          h2c: () => new Counting(),
        },
        keepPackets: { head, tail },
      },
    );
    const p = newDecodedPacket();
    p.status = "tcp";
    p.ipVersion = 4;
    const request = new TextEncoder().encode("GET / HTTP/1.1\r\n\r\n");
    let frame = 0;
    for (const port of [1000, 1001]) {
      const send = (
        fromClient: boolean,
        flags: number,
        seq: number,
        ack: number,
        len = 0,
      ): void => {
        p.src0 = fromClient ? 0x0a000001 : 0x0a000002;
        p.dst0 = fromClient ? 0x0a000002 : 0x0a000001;
        p.srcPort = fromClient ? port : 80;
        p.dstPort = fromClient ? 80 : port;
        p.flags = flags;
        p.seq = seq;
        p.ack = ack;
        p.bytes = request;
        p.payloadOffset = 0;
        p.payloadLen = p.capturedPayloadLen = len;
        tracker.packet(++frame, 1_700_000_000, frame * 1000, p);
      };
      send(true, TCP_SYN, 100, 0);
      send(false, TCP_SYN | TCP_ACK, 500, 101);
      send(true, TCP_ACK, 101, 501);
      // Only the first connection sends a request; the second sends bytes that are not one.
      if (port === 1000) send(true, TCP_ACK, 101, 501, request.length);
      else send(true, TCP_ACK, 101, 501, 3);
      send(true, TCP_RST, 101 + request.length, 0);
    }
    tracker.end();
    const batch = writer.take(tracker.baseSec);
    const view = new Flow(batchRecords(batch));
    // The context is the session's own result, whatever protocol started it.
    assert.equal(view.show(0).app?.protocol, "h2c");
    assert.equal(view.show(0).app?.http?.requests, request.length);
    assert.equal(view.show(1).app, undefined, "3 bytes are too few to tell a protocol");
    for (let i = 0; i < 2; i++) {
      const { offsets, gapAfter } = orderedRows(batch.log!, i);
      assert.deepEqual(
        offsets.map((x) => batch.log!.rows[x + P.FRAME]),
        frames[i],
      );
      assert.equal(gapAfter, head - 1);
    }
    assert.deepEqual(frames, [
      [1, 2, 4, 5],
      [6, 7, 9, 10],
    ]);
    // The contexts travel in the writer's own buffer, not a copy: given back with the batch's
    // arrays, it is written again once the buffer being written is taken, and what it then
    // carries reads back right.
    const first = batch.appBytes;
    assert.equal(first.byteOffset, 0);
    writer.recycle(batchArrays(batch));
    const again = new Flow(batchRecords(batch));
    writer.add(again.show(0), 0);
    const second = writer.take(0);
    assert.ok(second.appBytes.buffer !== first.buffer, "a buffer given back waits its turn");
    writer.add(new Flow(batchRecords(second)).show(0), 0);
    const third = writer.take(0);
    assert.ok(third.appBytes.buffer === first.buffer, "the buffer given back is written again");
    assert.equal(new Flow(batchRecords(third)).show(0).app?.http?.requests, request.length);
  });
});
