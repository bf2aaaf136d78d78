/**
 * TLS record header and hellos: the real hellos of every fixture capture against what tshark
 * reads in them, hand-built hellos for each extension and each way a hello goes wrong, and
 * random bytes, which must never throw.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  parseClientHello,
  parseServerHello,
  parseTlsRecordHeader,
  TLS_HANDSHAKE_HEADER_LEN,
  TLS_PROBLEMS,
  TLS_RECORD_HEADER_LEN,
  TlsRecordHeaderView,
  tlsHandshakeLength,
  tlsHandshakeType,
  tlsVersionName,
  type TlsClientHello,
  type TlsHelloLimits,
  type TlsServerHello,
} from "../../src/decode/index.js";
import {
  alpnExt,
  clientHelloBody,
  ext,
  firstPayload,
  fromHex,
  handshake,
  HRR_RANDOM,
  loadStreams,
  record,
  serverHelloBody,
  sniExt,
  stream,
  u16,
  versionsExt,
} from "../fixtures/tls/tls-fixtures.js";

const LIMITS: TlsHelloLimits = { maxText: 256, maxItems: 16 };
const bytes = (a: readonly number[]): Uint8Array => Uint8Array.from(a);
const ch = (body: readonly number[], limits = LIMITS): TlsClientHello =>
  parseClientHello(bytes(body), 0, body.length, limits);
const sh = (body: readonly number[], limits = LIMITS): TlsServerHello =>
  parseServerHello(bytes(body), 0, body.length, limits);

/** The hello body of a payload that starts with a record holding the whole hello. */
function helloIn(payload: Uint8Array): { type: number; body: [number, number] } {
  const rec = parseTlsRecordHeader(payload, 0, payload.length);
  assert.equal(rec.problem, null);
  assert.equal(rec.contentType, 22);
  const hs = TLS_RECORD_HEADER_LEN;
  const start = hs + TLS_HANDSHAKE_HEADER_LEN;
  return {
    type: tlsHandshakeType(payload, hs),
    body: [start, start + tlsHandshakeLength(payload, hs)],
  };
}

describe("TLS record header", () => {
  it("reads type, version and length of a real ClientHello record", () => {
    const p = firstPayload(stream("tls12-sni-alpn#0"), true);
    assert.deepEqual(parseTlsRecordHeader(p, 0, p.length), {
      contentType: 22,
      version: 0x0301,
      length: p.length - TLS_RECORD_HEADER_LEN,
      problem: null,
    });
  });

  const cases: [string, number[], string | null][] = [
    ["application_data, TLS 1.2, 16 KiB + 2048", [23, 3, 3, 0x48, 0x00], null],
    ["SSL 3.0 alert", [21, 3, 0, 0, 2], null],
    ["4 bytes: truncated", [22, 3, 1, 0], "tls-record-truncated"],
    ["content type 25 (not before this parser)", [25, 3, 3, 0, 1], "tls-record-unknown-type"],
    ["'HTTP/' is not a record", [...Buffer.from("HTTP/")], "tls-record-unknown-type"],
    ["major version 2", [22, 2, 0, 0, 1], "tls-record-bad-version"],
    ["minor version 5", [22, 3, 5, 0, 1], "tls-record-bad-version"],
    ["2^14 + 2049 bytes", [23, 3, 3, 0x48, 0x01], "tls-record-too-long"],
  ];
  for (const [name, b, problem] of cases) {
    it(name, () => assert.equal(parseTlsRecordHeader(bytes(b), 0, b.length).problem, problem));
  }

  it("the view is reused: wrap checks the length once, then reads in place", () => {
    const view = new TlsRecordHeaderView();
    const b = bytes([0, 23, 3, 3, 1, 2, 22, 3, 1]);
    assert.equal(view.wrap(b, 1, b.length), true);
    assert.deepEqual([view.contentType, view.version, view.length], [23, 0x0303, 0x0102]);
    assert.equal(view.wrap(b, 6, b.length), false);
    assert.equal(view.wrap(b, 4, b.length), true);
    assert.deepEqual([view.contentType, view.version, view.length], [1, 0x0216, 0x0301]);
    assert.equal(view.problem(), "tls-record-unknown-type");
  });
});

describe("hellos in the fixture captures, against tshark", () => {
  for (const s of loadStreams()) {
    const exp = s.tshark;
    it(`${s.name}: ClientHello`, () => {
      const p = firstPayload(s, true);
      const { type, body } = helloIn(p);
      assert.equal(type, 1);
      const hello = parseClientHello(p, body[0], body[1], LIMITS);
      assert.ok(exp.clientHello);
      assert.equal(hello.problem, null);
      assert.equal(hello.sni, exp.clientHello.sni);
      assert.deepEqual(hello.alpn, exp.clientHello.alpn);
      assert.equal(hello.alpnCount, exp.clientHello.alpn.length);
      assert.equal(hello.cipherSuiteCount, exp.clientHello.cipherSuites.length);
      assert.deepEqual(hello.supportedVersions, exp.clientHello.supportedVersions);
    });
    if (exp.serverHello === null) continue;
    const sHello = exp.serverHello;
    it(`${s.name}: ServerHello`, () => {
      const p = firstPayload(s, false);
      const { type, body } = helloIn(p);
      assert.equal(type, 2);
      const hello = parseServerHello(p, body[0], body[1], LIMITS);
      assert.equal(hello.problem, null);
      assert.equal(hello.cipherSuite, sHello.cipherSuite);
      assert.equal(hello.selectedVersion, sHello.supportedVersion ?? 0);
      assert.equal(hello.version, sHello.supportedVersion ?? 0x0303);
      assert.equal(hello.alpn, sHello.alpn);
      assert.equal(hello.helloRetryRequest, s.name.startsWith("tls13-hrr"));
    });
  }

  it("tls13-hrr: the ServerHello after the HelloRetryRequest is a real one, same suite", () => {
    const s = stream("tls13-hrr#0");
    const seg = s.segments.filter((x) => !x.fromClient && x.hex !== "")[1];
    assert.ok(seg);
    const p = fromHex(seg.hex);
    const { type, body } = helloIn(p);
    assert.equal(type, 2);
    const hello = parseServerHello(p, body[0], body[1], LIMITS);
    assert.equal(hello.helloRetryRequest, false);
    assert.equal(hello.version, 0x0304);
    assert.equal(hello.cipherSuite, s.tshark.serverHello?.cipherSuite);
  });

  it("http2-storm: Go's ClientHello has no SNI (it dialled 127.0.0.1, RFC 6066 3)", () => {
    const p = firstPayload(stream("http2-storm#0"), true);
    const { body } = helloIn(p);
    assert.equal(parseClientHello(p, body[0], body[1], LIMITS).sni, null);
  });
});

describe("ClientHello, hand-built", () => {
  it("no extensions block at all (RFC 5246 7.4.1.2): a hello with nothing in it", () => {
    assert.deepEqual(ch(clientHelloBody({ suites: [0x002f] })), {
      legacyVersion: 0x0303,
      cipherSuiteCount: 1,
      sni: null,
      alpn: [],
      alpnCount: 0,
      supportedVersions: [],
      problem: null,
      problemOffset: -1,
    });
  });

  it("SNI, ALPN and supported_versions, with unknown extensions skipped between them", () => {
    const h = ch(
      clientHelloBody({
        sessionId: new Array(32).fill(7),
        extensions: [
          ...ext(0xff01, [0]),
          ...sniExt("example.test"),
          ...ext(10, [0, 2, 0, 29]),
          ...alpnExt("h2", "http/1.1"),
          ...versionsExt(0x0a0a, 0x0304, 0x0303),
        ],
      }),
    );
    assert.equal(h.problem, null);
    assert.equal(h.sni, "example.test");
    assert.deepEqual(h.alpn, ["h2", "http/1.1"]);
    assert.deepEqual(h.supportedVersions, [0x0a0a, 0x0304, 0x0303]);
  });

  it("SNI: the first host_name of the list; Latin-1, one char per byte; cut to maxText", () => {
    const list = [
      ...[7, ...u16(1), 0x41], // unknown name type, skipped
      ...[0, ...u16(4), 0x61, 0xe9, 0x00, 0xff],
      ...[0, ...u16(1), 0x62],
    ];
    const body = clientHelloBody({ extensions: ext(0, [...u16(list.length), ...list]) });
    assert.equal(ch(body).sni, "a\u00e9\u0000\u00ff");
    assert.equal(ch(body, { maxText: 2, maxItems: 16 }).sni, "a\u00e9");
  });

  it("ALPN: names cut to maxText, list cut to maxItems, alpnCount counts them all", () => {
    const h = ch(clientHelloBody({ extensions: alpnExt("h2", "http/1.1", "spdy/3") }), {
      maxText: 4,
      maxItems: 2,
    });
    assert.deepEqual(h.alpn, ["h2", "http"]);
    assert.equal(h.alpnCount, 3);
  });

  it("a repeated extension: the first one counts (RFC 8446 4.2 forbids repeats)", () => {
    const h = ch(clientHelloBody({ extensions: [...sniExt("first"), ...sniExt("second")] }));
    assert.equal(h.sni, "first");
  });

  // Each malformation: the code, where (offset from the body's start) and what was kept.
  const base = clientHelloBody({ extensions: [...sniExt("a.test"), ...alpnExt("h2")] });
  const EXT_BLOCK = 2 + 32 + 1 + 2 + 4 + 2; // version, random, sid len, suites, compression
  const malformed: [string, number[], Partial<TlsClientHello>][] = [
    ["empty body", [], { problem: "tls-hello-short", problemOffset: 0, legacyVersion: 0 }],
    [
      "cut inside the random",
      base.slice(0, 20),
      { problem: "tls-hello-short", problemOffset: 20, legacyVersion: 0x0303 },
    ],
    [
      "session id of 33 bytes",
      [...base.slice(0, 34), 33, ...base.slice(35)],
      { problem: "tls-hello-bad-length", problemOffset: 34 },
    ],
    [
      "cipher suites past the end",
      [...base.slice(0, 35), 0xff, 0xfe],
      { problem: "tls-hello-bad-length", problemOffset: 35, cipherSuiteCount: -1 },
    ],
    [
      "extensions block longer than the rest",
      [...base.slice(0, EXT_BLOCK), 0xff, 0xff, ...base.slice(EXT_BLOCK + 2)],
      { problem: "tls-hello-bad-length", problemOffset: EXT_BLOCK, cipherSuiteCount: 2 },
    ],
    [
      "one stray byte after the compression methods",
      [...base.slice(0, EXT_BLOCK), 0],
      { problem: "tls-hello-bad-length", problemOffset: EXT_BLOCK },
    ],
    [
      "an extension longer than the block: what came before stays",
      clientHelloBody({ extensions: [...sniExt("kept.test"), ...u16(16), ...u16(100), 0, 2] }),
      { problem: "tls-extension-bad-length", sni: "kept.test" },
    ],
    [
      "SNI list longer than the extension",
      clientHelloBody({ extensions: ext(0, [0, 9, 0, 0, 1, 0x61]) }),
      { problem: "tls-sni-malformed", sni: null },
    ],
    [
      "SNI name longer than the list",
      clientHelloBody({ extensions: ext(0, [0, 4, 0, 0, 9, 0x61]) }),
      { problem: "tls-sni-malformed" },
    ],
    [
      "ALPN: an empty protocol name (RFC 7301 3.1: 1..255 bytes)",
      clientHelloBody({ extensions: ext(16, [0, 4, 2, 0x68, 0x32, 0]) }),
      { problem: "tls-alpn-malformed", alpn: ["h2"] },
    ],
    [
      "supported_versions of odd length",
      clientHelloBody({ extensions: ext(43, [3, 3, 4, 3]) }),
      { problem: "tls-supported-versions-malformed" },
    ],
  ];
  for (const [name, body, expect] of malformed) {
    it(name, () => {
      const h = ch(body);
      const got = Object.fromEntries(
        Object.keys(expect).map((k) => [k, h[k as keyof TlsClientHello]]),
      );
      assert.deepEqual(got, expect);
    });
  }
});

describe("ServerHello, hand-built", () => {
  it("TLS 1.2 without extensions: version from legacy_version", () => {
    const h = sh(serverHelloBody({ suites: [0xc02f] }));
    assert.deepEqual(
      [h.version, h.selectedVersion, h.cipherSuite, h.alpn],
      [0x0303, 0, 0xc02f, null],
    );
  });

  it("TLS 1.3: legacy_version says 1.2, supported_versions says 1.3 (RFC 8446 4.1.3)", () => {
    const h = sh(serverHelloBody({ extensions: ext(43, u16(0x0304)) }));
    assert.deepEqual([h.legacyVersion, h.selectedVersion, h.version], [0x0303, 0x0304, 0x0304]);
  });

  it("ALPN chosen (TLS 1.2 sends it in clear, RFC 7301 3.1)", () => {
    assert.equal(sh(serverHelloBody({ extensions: alpnExt("http/1.1") })).alpn, "http/1.1");
  });

  it("an empty server_name is the server's SNI acknowledgement, not a name", () => {
    const h = sh(serverHelloBody({ extensions: ext(0, []) }));
    assert.equal(h.problem, null);
  });

  it("HelloRetryRequest: the special random (RFC 8446 4.1.3)", () => {
    const h = sh(serverHelloBody({ random: HRR_RANDOM, extensions: ext(43, u16(0x0304)) }));
    assert.equal(h.helloRetryRequest, true);
    const almost = [...HRR_RANDOM.slice(0, 31), 0];
    assert.equal(sh(serverHelloBody({ random: almost })).helloRetryRequest, false);
  });

  it("supported_versions of 4 bytes in a ServerHello is malformed (one selected_version)", () => {
    const h = sh(serverHelloBody({ suites: [0x1302], extensions: ext(43, [3, 4, 3, 3]) }));
    assert.deepEqual(
      [h.problem, h.cipherSuite, h.version],
      ["tls-supported-versions-malformed", 0x1302, 0x0303],
    );
  });

  it("cut before the cipher suite", () => {
    const h = sh(serverHelloBody().slice(0, 36));
    assert.deepEqual([h.problem, h.problemOffset, h.cipherSuite], ["tls-hello-bad-length", 35, -1]);
  });
});

describe("tlsVersionName", () => {
  const names: [number, string][] = [
    [0x0300, "SSL 3.0"],
    [0x0301, "TLS 1.0"],
    [0x0302, "TLS 1.1"],
    [0x0303, "TLS 1.2"],
    [0x0304, "TLS 1.3"],
    [0x7f1c, "TLS 1.3 draft 28"],
    [0x0a0a, "0x0a0a"],
  ];
  for (const [v, name] of names) it(name, () => assert.equal(tlsVersionName(v), name));
});

describe("property: any bytes", () => {
  const realHello = ((): number[] => {
    const p = firstPayload(stream("tls13-sni-alpn#0"), true);
    return [...p.subarray(TLS_RECORD_HEADER_LEN + TLS_HANDSHAKE_HEADER_LEN)];
  })();

  function checkClient(h: TlsClientHello, len: number): void {
    assert.ok(h.problem === null || Object.hasOwn(TLS_PROBLEMS, h.problem));
    assert.equal(h.problem === null, h.problemOffset === -1);
    assert.ok(h.problemOffset <= len);
    assert.ok((h.sni?.length ?? 0) <= LIMITS.maxText);
    assert.ok(h.alpn.length <= LIMITS.maxItems && h.alpn.length <= h.alpnCount);
    for (const a of h.alpn) assert.ok(a.length >= 1 && a.length <= LIMITS.maxText);
  }

  it("random bytes never throw, in any parser, at any offset", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.nat(), fc.nat(), (b, x, y) => {
        const off = b.length === 0 ? 0 : x % b.length;
        const end = off + (b.length === 0 ? 0 : y % (b.length - off + 1));
        checkClient(parseClientHello(b, off, end, LIMITS), end - off);
        const s = parseServerHello(b, off, end, LIMITS);
        assert.ok(s.problem === null || Object.hasOwn(TLS_PROBLEMS, s.problem));
        const r = parseTlsRecordHeader(b, off, end);
        assert.ok(r.problem === null || Object.hasOwn(TLS_PROBLEMS, r.problem));
      }),
      { numRuns: 2000 },
    );
  });

  it("a real ClientHello with bytes changed or cut never throws", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(realHello.length - 1), fc.integer({ min: 0, max: 255 })), {
          maxLength: 8,
        }),
        fc.nat(realHello.length),
        (edits, cut) => {
          const b = Uint8Array.from(realHello);
          for (const [i, v] of edits) b[i] = v;
          checkClient(parseClientHello(b, 0, cut, LIMITS), cut);
          checkClient(parseClientHello(b, 0, b.length, LIMITS), b.length);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

// Keep the record builder honest: a hello wrapped by the builders reads back.
it("builders: a hand-built record round-trips through the parsers", () => {
  const p = bytes(record(22, handshake(1, clientHelloBody({ extensions: sniExt("x.test") }))));
  const { type, body } = helloIn(p);
  assert.equal(type, 1);
  assert.equal(parseClientHello(p, body[0], body[1], LIMITS).sni, "x.test");
});
