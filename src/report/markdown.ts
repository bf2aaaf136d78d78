/**
 * The incident brief as GitHub-flavoured Markdown, to paste into a ticket: the capture line, who
 * closed first, then tables of findings, servers, top clients and the thresholds used. It says
 * what the terminal brief says (brief.ts), in tables, with every server and more examples.
 *
 * Text from the capture (file names, addresses) is hostile until shown otherwise: it goes into
 * code spans, where Markdown makes no links, emphasis or HTML, with control characters and
 * bidirectional overrides shown escaped and pipes kept out of table cells. Teardown's own prose
 * (the catalogues) is backslash-escaped. Flow ids are written as code (`#12`): bare, GitHub
 * would link them to issue 12.
 *
 * Limitations: the servers and clients tables are cut (MAX_SERVERS, MAX_CLIENTS), and each
 * finding lists a few example flows; the JSON has the rest.
 */
import {
  FINDING_KINDS,
  isoTime,
  OTHER_ENDPOINTS,
  THRESHOLDS,
  thresholdText,
  type CaptureSummary,
  type ServerSummary,
  type ThresholdName,
} from "../analysis/index.js";
import type { ReportInput } from "./report-input.js";
import {
  exampleFlows,
  num,
  pct,
  plural,
  presentAggregates,
  presentKinds,
  serverName,
} from "./summary-text.js";
import { escapeForTerminal } from "./terminal.js";

/** Rows of the servers and clients tables; the remainder is counted in a line below. */
const MAX_SERVERS = 25;
const MAX_CLIENTS = 10;
/** Example flow ids per finding kind. */
const EXAMPLES = 5;

// Unicode bidirectional embeddings, overrides and isolates: in a file name they can make the
// text read differently from what it is (CVE-2021-42574, "Trojan Source").
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/g;

/** Text from the capture with control characters and bidi controls shown escaped. */
function visible(text: string): string {
  return escapeForTerminal(text).replace(
    BIDI_CONTROLS,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * A code span holding `text` exactly (once made visible). Inside one, Markdown interprets
 * nothing: no links (autolinks included), no emphasis, no HTML. The fence is one backtick longer
 * than the longest run inside, and padded when the text starts or ends with a backtick or space
 * (CommonMark 6.1 strips one space from each side).
 */
function code(text: string, inCell = false): string {
  let t = visible(text);
  // GFM splits table rows on pipes before it reads code spans, and `\|` would not help after a
  // backslash from the text; a pipe in a cell is shown escaped like a control character.
  if (inCell) t = t.replace(/\|/g, "\\x7c");
  if (t === "") return "(empty)";
  const longest = Math.max(0, ...(t.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = /^[ `]|[ `]$/.test(t) ? " " : "";
  return `${fence}${pad}${t}${pad}${fence}`;
}

/** Teardown's own prose, with every Markdown metacharacter escaped and line breaks joined. */
function prose(text: string): string {
  return text.replace(/[\\`*_[\]<>#|&!~]/g, (c) => `\\${c}`).replace(/\s*[\r\n]+\s*/g, " ");
}

const flowRef = (id: number): string => `\`#${id}\``;

/** An endpoint as address:port, IPv6 in brackets, for a table cell. */
function endpointCell(s: ServerSummary): string {
  return s.ip === OTHER_ENDPOINTS ? OTHER_ENDPOINTS : code(serverName(s), true);
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(" | ")} |`;
}

function table(head: readonly string[], align: readonly ("l" | "r")[], rows: string[][]): string[] {
  return [
    row(head),
    row(align.map((a) => (a === "r" ? "---:" : "---"))),
    ...rows.map((r) => row(r)),
  ];
}

/** A command line argument quoted for a POSIX shell when it needs to be. */
function shellArg(arg: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function captureLines(input: ReportInput): string[] {
  const c = input.capture;
  const s = input.summary;
  const files = c.files.map((f) => {
    const notes = [
      ...(f.gzip ? ["gzip"] : []),
      ...(f.damaged ? ["damaged: read stopped early"] : []),
    ];
    return code(f.path) + (notes.length > 0 ? ` (${notes.join(", ")})` : "");
  });
  const span = c.end >= c.start ? c.end - c.start : 0;
  const counts = [
    plural(s.connections, "connection"),
    plural(s.probes, "probe"),
    ...(s.refused > 0 ? [`${num(s.refused)} refused`] : []),
    ...(s.unanswered > 0 ? [`${num(s.unanswered)} unanswered`] : []),
  ];
  const lines = [
    `${files.join(", ")}: ${plural(c.packets, "packet")} (${num(c.tcpPackets)} TCP) over ` +
      `${span.toFixed(1)} s; ${counts.join(", ")}.`,
  ];
  const notes: string[] = [];
  if (c.packets > 0 && c.start > 0) {
    notes.push(`Captured from ${isoTime(c.start)} to ${isoTime(c.end)}.`);
  }
  const notDecoded = Object.entries(c.notDecoded)
    .filter((e): e is [string, number] => e[1] !== undefined && e[1] > 0)
    .map(([status, n]) => `${num(n)} ${prose(status)}`);
  if (notDecoded.length > 0) notes.push(`Not decoded to TCP: ${notDecoded.join(", ")}.`);
  if (c.timestampsBackwards > 0) {
    notes.push(
      `${plural(c.timestampsBackwards, "TCP packet")} timestamped earlier than a packet before: durations may be off.`,
    );
  }
  if (c.finishedEarly > 0) {
    notes.push(
      `${plural(c.finishedEarly, "connection")} finished early, the quietest first: more were alive at once than --max-live-connections lets teardown follow.`,
    );
  }
  if (notes.length > 0) lines.push("", notes.join(" "));
  if (s.connections > 0) {
    lines.push(
      "",
      `Closed first by the client in ${pct(s.closedBy.client, s.connections)}, by the server in ${pct(s.closedBy.server, s.connections)}` +
        (s.closedBy.none > 0 ? `, not closed in ${pct(s.closedBy.none, s.connections)}` : "") +
        `. TIME_WAIT held by clients: ${num(s.timeWait.client)}, by servers: ${num(s.timeWait.server)}.`,
    );
  }
  return lines;
}

function findingsSection(s: CaptureSummary): string[] {
  const kinds = presentKinds(s);
  if (s.flows === 0) return ["No TCP connections in this capture."];
  if (kinds.length === 0)
    return [
      presentAggregates(s).length > 0
        ? "No findings on single connections: each one opened and closed cleanly."
        : "No findings: every connection opened and closed cleanly.",
    ];
  return table(
    ["kind", "severity", "count", "meaning", "example flows"],
    ["l", "l", "r", "l", "l"],
    kinds.map((kind) => {
      const info = FINDING_KINDS[kind];
      return [
        `\`${kind}\``,
        info.severity,
        num(s.byKind[kind] ?? 0),
        prose(info.meaning),
        exampleFlows(s, kind, EXAMPLES).map(flowRef).join(" "),
      ];
    }),
  );
}

/** Each server's aggregate findings; the detail holds text from packets (a code span). */
function perServerSection(s: CaptureSummary): string[] {
  return table(
    ["server", "kind", "what its connections show", "example flows"],
    ["l", "l", "l", "l"],
    presentAggregates(s).map(({ server, finding }) => [
      endpointCell(server),
      `\`${finding.kind}\``,
      code(finding.detail, true),
      finding.flows.slice(0, EXAMPLES).map(flowRef).join(" "),
    ]),
  );
}

/** A duration with a unit, precise enough for FIN gaps. */
function gapDuration(s: number): string {
  if (s >= 100) return `${s.toFixed(1)} s`;
  if (s >= 1) return `${s.toFixed(3)} s`;
  if (s >= 0.001) return `${(s * 1000).toFixed(1)} ms`;
  return `${Math.round(s * 1e6)} µs`;
}

/**
 * An endpoint's FIN gaps (first FIN to the other side's FIN, analysis/fin-gap.ts): how many, p50,
 * p90, the longest (≈: percentiles from buckets, within 7.5%), then the connections still waiting
 * for the second FIN when the capture ended.
 */
function finGapCell(g: ServerSummary["finGap"]): string {
  const parts: string[] = [];
  if (g.count > 0 && g.p50Sec !== null && g.p90Sec !== null && g.maxSec !== null) {
    const approx = g.exact ? "" : "≈";
    parts.push(
      `${num(g.count)}: p50 ${approx}${gapDuration(g.p50Sec)}, p90 ${approx}${gapDuration(g.p90Sec)}, max ${gapDuration(g.maxSec)}`,
    );
  }
  if (g.open > 0) parts.push(`**${num(g.open)} open at end**`);
  return parts.length === 0 ? "-" : parts.join("; ");
}

function serversSection(s: CaptureSummary): string[] {
  const servers = s.servers.slice(0, MAX_SERVERS);
  const lines = table(
    [
      "server",
      "connections",
      "probes",
      "refused / unanswered",
      "closed first by client",
      "closed first by server",
      "TIME_WAIT held by",
      "FIN gap",
      "findings",
    ],
    ["l", "r", "r", "r", "r", "r", "l", "l", "l"],
    servers.map((sv) => [
      endpointCell(sv),
      num(sv.connections),
      num(sv.probes),
      `${num(sv.refused)} / ${num(sv.unanswered)}`,
      sv.connections > 0 ? pct(sv.closedBy.client, sv.connections) : "",
      sv.connections > 0 ? pct(sv.closedBy.server, sv.connections) : "",
      `client ${num(sv.timeWait.client)}, server ${num(sv.timeWait.server)}`,
      finGapCell(sv.finGap),
      sv.findings.map((f) => `\`${f.kind}\` ${num(f.count)}`).join(", "),
    ]),
  );
  if (s.servers.length > servers.length) {
    lines.push("", `And ${plural(s.servers.length - servers.length, "more server")} (see --json).`);
  }
  return lines;
}

function clientsSection(s: CaptureSummary): string[] {
  const active = s.clients.filter((c) => c.connections + c.probes > 0);
  const clients = active.slice(0, MAX_CLIENTS);
  const lines = table(
    ["client", "connections", "probes", "TIME_WAIT held", "FIN_WAIT_2 reached", "FIN gap"],
    ["l", "r", "r", "r", "r", "l"],
    clients.map((c) => [
      c.ip === OTHER_ENDPOINTS ? OTHER_ENDPOINTS : code(c.ip, true),
      num(c.connections),
      num(c.probes),
      num(c.timeWait),
      num(c.finWait2),
      finGapCell(c.finGap),
    ]),
  );
  if (active.length > clients.length) {
    lines.push("", `And ${plural(active.length - clients.length, "more client")} (see --json).`);
  }
  return lines;
}

function thresholdsSection(input: ReportInput): string[] {
  return table(
    ["option", "value", "meaning"],
    ["l", "r", "l"],
    (Object.keys(THRESHOLDS) as ThresholdName[]).map((name) => [
      `\`${THRESHOLDS[name].option}\``,
      thresholdText(name, input.capture.thresholds[name]),
      prose(THRESHOLDS[name].meaning),
    ]),
  );
}

/** The brief and tables as GitHub-flavoured Markdown, for a ticket. */
/** The files of a rotation set, in the order read: span, packets, gaps and trouble. */
function filesSection(input: ReportInput): string[] {
  const iso = (t: number | null | undefined): string => (t == null ? "-" : isoTime(t));
  const rows = input.capture.files.map((f) => {
    const notes = [
      ...(f.gapBefore != null && f.gapBefore < 0
        ? [`overlaps the previous by ${(-f.gapBefore).toFixed(3)} s`]
        : []),
      ...(f.damaged ? ["damaged: read up to the error"] : []),
      ...(!f.damaged && (f.diagnostics ?? 0) > 0 ? [plural(f.diagnostics ?? 0, "warning")] : []),
      ...(f.gzip ? ["gzip"] : []),
    ];
    return [
      code(f.path, true),
      num(f.packets),
      iso(f.first),
      iso(f.last),
      f.gapBefore == null ? "-" : `${f.gapBefore.toFixed(3)} s`,
      String(f.frameOffset ?? "-"),
      notes.join("; "),
    ];
  });
  return table(
    ["file", "packets", "first packet", "last packet", "gap before", "frame offset", "notes"],
    ["l", "r", "l", "l", "r", "r", "l"],
    rows,
  );
}

export function formatMarkdown(input: ReportInput): string {
  const s = input.summary;
  const lines: string[] = [
    "## teardown: how the TCP connections ended",
    "",
    ...captureLines(input),
    "",
  ];
  // What a server's connections show together leads, as in the brief.
  if (presentAggregates(s).length > 0) lines.push("### Per server", "", ...perServerSection(s), "");
  lines.push("### Findings", "", ...findingsSection(s));
  if (s.servers.length > 0) lines.push("", "### Servers", "", ...serversSection(s));
  if (s.clients.some((c) => c.connections + c.probes > 0)) {
    lines.push("", "### Top clients", "", ...clientsSection(s));
  }
  if (input.capture.files.length > 1) lines.push("", "### Files", "", ...filesSection(input));
  lines.push("", "### Thresholds used", "", ...thresholdsSection(input));
  if (s.flows > 0) {
    const example = presentKinds(s).map((k) => exampleFlows(s, k, 1)[0])[0] ?? 1;
    const files = input.capture.files.map((f) => shellArg(f.path));
    lines.push(
      "",
      "To see one flow as a ladder of packets and states: `teardown flow <capture...> <id>`, " +
        `for example ${code(["teardown", "flow", ...files, String(example)].join(" "))}.`,
    );
  }
  lines.push("", `Made by teardown ${code(input.version)}.`);
  return lines.join("\n") + "\n";
}
