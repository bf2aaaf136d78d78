/**
 * The per-server and per-client tables: connections, who closed first, who holds TIME_WAIT, the
 * RSTs by the finding that explains them, the long FIN gaps and the other findings, with links to
 * each kind's entry in the brief. Addresses come from the capture and are escaped as hostile.
 *
 * Limitations: the summary counts per server; it has no requests per connection nor the
 * distribution of FIN gaps, so the tables show counts of long FIN gaps and of connections left
 * in CLOSE_WAIT instead. Servers past MAX_SERVERS and clients past the summary's cut are counted
 * in a line below each table.
 */
import {
  OTHER_ENDPOINTS,
  type CaptureSummary,
  type FindingKind,
  type KindCount,
} from "../../analysis/index.js";
import { num, pct, plural, serverName } from "../summary-text.js";
import { hostile } from "./escape.js";
import { RST_KINDS, table } from "./markup.js";

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
    kindCounts(sv.findings, RST_KINDS),
    kindCounts(sv.findings, GAP_KINDS),
    kindCounts(sv.findings, null, [...RST_KINDS, ...GAP_KINDS]),
  ]);
  const more =
    s.servers.length > servers.length
      ? `<p>And ${plural(s.servers.length - servers.length, "more server")} (see <code>--json</code>).</p>`
      : "";
  return (
    `<section id="servers"><h2>Servers</h2>\n` +
    `<p class="muted">Per server endpoint (address:port). Probes, refused and unanswered attempts are counted apart from connections; percentages are of connections.</p>\n` +
    table(
      [
        { head: "server" },
        { head: "connections", num: true },
        { head: "probes", num: true },
        { head: "refused / unanswered", num: true },
        { head: "closed first by client", num: true },
        { head: "closed first by server", num: true },
        { head: "TIME_WAIT held by" },
        { head: "RSTs by kind" },
        { head: "FIN gaps, CLOSE_WAIT" },
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
  ]);
  return (
    `<section id="clients"><h2>Clients</h2>\n` +
    `<p class="muted">Per client host, busiest first (the summary keeps the first 100).</p>\n` +
    table(
      [
        { head: "client" },
        { head: "connections", num: true },
        { head: "probes", num: true },
        { head: "TIME_WAIT held", num: true },
        { head: "FIN_WAIT_2 reached", num: true },
      ],
      rows,
      { id: "clients-table", sortable: true },
    ) +
    `\n</section>`
  );
}
