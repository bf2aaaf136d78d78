/**
 * The flow index: one row per flow (id, client, server, start, duration, how it closed, its
 * findings), the id linked to the flow's ladder when it has one. Each row's id (`f123`) lets the
 * brief link flows without a ladder.
 *
 * Rows are kept short because a capture may hold 100,000 flows and the report must stay a file
 * people can attach to a ticket: plain cells (columns are aligned by the stylesheet), times to
 * the millisecond. Past MAX_INDEX_ROWS rows, and for the flows the analysis left out of the
 * index, a line gives the count of the rest.
 */
import type { FlowIndexRow } from "../../analysis/ladder-flow.js";
import { num, plural } from "../summary-text.js";
import { hostile, text } from "./escape.js";

/** Rows written at most (about 130 bytes each). */
export const MAX_INDEX_ROWS = 50_000;

function closeText(r: FlowIndexRow): string {
  if (r.close === "none") return "open";
  return `${r.closedBy} ${r.close.toUpperCase()}`;
}

export function indexedIds(rows: readonly FlowIndexRow[]): Set<number> {
  return new Set(rows.slice(0, MAX_INDEX_ROWS).map((r) => r.id));
}

export function flowIndexSection(
  rows: readonly FlowIndexRow[],
  omitted: number,
  ladders: ReadonlySet<number>,
  captureStart: number,
): string {
  const shown = rows.slice(0, MAX_INDEX_ROWS);
  const rest = omitted + rows.length - shown.length;
  const body: string[] = [];
  for (const r of shown) {
    const id = ladders.has(r.id) ? `<a href="#flow-${r.id}">${r.id}</a>` : String(r.id);
    body.push(
      `<tr id="f${r.id}"><td>${id}</td><td>${hostile(r.client)}</td><td>${hostile(r.server)}</td>` +
        `<td>${(r.start - captureStart).toFixed(3)}</td><td>${r.durationSec.toFixed(3)}</td>` +
        `<td>${closeText(r)}</td><td>${r.findings.map((k) => hostile(k)).join(" ")}</td></tr>`,
    );
  }
  return (
    `<section id="flows"><h2>Flow index</h2>\n` +
    `<p class="muted">${plural(shown.length, "flow")} listed; start is seconds after the capture's first packet, duration in seconds. Flows with a ladder link to it.</p>\n` +
    `<div class="table-wrap"><table id="flow-index-table" class="sortable index">` +
    `<thead><tr><th scope="col">id</th><th scope="col">client</th><th scope="col">server</th>` +
    `<th scope="col">start (+s)</th><th scope="col">duration (s)</th><th scope="col">close</th><th scope="col">findings</th></tr></thead>\n<tbody>\n` +
    body.join("\n") +
    `\n</tbody></table></div>\n` +
    (rest > 0
      ? `<p>${text(`And ${plural(rest, "more flow")} not listed`)} (all are in <code>--json</code>; ${num(rows.length + omitted)} in all).</p>\n`
      : "") +
    `</section>`
  );
}
