/**
 * The incident brief `teardown analyze` prints: what the capture holds, the findings that
 * matter most with their meaning, the servers most affected, and who holds TIME_WAIT. Short
 * enough to read in the middle of an incident; the JSON has everything else.
 */
import { FINDING_KINDS, timeOfDay } from "../analysis/index.js";
import type { CaptureFileInfo, ReportInput } from "./report-input.js";
import {
  exampleDetail,
  exampleFlows,
  pct,
  plural,
  presentAggregates,
  presentKinds,
  serverName,
} from "./summary-text.js";
import { escapeForTerminal } from "./terminal.js";

/** Files further apart than this are said to leave a gap (time the set does not cover). */
const GAP_NOTE_SEC = 1;

/** The files of a set, in the order read, with what is odd about each. */
function fileLines(files: readonly CaptureFileInfo[]): string[] {
  const lines = ["Files (in the order of their first packet):"];
  // The link types of the first file with packets: a file without any has none to differ in.
  const firstLinks = files.find((f) => (f.linkTypes?.length ?? 0) > 0)?.linkTypes?.join(",");
  for (const f of files) {
    const notes: string[] = [];
    if (f.gapBefore != null && f.gapBefore > GAP_NOTE_SEC)
      notes.push(`${f.gapBefore.toFixed(1)} s not covered before it`);
    if (f.gapBefore != null && f.gapBefore < 0)
      notes.push(`overlaps the previous file by ${(-f.gapBefore).toFixed(3)} s`);
    if (f.damaged) notes.push("damaged: read up to the error");
    else if ((f.diagnostics ?? 0) > 0) notes.push(plural(f.diagnostics ?? 0, "warning"));
    if (f.gzip) notes.push("gzip");
    if (f.linkTypes !== undefined && f.linkTypes.length > 0 && f.linkTypes.join(",") !== firstLinks)
      notes.push(`link type ${f.linkTypes.join(", ")}`);
    const span =
      f.first == null || f.last == null
        ? "no packets"
        : `${timeOfDay(f.first)}-${timeOfDay(f.last)} UTC`;
    lines.push(
      `  ${escapeForTerminal(f.path)}  ${plural(f.packets, "packet")}  ${span}` +
        (notes.length > 0 ? `  (${notes.join("; ")})` : ""),
    );
  }
  return lines;
}

export function formatBrief(input: ReportInput): string {
  const s = input.summary;
  const c = input.capture;
  const files = c.files.map((f) => f.path);
  const lines: string[] = [];
  const span = c.end >= c.start ? c.end - c.start : 0;
  const named =
    files.length > 3 ? `${files.length} files` : files.map(escapeForTerminal).join(", ");
  lines.push(
    `${named}: ${plural(c.packets, "packet")} (${c.tcpPackets.toLocaleString("en-US")} TCP) over ${span.toFixed(1)} s; ` +
      [
        plural(s.connections, "connection"),
        plural(s.probes, "probe"),
        ...(s.refused > 0 ? [`${s.refused.toLocaleString("en-US")} refused`] : []),
        ...(s.unanswered > 0 ? [`${s.unanswered.toLocaleString("en-US")} unanswered`] : []),
      ].join(", "),
  );
  if (s.connections > 0) {
    lines.push(
      `Closed first by the client in ${pct(s.closedBy.client, s.connections)}, by the server in ${pct(s.closedBy.server, s.connections)}` +
        (s.closedBy.none > 0 ? `, not closed in ${pct(s.closedBy.none, s.connections)}` : "") +
        `. TIME_WAIT held by clients: ${s.timeWait.client}, by servers: ${s.timeWait.server}.`,
    );
  }

  // What the connections show together leads: it is the "why" and "how many" of an incident.
  const aggregates = presentAggregates(s);
  if (aggregates.length > 0) {
    lines.push("", "Per server:");
    for (const { server, finding } of aggregates) {
      const info = FINDING_KINDS[finding.kind];
      lines.push(
        `  ! ${escapeForTerminal(serverName(server))} ${finding.kind}: ${escapeForTerminal(finding.detail)}`,
        `      ${info.title}; e.g. flows ${finding.flows.slice(0, 5).join(", ")}`,
      );
    }
  }

  const kinds = presentKinds(s);
  if (s.flows === 0) {
    lines.push("", "No TCP connections in this capture.");
  } else if (kinds.length === 0) {
    lines.push(
      "",
      aggregates.length > 0
        ? "No findings on single connections: each one opened and closed cleanly."
        : "No findings: every connection opened and closed cleanly.",
    );
  } else {
    lines.push("", "Findings:");
    for (const kind of kinds) {
      const info = FINDING_KINDS[kind];
      const examples = exampleFlows(s, kind, 5);
      const detail = exampleDetail(s, kind);
      lines.push(
        `  ${info.severity === "warning" ? "!" : "-"} ${kind} (${s.byKind[kind]}): ${info.meaning}`,
        ...(detail !== undefined
          ? [`      e.g. flow ${examples[0]}: ${escapeForTerminal(detail)}`]
          : []),
        `      flows ${examples.join(", ")}; usual causes: ${info.causes[0] ?? ""}`,
      );
    }
  }

  const servers = s.servers.slice(0, 5);
  if (servers.length > 0) {
    lines.push("", "Servers:");
    for (const sv of servers) {
      const top = sv.findings
        .filter((f) => FINDING_KINDS[f.kind].severity === "warning")
        .slice(0, 3)
        .map((f) => `${f.kind} ${f.count}`)
        .join(", ");
      lines.push(
        `  ${escapeForTerminal(sv.ip.includes(":") ? `[${sv.ip}]` : sv.ip)}:${sv.port}  ${plural(sv.connections, "connection")}` +
          (sv.probes > 0 ? ` + ${plural(sv.probes, "probe")}` : "") +
          (sv.refused > 0 ? `, ${sv.refused} refused` : "") +
          (sv.unanswered > 0 ? `, ${sv.unanswered} unanswered` : "") +
          (sv.connections > 0
            ? `; server closed first in ${pct(sv.closedBy.server, sv.connections)}`
            : "") +
          (top !== "" ? `; ${top}` : ""),
      );
    }
  }
  const clients = s.clients.filter((c) => c.connections > 0).slice(0, 5);
  if (clients.length > 0) {
    lines.push("", "Clients:");
    for (const c of clients) {
      lines.push(
        `  ${escapeForTerminal(c.ip)}  ${plural(c.connections, "connection")}` +
          (c.probes > 0 ? ` + ${plural(c.probes, "probe")}` : "") +
          `; TIME_WAIT held here: ${c.timeWait}; FIN_WAIT_2 reached: ${c.finWait2}` +
          (c.newPerSec !== null ? `; ${c.newPerSec} new connections/s` : ""),
      );
    }
  }
  if (c.files.length > 1) lines.push("", ...fileLines(c.files));
  return lines.join("\n");
}
