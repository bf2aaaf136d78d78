/**
 * The vertical layout of a ladder: where each packet's arrow goes, with time running down a
 * broken axis. Packets close together get one row each (like Wireshark's flow graph, which
 * draws one row per packet whatever the time between them); a silence adds a little room, on a
 * log scale, so a wait shows as a wait; a silence longer than `breakSec`, and the summarised
 * middle of a long flow, is drawn as a fixed-height break labelled with its duration, so a 90 s
 * wait does not make the page 90 screens tall. The exact times are always in the labels.
 *
 * Pure: numbers in, numbers out, for the SVG drawing in ladder-svg.ts.
 */

/** Height of one packet row (room for the arrow, its label above and a note below). */
export const ROW = 34;
/** Extra room per decade of silence above a millisecond, and the most a silence gets unbroken. */
const PX_PER_DECADE = 10;
const MAX_STRETCH = 30;
/** Height of a break in the axis. */
export const BREAK = 40;

export interface AxisBreak {
  /** Top of the break (just below the row before it) and its height. */
  readonly y: number;
  readonly height: number;
  /** Epoch seconds it spans. */
  readonly from: number;
  readonly to: number;
  /** A silence, or packets left out of the drawing (the summarised middle). */
  readonly kind: "silence" | "omitted";
}

export interface RowLayout {
  /** y of each packet's arrow, by index. */
  readonly rows: readonly number[];
  readonly breaks: readonly AxisBreak[];
  /** y of the first and last row. */
  readonly top: number;
  readonly bottom: number;
}

export interface LayoutOptions {
  /** y of the first row. */
  readonly top: number;
  /** Silences longer than this are drawn as breaks. */
  readonly breakSec: number;
  /** Index of the last packet before the summarised middle, or -1 when nothing was left out. */
  readonly omittedAfter: number;
  /** Extra room below a row (for notes of more than one line), by index; none when absent. */
  readonly extraBelow?: readonly number[];
}

/** Extra room for a silence drawn unbroken: nothing up to a millisecond, then log-scaled. */
function stretch(dt: number): number {
  if (dt <= 0.001) return 0;
  return Math.min(MAX_STRETCH, PX_PER_DECADE * Math.log10(dt / 0.001));
}

export function layoutRows(times: readonly number[], opts: LayoutOptions): RowLayout {
  const rows: number[] = [];
  const breaks: AxisBreak[] = [];
  let y = opts.top;
  for (let i = 0; i < times.length; i++) {
    const t = times[i] as number;
    if (i > 0) {
      y += opts.extraBelow?.[i - 1] ?? 0;
      const prev = times[i - 1] as number;
      // Timestamps can go backwards in a merged capture: the row order stays the packet order.
      const dt = Math.max(0, t - prev);
      if (i - 1 === opts.omittedAfter || dt > opts.breakSec) {
        const kind = i - 1 === opts.omittedAfter ? "omitted" : "silence";
        breaks.push({ y: y + ROW / 2, height: BREAK, from: prev, to: t, kind });
        y += ROW + BREAK;
      } else {
        y += ROW + stretch(dt);
      }
    }
    rows.push(y);
  }
  const last = opts.extraBelow?.[times.length - 1] ?? 0;
  return { rows, breaks, top: opts.top, bottom: rows.length > 0 ? y + last : opts.top };
}

/**
 * The y of an epoch time on the broken axis: linear between the rows around it (a state change
 * whose packet was left out, a finding's time), at the middle of a break when it falls inside
 * one, and below the last row `tailPx` down for times after it.
 */
export function yAtTime(
  times: readonly number[],
  layout: RowLayout,
  t: number,
  tailPx: number,
): number {
  const n = times.length;
  if (n === 0) return layout.top;
  if (t <= (times[0] as number)) return layout.rows[0] as number;
  if (t >= (times[n - 1] as number)) {
    return t === times[n - 1] ? (layout.rows[n - 1] as number) : layout.bottom + tailPx;
  }
  // Binary search for the last row at or before t.
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((times[mid] as number) <= t) lo = mid;
    else hi = mid;
  }
  const t0 = times[lo] as number;
  const t1 = times[hi] as number;
  const y0 = layout.rows[lo] as number;
  const y1 = layout.rows[hi] as number;
  const inBreak = layout.breaks.find((b) => b.from === t0 && b.to === t1);
  if (inBreak !== undefined) return inBreak.y + inBreak.height / 2;
  return t1 === t0 ? y0 : y0 + ((y1 - y0) * (t - t0)) / (t1 - t0);
}
