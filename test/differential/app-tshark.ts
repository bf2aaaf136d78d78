/**
 * The payload side of the differential test against tshark (app-tshark.test.ts): what tshark's
 * HTTP and TLS dissectors say about each TCP connection of a capture, what teardown's payload
 * parsers say (the `app` of each flow, run in-process as the CLI runs it), and their comparison
 * connection by connection.
 *
 * tshark runs with TCP reassembly on (`tcp.desegment_tcp_streams:TRUE`, and the HTTP and TLS
 * dissectors' own desegmentation options at their defaults, also on), the only way it parses a
 * message spanning segments at all. It then reports a reassembled message in the frame of its
 * LAST segment and lists every segment's frame in `tcp.segment`; teardown's `requestFrame` is
 * the FIRST segment, so a request is compared by the first frame tshark lists (or its own frame
 * when it fits in one segment). The hellos are compared by the frame that completed them, which
 * both tools report.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { Analyzer, type AppResult } from "../../src/analysis/index.js";
import { MAX_TEXT } from "../../src/flow/index.js";
import { captureBytes, decodeAll } from "../decode/decode-file.js";
import { isPlainTcp, run, type ToolRun } from "./run-tools.js";

/** One HTTP/1.x message as tshark dissected it. */
export interface TsharkHttpMessage {
  /** The frame tshark reports it in (its last segment) and the frame of its first segment. */
  readonly frame: number;
  readonly firstFrame: number;
  readonly request: boolean;
  readonly method: string;
  readonly target: string;
  readonly status: number;
  /** The Connection header has the token `close`; null when the frame held several messages. */
  readonly close: boolean | null;
}

/** One ClientHello (type 1) or ServerHello (type 2) as tshark dissected it. */
export interface TsharkHello {
  readonly frame: number;
  readonly type: 1 | 2;
  readonly sni: string | null;
  /** ALPN protocols: offered (ClientHello) or chosen (ServerHello, at most one). */
  readonly alpn: readonly string[];
  readonly cipherSuite: number | null;
  readonly version: string | null;
}

/** A TCP connection (tshark's `tcp.stream`) in which tshark found HTTP or TLS handshakes. */
export interface TsharkConnection {
  readonly stream: number;
  /** The two endpoints as `address port`, in the order of the first message's sender. */
  readonly a: string;
  readonly b: string;
  readonly http: TsharkHttpMessage[];
  readonly hellos: TsharkHello[];
  /** Messages inside a tunnel (GRE, Teredo, ...) that teardown counts as encapsulated. */
  readonly tunnelled: boolean;
}

const FIELDS = [
  "frame.number",
  "tcp.stream",
  "frame.protocols",
  "ip.src",
  "ip.dst",
  "ipv6.src",
  "ipv6.dst",
  "tcp.srcport",
  "tcp.dstport",
  "http.request.method",
  "http.request.uri",
  "http.response.code",
  "http.connection",
  "tcp.segment",
  "tls.handshake.type",
  "tls.handshake.extensions_server_name",
  "tls.handshake.extensions_alpn_str",
  "tls.handshake.ciphersuite",
  "tls.handshake.extensions.supported_version",
  "tls.handshake.version",
] as const;

/** Separates the occurrences of a field in one frame: a byte no field value here contains. */
const AGGREGATOR = "\x1f";

/** An address as both tools should print it (RFC 5952 for IPv6, through the URL parser). */
export function canonicalAddress(a: string): string {
  return a.includes(":") ? new URL(`http://[${a}]/`).hostname.slice(1, -1) : a;
}

/** TLS version numbers as teardown names them (RFC 8446 and earlier). */
function versionName(hex: string): string | null {
  if (hex === "") return null;
  const v = parseInt(hex, 16);
  const names: Record<number, string> = {
    0x0300: "SSL 3.0",
    0x0301: "TLS 1.0",
    0x0302: "TLS 1.1",
    0x0303: "TLS 1.2",
    0x0304: "TLS 1.3",
  };
  return names[v] ?? `0x${v.toString(16).padStart(4, "0")}`;
}

/** The Connection header values of a message have the token `close` (RFC 9110 7.6.1). */
export function hasCloseToken(value: string): boolean {
  return value.split(",").some((t) => t.trim().toLowerCase() === "close");
}

/**
 * tshark's output for a capture, from a cache in the system's temporary directory when the same
 * tshark binary already read the same bytes with the same arguments: tshark's start-up, not its
 * dissection, is most of the test's run time. A run that failed is not cached.
 */
async function cachedRun(file: string, args: readonly string[]): Promise<ToolRun> {
  const binary = (process.env["PATH"] ?? "")
    .split(delimiter)
    .map((dir) => join(dir, "tshark"))
    .find((path) => existsSync(path));
  if (binary === undefined) return run("tshark", args);
  const tool = statSync(binary);
  const key = createHash("sha256")
    .update(`${binary} ${tool.size} ${tool.mtimeMs}\n`)
    .update(args.map((a) => (a === file ? "<capture>" : a)).join("\n"))
    .update(readFileSync(file))
    .digest("hex");
  const dir = join(tmpdir(), "teardown-tshark-app-cache");
  const path = join(dir, `${key}.json`);
  if (existsSync(path)) return JSON.parse(readFileSync(path, "utf8")) as ToolRun;
  const r = await run("tshark", args);
  if (r.code === 0 || r.stdout !== "") {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path, JSON.stringify(r));
  }
  return r;
}

/** Runs tshark on a capture and groups the HTTP messages and hellos by TCP connection. */
export async function tsharkApp(
  file: string,
): Promise<{ run: ToolRun; connections: TsharkConnection[] }> {
  const args = [
    "-n",
    "-r",
    file,
    "-T",
    "fields",
    "-E",
    "separator=/t",
    "-E",
    "occurrence=a",
    "-E",
    `aggregator=${AGGREGATOR}`,
    "-o",
    "tcp.desegment_tcp_streams:TRUE",
    "-Y",
    "http.request || http.response || tls.handshake.type == 1 || tls.handshake.type == 2",
  ];
  for (const f of FIELDS) args.push("-e", f);
  const r = await cachedRun(file, args);
  const byStream = new Map<number, TsharkConnection>();
  for (const line of r.stdout.split("\n")) {
    if (line === "") continue;
    const cells = line.split("\t").map((c) => (c === "" ? [] : c.split(AGGREGATOR)));
    const one = (i: number): string => cells[i]?.[0] ?? "";
    const all = (i: number): string[] => cells[i] ?? [];
    const frame = Number(one(0));
    const stream = Number(one(1));
    const v6 = one(3) === "";
    const src = `${canonicalAddress(v6 ? one(5) : one(3))} ${one(7)}`;
    const dst = `${canonicalAddress(v6 ? one(6) : one(4))} ${one(8)}`;
    let c = byStream.get(stream);
    if (c === undefined) {
      c = {
        stream,
        a: src,
        b: dst,
        http: [],
        hellos: [],
        tunnelled: !isPlainTcp(one(2).split(":")),
      };
      byStream.set(stream, c);
    }
    const segments = all(13);
    const methods = all(9);
    const codes = all(11);
    const connection = all(12);
    const messages = methods.length + codes.length;
    for (let k = 0; k < messages; k++) {
      const request = k < methods.length;
      c.http.push({
        frame,
        // Only a frame's first message can have begun in an earlier segment.
        firstFrame: k === 0 && segments.length > 0 ? Number(segments[0]) : frame,
        request,
        method: request ? (methods[k] ?? "") : "",
        target: request ? (all(10)[k] ?? "") : "",
        status: request ? 0 : Number(codes[k - methods.length]),
        close: messages === 1 ? connection.some(hasCloseToken) : null,
      });
    }
    const types = all(14);
    if (types.includes("1")) {
      c.hellos.push({
        frame,
        type: 1,
        sni: one(15) === "" ? null : one(15),
        alpn: all(16),
        cipherSuite: null,
        version: null,
      });
    }
    if (types.includes("2")) {
      // A ServerHello's supported_versions holds the one version chosen (RFC 8446 4.2.1).
      const chosen = one(18) !== "" ? one(18) : (all(19)[types.indexOf("2")] ?? "");
      c.hellos.push({
        frame,
        type: 2,
        sni: null,
        alpn: all(16),
        cipherSuite: one(17) === "" ? null : parseInt(one(17), 16),
        version: versionName(chosen),
      });
    }
  }
  return { run: r, connections: [...byStream.values()] };
}

/** One teardown flow: its endpoints, the frames it spans, and its payload context. */
export interface OurFlow {
  readonly id: number;
  readonly client: string;
  readonly server: string;
  readonly firstFrame: number;
  readonly lastFrame: number;
  readonly app: AppResult | undefined;
}

/** Every flow of a capture as the CLI's analysis makes them (payload parsers on). */
export function teardownFlows(file: string): OurFlow[] {
  const flows: OurFlow[] = [];
  const analyzer = new Analyzer({
    onFlow: (x) => {
      const f = x.flow;
      const r = x.result();
      flows.push({
        id: f.id,
        client: `${canonicalAddress(r.client.ip)} ${r.client.port}`,
        server: `${canonicalAddress(r.server.ip)} ${r.server.port}`,
        firstFrame: f.firstFrame,
        lastFrame: f.lastFrame,
        app: r.app,
      });
    },
  });
  decodeAll(captureBytes(file), (rec, p) => {
    if (p.status === "tcp") analyzer.packet(rec.frame, rec.tsSec, rec.tsNsec, p);
  });
  analyzer.finish();
  return flows.sort((a, b) => a.id - b.id);
}

/** Agreement counts of one capture (or of all, summed). */
export interface AppAgreement {
  connections: number;
  httpRequests: number;
  httpRequestsAgree: number;
  httpResponses: number;
  httpResponsesAgree: number;
  clientHellos: number;
  clientHellosAgree: number;
  serverHellos: number;
  serverHellosAgree: number;
}

export function noAgreement(): AppAgreement {
  return {
    connections: 0,
    httpRequests: 0,
    httpRequestsAgree: 0,
    httpResponses: 0,
    httpResponsesAgree: 0,
    clientHellos: 0,
    clientHellosAgree: 0,
    serverHellos: 0,
    serverHellosAgree: 0,
  };
}

export function addAgreement(into: AppAgreement, from: AppAgreement): void {
  for (const k of Object.keys(into) as (keyof AppAgreement)[]) into[k] += from[k];
}

/** A difference, keyed so that a table of known differences can name it. */
export interface AppDifference {
  /** `<capture> <client address> <client port>`: the connection. */
  readonly key: string;
  readonly what: string;
}

const show = (v: unknown): string => JSON.stringify(v);

/**
 * Compares one capture's connections. A connection is the teardown flow with the same two
 * endpoints whose frames span the first frame tshark reports a message in. Differences of one
 * connection are reported together, as one entry.
 */
export function compareApp(
  capture: string,
  theirs: readonly TsharkConnection[],
  ours: readonly OurFlow[],
): { agreement: AppAgreement; differences: AppDifference[]; tunnelled: number } {
  const agreement = noAgreement();
  const differences: AppDifference[] = [];
  const matched = new Set<number>();
  let tunnelled = 0;
  for (const c of theirs) {
    if (c.tunnelled) {
      tunnelled++;
      continue;
    }
    const firstFrame = Math.min(...c.http.map((m) => m.frame), ...c.hellos.map((h) => h.frame));
    const flow = ours.find(
      (f) =>
        ((f.client === c.a && f.server === c.b) || (f.client === c.b && f.server === c.a)) &&
        f.firstFrame <= firstFrame &&
        firstFrame <= f.lastFrame,
    );
    if (flow === undefined) {
      differences.push({
        key: `${capture} ${c.a}`,
        what: `tshark stream ${c.stream} (${c.a} <> ${c.b}): no teardown flow`,
      });
      continue;
    }
    matched.add(flow.id);
    agreement.connections++;
    const problems: string[] = [];
    compareHttp(c, flow, agreement, problems);
    compareTls(c, flow, agreement, problems);
    if (problems.length > 0)
      differences.push({ key: `${capture} ${flow.client}`, what: problems.join("; ") });
  }
  for (const f of ours) {
    if (matched.has(f.id) || f.app === undefined) continue;
    const hasMessages =
      (f.app.http?.requests ?? 0) + (f.app.http?.responses ?? 0) > 0 ||
      (f.app.tls?.clientHelloFrame ?? null) !== null;
    if (hasMessages)
      differences.push({
        key: `${capture} ${f.client}`,
        what: `teardown flow ${f.id} reads ${f.app.protocol} that tshark does not dissect`,
      });
  }
  return { agreement, differences, tunnelled };
}

function compareHttp(
  c: TsharkConnection,
  flow: OurFlow,
  agreement: AppAgreement,
  problems: string[],
): void {
  const requests = c.http.filter((m) => m.request);
  // teardown's exchange keeps the final response; interim 1xx (not 101) are only counted.
  const responses = c.http.filter(
    (m) => !m.request && (m.status < 100 || m.status >= 200 || m.status === 101),
  );
  agreement.httpRequests += requests.length;
  agreement.httpResponses += responses.length;
  if (requests.length + responses.length === 0) return;
  const http = flow.app?.http;
  if (http === undefined) {
    problems.push(
      `tshark: ${requests.length} requests, ${responses.length} responses; teardown: ${flow.app?.protocol ?? "no payload parser"}`,
    );
    return;
  }
  if (http.requests !== requests.length)
    problems.push(`requests ${http.requests} vs tshark ${requests.length}`);
  if (http.responses !== responses.length)
    problems.push(`responses ${http.responses} vs tshark ${responses.length}`);
  // teardown keeps the first MAX_EXCHANGES - 1 exchanges and the last: pair them with tshark's.
  const ex = http.exchanges;
  const index = (i: number): number =>
    http.omitted > 0 && i === ex.length - 1 ? requests.length - 1 : i;
  for (let i = 0; i < ex.length; i++) {
    const e = ex[i]!;
    const t = requests[index(i)];
    if (e.method === "" && e.requestFrame === null) continue; // a response with no request
    if (t === undefined) {
      problems.push(`request ${i + 1} ${e.method} ${e.target}: tshark has none`);
      continue;
    }
    const mine = [e.method, e.target, e.requestFrame, e.requestConnection === "close"];
    const its = [
      t.method,
      t.target.slice(0, MAX_TEXT),
      t.firstFrame,
      t.close ?? e.requestConnection === "close",
    ];
    if (show(mine) === show(its)) agreement.httpRequestsAgree++;
    else problems.push(`request ${i + 1}: ${show(mine)} vs tshark ${show(its)}`);
  }
  const answered = ex.filter((e) => e.status !== 0);
  for (let i = 0; i < answered.length; i++) {
    const e = answered[i]!;
    const t = responses[http.omitted > 0 && i === answered.length - 1 ? responses.length - 1 : i];
    if (t === undefined) {
      const state =
        e.bodyFraming === null
          ? " (header block unfinished)"
          : e.responseComplete
            ? ""
            : " (body unfinished)";
      problems.push(`response ${i + 1} ${e.status}${state}: tshark has none`);
      continue;
    }
    // tshark reports a response in the segment that completed its body (HTTP body
    // desegmentation is on by default): teardown's responseEndFrame.
    const mine = [e.status, e.responseEndFrame, e.responseConnection === "close"];
    const its = [t.status, t.frame, t.close ?? e.responseConnection === "close"];
    if (show(mine) === show(its)) agreement.httpResponsesAgree++;
    else problems.push(`response ${i + 1}: ${show(mine)} vs tshark ${show(its)}`);
  }
  if (answered.length < responses.length && http.omitted === 0)
    problems.push(
      `responses tshark has beyond teardown's: ${show(responses.slice(answered.length).map((r) => [r.status, r.frame]))}`,
    );
}

function compareTls(
  c: TsharkConnection,
  flow: OurFlow,
  agreement: AppAgreement,
  problems: string[],
): void {
  // teardown reads the first ClientHello, and the ServerHello that follows a HelloRetryRequest.
  const ch = c.hellos.find((h) => h.type === 1);
  const sh = c.hellos.filter((h) => h.type === 2).at(-1);
  if (ch !== undefined) agreement.clientHellos++;
  if (sh !== undefined) agreement.serverHellos++;
  if (ch === undefined && sh === undefined) return;
  const tls = flow.app?.tls;
  if (tls === undefined) {
    problems.push(
      `tshark: ${ch !== undefined ? `ClientHello in ${ch.frame}` : ""}${sh !== undefined ? ` ServerHello in ${sh.frame}` : ""}; teardown: ${flow.app?.protocol ?? "no payload parser"}`,
    );
    return;
  }
  if (ch !== undefined) {
    const mine = [tls.clientHelloFrame, tls.sni, tls.alpnOffered];
    const its = [ch.frame, ch.sni, ch.alpn];
    if (show(mine) === show(its)) agreement.clientHellosAgree++;
    else problems.push(`ClientHello [frame, sni, alpn]: ${show(mine)} vs tshark ${show(its)}`);
  } else if (tls.clientHelloFrame !== null) {
    problems.push(`ClientHello in ${tls.clientHelloFrame}: tshark has none`);
  }
  if (sh !== undefined) {
    // The ALPN chosen is in clear up to TLS 1.2 (RFC 8446 encrypts it in EncryptedExtensions).
    const mine = [tls.serverHelloFrame, tls.version, tls.cipherSuite, tls.alpn];
    const its = [sh.frame, sh.version, sh.cipherSuite, sh.alpn[0] ?? null];
    if (show(mine) === show(its)) agreement.serverHellosAgree++;
    else
      problems.push(
        `ServerHello [frame, version, cipher, alpn]: ${show(mine)} vs tshark ${show(its)}`,
      );
  } else if (tls.serverHelloFrame !== null) {
    problems.push(`ServerHello in ${tls.serverHelloFrame}: tshark has none`);
  }
}
