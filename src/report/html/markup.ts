/**
 * Small markup builders the report's sections share: tables, and links to a flow's ladder or
 * its row in the flow index. Cells are given as markup that the caller has already escaped.
 */
import type { FindingKind } from "../../analysis/index.js";
import { num } from "../summary-text.js";

/** The finding kinds that explain a RST, in the order a RST is matched against them. */
export const RST_KINDS: readonly FindingKind[] = [
  "rst-unread-data",
  "rst-after-close",
  "refused",
  "abortive-close",
];

export interface Column {
  /** Heading text (teardown's own words, escaped here). */
  readonly head: string;
  /** Numbers: right-aligned, sorted numerically by the script. */
  readonly num?: boolean;
}

/**
 * A cell whose text does not sort well (several figures on lines of their own) with the number
 * the script sorts it by (`data-v`).
 */
export interface SortedCell {
  readonly html: string;
  readonly sortBy: number;
}

export interface TableOptions {
  readonly id?: string;
  readonly caption?: string;
  /** Sortable by the inline script when it runs. */
  readonly sortable?: boolean;
}

export function table(
  columns: readonly Column[],
  rows: readonly (readonly (string | SortedCell)[])[],
  opts: TableOptions = {},
): string {
  const head = columns
    .map((c) => `<th scope="col"${c.num === true ? ' class="num"' : ""}>${c.head}</th>`)
    .join("");
  const body = rows
    .map((r) => `<tr>${r.map((cell, i) => td(cell, columns[i]?.num === true)).join("")}</tr>`)
    .join("\n");
  return (
    `<div class="table-wrap"><table${opts.id !== undefined ? ` id="${opts.id}"` : ""}${opts.sortable === true ? ' class="sortable"' : ""}>` +
    (opts.caption !== undefined ? `<caption>${opts.caption}</caption>` : "") +
    `<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody></table></div>`
  );
}

function td(cell: string | SortedCell, num: boolean): string {
  const cls = num ? ' class="num"' : "";
  if (typeof cell === "string") return `<td${cls}>${cell}</td>`;
  return `<td${cls} data-v="${Number.isFinite(cell.sortBy) ? cell.sortBy : -1}">${cell.html}</td>`;
}

/** Where a flow can be shown: the flows with a ladder, and those in the index as rendered. */
export interface FlowTargets {
  readonly ladders: ReadonlySet<number>;
  readonly indexed: ReadonlySet<number>;
}

/** A flow id linked to its ladder, else to its index row, else plain. */
export function flowLink(id: number, targets: FlowTargets): string {
  const label = `#${num(id)}`;
  if (targets.ladders.has(id)) return `<a href="#flow-${id}">${label}</a>`;
  if (targets.indexed.has(id)) return `<a href="#f${id}">${label}</a>`;
  return label;
}

/** A time as ISO 8601 UTC, to the millisecond (a capture's epoch seconds). */
export { isoTime } from "../../analysis/index.js";

/** A duration in seconds with a unit, precise enough for gaps and timeouts. */
export function duration(s: number): string {
  if (s >= 100) return `${s.toFixed(1)} s`;
  if (s >= 1) return `${s.toFixed(3)} s`;
  if (s >= 0.001) return `${(s * 1000).toFixed(1)} ms`;
  return `${Math.round(s * 1e6)} µs`;
}
