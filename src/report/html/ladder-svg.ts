/**
 * One flow as an SVG ladder, like Wireshark's flow graph: the client's and the server's
 * lifelines, one horizontal arrow per packet labelled tcpdump-style (flags, relative seq and ack,
 * window, length), the frame number and the time since the flow's first packet in the margin;
 * each side's inferred TCP states as bands along its lifeline (TIME_WAIT drawn until it runs out,
 * or to the edge); silences and the FIN gap as labelled brackets; long silences and the
 * summarised middle of a long flow as breaks in the time axis; RSTs coloured and dashed by the
 * finding that explains them, with its title written beside the arrow; HTTP requests and
 * responses and TLS hellos written under the packets that carried them.
 *
 * Every distinction drawn in colour is also drawn without it: state bands carry their state's
 * name and a border pattern, RSTs a dash pattern and a text label.
 *
 * Limitations: arrows are horizontal (the capture point sees a packet once; which side's clock
 * it is on is unknown), so the ladder shows order and gaps as captured, not one-way delays.
 */
import { FINDING_KINDS, isoTime, type FindingKind, type FlowResult } from "../../analysis/index.js";
import type { LadderFlow, LadderPacket } from "../../analysis/ladder-flow.js";
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from "../../decode/index.js";
import type { TcpState } from "../../flow/index.js";
import { formatFlags } from "../packet-line.js";
import { plural } from "../summary-text.js";
import { shown } from "./escape.js";
import { duration, RST_KINDS } from "./markup.js";
import { layoutRows, yAtTime, type RowLayout } from "./ladder-layout.js";
import type { Selection, SvgCanvas } from "./svg-canvas.js";

/** Silences at least this long get a bracket with their duration: shorter ones are round trips. */
const IDLE_BRACKET_SEC = 0.1;
/** Silences longer than this break the time axis. */
const BREAK_SEC = 1;

// Horizontal layout, in SVG units (1 unit = 1 CSS pixel at 100%).
const WIDTH = 1010;
const X_TIME = 8;
const X_FRAME = 150;
const X_CLIENT = 270;
const X_SERVER = 700;
const BAND = 12;
const X_IDLE = 780;
const X_FIN_GAP = 885;
const TOP = 64;
/** Height of each further line of notes under an arrow. */
const NOTE_LINE = 12;
/** Room under the last row for a TIME_WAIT band that runs past the last packet. */
const TAIL = 60;

export interface LadderContext {
  readonly canvas: SvgCanvas;
  /** Frames before each file's first (its frame N is capture frame N + offset), in file order. */
  readonly frameOffsets: readonly number[];
}

/**
 * Where Wireshark finds a capture frame: the file (index) and its `frame.number` there. Frames
 * are numbered on across the files of a set; each file starts after its offset.
 */
export function fileFrame(
  offsets: readonly number[],
  frame: number,
): { file: number; frame: number } {
  let file = 0;
  for (let i = 1; i < offsets.length; i++) if ((offsets[i] as number) < frame) file = i;
  return { file, frame: frame - (offsets[file] ?? 0) };
}

/** The frame label Wireshark would match: `#N` in its file (`f2 #N` when there are several). */
export function frameLabel(ctx: LadderContext, frame: number): string {
  const at = fileFrame(ctx.frameOffsets, frame);
  return ctx.frameOffsets.length > 1 ? `f${at.file + 1} #${at.frame}` : `#${at.frame}`;
}

/** The finding kind explaining each RST packet, by capture frame. */
export function rstKinds(flow: FlowResult): Map<number, FindingKind> {
  const out = new Map<number, FindingKind>();
  for (const kind of RST_KINDS) {
    for (const f of flow.findings) {
      if (f.kind !== kind) continue;
      for (const frame of f.evidence) if (!out.has(frame)) out.set(frame, kind);
    }
  }
  return out;
}

/** Text notes under packets, by capture frame: HTTP requests and responses, TLS hellos. */
function appNotes(flow: FlowResult): Map<number, string[]> {
  const notes = new Map<number, string[]>();
  const add = (frame: number | null, note: string): void => {
    if (frame === null || frame <= 0) return;
    const list = notes.get(frame) ?? [];
    list.push(note);
    notes.set(frame, list);
  };
  const http = flow.app?.http;
  if (http !== undefined) {
    for (const x of http.exchanges) {
      add(
        x.requestFrame,
        `HTTP ${x.method} ${x.target}` +
          (x.host !== null ? ` (Host ${x.host})` : "") +
          (x.requestConnection === "close" ? ", Connection: close" : ""),
      );
      if (x.responseFrame !== null) {
        add(
          x.responseFrame,
          `HTTP ${x.status} ${x.reason}` +
            (x.responseConnection === "close" ? ", Connection: close" : "") +
            (x.contentLength >= 0 ? `, ${plural(x.contentLength, "byte")} body` : ""),
        );
      }
      if (x.responseEndFrame !== x.responseFrame)
        add(x.responseEndFrame, `end of response (${plural(x.bodyBytes, "body byte")})`);
    }
  }
  const tls = flow.app?.tls;
  if (tls !== undefined) {
    add(tls.clientHelloFrame, `TLS ClientHello${tls.sni !== null ? ` SNI ${tls.sni}` : ""}`);
    add(
      tls.serverHelloFrame,
      `TLS ServerHello${tls.version !== null ? ` ${tls.version}` : ""}${tls.alpn !== null ? ` ALPN ${tls.alpn}` : ""}`,
    );
    if (tls.alert !== null)
      add(tls.alert.frame, `TLS alert ${tls.alert.level}/${tls.alert.description}`);
  }
  return notes;
}

/** The label tcpdump would print for a packet: flags, seq, ack (only with ACK), win, len. */
function packetLabel(p: LadderPacket): string {
  const ack = (p.flags & TCP_ACK) !== 0 ? ` ack ${p.ack}` : "";
  return `[${formatFlags(p.flags)}] seq ${p.seq}${ack} win ${p.window} len ${p.len}`;
}

/** The class of a packet's arrow: what kind of segment it is. */
function packetClass(p: LadderPacket): string {
  if ((p.flags & TCP_RST) !== 0) return "rst";
  if ((p.flags & TCP_SYN) !== 0) return "syn";
  if ((p.flags & TCP_FIN) !== 0) return "fin";
  return p.len > 0 ? "data" : "ack";
}

/** CSS class of a state band (state names are teardown's own, a closed union). */
export const stateClass = (s: TcpState): string => `st-${s.toLowerCase().replace(/_/g, "-")}`;

function drawBands(
  g: Selection,
  lf: LadderFlow,
  ctx: LadderContext,
  times: readonly number[],
  layout: RowLayout,
  side: "client" | "server",
  bottom: number,
): void {
  const flow = lf.flow;
  const x = side === "client" ? X_CLIENT : X_SERVER;
  const rowOfFrame = new Map<number, number>();
  lf.packets.forEach((p, i) => rowOfFrame.set(p.frame, layout.rows[i] as number));
  const yOf = (frame: number, at: number): number =>
    rowOfFrame.get(frame) ?? yAtTime(times, layout, at, TAIL / 2);
  const states = flow.states[side];
  const lastTime = times.length > 0 ? (times[times.length - 1] as number) : flow.end;
  // States entered at the same packet (CLOSE_WAIT then LAST_ACK when the capture shows the ACK
  // and FIN together) get zero-height bands: their labels are stacked so both stay readable.
  let labelBelow = -Infinity;
  for (let i = 0; i < states.length; i++) {
    const s = states[i];
    if (s === undefined) continue;
    const next = states[i + 1];
    // The first state holds from the top (the flow may have been seen mid-stream).
    const y0 = i === 0 ? TOP - 20 : yOf(s.frame, s.at);
    let y1: number;
    let until = "";
    if (next !== undefined) {
      y1 = yOf(next.frame, next.at);
    } else if (s.state === "TIME_WAIT" && flow.timeWait === side && flow.timeWaitUntil !== null) {
      // TIME_WAIT lasts 2*MSL after it began: to its end when the capture saw that far, to the
      // edge otherwise.
      const end = flow.timeWaitUntil;
      y1 = end <= lastTime ? yAtTime(times, layout, end, TAIL) : bottom;
      until = ` until +${duration(end - flow.start)}`;
    } else {
      y1 = bottom;
    }
    if (y1 <= y0) y1 = y0 + 2;
    const band = g.append("g").attr("class", `band ${stateClass(s.state)}`);
    band
      .append("rect")
      .attr("x", x - BAND / 2)
      .attr("y", y0)
      .attr("width", BAND)
      .attr("height", y1 - y0);
    band
      .append("text")
      .attr("class", "state-label")
      .attr("x", side === "client" ? x - BAND : x + BAND)
      .attr("y", (labelBelow = Math.max(y0 + 11, labelBelow + 11)))
      .attr("text-anchor", side === "client" ? "end" : "start")
      .text(`${s.state.replace(/_/g, " ")}${until}`);
    band
      .append("title")
      .text(
        `${side} ${s.state} from +${duration(Math.max(0, s.at - flow.start))}${i > 0 ? ` (frame ${s.frame})` : ""}${until}`,
      );
  }
}

function drawBracket(
  g: Selection,
  x: number,
  y0: number,
  y1: number,
  label: string,
  cls: string,
): void {
  const b = g.append("g").attr("class", `bracket ${cls}`);
  b.append("path").attr("d", `M${x - 6},${y0} h6 V${y1} h-6`);
  b.append("text")
    .attr("x", x + 4)
    .attr("y", (y0 + y1) / 2 + 4)
    .text(label);
}

/** First FIN from each side and the close that answered the first: the FIN gap bracket. */
function finGap(lf: LadderFlow): { fromTime: number; toTime: number; label: string } | null {
  const sent = lf.flow.sent;
  const c = sent.client.fin;
  const s = sent.server.fin;
  if (c === null && s === null) return null;
  const first = c !== null && (s === null || c <= s) ? "client" : "server";
  const other = first === "client" ? "server" : "client";
  const t0 = sent[first].fin as number;
  const otherFin = sent[other].fin;
  const otherRst = sent[other].rst;
  let t1: number | null = null;
  let how = "";
  if (otherFin !== null && otherFin >= t0) {
    t1 = otherFin;
    how = "FIN gap";
  } else if (otherRst !== null && otherRst >= t0) {
    t1 = otherRst;
    how = "FIN to RST";
  }
  if (t1 === null) return null;
  return { fromTime: t0, toTime: t1, label: `${how} ${duration(t1 - t0)}` };
}

/** The ladder's SVG markup. */
export function ladderSvg(lf: LadderFlow, ctx: LadderContext): string {
  const flow = lf.flow;
  const packets = lf.packets;
  const times = packets.map((p) => p.at);
  const rsts = rstKinds(flow);
  const notes = appNotes(flow);
  // The lines written under each arrow: what explains a RST, then what the payload carried.
  const below = packets.map((p) => {
    const lines: string[] = [];
    const kind = (p.flags & TCP_RST) !== 0 ? rsts.get(p.frame) : undefined;
    if (kind !== undefined) lines.push(`RST: ${FINDING_KINDS[kind].title}`);
    for (const note of notes.get(p.frame) ?? []) lines.push(note);
    return lines;
  });
  const layout = layoutRows(times, {
    top: TOP,
    breakSec: BREAK_SEC,
    omittedAfter: lf.omitted === null ? -1 : lf.omitted.after,
    extraBelow: below.map((lines) => Math.max(0, lines.length - 1) * NOTE_LINE),
  });
  const bottom = layout.bottom + TAIL;
  const height = bottom + 16;
  const label = `Ladder of flow ${flow.id}: ${plural(packets.length, "packet")} drawn between client and server`;
  return ctx.canvas.render(WIDTH, height, label, (svg) => {
    svg.attr("class", "ladder");
    // Headings over the lifelines.
    const head = svg.append("g").attr("class", "heads");
    head.append("text").attr("x", X_TIME).attr("y", 20).text("time (+s)");
    head.append("text").attr("x", X_FRAME).attr("y", 20).attr("text-anchor", "end").text("frame");
    head
      .append("text")
      .attr("class", "who")
      .attr("x", X_CLIENT)
      .attr("y", 20)
      .attr("text-anchor", "middle")
      .text(`client${flow.roleInferred ? " (inferred)" : ""}`);
    head
      .append("text")
      .attr("class", "addr")
      .attr("x", X_CLIENT)
      .attr("y", 36)
      .attr("text-anchor", "middle")
      .text(shown(endpointText(flow.client)));
    head
      .append("text")
      .attr("class", "who")
      .attr("x", X_SERVER)
      .attr("y", 20)
      .attr("text-anchor", "middle")
      .text("server");
    head
      .append("text")
      .attr("class", "addr")
      .attr("x", X_SERVER)
      .attr("y", 36)
      .attr("text-anchor", "middle")
      .text(shown(endpointText(flow.server)));

    const lifelines = svg.append("g").attr("class", "lifelines");
    for (const x of [X_CLIENT, X_SERVER])
      lifelines
        .append("path")
        .attr("class", "lifeline")
        .attr("d", `M${x},${TOP - 20} V${bottom}`);

    const bands = svg.append("g").attr("class", "bands");
    drawBands(bands, lf, ctx, times, layout, "client", bottom);
    drawBands(bands, lf, ctx, times, layout, "server", bottom);

    // Breaks in the time axis: a zigzag across the drawing and what was left out.
    const breaks = svg.append("g").attr("class", "breaks");
    for (const b of layout.breaks) {
      const g = breaks.append("g").attr("class", `axis-break ${b.kind}`);
      const yMid = b.y + b.height / 2;
      g.append("rect")
        .attr("x", 0)
        .attr("y", b.y + 6)
        .attr("width", X_IDLE - 20)
        .attr("height", b.height - 12);
      let zig = `M0,${yMid}`;
      for (let x = 0; x < X_IDLE - 20; x += 20) zig += ` l10,-5 l10,5`;
      g.append("path").attr("d", zig);
      const what =
        b.kind === "omitted" && lf.omitted !== null
          ? `${plural(lf.omitted.packets, "packet")} not drawn (client ${plural(lf.omitted.bytes.client, "byte")}, server ${plural(lf.omitted.bytes.server, "byte")}) over ${duration(b.to - b.from)}`
          : `${duration(b.to - b.from)} without a packet (axis broken)`;
      g.append("text")
        .attr("x", (X_CLIENT + X_SERVER) / 2)
        .attr("y", yMid - 8)
        .attr("text-anchor", "middle")
        .text(what);
    }

    const arrows = svg.append("g").attr("class", "packets");
    packets.forEach((p, i) => {
      const y = layout.rows[i] as number;
      const frame = p.frame;
      const inFile = fileFrame(ctx.frameOffsets, frame);
      const rstKind = (p.flags & TCP_RST) !== 0 ? rsts.get(frame) : undefined;
      const cls = packetClass(p);
      const g = arrows
        .append("g")
        .attr("class", `pk ${cls}${rstKind !== undefined ? ` k-${rstKind}` : ""}`)
        .attr("data-frame", frame);
      g.append("title").text(
        `frame.number == ${inFile.frame}${ctx.frameOffsets.length > 1 ? ` (file ${inFile.file + 1})` : ""}, ${p.from} to ${p.from === "client" ? "server" : "client"}, ${isoTime(p.at)}`,
      );
      g.append("text")
        .attr("class", "t")
        .attr("x", X_TIME)
        .attr("y", y + 4)
        .text(`+${(p.at - flow.start).toFixed(6)}`);
      g.append("text")
        .attr("class", "fr")
        .attr("x", X_FRAME)
        .attr("y", y + 4)
        .attr("text-anchor", "end")
        .text(frameLabel(ctx, frame));
      const [x0, x1] =
        p.from === "client"
          ? [X_CLIENT + BAND / 2, X_SERVER - BAND / 2]
          : [X_SERVER - BAND / 2, X_CLIENT + BAND / 2];
      const dir = x1 > x0 ? -1 : 1;
      g.append("path").attr("class", "shaft").attr("d", `M${x0},${y} H${x1}`);
      g.append("path")
        .attr("class", "head")
        .attr("d", `M${x1},${y} l${dir * 9},-4 v8 z`);
      g.append("text")
        .attr("class", "lbl")
        .attr("x", (X_CLIENT + X_SERVER) / 2)
        .attr("y", y - 5)
        .attr("text-anchor", "middle")
        .text(packetLabel(p));
      (below[i] ?? []).forEach((line, k) => {
        g.append("text")
          .attr("class", "note")
          .attr("x", (X_CLIENT + X_SERVER) / 2)
          .attr("y", y + 14 + k * NOTE_LINE)
          .attr("text-anchor", "middle")
          // HTTP and TLS notes come from the payload: hostile, shown escaped and cut to the
          // room between the lifelines.
          .text(cut(shown(line), 64));
      });
    });

    // Brackets: silences worth pointing at, and the FIN gap.
    const brackets = svg.append("g").attr("class", "brackets");
    for (let i = 1; i < packets.length; i++) {
      const dt = (times[i] as number) - (times[i - 1] as number);
      if (dt < IDLE_BRACKET_SEC || i - 1 === lf.omitted?.after) continue;
      drawBracket(
        brackets,
        X_IDLE,
        layout.rows[i - 1] as number,
        layout.rows[i] as number,
        `idle ${duration(dt)}`,
        "idle",
      );
    }
    const gap = finGap(lf);
    if (gap !== null) {
      drawBracket(
        brackets,
        X_FIN_GAP,
        yAtTime(times, layout, gap.fromTime, TAIL / 2),
        yAtTime(times, layout, gap.toTime, TAIL / 2),
        gap.label,
        "fin-gap",
      );
    }
  });
}

function endpointText(e: { readonly ip: string; readonly port: number }): string {
  return e.ip.includes(":") ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

/** Text cut to `n` characters, with an ellipsis when cut (a long HTTP target). */
function cut(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}
