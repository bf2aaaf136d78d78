/**
 * The ring of recently finished 4-tuples: growing it keeps every remembered tuple findable with
 * its id and end, in order, also when the ring had wrapped around.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { newDecodedPacket } from "../../src/decode/index.js";
import { Tuple } from "../../src/flow/flow-layout.js";
import { packetHash } from "../../src/flow/flow-table.js";
import { RecentTuples } from "../../src/flow/recent-tuples.js";

/** A packet of tuple `i` (10.0.0.1:i+1024 -> 10.0.0.2:80), sent by the server when `reply`. */
function packetOf(i: number, reply = false) {
  const p = newDecodedPacket();
  p.status = "tcp";
  p.ipVersion = 4;
  const client = 0x0a000001;
  const server = 0x0a000002;
  p.src0 = reply ? server : client;
  p.dst0 = reply ? client : server;
  p.srcPort = reply ? 80 : 1024 + i;
  p.dstPort = reply ? 1024 + i : 80;
  return p;
}

/** A flow record holding only the tuple of `i`, as the tracker lays it out. */
function recordOf(i: number): Float64Array {
  const r = new Float64Array(Tuple.SIZE);
  const p = packetOf(i);
  r[Tuple.IP_VERSION] = 4;
  r[Tuple.HASH] = packetHash(p);
  r[Tuple.C0] = p.src0;
  r[Tuple.C_PORT] = p.srcPort;
  r[Tuple.S0] = p.dst0;
  r[Tuple.S_PORT] = p.dstPort;
  return r;
}

function lookup(recent: RecentTuples, i: number, reply = false): number {
  const p = packetOf(i, reply);
  return recent.find(p, packetHash(p));
}

describe("RecentTuples", () => {
  it("keeps every tuple, id and end when it grows with its ring wrapped around", () => {
    const recent = new RecentTuples(10_000);
    // 600 tuples, the first 500 forgotten: the ring's oldest record is now in its middle.
    for (let i = 0; i < 600; i++) recent.add(recordOf(i), 0, 1000 + i, i);
    recent.forgetEndedBefore(500);
    assert.equal(recent.size, 100);
    // A new connection takes one over: it stays in the ring but must not be found again.
    recent.take(lookup(recent, 550));
    // Past the first capacity (1024 records), with records written from the start again.
    for (let i = 600; i < 3000; i++) recent.add(recordOf(i), 0, 1000 + i, i);
    assert.equal(recent.size, 2499);
    for (let i = 0; i < 3000; i++) {
      const record = lookup(recent, i, i % 2 === 1);
      if (i < 500 || i === 550) {
        assert.equal(record, -1, `tuple ${i} is forgotten`);
        continue;
      }
      assert.ok(record >= 0, `tuple ${i} is found`);
      assert.equal(recent.idOf(record), 1000 + i);
      assert.equal(recent.endOf(record), i);
    }
    // Still oldest first: forgetting by end time removes exactly the oldest.
    recent.forgetEndedBefore(1000);
    assert.equal(recent.size, 2000);
    assert.equal(lookup(recent, 999), -1);
    assert.ok(lookup(recent, 1000) >= 0);
  });

  it("forgets the oldest past its limit", () => {
    const recent = new RecentTuples(1500);
    for (let i = 0; i < 2000; i++) recent.add(recordOf(i), 0, i + 1, i);
    assert.equal(recent.size, 1500);
    assert.equal(lookup(recent, 499), -1);
    assert.equal(recent.idOf(lookup(recent, 500)), 501);
    assert.equal(recent.idOf(lookup(recent, 1999)), 2000);
  });
});
