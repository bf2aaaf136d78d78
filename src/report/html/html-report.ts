/**
 * The HTML report (`teardown analyze --html FILE`): one self-contained file to attach to an
 * incident ticket. In order: what was read and the brief, the per-server and per-client tables,
 * the reconstructed netstat, the flow ladders, the flow index, then the files and thresholds.
 * It makes no request, reads fully with scripts disabled (the inline script only sorts and
 * filters tables) and prints cleanly; see document.ts for its Content-Security-Policy and
 * escape.ts for how captured text is kept inert.
 *
 * All SVG is drawn on the server, in one DOM reused for the whole report (svg-canvas.ts).
 */
import type { NetstatSummary } from "../../analysis/netstat.js";
import type { ReportFlows } from "../../analysis/ladder-flow.js";
import type { ReportInput } from "../report-input.js";
import { plural } from "../summary-text.js";
import { htmlDocument } from "./document.js";
import { hostile, text } from "./escape.js";
import { flowIndexSection, indexedIds } from "./flow-index.js";
import { headerSections, referenceSections } from "./header.js";
import { laddersSection } from "./ladders.js";
import { netstatSection } from "./netstat-chart.js";
import { SvgCanvas } from "./svg-canvas.js";
import { clientsSection, serversSection } from "./tables.js";

export type HtmlReportInput = ReportInput & {
  readonly flows: ReportFlows;
  readonly netstat?: NetstatSummary;
};

function title(input: ReportInput): string {
  const files = input.capture.files;
  const first = files[0];
  if (first === undefined) return "teardown report";
  const name = first.path.split("/").pop() ?? first.path;
  return `teardown: ${hostile(name)}${files.length > 1 ? ` and ${plural(files.length - 1, "more file")}` : ""}`;
}

function toc(has: Record<string, boolean>): string {
  const items: [string, string][] = [
    ["capture", "Capture"],
    ["brief", "Brief"],
    ["servers", "Servers"],
    ["clients", "Clients"],
    ["netstat", "Netstat"],
    ["ladders", "Ladders"],
    ["flows", "Flow index"],
    ["files", "Files"],
    ["thresholds", "Thresholds"],
  ];
  return `<nav class="toc" aria-label="Sections"><ul>${items
    .filter(([id]) => has[id] !== false)
    .map(([id, label]) => `<li><a href="#${id}">${label}</a></li>`)
    .join("")}</ul></nav>`;
}

export function renderHtmlReport(input: HtmlReportInput): string {
  const canvas = new SvgCanvas();
  const ladderIds = new Set(input.flows.ladders.map((l) => l.flow.id));
  const targets = { ladders: ladderIds, indexed: indexedIds(input.flows.index) };
  const ctx = {
    canvas,
    frameOffsets: input.capture.files.map((f) => f.frameOffset ?? 0),
  };
  const sections = {
    header: headerSections(input, targets),
    servers: serversSection(input.summary),
    clients: clientsSection(input.summary),
    netstat: netstatSection(canvas, input.netstat, input.capture.start),
    ladders: laddersSection(input.flows.ladders, ctx),
    flows: flowIndexSection(
      input.flows.index,
      input.flows.indexOmitted,
      ladderIds,
      input.capture.start,
    ),
    reference: referenceSections(input),
  };
  const body = [
    `<header><h1>${title(input)}</h1>`,
    toc({
      clients: sections.clients !== "",
      netstat: sections.netstat !== "",
      ladders: sections.ladders !== "",
      files: input.capture.files.length > 1,
    }),
    `</header>`,
    `<main>`,
    sections.header,
    sections.servers,
    sections.clients,
    sections.netstat,
    sections.ladders,
    sections.flows,
    sections.reference,
    `</main>`,
  ]
    .filter((x) => x !== "")
    .join("\n");
  return htmlDocument(title(input), `teardown ${text(input.version)}`, body);
}
