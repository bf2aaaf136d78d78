/**
 * HttpSession: the HTTP/1.x exchanges of one connection, from its payload. Each case is a script,
 * one segment (or close) per line, read like a flow graph:
 *
 *   "> GET / HTTP/1.1\r\n..."    client payload          "< HTTP/1.1 200 OK\r\n..."  server payload
 *   "> (lost 20) rest..."        payload after 20 bytes the capture lost
 *   "<FIN"  ">FIN"  "<RST"  ">RST"   a side's first FIN or RST
 *
 * Step k (from 1) is frame k at time k s, so `requestFrame: 2` reads "the request started in the
 * script's second line". Payload text is bytes, one char per byte (Latin-1).
 *
 * Every case is also fed one byte at a time and at random split points (each piece keeps its
 * step's time and frame): the context must be identical to feeding each segment whole.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  MAX_EXCHANGES,
  MAX_TEXT,
  type HttpContext,
  type HttpExchange,
} from "../../src/flow/app-context.js";
import {
  HTTP_LINE_MAX,
  HTTP_MAX_PENDING,
  HTTP_STOP_REASONS,
  HttpSession,
} from "../../src/flow/http-session.js";

/**
 * Where to cut one segment's payload into pieces: piece lengths summing to its length (an empty
 * payload is one empty piece, so that its `skipped` is still reported).
 */
type Splitter = (length: number) => number[];

const whole: Splitter = (n) => [n];
const byteAtATime: Splitter = (n) => (n === 0 ? [0] : new Array<number>(n).fill(1));

/** Deterministic random splits (a small LCG), so a failure can be replayed. */
function randomSplits(seed: number): Splitter {
  let x = seed >>> 0;
  const next = (): number => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0);
  return (n) => {
    if (n === 0) return [0];
    const out: number[] = [];
    let left = n;
    while (left > 0) {
      const k = 1 + (next() % Math.min(left, 40));
      out.push(k);
      left -= k;
    }
    return out;
  };
}

const bytes = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));

/** Runs a script through a new session and returns it. */
function play(script: readonly string[], split: Splitter = whole): HttpSession {
  const session = new HttpSession();
  script.forEach((step, k) => {
    const frame = k + 1;
    const t = frame;
    const close = /^([<>])(FIN|RST)$/.exec(step);
    if (close !== null) {
      session.closed(close[1] === ">", close[2] === "RST", t, frame);
      return;
    }
    const m = /^([<>]) (?:\(lost (\d+)\) )?/s.exec(step);
    if (m === null) throw new Error(`bad script step: ${step}`);
    const payload = bytes(step.slice(m[0].length));
    // Pieces are fed as views into a larger buffer, as the tracker does with a frame's bytes.
    const buf = new Uint8Array(payload.length + 8).fill(0x41);
    buf.set(payload, 4);
    let at = 4;
    let skipped = Number(m[2] ?? 0);
    for (const len of split(payload.length)) {
      session.data(m[1] === ">", buf, at, at + len, skipped, t, frame);
      skipped = 0;
      at += len;
    }
  });
  return session;
}

function http(session: HttpSession): HttpContext {
  const r = session.result();
  assert.equal(r.protocol, "http");
  assert.ok(r.http !== undefined);
  return r.http;
}

type Expect = Partial<Omit<HttpContext, "exchanges">> & {
  readonly exchanges?: readonly Partial<HttpExchange>[];
};

interface Case {
  readonly name: string;
  readonly script: readonly string[];
  readonly expect: Expect;
}

/** Checks the fields the case names (all exchanges must be listed when `exchanges` is). */
function check(got: HttpContext, expect: Expect): void {
  const { exchanges, ...top } = expect;
  for (const [k, v] of Object.entries(top)) {
    assert.deepEqual(got[k as keyof HttpContext], v, `context.${k}`);
  }
  if (exchanges === undefined) return;
  assert.equal(got.exchanges.length, exchanges.length, "number of exchanges kept");
  exchanges.forEach((want, i) => {
    for (const [k, v] of Object.entries(want)) {
      assert.deepEqual(got.exchanges[i]![k as keyof HttpExchange], v, `exchanges[${i}].${k}`);
    }
  });
}

const CRLF = "\r\n";
const req = (line: string, ...fields: string[]): string => [line, ...fields, "", ""].join(CRLF);
const res = (line: string, fields: readonly string[], body = ""): string =>
  [line, ...fields, "", body].join(CRLF);
const stop = (side: "client" | "server", code: keyof typeof HTTP_STOP_REASONS, frame: number) => ({
  reason: `${side}: ${HTTP_STOP_REASONS[code]}`,
  frame,
});

const CASES: readonly Case[] = [
  {
    name: "GET answered with Content-Length",
    script: [
      "> " + req("GET /index.html HTTP/1.1", "Host: example.com", "User-Agent: t"),
      "< " + res("HTTP/1.1 200 OK", ["Content-Length: 5", "Content-Type: text/plain"], "hello"),
    ],
    expect: {
      requests: 1,
      responses: 1,
      omitted: 0,
      connectionClose: { client: 0, server: 0 },
      upgraded: null,
      stopped: null,
      exchanges: [
        {
          method: "GET",
          target: "/index.html",
          version: "HTTP/1.1",
          host: "example.com",
          requestAt: 1,
          requestFrame: 1,
          requestConnection: null,
          requestComplete: true,
          interim: 0,
          responseAt: 2,
          responseFrame: 2,
          status: 200,
          reason: "OK",
          responseConnection: null,
          bodyFraming: "length",
          contentLength: 5,
          bodyBytes: 5,
          responseComplete: true,
          responseEndAt: 2,
          responseEndFrame: 2,
        },
      ],
    },
  },
  {
    name: "a body over three segments ends in the third",
    script: [
      "> " + req("GET /big HTTP/1.1", "Host: h"),
      "< " + res("HTTP/1.1 200 OK", ["Content-Length: 12"], "hell"),
      "< o wor",
      "< ld!",
    ],
    expect: {
      exchanges: [{ responseFrame: 2, bodyBytes: 12, responseComplete: true, responseEndFrame: 4 }],
    },
  },
  {
    name: "keep-alive: three exchanges one after the other",
    script: [
      "> " + req("GET /1 HTTP/1.1", "Host: h", "Connection: keep-alive"),
      "< " + res("HTTP/1.1 200 OK", ["Content-Length: 1"], "1"),
      "> " + req("GET /2 HTTP/1.1", "Host: h", "Connection: keep-alive"),
      "< " + res("HTTP/1.1 404 Not Found", ["Content-Length: 2"], "no"),
      "> " + req("GET /3 HTTP/1.1", "Host: h", "Connection: keep-alive"),
      "< " + res("HTTP/1.1 200 OK", ["Content-Length: 3", "Connection: keep-alive"], "333"),
    ],
    expect: {
      requests: 3,
      responses: 3,
      exchanges: [
        {
          target: "/1",
          requestFrame: 1,
          status: 200,
          responseFrame: 2,
          requestConnection: "keep-alive",
        },
        { target: "/2", requestFrame: 3, status: 404, reason: "Not Found", responseEndFrame: 4 },
        {
          target: "/3",
          requestFrame: 5,
          status: 200,
          responseConnection: "keep-alive",
          bodyBytes: 3,
        },
      ],
    },
  },
  {
    name: "pipelining: three requests in one segment, the responses later, a HEAD among them",
    script: [
      "> " +
        req("GET /a HTTP/1.1", "Host: h") +
        req("HEAD /b HTTP/1.1", "Host: h") +
        req("GET /c HTTP/1.1", "Host: h"),
      "< " + res("HTTP/1.1 200 OK", ["Content-Length: 1"], "a"),
      "< " +
        res("HTTP/1.1 200 OK", ["Content-Length: 100"]) +
        res("HTTP/1.1 200 OK", ["Content-Length: 1"], "c"),
    ],
    expect: {
      requests: 3,
      responses: 3,
      stopped: null,
      exchanges: [
        { method: "GET", target: "/a", requestFrame: 1, responseFrame: 2, bodyBytes: 1 },
        {
          method: "HEAD",
          target: "/b",
          requestFrame: 1,
          responseFrame: 3,
          bodyFraming: "none",
          contentLength: 100,
          bodyBytes: 0,
          responseComplete: true,
        },
        { method: "GET", target: "/c", requestFrame: 1, responseFrame: 3, bodyBytes: 1 },
      ],
    },
  },
  {
    name: "100-continue, then the body, then 200",
    script: [
      "> " + req("POST /upload HTTP/1.1", "Host: h", "Expect: 100-continue", "Content-Length: 4"),
      "< " + res("HTTP/1.1 100 Continue", []),
      "> data",
      "< " + res("HTTP/1.1 200 OK", ["Content-Length: 0"]),
    ],
    expect: {
      requests: 1,
      responses: 1,
      exchanges: [
        {
          method: "POST",
          requestComplete: true,
          interim: 1,
          responseAt: 2,
          responseFrame: 2,
          status: 200,
          contentLength: 0,
          responseComplete: true,
          responseEndFrame: 4,
        },
      ],
    },
  },
  {
    name: "HEAD with Content-Length: no body follows, the next exchange parses",
    script: [
      "> " + req("HEAD /file HTTP/1.1", "Host: h"),
      "< " + res("HTTP/1.1 200 OK", ["Content-Length: 1000"]),
      "> " + req("GET /next HTTP/1.1", "Host: h"),
      "< " + res("HTTP/1.1 200 OK", ["Content-Length: 2"], "ok"),
    ],
    expect: {
      requests: 2,
      responses: 2,
      stopped: null,
      exchanges: [
        {
          method: "HEAD",
          bodyFraming: "none",
          contentLength: 1000,
          bodyBytes: 0,
          responseEndFrame: 2,
        },
        { method: "GET", bodyFraming: "length", bodyBytes: 2, responseEndFrame: 4 },
      ],
    },
  },
  {
    name: "chunked response with chunk extensions and trailer fields",
    script: [
      "> " + req("GET /stream HTTP/1.1", "Host: h"),
      "< " + res("HTTP/1.1 200 OK", ["Transfer-Encoding: chunked", "Trailer: Expires"]),
      '< 5;name=value\r\nhello\r\na ; ext="q"\r\n0123456789\r\n',
      "< 0\r\nExpires: never\r\nX-Sum: 1\r\n\r\n",
      "> " + req("GET /after HTTP/1.1", "Host: h"),
      "< " + res("HTTP/1.1 200 OK", ["content-length: 1"], "x"),
    ],
    expect: {
      responses: 2,
      stopped: null,
      exchanges: [
        {
          bodyFraming: "chunked",
          contentLength: -1,
          bodyBytes: 15,
          responseComplete: true,
          responseEndFrame: 4,
        },
        { target: "/after", bodyBytes: 1, responseComplete: true },
      ],
    },
  },
  {
    name: "response without length, complete at the server's FIN",
    script: [
      "> " + req("GET /old HTTP/1.0", "Host: h"),
      "< " + res("HTTP/1.0 200 OK", ["Content-Type: text/plain"], "some "),
      "< body",
      "<FIN",
    ],
    expect: {
      exchanges: [
        {
          version: "HTTP/1.0",
          bodyFraming: "close",
          bodyBytes: 9,
          responseComplete: true,
          responseEndAt: 4,
          responseEndFrame: 4,
        },
      ],
    },
  },
  {
    name: "response without length cut by the server's RST: not complete",
    script: [
      "> " + req("GET /old HTTP/1.1", "Host: h"),
      "< " + res("HTTP/1.1 200 OK", [], "partial"),
      "<RST",
    ],
    expect: {
      exchanges: [
        {
          bodyFraming: "close",
          bodyBytes: 7,
          responseComplete: false,
          responseEndAt: -1,
          responseEndFrame: 0,
        },
      ],
    },
  },
  {
    name: "the client's FIN does not end a close-delimited body",
    script: [
      "> " + req("GET / HTTP/1.1", "Host: h"),
      "< " + res("HTTP/1.1 200 OK", [], "abc"),
      ">FIN",
    ],
    expect: { exchanges: [{ bodyFraming: "close", responseComplete: false }] },
  },
  {
    name: "204 and 304 have no body, even with Content-Length",
    script: [
      "> " + req("DELETE /x HTTP/1.1", "Host: h"),
      "< " + res("HTTP/1.1 204 No Content", []),
      "> " + req("GET /x HTTP/1.1", "Host: h", 'If-None-Match: "1"'),
      "< " + res("HTTP/1.1 304 Not Modified", ["Content-Length: 50"]),
      "> " + req("GET /y HTTP/1.1", "Host: h"),
      "< " + res("HTTP/1.1 200 OK", ["Content-Length: 1"], "y"),
    ],
    expect: {
      responses: 3,
      stopped: null,
      exchanges: [
        { status: 204, bodyFraming: "none", responseComplete: true, responseEndFrame: 2 },
        { status: 304, bodyFraming: "none", contentLength: 50, responseEndFrame: 4 },
        { status: 200, bodyFraming: "length", bodyBytes: 1, responseEndFrame: 6 },
      ],
    },
  },
  {
    name: "101 to websocket: parsing stops in both directions",
    script: [
      "> " +
        req(
          "GET /chat HTTP/1.1",
          "Host: h",
          "Upgrade: websocket",
          "Connection: Upgrade",
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        ),
      "< " +
        res("HTTP/1.1 101 Switching Protocols", ["Upgrade: websocket", "Connection: Upgrade"]) +
        "\x81\x05hello",
      "> \x81\x85\x01\x02\x03\x04junk!",
      "< \x88\x00",
      "<FIN",
    ],
    expect: {
      upgraded: "websocket",
      stopped: null,
      requests: 1,
      responses: 1,
      exchanges: [
        {
          status: 101,
          interim: 0,
          bodyFraming: "none",
          responseComplete: true,
          responseEndFrame: 2,
          requestConnection: null,
        },
      ],
    },
  },
  {
    name: "101 to h2c: the client's HTTP/2 preface after it is not parsed",
    script: [
      "> " +
        req(
          "GET / HTTP/1.1",
          "Host: h",
          "Connection: Upgrade, HTTP2-Settings",
          "Upgrade: h2c",
          "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA",
        ),
      "< " +
        res("HTTP/1.1 101 Switching Protocols", ["Connection: Upgrade", "Upgrade: h2c"]) +
        "\x00\x00\x00\x04\x00\x00\x00\x00\x00",
      "> PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00",
    ],
    expect: { upgraded: "h2c", stopped: null, requests: 1, responses: 1 },
  },
  {
    name: "new-protocol bytes sent before the 101 arrives are not a stop",
    script: [
      "> " + req("GET /chat HTTP/1.1", "Host: h", "Upgrade: websocket", "Connection: Upgrade"),
      "> \x81\x85\x01\x02\x03\x04early",
      "< " + res("HTTP/1.1 101 Switching Protocols", ["Upgrade: websocket"]),
    ],
    expect: { upgraded: "websocket", stopped: null },
  },
  {
    name: "an Upgrade refused: the client's non-HTTP bytes are a stop after all",
    script: [
      "> " + req("GET /chat HTTP/1.1", "Host: h", "Upgrade: websocket", "Connection: Upgrade"),
      "> \x81\x85\x01\x02\x03\x04early",
      "< " + res("HTTP/1.1 400 Bad Request", ["Content-Length: 0"]),
    ],
    expect: { upgraded: null, stopped: stop("client", "notRequest", 2), responses: 1 },
  },
  {
    name: "CONNECT answered 200: a tunnel, not parsed further",
    script: [
      "> " + req("CONNECT example.com:443 HTTP/1.1", "Host: example.com:443"),
      "< " + res("HTTP/1.1 200 Connection Established", []),
      "> \x16\x03\x01\x00\x05hello",
      "< \x16\x03\x03\x00\x05world",
    ],
    expect: {
      stopped: null,
      upgraded: null,
      exchanges: [
        {
          method: "CONNECT",
          target: "example.com:443",
          bodyFraming: "none",
          responseComplete: true,
        },
      ],
    },
  },
  {
    name: "Connection: close from the client, echoed by the server",
    script: [
      "> " + req("GET / HTTP/1.1", "Host: h", "Connection: close"),
      "< " + res("HTTP/1.1 200 OK", ["Content-Length: 2", "Connection: close"], "ok"),
      "<FIN",
    ],
    expect: {
      connectionClose: { client: 1, server: 1 },
      exchanges: [
        { requestConnection: "close", responseConnection: "close", responseComplete: true },
      ],
    },
  },
  {
    name: "Connection: close from the server only, names and tokens in any case",
    script: [
      "> " + req("GET /1 HTTP/1.1", "HOST: h", "connection: Keep-Alive"),
      "< " + res("HTTP/1.1 200 OK", ["content-LENGTH: 0", "CONNECTION: foo,  Close"]),
      "> " + req("GET /2 HTTP/1.1", "host: h2"),
      "< " + res("HTTP/1.1 200 OK", ["Content-Length: 0", "Connection: close"]),
    ],
    expect: {
      connectionClose: { client: 0, server: 2 },
      exchanges: [
        { host: "h", requestConnection: "keep-alive", responseConnection: "close" },
        { host: "h2", requestConnection: null, responseConnection: "close" },
      ],
    },
  },
  {
    name: "POST with a Content-Length body, then a chunked POST",
    script: [
      "> " + req("POST /form HTTP/1.1", "Host: h", "Content-Length: 11") + "hello world",
      "< " + res("HTTP/1.1 201 Created", ["Content-Length: 0"]),
      "> " + req("POST /stream HTTP/1.1", "Host: h", "Transfer-Encoding: chunked") + "3\r\nabc\r\n",
      "> 0\r\n\r\n",
      "< " + res("HTTP/1.1 200 OK", ["Content-Length: 0"]),
    ],
    expect: {
      requests: 2,
      responses: 2,
      stopped: null,
      exchanges: [
        { method: "POST", target: "/form", requestComplete: true, status: 201 },
        {
          method: "POST",
          target: "/stream",
          requestComplete: true,
          status: 200,
          responseEndFrame: 5,
        },
      ],
    },
  },
  {
    name: "a request body not yet complete when the response comes",
    script: [
      "> " + req("PUT /big HTTP/1.1", "Host: h", "Content-Length: 1000000") + "abc",
      "< " + res("HTTP/1.1 413 Payload Too Large", ["Content-Length: 0", "Connection: close"]),
      "<FIN",
    ],
    expect: { exchanges: [{ requestComplete: false, status: 413, responseComplete: true }] },
  },
  {
    name: "capture loss inside a body of known length: subtracted, still in sync",
    script: [
      "> " + req("GET /a HTTP/1.1", "Host: h"),
      "< " + res("HTTP/1.1 200 OK", ["Content-Length: 100"], "0123456789"),
      "< (lost 50) " + "x".repeat(40),
      "> " + req("GET /b HTTP/1.1", "Host: h"),
      "< " + res("HTTP/1.1 200 OK", ["Transfer-Encoding: chunked"], "10\r\n0123"),
      "< (lost 10) 01\r\n0\r\n\r\n",
    ],
    expect: {
      stopped: null,
      exchanges: [
        { bodyBytes: 50, responseComplete: true, responseEndFrame: 3 },
        { bodyBytes: 6, responseComplete: true, responseEndFrame: 6 },
      ],
    },
  },
  {
    name: "capture loss inside a header block stops that direction only",
    script: [
      "> " + req("GET /a HTTP/1.1", "Host: h"),
      "< HTTP/1.1 200 OK\r\nContent-",
      "< (lost 20) \r\n\r\nbody",
      "> " + req("GET /b HTTP/1.1", "Host: h"),
    ],
    expect: {
      requests: 2,
      responses: 1,
      stopped: stop("server", "captureLoss", 3),
      exchanges: [
        { status: 200, responseFrame: 2, responseComplete: false },
        { target: "/b", status: 0, responseFrame: 0 },
      ],
    },
  },
  {
    name: "capture loss more than a body's rest loses the next message's start: stop",
    script: [
      "> " + req("GET /a HTTP/1.1", "Host: h"),
      "< " + res("HTTP/1.1 200 OK", ["Content-Length: 10"], "01234"),
      "< (lost 20) HTTP/1.1 200 OK\r\n",
    ],
    expect: { stopped: stop("server", "captureLoss", 3), exchanges: [{ responseComplete: false }] },
  },
  {
    name: "binary junk where a request should start",
    script: [
      "> " + req("GET / HTTP/1.1", "Host: h"),
      "< " + res("HTTP/1.1 200 OK", ["Content-Length: 0"]),
      "> \x16\x03\x01\x00\xa5\x01\x00\x00\xa1",
      "> " + req("GET /ignored HTTP/1.1", "Host: h"),
    ],
    expect: { requests: 1, stopped: stop("client", "notRequest", 3) },
  },
  {
    name: "binary junk where a response should start",
    script: ["> " + req("GET / HTTP/1.1", "Host: h"), "< \x00\x01\x02\x03HTTP/1.1 200 OK\r\n\r\n"],
    expect: { responses: 0, stopped: stop("server", "notResponse", 2) },
  },
  {
    name: "a request line whose version is not HTTP/1.x",
    script: ["> GET / HTTP/2.0\r\n\r\n"],
    expect: { requests: 0, stopped: stop("client", "unsupportedVersion", 1), exchanges: [] },
  },
  {
    name: "conflicting Content-Length values stop the direction",
    script: [
      "> " + req("GET / HTTP/1.1", "Host: h"),
      "< " + res("HTTP/1.1 200 OK", ["Content-Length: 5", "Content-Length: 6"], "hello!"),
    ],
    expect: { responses: 1, stopped: stop("server", "badContentLength", 2) },
  },
  {
    name: "identical Content-Length values in a list are one length",
    script: [
      "> " + req("GET / HTTP/1.1", "Host: h"),
      "< " + res("HTTP/1.1 200 OK", ["Content-Length: 5, 5"], "hello"),
    ],
    expect: { stopped: null, exchanges: [{ contentLength: 5, responseComplete: true }] },
  },
  {
    name: "lenient: bare LF line ends, empty lines before a request, space before a colon",
    script: [
      "> \r\n\nGET /lf HTTP/1.1\nHost : h\n\n",
      "< HTTP/1.1 200 OK\nContent-Length: 2\n\nok",
      "< \r\nHTTP/1.1 200\r\n\r\n",
    ],
    expect: {
      requests: 1,
      responses: 2,
      stopped: null,
      exchanges: [
        { target: "/lf", host: "h", requestFrame: 1, bodyBytes: 2, responseComplete: true },
        {
          method: "",
          requestFrame: 0,
          status: 200,
          reason: "",
          bodyFraming: "close",
          responseFrame: 3,
        },
      ],
    },
  },
  {
    name: "obsolete line folding continues the Connection field",
    script: [
      "> " + req("GET / HTTP/1.1", "Host: h", "Connection: keep-alive,", " close"),
      "< " + res("HTTP/1.1 200 OK", ["Content-Length: 0"]),
    ],
    expect: {
      connectionClose: { client: 1, server: 0 },
      exchanges: [{ requestConnection: "close" }],
    },
  },
  {
    name: "Transfer-Encoding overrides Content-Length; a last coding other than chunked runs to close",
    script: [
      "> " + req("GET /1 HTTP/1.1", "Host: h"),
      "< " +
        res(
          "HTTP/1.1 200 OK",
          ["Content-Length: 100", "Transfer-Encoding: gzip, chunked"],
          "2\r\nab\r\n0\r\n\r\n",
        ),
      "> " + req("GET /2 HTTP/1.1", "Host: h"),
      "< " + res("HTTP/1.1 200 OK", ["Transfer-Encoding: chunked, gzip"], "binary"),
      "<FIN",
    ],
    expect: {
      stopped: null,
      exchanges: [
        { bodyFraming: "chunked", contentLength: 100, bodyBytes: 2, responseComplete: true },
        { bodyFraming: "close", bodyBytes: 6, responseComplete: true, responseEndFrame: 5 },
      ],
    },
  },
  {
    name: "a response with no request pending gets an exchange of its own",
    script: [
      "> " + req("GET / HTTP/1.1", "Host: h"),
      "< " +
        res("HTTP/1.1 200 OK", ["Content-Length: 0"]) +
        res("HTTP/1.1 408 Request Timeout", ["Connection: close", "Content-Length: 0"]),
    ],
    expect: {
      requests: 1,
      responses: 2,
      connectionClose: { client: 0, server: 1 },
      exchanges: [
        { method: "GET", status: 200 },
        {
          method: "",
          target: "",
          version: "",
          requestAt: -1,
          requestFrame: 0,
          status: 408,
          responseFrame: 2,
        },
      ],
    },
  },
];

describe("HttpSession: scripted exchanges", () => {
  for (const c of CASES) {
    it(c.name, () => {
      const got = http(play(c.script));
      check(got, c.expect);
      for (const [how, split] of [
        ["one byte at a time", byteAtATime],
        ["random splits (seed 1)", randomSplits(1)],
        ["random splits (seed 2)", randomSplits(2)],
        ["random splits (seed 3)", randomSplits(3)],
      ] as const) {
        assert.deepEqual(http(play(c.script, split)), got, how);
      }
    });
  }
});

describe("HttpSession: segment boundaries", () => {
  it("a header block split in two at every byte gives the same exchange", () => {
    const request =
      req(
        "POST /split?x=1 HTTP/1.1",
        "Host: example.com",
        "Connection: close",
        "Content-Length: 3",
      ) + "abc";
    const response = res(
      "HTTP/1.1 200 OK",
      ["Transfer-Encoding: chunked", "Connection: keep-alive"],
      "3;e=1\r\nxyz\r\n0\r\n\r\n",
    );
    const reference = http(play(["> " + request, "< " + response]));
    for (let cut = 1; cut < request.length; cut++) {
      const got = http(
        play(["> " + request.slice(0, cut), "> " + request.slice(cut), "< " + response]),
      );
      // The only difference two segments make: where the request ended.
      assert.deepEqual(
        {
          ...got,
          exchanges: got.exchanges.map((e) => ({
            ...e,
            responseAt: 0,
            responseFrame: 0,
            responseEndAt: 0,
            responseEndFrame: 0,
          })),
        },
        {
          ...reference,
          exchanges: reference.exchanges.map((e) => ({
            ...e,
            responseAt: 0,
            responseFrame: 0,
            responseEndAt: 0,
            responseEndFrame: 0,
          })),
        },
        `request cut at ${cut}`,
      );
    }
    for (let cut = 1; cut < response.length; cut++) {
      const got = http(
        play(["> " + request, "< " + response.slice(0, cut), "< " + response.slice(cut)]),
      );
      assert.equal(got.stopped, null, `response cut at ${cut}`);
      assert.equal(got.exchanges[0]!.responseComplete, true, `response cut at ${cut}`);
      assert.equal(got.exchanges[0]!.responseEndFrame, 3, `response cut at ${cut}`);
      assert.equal(got.exchanges[0]!.responseConnection, "keep-alive", `response cut at ${cut}`);
      assert.equal(got.exchanges[0]!.bodyBytes, 3, `response cut at ${cut}`);
    }
  });

  it("the request's time is its first byte's segment, even when the line spans segments", () => {
    const got = http(play(["> GE", "> T /x HTTP/1.1\r\nHost: h\r", "> \n\r\n"]));
    check(got, {
      exchanges: [
        { method: "GET", target: "/x", host: "h", requestFrame: 1, requestComplete: true },
      ],
    });
  });
});

describe("HttpSession: bounds", () => {
  it(`keeps the first ${MAX_EXCHANGES - 1} exchanges and the last`, () => {
    const script: string[] = [];
    for (let k = 0; k < MAX_EXCHANGES + 4; k++) {
      script.push("> " + req(`GET /${k} HTTP/1.1`, "Host: h"));
      script.push("< " + res("HTTP/1.1 200 OK", ["Content-Length: 1"], "x"));
    }
    const got = http(play(script));
    assert.equal(got.requests, MAX_EXCHANGES + 4);
    assert.equal(got.responses, MAX_EXCHANGES + 4);
    assert.equal(got.exchanges.length, MAX_EXCHANGES);
    assert.equal(got.omitted, 4);
    assert.deepEqual(
      got.exchanges.map((e) => e.target),
      [...Array.from({ length: MAX_EXCHANGES - 1 }, (_, k) => `/${k}`), `/${MAX_EXCHANGES + 3}`],
    );
    assert.equal(got.exchanges.at(-1)!.requestFrame, script.length - 1);
    assert.equal(got.exchanges.at(-1)!.responseComplete, true);
  });

  it("pipelined responses still reach exchanges beyond the kept ones", () => {
    const n = MAX_EXCHANGES + 3;
    let requests = "";
    let responses = "";
    for (let k = 0; k < n; k++) {
      requests += req(`GET /${k} HTTP/1.1`, "Host: h");
      responses += res(`HTTP/1.1 ${200 + k} OK`, ["Content-Length: 0"]);
    }
    const got = http(play(["> " + requests, "< " + responses]));
    assert.equal(got.responses, n);
    assert.equal(got.exchanges.at(-1)!.status, 200 + n - 1);
    assert.equal(got.exchanges[MAX_EXCHANGES - 2]!.status, 200 + MAX_EXCHANGES - 2);
  });

  it(`more than ${HTTP_MAX_PENDING} requests awaiting responses stops the client direction`, () => {
    const requests = req("GET / HTTP/1.1", "Host: h").repeat(HTTP_MAX_PENDING + 1);
    const got = http(play(["> " + requests, "< " + res("HTTP/1.1 200 OK", ["Content-Length: 0"])]));
    assert.equal(got.requests, HTTP_MAX_PENDING);
    assert.deepEqual(got.stopped, stop("client", "pipelineTooDeep", 1));
    assert.equal(got.exchanges[0]!.status, 200);
  });

  it("a very long request line keeps the target's start, the version and what follows", () => {
    const target = "/" + "a".repeat(3 * HTTP_LINE_MAX);
    const script = [
      "> " + req(`GET ${target} HTTP/1.1`, "Host: long.example", "Connection: close"),
    ];
    const got = http(play(script));
    check(got, {
      requests: 1,
      stopped: null,
      exchanges: [
        {
          method: "GET",
          target: target.slice(0, MAX_TEXT),
          version: "HTTP/1.1",
          host: "long.example",
          requestConnection: "close",
          requestComplete: true,
        },
      ],
    });
    assert.deepEqual(http(play(script, byteAtATime)), got);
    assert.deepEqual(http(play(script, randomSplits(7))), got);
  });

  it("a request line just over the line limit still finds its version", () => {
    for (const extra of [-2, -1, 0, 1, 2, 5, 15, 16, 17, 40]) {
      const line = `GET /${"b".repeat(HTTP_LINE_MAX - 14 + extra)} HTTP/1.0`;
      for (const split of [whole, byteAtATime, randomSplits(extra + 100)]) {
        const got = http(play(["> " + line + "\r\nHost: h\r\n\r\n"], split));
        assert.equal(got.stopped, null, `line of ${line.length + 1} bytes`);
        assert.equal(got.exchanges[0]!.version, "HTTP/1.0", `line of ${line.length + 1} bytes`);
      }
    }
  });

  it("long header values are cut to MAX_TEXT; an endless line is skipped in bounded memory", () => {
    const host = "h".repeat(20000);
    const s = play(
      ["> " + req("GET / HTTP/1.1", `Host: ${host}`, `Cookie: ${"c".repeat(50000)}`)],
      randomSplits(9),
    );
    const got = http(s);
    assert.equal(got.exchanges[0]!.host, host.slice(0, MAX_TEXT));
    assert.equal(got.exchanges[0]!.requestComplete, true);
    const endless = new HttpSession();
    const chunk = bytes("GET /" + "z".repeat(1 << 16));
    for (let k = 0; k < 64; k++) endless.data(true, chunk, k === 0 ? 0 : 5, chunk.length, 0, 1, 1);
    assert.ok(
      endless.retainedBytes() < 3 * HTTP_LINE_MAX,
      `${endless.retainedBytes()} bytes retained`,
    );
  });
});

/** Fragments that drive the parser deep into its states when strung together at random. */
const FRAGMENTS = [
  "GET / HTTP/1.1\r\n",
  "HEAD /h HTTP/1.1\r\n",
  "POST /p HTTP/1.0\n",
  "CONNECT a:1 HTTP/1.1\r\n",
  "HTTP/1.1 200 OK\r\n",
  "HTTP/1.1 100 Continue\r\n",
  "HTTP/1.1 101 Switching Protocols\r\n",
  "HTTP/1.0 204 No Content\r\n",
  "Host: x\r\n",
  "Content-Length: 3\r\n",
  "Content-Length: 1, 2\r\n",
  "Transfer-Encoding: chunked\r\n",
  "Transfer-Encoding: gzip\r\n",
  "Connection: close\r\n",
  "Connection: keep-alive, upgrade\r\n",
  "Upgrade: websocket\r\n",
  " folded\r\n",
  "\r\n",
  "\n",
  "abc",
  "3;x=y\r\nabc\r\n",
  "0\r\n\r\n",
  "ffffffffffffffffff\r\n",
  "\x00\xff\x16\x03",
];

const httpish = fc
  .array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ unit: "binary", maxLength: 12 })), {
    maxLength: 30,
  })
  .map((parts) => parts.join(""));

interface Step {
  readonly client: boolean;
  readonly text: string;
  readonly skipped: number;
  readonly close: "" | "FIN" | "RST";
}

const step = fc.record({
  client: fc.boolean(),
  text: httpish,
  skipped: fc.oneof(fc.constant(0), fc.constant(0), fc.nat(50)),
  close: fc.constantFrom<"" | "FIN" | "RST">("", "", "", "FIN", "RST"),
});

function runSteps(steps: readonly Step[], split: Splitter): HttpSession {
  const session = new HttpSession();
  steps.forEach((s, k) => {
    const b = bytes(s.text);
    let at = 0;
    let skipped = s.skipped;
    for (const len of split(b.length)) {
      session.data(s.client, b, at, at + len, skipped, k, k + 1);
      skipped = 0;
      at += len;
    }
    if (s.close !== "") session.closed(s.client, s.close === "RST", k, k + 1);
  });
  return session;
}

/** Bound on what a session may hold: two line buffers, the queue, and the text kept. */
const MEMORY_BOUND =
  2 * (HTTP_LINE_MAX + 16) +
  HTTP_MAX_PENDING * 9 +
  (MAX_EXCHANGES + HTTP_MAX_PENDING + 2) * 5 * MAX_TEXT;

function checkBounds(session: HttpSession): void {
  const got = http(session);
  assert.ok(got.exchanges.length <= MAX_EXCHANGES);
  for (const e of got.exchanges) {
    for (const text of [e.method, e.target, e.version, e.reason, e.host ?? ""])
      assert.ok(text.length <= MAX_TEXT);
  }
  assert.ok(session.retainedBytes() <= MEMORY_BOUND);
}

describe("HttpSession: properties", () => {
  it("random bytes at random splits never throw and stay bounded", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            client: fc.boolean(),
            text: fc.string({ unit: "binary", maxLength: 300 }),
            skipped: fc.oneof(fc.constant(0), fc.nat(1000)),
            close: fc.constantFrom<"" | "FIN" | "RST">("", "", "FIN", "RST"),
          }),
          { maxLength: 20 },
        ),
        fc.integer(),
        (steps, seed) => checkBounds(runSteps(steps, randomSplits(seed))),
      ),
      { numRuns: 300 },
    );
  });

  it("HTTP-like input never throws, stays bounded, and does not depend on the split points", () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 12 }), fc.integer(), (steps, seed) => {
        const reference = runSteps(steps, whole);
        checkBounds(reference);
        const split = runSteps(steps, randomSplits(seed));
        checkBounds(split);
        assert.deepEqual(http(split), http(reference));
        assert.deepEqual(http(runSteps(steps, byteAtATime)), http(reference));
      }),
      { numRuns: 500 },
    );
  });

  it("many exchanges and pipelined requests keep memory bounded", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 40 }), (n, depth) => {
        const session = new HttpSession();
        const request = bytes(
          req("GET /" + "p".repeat(400) + " HTTP/1.1", "Host: " + "h".repeat(400)),
        );
        const response = bytes(res("HTTP/1.1 200 " + "r".repeat(400), ["Content-Length: 0"]));
        for (let k = 0; k < n; k++) {
          for (let d = 0; d < depth; d++) session.data(true, request, 0, request.length, 0, k, k);
          for (let d = 0; d < depth; d++)
            session.data(false, response, 0, response.length, 0, k, k);
        }
        checkBounds(session);
      }),
      { numRuns: 50 },
    );
  });
});
