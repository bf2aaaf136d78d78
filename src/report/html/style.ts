/**
 * The report's one stylesheet, for the page and its inline SVG, screen and print. It is inlined
 * in the document and allowed by its hash in the Content-Security-Policy (document.ts), so it
 * must stay free of `<` and `&`: the document is XML too.
 *
 * Colour is never the only signal: each state band also carries its name and a border pattern
 * (dashed for the half-closed states, double for TIME_WAIT), each RST kind a dash pattern and a
 * text label, each severity a word.
 */
export const STYLE = `
:root { color-scheme: light; --fg: #1d2228; --muted: #5b6470; --line: #d5dae0; --bg: #fff;
  --warn: #a33a00; --info: #245a8c; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1100px; padding: 1rem 1.25rem 3rem; color: var(--fg);
  background: var(--bg); font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
h1 { font-size: 1.5rem; margin: 0.5rem 0; }
h2 { font-size: 1.2rem; margin: 2rem 0 0.5rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05rem; margin: 1.25rem 0 0.25rem; }
code, .mono, td.num, td.mono { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, monospace;
  font-size: 0.9em; }
code { overflow-wrap: anywhere; }
nav.toc ul { display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; padding: 0; list-style: none; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.1rem 1rem; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
table { border-collapse: collapse; margin: 0.5rem 0; font-size: 0.9rem; }
th, td { border-bottom: 1px solid var(--line); padding: 0.2rem 0.5rem; text-align: left;
  vertical-align: top; }
th { background: #f3f5f7; position: sticky; top: 0; }
td.num, th.num { text-align: right; }
.table-wrap { overflow-x: auto; max-width: 100%; }
.sev { font-weight: 600; font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.03em; }
.sev-warning { color: var(--warn); }
.sev-info { color: var(--info); }
.finding { border-left: 4px solid var(--line); padding: 0.25rem 0 0.25rem 0.75rem; margin: 0.75rem 0; }
.finding.warning { border-left: 4px double var(--warn); }
.finding.info { border-left: 4px dotted var(--info); }
.finding p { margin: 0.2rem 0; }
.muted, figcaption { color: var(--muted); }
details summary { cursor: pointer; }
figure.ladder-fig { margin: 1rem 0; overflow-x: auto; }
svg { max-width: 100%; height: auto; font-family: ui-monospace, "DejaVu Sans Mono", Menlo, monospace; }
svg text { font-size: 11px; fill: var(--fg); }
svg .heads .who { font-weight: 700; font-size: 13px; }
svg .lifeline { stroke: #8a939e; stroke-width: 1; }
svg .band rect { fill: #ccc; stroke: #555; stroke-width: 1; }
svg .band .state-label { font-size: 10px; font-weight: 600; }
svg .st-established rect { fill: #b9e4c4; }
svg .st-syn-sent rect, svg .st-syn-received rect { fill: #d9ecf7; stroke-dasharray: 2 2; }
svg .st-fin-wait-1 rect, svg .st-fin-wait-2 rect { fill: #ffd9a8; stroke-dasharray: 5 2; }
svg .st-closing rect, svg .st-last-ack rect { fill: #e6c8f0; stroke-dasharray: 1 2; }
svg .st-close-wait rect { fill: #f6b3ad; stroke-dasharray: 6 2 1 2; stroke-width: 2; }
svg .st-time-wait rect { fill: #b8c8f2; stroke-width: 3; }
svg .st-closed rect, svg .st-unknown rect { fill: #eceff2; stroke: #aaa; }
svg .pk .shaft { stroke: #3a434d; stroke-width: 1.2; fill: none; }
svg .pk .head { fill: #3a434d; }
svg .pk.syn .shaft { stroke: #1f6f3f; }
svg .pk.syn .head { fill: #1f6f3f; }
svg .pk.fin .shaft { stroke: #1f4f9f; stroke-width: 2; }
svg .pk.fin .head { fill: #1f4f9f; }
svg .pk.data .shaft { stroke: #222; stroke-width: 1.8; }
svg .pk.rst .shaft { stroke: #b00020; stroke-width: 2.5; stroke-dasharray: 10 3; }
svg .pk.rst .head { fill: #b00020; }
svg .pk.k-rst-unread-data .shaft { stroke: #c0392b; stroke-dasharray: none; }
svg .pk.k-rst-after-close .shaft { stroke: #8e44ad; stroke-dasharray: 2 2; }
svg .pk.k-rst-after-close .head { fill: #8e44ad; }
svg .pk.k-refused .shaft { stroke: #7f6000; stroke-dasharray: 6 2 2 2; }
svg .pk.k-refused .head { fill: #7f6000; }
svg .pk.k-abortive-close .shaft { stroke: #d35400; stroke-dasharray: 12 4; }
svg .pk.k-abortive-close .head { fill: #d35400; }
svg .pk .note { font-style: italic; fill: #333; }
svg .pk.rst .note { fill: #8b0018; font-weight: 600; font-style: normal; }
svg .pk .t, svg .pk .fr { fill: var(--muted); }
svg .axis-break rect { fill: #f6f6f6; stroke: none; }
svg .axis-break path { fill: none; stroke: #999; stroke-width: 1; }
svg .axis-break text { fill: #555; font-style: italic; }
svg .bracket path { fill: none; stroke: #555; stroke-width: 1.2; }
svg .bracket.fin-gap path { stroke: #a33a00; stroke-width: 2; }
svg .bracket.fin-gap text { fill: #a33a00; font-weight: 600; }
svg.chart .axis path, svg.chart .axis line { stroke: #8a939e; fill: none; }
svg.chart .grid { stroke: #eceff2; }
svg.chart .series { fill: none; stroke-width: 2; }
svg.chart .s-established { stroke: #2e8b57; }
svg.chart .s-time-wait { stroke: #3555b0; stroke-dasharray: 8 3; }
svg.chart .s-close-wait { stroke: #c0392b; stroke-dasharray: 2 2; stroke-width: 2.5; }
svg.chart .s-fin-wait-2 { stroke: #d68910; stroke-dasharray: 8 3 2 3; }
svg.chart .legend text { font-size: 11px; }
.legend-list { display: flex; flex-wrap: wrap; gap: 0.25rem 1.25rem; padding: 0; list-style: none;
  font-size: 0.85rem; }
.sort-button { font: inherit; background: none; border: 0; padding: 0; cursor: pointer;
  text-decoration: underline dotted; color: inherit; }
table.index td { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, monospace; font-size: 0.85em; }
table.index td:nth-child(1), table.index td:nth-child(4), table.index td:nth-child(5) { text-align: right; }
#flow-filter { font: inherit; margin: 0.25rem 0; padding: 0.2rem 0.4rem; width: 20rem; }
@media (max-width: 800px) { body { padding: 0.5rem; } }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  nav.toc, #flow-filter { display: none; }
  th { position: static; }
  figure.ladder-fig, .finding, table, svg { break-inside: avoid; }
  h2 { break-after: avoid; }
  a { color: inherit; text-decoration: none; }
  .table-wrap, figure.ladder-fig { overflow: visible; }
}
`;
