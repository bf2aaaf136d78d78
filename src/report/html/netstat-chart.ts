/**
 * The reconstructed netstat: for each of the busiest hosts and server endpoints, the sockets in
 * ESTABLISHED, TIME_WAIT, CLOSE_WAIT and FIN_WAIT_2 over the capture, as step lines (the
 * "TCP states" Grafana panel of the first incident, rebuilt from packets), then a table of every
 * state's peak and count at the capture's end.
 *
 * Each series has its own dash pattern and its name written at its peak and in the legend, so
 * the lines are told apart without colour.
 *
 * Limitations: the counts are sampled on the analysis' grid (analysis/netstat.ts says how a
 * spike shorter than its interval can be missed) and inferred at the capture point.
 */
import {
  NETSTAT_STATES,
  type NetstatCounts,
  type NetstatState,
  type NetstatSummary,
} from "../../analysis/netstat.js";
import { num, plural } from "../summary-text.js";
import { hostile, shown } from "./escape.js";
import { duration, table } from "./markup.js";
import type { SvgCanvas } from "./svg-canvas.js";

/** The states charted: the ones the incidents are about. */
const CHARTED: readonly NetstatState[] = ["ESTABLISHED", "TIME_WAIT", "CLOSE_WAIT", "FIN_WAIT_2"];
/** Charts drawn for hosts and for server endpoints each. */
const MAX_CHARTS = 4;

const WIDTH = 980;
const HEIGHT = 220;
const M = { left: 56, right: 200, top: 14, bottom: 34 };

const seriesClass = (s: NetstatState): string => `s-${s.toLowerCase().replace(/_/g, "-")}`;

/** A step line through sampled counts: horizontal to each sample, vertical where it changes. */
function stepPath(
  values: readonly number[],
  x: (i: number) => number,
  y: (v: number) => number,
): string {
  if (values.length === 0) return "";
  let d = `M${x(0).toFixed(1)},${y(values[0] as number).toFixed(1)}`;
  let prev = values[0] as number;
  for (let i = 1; i < values.length; i++) {
    const v = values[i] as number;
    if (v === prev) continue;
    d += `H${x(i).toFixed(1)}V${y(v).toFixed(1)}`;
    prev = v;
  }
  return `${d}H${x(values.length - 1).toFixed(1)}`;
}

function chart(
  canvas: SvgCanvas,
  title: string,
  counts: NetstatCounts,
  summary: NetstatSummary,
  captureStart: number,
): string {
  const n = summary.grid.samples;
  const t0 = summary.grid.start - captureStart;
  const dt = summary.grid.intervalSec;
  const charted = CHARTED.filter((s) => counts.series[s] !== undefined);
  const max = Math.max(1, ...charted.map((s) => counts.peak[s]?.count ?? 0));
  const d3 = canvas.d3;
  const xs = d3
    .scaleLinear()
    .domain([t0, t0 + Math.max(dt, (n - 1) * dt)])
    .range([M.left, WIDTH - M.right]);
  const ys = d3
    .scaleLinear()
    .domain([0, max])
    .nice(4)
    .range([HEIGHT - M.bottom, M.top]);
  const label = `Sockets by state over time for ${title}: ${charted.map((s) => `${s} peak ${counts.peak[s]?.count ?? 0}`).join(", ")}`;
  return canvas.render(WIDTH, HEIGHT, shown(label), (svg) => {
    svg.attr("class", "chart");
    const axis = svg.append("g").attr("class", "axis");
    for (const v of ys.ticks(4)) {
      axis
        .append("path")
        .attr("class", "grid")
        .attr("d", `M${M.left},${ys(v)} H${WIDTH - M.right}`);
      axis
        .append("text")
        .attr("x", M.left - 6)
        .attr("y", ys(v) + 4)
        .attr("text-anchor", "end")
        .text(num(v));
    }
    for (const v of xs.ticks(8)) {
      axis.append("path").attr("d", `M${xs(v)},${HEIGHT - M.bottom} v4`);
      axis
        .append("text")
        .attr("x", xs(v))
        .attr("y", HEIGHT - M.bottom + 16)
        .attr("text-anchor", "middle")
        .text(`+${v}`);
    }
    axis.append("path").attr("d", `M${M.left},${M.top} V${HEIGHT - M.bottom} H${WIDTH - M.right}`);
    axis
      .append("text")
      .attr("x", (M.left + WIDTH - M.right) / 2)
      .attr("y", HEIGHT - 4)
      .attr("text-anchor", "middle")
      .text("seconds after the capture's first packet");
    const x = (i: number): number => xs(t0 + i * dt);
    const legend = svg.append("g").attr("class", "legend");
    charted.forEach((state, k) => {
      const values = counts.series[state] ?? [];
      const g = svg.append("g").attr("class", `series-group`);
      g.append("path")
        .attr("class", `series ${seriesClass(state)}`)
        .attr("d", stepPath(values, x, ys));
      g.append("title").text(
        `${state}: peak ${counts.peak[state]?.count ?? 0}, ${counts.atEnd[state] ?? 0} at the end`,
      );
      const ly = M.top + 6 + k * 20;
      legend
        .append("path")
        .attr("class", `series ${seriesClass(state)}`)
        .attr("d", `M${WIDTH - M.right + 12},${ly} h28`);
      legend
        .append("text")
        .attr("x", WIDTH - M.right + 46)
        .attr("y", ly + 4)
        .text(`${state} peak ${num(counts.peak[state]?.count ?? 0)}`);
    });
  });
}

function peaksTable(
  kind: "host" | "server",
  list: readonly (NetstatCounts & { ip: string; port?: number })[],
  captureStart: number,
): string {
  // Only the states some row reached, charted ones first.
  const states = [...CHARTED, ...NETSTAT_STATES.filter((s) => !CHARTED.includes(s))].filter((s) =>
    list.some((h) => h.peak[s] !== undefined),
  );
  const rows = list.map((h) => [
    `<code>${hostile(h.port !== undefined && h.port !== 0 ? (h.ip.includes(":") ? `[${h.ip}]:${h.port}` : `${h.ip}:${h.port}`) : h.ip)}</code>`,
    num(h.sockets),
    ...states.map((s) => {
      const p = h.peak[s];
      if (p === undefined) return "";
      return `${num(p.count)} <span class="muted">(+${duration(Math.max(0, p.at - captureStart))}), ${num(h.atEnd[s] ?? 0)} at end</span>`;
    }),
  ]);
  return table(
    [{ head: kind }, { head: "sockets", num: true }, ...states.map((s) => ({ head: s }))],
    rows,
    { sortable: true },
  );
}

export function netstatSection(
  canvas: SvgCanvas,
  summary: NetstatSummary | undefined,
  captureStart: number,
): string {
  if (summary === undefined || summary.grid.samples === 0) return "";
  const out = [
    `<section id="netstat"><h2>Reconstructed netstat</h2>`,
    `<p class="muted">Sockets in each state over time, inferred from the packets as <code>ss -tan</code> would have counted them at the capture point, sampled every ${duration(summary.grid.intervalSec)}; TIME_WAIT lasts ${summary.timeWaitSec} s after it began. Short spikes between samples can be missed; the tables give the peaks.</p>`,
  ];
  const hosts = summary.hosts.slice(0, MAX_CHARTS);
  for (const h of hosts) {
    out.push(`<h3>Host <code>${hostile(h.ip)}</code>: ${plural(h.sockets, "socket")}</h3>`);
    out.push(
      `<figure class="chart-fig">${chart(canvas, `host ${h.ip}`, h, summary, captureStart)}</figure>`,
    );
  }
  const servers = summary.servers.slice(0, MAX_CHARTS);
  for (const s of servers) {
    const name = s.ip.includes(":") ? `[${s.ip}]:${s.port}` : `${s.ip}:${s.port}`;
    out.push(
      `<h3>Server endpoint <code>${hostile(name)}</code>: ${plural(s.sockets, "socket")}</h3>`,
    );
    out.push(
      `<figure class="chart-fig">${chart(canvas, `server ${name}`, s, summary, captureStart)}</figure>`,
    );
  }
  out.push(
    `<h3>Peaks by host (count, when, and count at the capture's end)</h3>`,
    peaksTable("host", summary.hosts, captureStart),
  );
  out.push(
    `<h3>Peaks by server endpoint</h3>`,
    peaksTable("server", summary.servers, captureStart),
  );
  out.push(`</section>`);
  return out.join("\n");
}
