/**
 * The ladders section: a legend, then for each flow chosen for a ladder (the most telling
 * examples of each finding, and flows asked for with --flow) a heading with its endpoints, how it
 * ended and why it was chosen, the SVG ladder, and its findings explained from the catalogue
 * with the frames that show them (the numbers to type into Wireshark's `frame.number == N`).
 */
import { FINDING_KINDS, type FindingKind, type FlowResult } from "../../analysis/index.js";
import type { LadderFlow } from "../../analysis/ladder-flow.js";
import { plural } from "../summary-text.js";
import { endpoint, hostile, text } from "./escape.js";
import { fileFrame, frameLabel, ladderSvg, rstKinds, type LadderContext } from "./ladder-svg.js";
import { duration, RST_KINDS } from "./markup.js";

const LEGEND = [
  "Time runs down. Each arrow is one packet, labelled like tcpdump: [flags] (S SYN, F FIN, R RST, P PSH, . ACK), then seq and ack relative to each side's first sequence number, the window and the payload length.",
  "Left margin: time since the flow's first packet, and the frame number Wireshark gives it.",
  "Bands along each lifeline: the socket state inferred for that side, named at the start of each band (half-closed states dashed, TIME_WAIT with a thick border); TIME_WAIT is drawn until it runs out, or to the edge.",
  "Brackets on the right: silences (idle) and the FIN gap, the time from the first FIN to the other side's FIN or RST.",
  "A zigzag band breaks the time axis: a long silence, or the middle of a long flow left out, with what it holds.",
  "RST arrows are red and dashed, with the finding that explains them written under them; each kind has its own dash pattern.",
];

function kindIsRst(kind: string): kind is FindingKind {
  return (RST_KINDS as readonly string[]).includes(kind);
}

function reasonText(reason: string): string {
  if (reason in FINDING_KINDS) return `<a href="#kind-${reason}"><code>${reason}</code></a>`;
  if (reason === "requested") return "requested";
  return `<code>${hostile(reason)}</code>`;
}

function summaryLine(flow: FlowResult): string {
  const close =
    flow.close === "none"
      ? "not closed in the capture"
      : `closed first by the ${flow.closedBy} with ${flow.close.toUpperCase()}`;
  const timeWait = flow.timeWait === "none" ? "" : `; TIME_WAIT on the ${flow.timeWait}`;
  return (
    `handshake ${text(flow.handshake)}; ${close}${timeWait}; ${duration(Math.max(0, flow.end - flow.start))}; ` +
    `${plural(flow.packets.client, "packet")} (${plural(flow.bytes.client, "byte")}) from the client, ` +
    `${plural(flow.packets.server, "packet")} (${plural(flow.bytes.server, "byte")}) from the server; ` +
    `Zeek <code>${text(flow.zeek.connState)}</code> <code>${text(flow.zeek.history)}</code>`
  );
}

function findingsList(flow: FlowResult, ctx: LadderContext): string {
  if (flow.findings.length === 0) return "<p>No findings: this flow opened and closed cleanly.</p>";
  const items = flow.findings.map((f) => {
    const info = FINDING_KINDS[f.kind];
    const frames = f.evidence.map((fr) => `<code>${frameLabel(ctx, fr)}</code>`).join(" ");
    return (
      `<li class="finding ${info.severity}"><p><span class="sev sev-${info.severity}">${info.severity}</span> ` +
      `<strong>${text(info.title)}</strong> <a href="#kind-${f.kind}"><code>${f.kind}</code></a>` +
      `${f.side !== "none" ? ` (${f.side})` : ""}: ${hostile(f.detail)}.</p>` +
      `<p>${text(info.meaning)}</p>` +
      (frames !== "" ? `<p class="muted">Frames: ${frames}</p>` : "") +
      `</li>`
    );
  });
  return `<ul class="findings">${items.join("\n")}</ul>`;
}

function wiresharkHint(lf: LadderFlow, ctx: LadderContext): string {
  const first = lf.packets[0];
  if (first === undefined) return "";
  const at = fileFrame(ctx.frameOffsets, first.frame);
  const c = lf.flow.client;
  const s = lf.flow.server;
  const filter = `tcp.port == ${c.port} and tcp.port == ${s.port}`;
  return (
    `<p class="muted">In Wireshark: <code>${filter}</code>, or <code>frame.number == ${at.frame}</code>` +
    (ctx.frameOffsets.length > 1 ? ` in file ${at.file + 1}` : "") +
    ` for its first packet.</p>`
  );
}

function ladderSection(lf: LadderFlow, ctx: LadderContext): string {
  const flow = lf.flow;
  const rsts = [...new Set(rstKinds(flow).values())].filter(kindIsRst);
  const rstNote =
    rsts.length > 0
      ? `<p>${rsts.map((k) => `<strong>${text(FINDING_KINDS[k].title)}</strong>: ${text(FINDING_KINDS[k].meaning)}`).join("<br/>")}</p>`
      : "";
  return (
    `<section class="ladder" id="flow-${flow.id}">` +
    `<h3>Flow ${flow.id}: ${endpoint(flow.client)} to ${endpoint(flow.server)}</h3>` +
    `<p>Chosen for: ${lf.reasons.map(reasonText).join(", ")}. ${summaryLine(flow)}.</p>` +
    wiresharkHint(lf, ctx) +
    `<figure class="ladder-fig">${ladderSvg(lf, ctx)}` +
    `<figcaption>Flow ${flow.id}: ${plural(lf.packets.length, "packet")} drawn` +
    (lf.omitted !== null
      ? `, ${plural(lf.omitted.packets, "packet")} in the middle summarised`
      : "") +
    `.</figcaption></figure>` +
    rstNote +
    findingsList(flow, ctx) +
    `</section>`
  );
}

export function laddersSection(ladders: readonly LadderFlow[], ctx: LadderContext): string {
  if (ladders.length === 0) return "";
  return (
    `<section id="ladders"><h2>Flow ladders</h2>\n` +
    `<details class="legend"><summary>How to read a ladder</summary><ul>${LEGEND.map((l) => `<li>${text(l)}</li>`).join("")}</ul></details>\n` +
    ladders.map((lf) => ladderSection(lf, ctx)).join("\n") +
    `\n</section>`
  );
}
