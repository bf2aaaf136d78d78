/**
 * The per-host and per-server records of the summary and the netstat (analysis/endpoint-index.ts):
 * one record per address (and port), IPv4 and IPv6 kept apart, "(others)" past the cap, and
 * IPv6 addresses told apart word by word, also when their hashes collide.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HostIndex, OTHER_ENDPOINTS, ServerIndex } from "../../src/analysis/endpoint-index.js";
import type { Flow } from "../../src/flow/index.js";

/** What the index reads of a flow: the IP version, both addresses' words and the server port. */
function flow(
  ipVersion: 4 | 6,
  client: readonly number[],
  server: readonly number[],
  sPort = 80,
): Flow {
  const [c0 = 0, c1 = 0, c2 = 0, c3 = 0] = client;
  const [s0 = 0, s1 = 0, s2 = 0, s3 = 0] = server;
  return { ipVersion, c0, c1, c2, c3, s0, s1, s2, s3, sPort, cPort: 40000 } as unknown as Flow;
}

/** A tiny PRNG (mulberry32), so the random addresses are the same on every run. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
}

describe("endpoint index", () => {
  it("one record per host; IPv6 addresses differing in any one word are different hosts", () => {
    const hosts = new HostIndex(100, (ip) => ({ ip }));
    const base = [0x20010db8, 0, 0, 1];
    const v6 = hosts.of(flow(6, base, [0x20010db8, 0, 0, 2]), "client");
    assert.equal(v6.ip, "2001:db8::1");
    for (let w = 0; w < 4; w++) {
      const other = [...base];
      other[w] = (other[w]! ^ 0x80000000) >>> 0;
      assert.notEqual(hosts.of(flow(6, other, base), "client"), v6, `word ${w} differs`);
    }
    assert.equal(hosts.of(flow(6, base, [9]), "client"), v6, "the same address again");
    assert.equal(hosts.of(flow(6, [1], base), "server"), v6, "the same host as a server");
    // An IPv4 host whose address equals an IPv6 address's first word is another host.
    const v4 = hosts.of(flow(4, [0x20010db8], [0x0a000005]), "client");
    assert.equal(v4.ip, "32.1.13.184");
    assert.notEqual(v4, hosts.of(flow(6, [0x20010db8], base), "client"));
  });

  it("one record per server endpoint: the same IPv6 address on two ports is two", () => {
    const servers = new ServerIndex(100, (ip, port) => ({ ip, port }));
    const addr = [0x20010db8, 0, 0, 5];
    const web = servers.of(flow(6, [1], addr, 80));
    const tls = servers.of(flow(6, [2], addr, 443));
    assert.deepEqual(
      [web, tls],
      [
        { ip: "2001:db8::5", port: 80 },
        { ip: "2001:db8::5", port: 443 },
      ],
    );
    assert.equal(servers.of(flow(6, [3], addr, 443)), tls);
    assert.notEqual(servers.of(flow(4, [1], [0x20010db8], 80)), web);
  });

  it("past the cap, new endpoints share (others); tracked ones are still found", () => {
    const hosts = new HostIndex(2, (ip) => ({ ip }));
    const a = hosts.of(flow(6, [1, 2, 3, 4], [9]), "client");
    const b = hosts.of(flow(4, [0x0a000001], [9]), "client");
    const c = hosts.of(flow(6, [1, 2, 3, 5], [9]), "client");
    const d = hosts.of(flow(4, [0x0a000002], [9]), "client");
    assert.equal(c.ip, OTHER_ENDPOINTS);
    assert.equal(d, c);
    assert.equal(hosts.of(flow(6, [1, 2, 3, 4], [9]), "client"), a);
    assert.equal(hosts.of(flow(4, [0x0a000001], [9]), "client"), b);
    assert.deepEqual(hosts.tracked, [a, b]);
    assert.deepEqual(hosts.all, [a, b, c]);
    assert.equal(hosts.others, c);
  });

  it("300,000 random IPv6 servers (some hashes collide): each found again as itself", () => {
    // 300,000 keys in a 32-bit hash: about ten pairs are expected to share a bucket.
    const next = prng(7);
    const servers = new ServerIndex(1_000_000, (ip, port) => ({ ip, port }));
    const made: { words: number[]; port: number; record: object }[] = [];
    for (let i = 0; i < 300_000; i++) {
      const words = [next(), next(), next(), next()];
      const port = next() & 0xffff;
      made.push({ words, port, record: servers.of(flow(6, [1], words, port)) });
    }
    assert.equal(servers.tracked.length, made.length, "every endpoint got its own record");
    for (const { words, port, record } of made)
      assert.equal(servers.of(flow(6, [2], words, port)), record);
  });
});
