/**
 * Inputs for the HTML report tests, built from real captures in-process: the ReportInput as
 * `teardown analyze` gives it, plus the ReportFlows the analysis collects for the report
 * (ladders with their packets, and the flow index). Also a hostile variant, whose file name,
 * addresses and HTTP context carry markup, script URLs, ANSI escapes and NUL bytes.
 */
import assert from "node:assert/strict";
import {
  Analyzer,
  DEFAULT_REPORT_FLOW_OPTIONS,
  type AppResult,
  type FlowResult,
  type NetstatSummary,
  type ReportFlows,
} from "../../src/analysis/index.js";
import type { ReportInput } from "../../src/report/index.js";
import { captureInfo, readCaptures } from "./read-report-input.js";

export type HtmlInput = ReportInput & {
  readonly flows: ReportFlows;
  readonly netstat: NetstatSummary;
};

/**
 * The report input for some captures read as one, as `teardown analyze --html` builds it: the
 * ladders (at most `maxLadders`) and the flow index chosen by the analysis, the netstat of the
 * summary.
 */
export function htmlInput(paths: readonly string[], maxLadders = 6): HtmlInput {
  const analyzer = new Analyzer({ report: { ...DEFAULT_REPORT_FLOW_OPTIONS, maxLadders } });
  const read = readCaptures(paths, analyzer);
  const summary = analyzer.finish();
  const flows = analyzer.reportFlows();
  assert.ok(flows !== undefined && summary.netstat !== undefined);
  return {
    capture: captureInfo(analyzer, read),
    summary,
    version: "0.0.0-test",
    flows,
    netstat: summary.netstat,
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
