/**
 * Inputs for the HTML report tests, built from real captures in-process: the ReportInput as
 * `teardown analyze` gives it, plus ReportFlows (ladders for the flows behind the findings, with
 * their packets collected by following each one through a second pass of the Analyzer, as
 * `teardown flow` does, and the flow index). Also a hostile variant, whose file name,
 * addresses and HTTP context carry markup, script URLs, ANSI escapes and NUL bytes.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Analyzer, type AppResult, type FlowResult } from "../../src/analysis/index.js";
import type {
  FlowIndexRow,
  LadderFlow,
  LadderPacket,
  ReportFlows,
} from "../../src/analysis/ladder-flow.js";
import { NetstatBuilder, type NetstatSummary } from "../../src/analysis/netstat.js";
import { DecodeCounts } from "../../src/decode/index.js";
import { seqDiff, type Side } from "../../src/flow/index.js";
import type { CaptureFileInfo, ReportInput } from "../../src/report/index.js";
import { decodeAll } from "../decode/decode-file.js";
import { REPO_ROOT } from "../differential/capture-files.js";

/** A ladder keeps its first and last packets; longer flows have their middle summarised. */
const KEEP_EACH_END = 40;

export type HtmlInput = ReportInput & {
  readonly flows: ReportFlows;
  readonly netstat: NetstatSummary;
};

interface Pass {
  readonly analyzer: Analyzer;
  readonly files: CaptureFileInfo[];
  readonly counts: DecodeCounts;
}

/** Reads the captures through `analyzer`, frames numbered on across files as the CLI does. */
function read(paths: readonly string[], analyzer: Analyzer): Pass {
  const counts = new DecodeCounts();
  const files: CaptureFileInfo[] = [];
  let frameBase = 0;
  paths.forEach((path) => {
    const base = frameBase;
    const reader = decodeAll(readFileSync(join(REPO_ROOT, path)), (rec, decoded) => {
      counts.add(decoded, base + rec.frame);
      if (decoded.status === "tcp")
        analyzer.packet(base + rec.frame, rec.tsSec, rec.tsNsec, decoded);
    });
    files.push({
      path,
      packets: reader.packets,
      damaged: reader.error !== undefined,
      gzip: false,
      frameOffset: base,
    });
    frameBase += reader.packets;
  });
  return { analyzer, files, counts };
}

/** One flow's packets, relative seq/ack like `teardown flow`, middle summarised past 2 * KEEP_EACH_END. */
function ladderPackets(
  paths: readonly string[],
  id: number,
): Pick<LadderFlow, "packets" | "omitted"> {
  const all: LadderPacket[] = [];
  const base: Record<Side, number | undefined> = { client: undefined, server: undefined };
  const analyzer: Analyzer = new Analyzer({
    follow: {
      id,
      onPacket: (f, side, frame, p) => {
        const mine = side === "client" ? f.client : f.server;
        const other: Side = side === "client" ? "server" : "client";
        const origin = mine.synFrame !== 0 ? mine.isn : (base[side] ??= p.seq);
        const peer = side === "client" ? f.server : f.client;
        const peerOrigin = peer.synFrame !== 0 ? peer.isn : base[other];
        all.push({
          frame,
          at: analyzer.epochOf(f.endAt),
          from: side,
          flags: p.flags,
          seq: seqDiff(p.seq, origin) >>> 0,
          ack: peerOrigin === undefined ? p.ack : seqDiff(p.ack, peerOrigin) >>> 0,
          len: p.payloadLen,
          window: p.window,
        });
      },
    },
  });
  read(paths, analyzer);
  analyzer.finish();
  if (all.length <= 2 * KEEP_EACH_END) return { packets: all, omitted: null };
  const middle = all.slice(KEEP_EACH_END, all.length - KEEP_EACH_END);
  const bytes = { client: 0, server: 0 };
  for (const p of middle) bytes[p.from] += p.len;
  return {
    packets: [...all.slice(0, KEEP_EACH_END), ...all.slice(all.length - KEEP_EACH_END)],
    omitted: { after: KEEP_EACH_END - 1, packets: middle.length, bytes },
  };
}

function indexRow(f: FlowResult): FlowIndexRow {
  const name = (e: { ip: string; port: number }): string =>
    e.ip.includes(":") ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
  return {
    id: f.id,
    client: name(f.client),
    server: name(f.server),
    start: f.start,
    durationSec: f.end - f.start,
    closedBy: f.closedBy,
    close: f.close,
    findings: [...new Set(f.findings.map((x) => x.kind))],
  };
}

/**
 * The report input for some captures read as one, with ladders for up to `maxLadders` flows:
 * one per finding kind first, then more flows with findings, then the first flows.
 */
export function htmlInput(paths: readonly string[], maxLadders = 6): HtmlInput {
  const results: FlowResult[] = [];
  let baseSec = 0;
  let netstat: NetstatBuilder | undefined;
  const pass = read(
    paths,
    new Analyzer({
      onFlow: (f) => {
        results.push(f.result());
        baseSec = f.baseSec;
        netstat ??= new NetstatBuilder({ timeWaitSec: f.thresholds.timeWaitSec });
        netstat.add(f.flow);
      },
    }),
  );
  const { analyzer, counts, files } = pass;
  const summary = analyzer.finish();
  const chosen = new Map<number, string[]>();
  for (const f of results) {
    for (const x of f.findings) {
      if (chosen.size >= maxLadders) break;
      if ([...chosen.values()].some((kinds) => kinds.includes(x.kind))) continue;
      chosen.set(f.id, [...(chosen.get(f.id) ?? []), x.kind]);
    }
  }
  for (const f of [...results.filter((f) => f.findings.length > 0), ...results]) {
    if (chosen.size >= maxLadders) break;
    if (!chosen.has(f.id))
      chosen.set(f.id, f.findings.length > 0 ? [f.findings[0]!.kind] : ["requested"]);
  }
  const byId = new Map(results.map((f) => [f.id, f]));
  const ladders: LadderFlow[] = [...chosen].map(([id, reasons]) => ({
    flow: byId.get(id)!,
    ...ladderPackets(paths, id),
    reasons,
  }));
  return {
    capture: {
      files,
      packets: counts.total,
      tcpPackets: counts.byStatus.tcp,
      notDecoded: { ...counts.byStatus, tcp: undefined },
      start: analyzer.firstSec < 0 ? 0 : analyzer.firstSec + analyzer.firstNsec * 1e-9,
      end: analyzer.lastSec < 0 ? 0 : analyzer.lastSec + analyzer.lastNsec * 1e-9,
      timestampsBackwards: analyzer.backwards,
      stragglers: analyzer.latePackets,
      peakLiveConnections: analyzer.peakLiveFlows,
      thresholds: analyzer.thresholds,
    },
    summary,
    version: "0.0.0-test",
    flows: { ladders, index: results.map(indexRow), indexOmitted: 0 },
    netstat: (
      netstat ?? new NetstatBuilder({ timeWaitSec: analyzer.thresholds.timeWaitSec })
    ).build(baseSec),
  };
}

/** Strings an attacker can put in a capture, each aimed at a different way out of the report. */
export const HOSTILE = [
  "<script>alert(1)</script>",
  '"><svg onload=alert(1)>',
  "javascript:alert(1)",
  "\u001b[31mred\u001b[0m\u001b]0;title\u0007",
  "nul\u0000byte",
  "]]><!--",
  "\u202eevil\u202c",
  "' onmouseover='alert(1)",
] as const;

const hostileText = HOSTILE.join(" ");

/** An HTTP and TLS context whose request, response and hello carry every hostile string. */
function hostileApp(f: FlowResult): AppResult {
  const frame = f.states.client[1]?.frame ?? 1;
  return {
    protocol: "http",
    http: {
      requests: 1,
      responses: 1,
      exchanges: [
        {
          method: "GET",
          target: `/${hostileText}`,
          version: "HTTP/1.1",
          host: hostileText,
          requestAt: f.start,
          requestFrame: frame,
          requestConnection: null,
          requestComplete: true,
          interim: 0,
          responseAt: f.start,
          responseFrame: frame,
          status: 200,
          reason: hostileText,
          responseConnection: "close",
          bodyFraming: "length",
          contentLength: 5,
          bodyBytes: 5,
          responseComplete: true,
          responseEndAt: f.start,
          responseEndFrame: frame,
        },
      ],
      omitted: 0,
      connectionClose: { client: 0, server: 1 },
      upgraded: null,
      stopped: null,
    },
    tls: {
      clientHelloAt: f.start,
      clientHelloFrame: frame,
      sni: hostileText,
      alpnOffered: [hostileText],
      serverHelloAt: null,
      serverHelloFrame: null,
      firstServerDataAt: null,
      firstServerDataFrame: null,
      version: null,
      alpn: null,
      cipherSuite: null,
      appRecords: { client: 0, server: 0 },
      firstAppDataAt: { client: null, server: null },
      alert: null,
      stopped: null,
    },
  };
}

/**
 * A real input with every piece of text that comes from a capture replaced by hostile strings:
 * file names, server and client addresses (summary, ladders, index) and HTTP/TLS context.
 */
export function hostileInput(base: HtmlInput): HtmlInput {
  const ip = (i: number): string => HOSTILE[i % HOSTILE.length] as string;
  return {
    ...base,
    capture: {
      ...base.capture,
      files: base.capture.files.map((f, i) => ({ ...f, path: `${ip(i)}/${hostileText}.pcap` })),
    },
    summary: {
      ...base.summary,
      servers: base.summary.servers.map((s, i) => ({ ...s, ip: ip(i) })),
      clients: base.summary.clients.map((c, i) => ({ ...c, ip: ip(i + 1) })),
    },
    netstat: {
      ...base.netstat,
      hosts: base.netstat.hosts.map((h, i) => ({ ...h, ip: ip(i + 2) })),
      servers: base.netstat.servers.map((h, i) => ({ ...h, ip: ip(i + 4) })),
    },
    flows: {
      ...base.flows,
      ladders: base.flows.ladders.map((l, i) => ({
        ...l,
        flow: {
          ...l.flow,
          client: { ip: ip(i), port: l.flow.client.port },
          server: { ip: ip(i + 1), port: l.flow.server.port },
          app: hostileApp(l.flow),
        },
        reasons: [...l.reasons, hostileText],
      })),
      index: base.flows.index.map((r, i) => ({
        ...r,
        client: ip(i),
        server: ip(i + 3),
        findings: [...r.findings, ip(i + 5)],
      })),
    },
  };
}
