/**
 * TlsSession: real TLS connections (OpenSSL TLS 1.2 and 1.3, a HelloRetryRequest, a
 * protocol_version alert, Go's HTTP/2 storm of incident 2) fed segment by segment and checked
 * against tshark's reading of the same capture; every one fed again one byte at a time and at
 * random splits, with the same result; then hand-made scripts for each way a direction stops,
 * and random segments, which must never throw.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { tlsVersionName } from "../../src/decode/index.js";
import type { TlsContext } from "../../src/flow/app-context.js";
import { MAX_HELLO_BODY, TlsSession } from "../../src/flow/tls-session.js";
import {
  alpnExt,
  clientHelloBody,
  ext,
  fromHex,
  handshake,
  loadStreams,
  record,
  serverHelloBody,
  sniExt,
  stream,
  u16,
  u24,
  type Stream,
} from "../fixtures/tls/tls-fixtures.js";

/** How a segment's payload is cut into data() calls: the lengths of the pieces. */
type Splitter = (length: number, segmentIndex: number) => readonly number[];

const whole: Splitter = (n) => [n];
const byteByByte: Splitter = (n) => new Array<number>(n).fill(1);

/** Feeds a captured stream, each segment's pieces with the segment's time and frame. */
function feed(s: Stream, split: Splitter = whole): TlsContext {
  const session = new TlsSession();
  s.segments.forEach((seg, i) => {
    const payload = fromHex(seg.hex);
    let at = 0;
    for (const n of split(payload.length, i)) {
      if (n === 0) continue;
      session.data(seg.fromClient, payload, at, at + n, 0, seg.t, seg.frame);
      at += n;
    }
    if (seg.fin || seg.rst) session.closed(seg.fromClient, seg.rst, seg.t, seg.frame);
  });
  const r = session.result();
  assert.equal(r.protocol, "tls");
  assert.ok(r.tls);
  return r.tls;
}

/** One hand-made segment: direction, bytes, and optionally skipped bytes before it. */
interface Step {
  readonly client: boolean;
  readonly bytes: readonly number[];
  readonly skipped?: number;
}

/** Runs steps as frames 1, 2, 3... at times 0.1, 0.2, 0.3... */
function script(steps: readonly Step[]): TlsContext {
  const session = new TlsSession();
  steps.forEach((s, i) => {
    const b = Uint8Array.from(s.bytes);
    session.data(s.client, b, 0, b.length, s.skipped ?? 0, (i + 1) / 10, i + 1);
  });
  const tls = session.result().tls;
  assert.ok(tls);
  return tls;
}

const frameTime = (s: Stream, frame: number): number =>
  frame === 0 ? -1 : (s.segments.find((x) => x.frame === frame)?.t ?? NaN);

describe("captured connections, against tshark", () => {
  for (const s of loadStreams()) {
    it(s.name, () => {
      const exp = s.tshark;
      const tls = feed(s);
      assert.ok(exp.clientHello);
      assert.equal(tls.clientHelloFrame, exp.clientHello.frame);
      assert.equal(tls.clientHelloAt, frameTime(s, exp.clientHello.frame));
      assert.equal(tls.sni, exp.clientHello.sni);
      assert.deepEqual(tls.alpnOffered, exp.clientHello.alpn);
      const sh = exp.serverHello;
      if (sh === null) {
        assert.deepEqual([tls.serverHelloFrame, tls.version, tls.cipherSuite], [0, null, null]);
      } else {
        // tshark's first type-2 message of a HelloRetryRequest stream is the HRR; the session
        // reports the ServerHello that follows it (tested below).
        if (!s.name.startsWith("tls13-hrr")) assert.equal(tls.serverHelloFrame, sh.frame);
        assert.equal(tls.version, tlsVersionName(sh.supportedVersion ?? sh.legacyVersion));
        assert.equal(tls.cipherSuite, sh.cipherSuite);
        assert.equal(tls.alpn, sh.alpn);
      }
      assert.deepEqual(tls.appRecords, exp.appRecords);
      assert.deepEqual(tls.firstAppDataAt, {
        client: frameTime(s, exp.firstAppDataFrame.client),
        server: frameTime(s, exp.firstAppDataFrame.server),
      });
      assert.deepEqual(tls.alert, exp.alert);
      assert.equal(tls.stopped, null);
      const firstServer = s.segments.find((x) => !x.fromClient && x.hex !== "");
      assert.equal(tls.firstServerDataFrame, firstServer?.frame ?? 0);
    });
  }

  it("tls12-sni-alpn: TLS 1.2 shows SNI, the offer and the choice of ALPN", () => {
    const tls = feed(stream("tls12-sni-alpn#0"));
    assert.deepEqual(
      [tls.version, tls.sni, tls.alpnOffered, tls.alpn],
      ["TLS 1.2", "example.test", ["h2", "http/1.1"], "h2"],
    );
    // The encrypted close_notify alerts (type 21 after CCS, 26 bytes) are not read as clear.
    assert.equal(tls.alert, null);
  });

  it("tls13-hrr: the ServerHello after the HelloRetryRequest is the one reported", () => {
    const s = stream("tls13-hrr#0");
    const tls = feed(s);
    assert.deepEqual([tls.serverHelloFrame, tls.firstServerDataFrame], [9, 6]);
    assert.equal(tls.serverHelloAt, frameTime(s, 9));
    assert.equal(tls.version, "TLS 1.3");
  });

  it("alert-protocol-version: the server refuses TLS 1.2 with a fatal alert in clear", () => {
    const tls = feed(stream("alert-protocol-version#0"));
    assert.deepEqual(tls.alert, { side: "server", level: 2, description: 70, frame: 6 });
    assert.equal(tls.serverHelloFrame, 0);
  });

  it("http2-storm#1 (incident 2): the ServerHello comes after the client gave up", () => {
    const s = stream("http2-storm#1");
    const tls = feed(s);
    const clientFin = s.segments.find((x) => x.fromClient && x.fin);
    assert.ok(clientFin);
    assert.ok(tls.serverHelloAt > clientFin.t, "ServerHello after the client's FIN");
    assert.ok(tls.serverHelloAt - tls.clientHelloAt > 1, "more than 1 s of handshake");
    // TLS 1.3: the four encrypted handshake records count as type 23.
    assert.deepEqual(tls.appRecords, { client: 0, server: 4 });
  });
});

describe("chunk boundaries: the same result however the segments are cut", () => {
  for (const s of loadStreams()) {
    it(`${s.name}: one byte at a time`, () => {
      assert.deepEqual(feed(s, byteByByte), feed(s));
    });
    it(`${s.name}: random splits`, () => {
      const expected = feed(s);
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1 }), (cuts) => {
          const split: Splitter = (n, i) => {
            const out: number[] = [];
            let left = n;
            for (let k = i; left > 0; k++) {
              const c = Math.min(left, cuts[k % cuts.length] ?? 1);
              out.push(c);
              left -= c;
            }
            return out;
          };
          assert.deepEqual(feed(s, split), expected);
        }),
        { numRuns: s.segments.length > 50 ? 10 : 60 },
      );
    });
  }
});

describe("across segments and records, hand-made", () => {
  const hello = handshake(
    1,
    clientHelloBody({ extensions: [...sniExt("a.test"), ...alpnExt("h2")] }),
  );

  it("a ClientHello whose record header and body span three segments: the last completes it", () => {
    const rec = record(22, hello);
    const tls = script([
      { client: true, bytes: rec.slice(0, 3) },
      { client: true, bytes: rec.slice(3, 40) },
      { client: true, bytes: rec.slice(40) },
    ]);
    assert.deepEqual([tls.clientHelloFrame, tls.clientHelloAt, tls.sni], [3, 0.3, "a.test"]);
  });

  it("a ClientHello fragmented over two records, handshake header split too (RFC 8446 5.1)", () => {
    const tls = script([
      {
        client: true,
        bytes: [...record(22, hello.slice(0, 2)), ...record(22, hello.slice(2, 30))],
      },
      { client: true, bytes: record(22, hello.slice(30)) },
    ]);
    assert.deepEqual([tls.clientHelloFrame, tls.sni, tls.alpnOffered], [2, "a.test", ["h2"]]);
    assert.equal(tls.stopped, null);
  });

  it("server messages before the ServerHello are skipped; after it nothing is parsed", () => {
    const server = [
      ...record(22, [...handshake(0, []), ...handshake(2, serverHelloBody({ suites: [0xc02f] }))]),
      ...record(22, handshake(11, new Array(300).fill(0))),
      ...record(22, handshake(2, [1, 2, 3])), // a second "ServerHello" (not read)
    ];
    const tls = script([
      { client: true, bytes: record(22, hello) },
      { client: false, bytes: server },
    ]);
    assert.deepEqual([tls.serverHelloFrame, tls.cipherSuite, tls.version], [2, 0xc02f, "TLS 1.2"]);
    assert.equal(tls.stopped, null);
  });

  it("TLS 1.2: after the server's CCS its handshake records are encrypted, not a hello", () => {
    const tls = script([
      { client: true, bytes: record(22, hello) },
      {
        client: false,
        bytes: [...record(20, [1]), ...record(22, [2, 0, 0, 40, ...new Array(40).fill(9)])],
      },
    ]);
    assert.deepEqual([tls.serverHelloFrame, tls.stopped], [0, null]);
  });

  it("an alert whose two bytes arrive in two segments: the second's frame", () => {
    const alert = record(21, [2, 40]);
    const tls = script([
      { client: true, bytes: record(22, hello) },
      { client: false, bytes: alert.slice(0, 6) },
      { client: false, bytes: alert.slice(6) },
    ]);
    assert.deepEqual(tls.alert, { side: "server", level: 2, description: 40, frame: 3 });
  });

  it("only the first alert in clear is kept; the first server payload is the alert", () => {
    const tls = script([
      { client: false, bytes: record(23, [0]) }, // before the client spoke: not "first server data"
      { client: true, bytes: record(22, hello) },
      { client: true, bytes: record(21, [1, 0]) },
      { client: false, bytes: record(21, [2, 80]) },
    ]);
    assert.deepEqual(tls.alert, { side: "client", level: 1, description: 0, frame: 3 });
    assert.deepEqual([tls.firstServerDataFrame, tls.firstServerDataAt], [4, 0.4]);
    assert.deepEqual(tls.appRecords, { client: 0, server: 1 });
    assert.deepEqual(tls.firstAppDataAt, { client: -1, server: 0.1 });
  });
});

describe("a direction stops", () => {
  const hello = record(22, handshake(1, clientHelloBody({ extensions: sniExt("a.test") })));

  it("capture loss: that direction stops, the other goes on", () => {
    const tls = script([
      { client: true, bytes: hello.slice(0, 50) },
      { client: true, bytes: hello.slice(60), skipped: 10 },
      {
        client: false,
        bytes: record(22, handshake(2, serverHelloBody({ extensions: ext(43, u16(0x0304)) }))),
      },
    ]);
    assert.deepEqual(tls.stopped, { reason: "client: capture loss, 10 bytes missing", frame: 2 });
    assert.deepEqual([tls.clientHelloFrame, tls.serverHelloFrame, tls.version], [0, 3, "TLS 1.3"]);
  });

  it("a server that answers in plain HTTP is not TLS", () => {
    const tls = script([
      { client: true, bytes: hello },
      { client: false, bytes: [...Buffer.from("HTTP/1.1 400 Bad Request\r\n\r\n")] },
    ]);
    assert.deepEqual(tls.stopped, {
      reason: "server: not TLS (record content type 72, RFC 8446 5.1)",
      frame: 2,
    });
    assert.equal(tls.firstServerDataFrame, 2);
  });

  it("a record longer than 2^14 + 2048", () => {
    const tls = script([{ client: true, bytes: [23, 3, 3, 0xff, 0xff] }]);
    assert.equal(
      tls.stopped?.reason,
      "client: record of 65535 bytes, longer than 2^14 + 2048 (RFC 5246 6.2.3)",
    );
  });

  it(`a ClientHello longer than ${MAX_HELLO_BODY} bytes is not buffered`, () => {
    const tls = script([
      { client: true, bytes: record(22, [1, ...u24(MAX_HELLO_BODY + 1), 3, 3]) },
    ]);
    assert.equal(
      tls.stopped?.reason,
      `client: ClientHello of ${MAX_HELLO_BODY + 1} bytes exceeds 16 KiB`,
    );
  });

  it("a malformed ClientHello: what was read stays, the reason says where it went wrong", () => {
    const body = clientHelloBody({ extensions: [...sniExt("kept.test"), ...ext(16, [0, 9, 2])] });
    const tls = script([{ client: true, bytes: record(22, handshake(1, body)) }]);
    assert.equal(tls.sni, "kept.test");
    assert.equal(tls.clientHelloFrame, 1);
    assert.match(
      tls.stopped?.reason ?? "",
      /^client: ClientHello malformed \(tls-alpn-malformed at byte \d+\)$/,
    );
  });

  it("nothing is read after a stop", () => {
    const tls = script([
      { client: false, bytes: [0x48] },
      { client: true, bytes: [...Buffer.from("GET / HTTP/1.1\r\n")] },
      { client: true, bytes: hello },
    ]);
    assert.equal(tls.stopped?.frame, 2);
    assert.equal(tls.clientHelloFrame, 0);
  });
});

describe("property: any segments", () => {
  it("random bytes in random directions, with random gaps, never throw", () => {
    const seg = fc.record({
      client: fc.boolean(),
      bytes: fc.oneof(
        fc.uint8Array({ maxLength: 300 }),
        // Plausible record headers make the walk go deeper than pure noise would.
        fc
          .tuple(
            fc.integer({ min: 20, max: 24 }),
            fc.integer({ min: 0, max: 4 }),
            fc.uint8Array({ maxLength: 300 }),
          )
          .map(([type, minor, body]) =>
            Uint8Array.from([type, 3, minor, ...u16(body.length), ...body]),
          ),
      ),
      skipped: fc.oneof(fc.constant(0), fc.constant(0), fc.nat(100)),
      start: fc.integer({ min: -5, max: 10 }),
      extra: fc.integer({ min: -5, max: 10 }),
    });
    fc.assert(
      fc.property(fc.array(seg, { maxLength: 20 }), (segs) => {
        const session = new TlsSession();
        segs.forEach((s, i) => {
          session.data(s.client, s.bytes, s.start, s.bytes.length + s.extra, s.skipped, i, i + 1);
          if (i % 7 === 6) session.closed(s.client, i % 2 === 0, i, i + 1);
        });
        const tls = session.result().tls;
        assert.ok(tls);
        const total = segs.reduce((n, s) => n + s.bytes.length, 0);
        assert.ok(tls.appRecords.client + tls.appRecords.server <= total / 5);
        assert.ok((tls.sni?.length ?? 0) <= 256);
        assert.ok(tls.alpnOffered.length <= 16);
      }),
      { numRuns: 1000 },
    );
  });
});
