/**
 * Pieces of wording every whole-capture report (brief, Markdown, JUnit) shares: counts and
 * percentages, the order findings are listed in, their example flows, and a server's name.
 */
import {
  FINDING_KINDS,
  OTHER_ENDPOINTS,
  type AggregateFinding,
  type CaptureSummary,
  type FindingKind,
  type ServerSummary,
} from "../analysis/index.js";

export const num = (n: number): string => n.toLocaleString("en-US");
export const pct = (n: number, of: number): string =>
  of === 0 ? "0%" : `${Math.round((100 * n) / of)}%`;
export const plural = (n: number, word: string): string => `${num(n)} ${word}${n === 1 ? "" : "s"}`;

/** Finding kinds present, warnings first, then by count. */
export function presentKinds(s: CaptureSummary): FindingKind[] {
  const rank = (k: FindingKind): number => (FINDING_KINDS[k].severity === "warning" ? 0 : 1);
  return (Object.keys(s.byKind) as FindingKind[]).sort(
    (a, b) => rank(a) - rank(b) || (s.byKind[b] ?? 0) - (s.byKind[a] ?? 0),
  );
}

/** Up to `n` example flow ids of one kind, taken server by server. */
export function exampleFlows(s: CaptureSummary, kind: FindingKind, n: number): number[] {
  return s.servers
    .flatMap((sv) => sv.findings.filter((f) => f.kind === kind).flatMap((f) => f.flows))
    .slice(0, n);
}

/** The first example detail of a kind (from its busiest server), undefined when none. */
export function exampleDetail(s: CaptureSummary, kind: FindingKind): string | undefined {
  for (const sv of s.servers) {
    const k = sv.findings.find((f) => f.kind === kind);
    if (k !== undefined) return k.example;
  }
  return undefined;
}

/** Aggregate findings of every server, busiest server first (the summary's order). */
export function presentAggregates(
  s: CaptureSummary,
): { readonly server: ServerSummary; readonly finding: AggregateFinding }[] {
  return s.servers.flatMap((server) => server.aggregates.map((finding) => ({ server, finding })));
}

/** A server as ADDRESS:PORT (IPv6 in brackets), or the summary's name for the rest. */
export function serverName(sv: ServerSummary): string {
  if (sv.ip === OTHER_ENDPOINTS) return OTHER_ENDPOINTS;
  return sv.ip.includes(":") ? `[${sv.ip}]:${sv.port}` : `${sv.ip}:${sv.port}`;
}
