/**
 * The per-server and per-client tables: connections, who closed first, who holds TIME_WAIT,
 * requests per connection, the RSTs by the finding that explains them, the distribution of FIN
 * gaps with the findings about them, and the other findings, with links to each kind's entry in
 * the brief. Addresses come from the capture and are escaped as hostile.
 *
 * Limitations: requests are counted only on connections parsed as HTTP/1.x (TLS hides them).
 * Past 32 gaps an endpoint's FIN-gap percentiles come from log-scale buckets and are marked
 * approximate (≈, within 7.5%; see analysis/fin-gap.ts). The script sorts these two columns by
 * the mean requests and the median gap (cells without any, first). Servers past MAX_SERVERS
 * and clients past the summary's cut are counted in a line below each table.
 */
import {
  OTHER_ENDPOINTS,
  type CaptureSummary,
  type FindingKind,
  type KindCount,
  type ServerSummary,
} from "../../analysis/index.js";
import { num, pct, plural, serverName } from "../summary-text.js";
import { hostile } from "./escape.js";
import { duration, RST_KINDS, table, type SortedCell } from "./markup.js";

/** Rows of the servers table (the summary keeps up to 10,000). */
const MAX_SERVERS = 200;

const GAP_KINDS: readonly FindingKind[] = ["long-fin-gap", "close-wait-at-end", "server-silent"];

function kindCounts(
  list: readonly KindCount[],
  kinds: readonly FindingKind[] | null,
  exclude: readonly FindingKind[] = [],
): string {
  return list
    .filter((k) => (kinds === null || kinds.includes(k.kind)) && !exclude.includes(k.kind))
    .map((k) => `<a href="#kind-${k.kind}"><code>${k.kind}</code></a> ${num(k.count)}`)
    .join(", ");
}

/**
 * Lines of a cell, each kept whole (no break inside "p90 5.213 s"): the servers table is wide,
 * and a browser squeezing it would otherwise break between a number and its unit.
 */
const lines = (parts: readonly string[]): string =>
  parts.map((p) => p.replace(/ /g, "\u00a0")).join("<br/>");

/**
 * Requests per HTTP connection: the mean, then connections by their number of requests (sorted
 * by the mean).
 */
function requestsPerConnection(http: ServerSummary["http"]): SortedCell {
  if (http === undefined) return { html: "—", sortBy: -1 };
  const mean = http.connections > 0 ? http.requests / http.connections : 0;
  const by = Object.entries(http.requestsPerConnection)
    .filter(([, n]) => n > 0)
    .map(([requests, n]) => `${requests}: ${num(n)}`);
  return { html: lines([`mean ${mean.toFixed(1)}`, ...by]), sortBy: mean };
}

/**
 * An endpoint's FIN gaps: how many, p50, p90 and the longest (≈ when from buckets), and the
 * connections still waiting for the second FIN when the capture ended.
 */
function finGapText(g: ServerSummary["finGap"]): string {
  const parts: string[] = [];
  if (g.count > 0 && g.p50Sec !== null && g.p90Sec !== null && g.maxSec !== null) {
    const approx = g.exact ? "" : "≈";
    parts.push(
      plural(g.count, "gap"),
      `p50 ${approx}${duration(g.p50Sec)}`,
      `p90 ${approx}${duration(g.p90Sec)}`,
      `max ${duration(g.maxSec)}`,
    );
  }
  const cell = lines(parts);
  if (g.open === 0) return cell === "" ? "—" : cell;
  const open = `<strong>${lines([`${num(g.open)} open at end`])}</strong>`;
  return cell === "" ? open : `${cell}<br/>${open}`;
}

/** An endpoint's FIN-gap cell, sorted by the median gap. */
function finGapCell(g: ServerSummary["finGap"], findings = ""): SortedCell {
  return { html: withFindings(finGapText(g), findings), sortBy: g.p50Sec ?? -1 };
}

/** A cell's figures, then the findings about them on a line of their own. */
function withFindings(cell: string, findings: string): string {
  if (findings === "") return cell;
  return cell === "—" ? findings : `${cell}<br/>${findings}`;
}

/** Who holds TIME_WAIT for a server's connections, as a word and the counts. */
function timeWaitHolder(tw: { client: number; server: number }): string {
  if (tw.client + tw.server === 0) return "none";
  const who = tw.server > tw.client ? "server" : tw.client > tw.server ? "client" : "both";
  return `<strong>${who}</strong> (client ${num(tw.client)}, server ${num(tw.server)})`;
}

export function serversSection(s: CaptureSummary): string {
  const servers = s.servers.slice(0, MAX_SERVERS);
  const rows = servers.map((sv) => [
    sv.ip === OTHER_ENDPOINTS ? OTHER_ENDPOINTS : `<code>${hostile(serverName(sv))}</code>`,
    num(sv.connections),
    num(sv.probes),
    `${num(sv.refused)} / ${num(sv.unanswered)}`,
    sv.connections > 0 ? pct(sv.closedBy.client, sv.connections) : "-",
    sv.connections > 0 ? pct(sv.closedBy.server, sv.connections) : "-",
    timeWaitHolder(sv.timeWait),
    requestsPerConnection(sv.http),
    kindCounts(sv.findings, RST_KINDS),
    finGapCell(sv.finGap, kindCounts(sv.findings, GAP_KINDS)),
    kindCounts(sv.findings, null, [...RST_KINDS, ...GAP_KINDS]),
  ]);
  const more =
    s.servers.length > servers.length
      ? `<p>And ${plural(s.servers.length - servers.length, "more server")} (see <code>--json</code>).</p>`
      : "";
  return (
    `<section id="servers"><h2>Servers</h2>\n` +
    `<p class="muted">Per server endpoint (address:port). Probes, refused and unanswered attempts are counted apart from connections; percentages are of connections. ` +
    `Requests per connection: the mean, then connections by their number of requests (0, 1, 2-9, 10+), on connections parsed as HTTP/1.x (— when none was). ` +
    `FIN gap: from a connection's first FIN to the other side's FIN (the passive side in CLOSE_WAIT, the active side in FIN_WAIT_2), probes included: how many, the median (p50), the 90th percentile and the longest; "open at end": connections whose second FIN (or a RST) had not come when the capture ended; then the findings about FIN gaps and CLOSE_WAIT.</p>\n` +
    table(
      [
        { head: "server" },
        { head: "connections", num: true },
        { head: "probes", num: true },
        { head: "refused / unanswered", num: true },
        { head: "closed first by client", num: true },
        { head: "closed first by server", num: true },
        { head: "TIME_WAIT held by" },
        { head: "requests per connection" },
        { head: "RSTs by kind" },
        { head: "FIN gap" },
        { head: "other findings" },
      ],
      rows,
      { id: "servers-table", sortable: true },
    ) +
    more +
    `\n</section>`
  );
}

export function clientsSection(s: CaptureSummary): string {
  const clients = s.clients.filter((c) => c.connections + c.probes > 0);
  if (clients.length === 0) return "";
  const rows = clients.map((c) => [
    c.ip === OTHER_ENDPOINTS ? OTHER_ENDPOINTS : `<code>${hostile(c.ip)}</code>`,
    num(c.connections),
    num(c.probes),
    num(c.timeWait),
    num(c.finWait2),
    finGapCell(c.finGap),
  ]);
  return (
    `<section id="clients"><h2>Clients</h2>\n` +
    `<p class="muted">Per client host, busiest first (the summary keeps the first 100). FIN gap as in the servers table.</p>\n` +
    table(
      [
        { head: "client" },
        { head: "connections", num: true },
        { head: "probes", num: true },
        { head: "TIME_WAIT held", num: true },
        { head: "FIN_WAIT_2 reached", num: true },
        { head: "FIN gap" },
      ],
      rows,
      { id: "clients-table", sortable: true },
    ) +
    `\n</section>`
  );
}
