/**
 * Capture timestamps as whole seconds plus nanoseconds. A double of epoch seconds keeps only
 * about 0.2 microseconds at today's dates, so teardown never stores time that way.
 */

const TWO_POW_32 = 4294967296;
/** Largest ticks-per-second for which `ticksToTime` divides exactly in doubles (see below). */
const EXACT_TPS_LIMIT = 2 ** 37;

export interface TimeFields {
  tsSec: number;
  tsNsec: number;
}

/**
 * Splits a 64-bit tick count (as its high and low 32-bit halves) at `ticksPerSecond` into
 * seconds and nanoseconds, adding `offsetSec` (pcapng `if_tsoffset`).
 *
 * A pcapng nanosecond timestamp today is about 1.7e18 ticks, past the 2^53 a double holds
 * exactly, so the division is done in three steps of at most 16 bits each: every intermediate
 * stays below ticksPerSecond * 2^16 <= 2^53 while ticksPerSecond <= 2^37, which covers every
 * power of ten up to 10^11. Above that (no writer known to us uses it) the nanoseconds are
 * rounded down from a double.
 */
export function ticksToTime(
  out: TimeFields,
  hi: number,
  lo: number,
  ticksPerSecond: number,
  offsetSec: number,
): void {
  if (ticksPerSecond <= EXACT_TPS_LIMIT) {
    const hiQ = Math.floor(hi / ticksPerSecond);
    const a = (hi - hiQ * ticksPerSecond) * 65536 + (lo >>> 16);
    const q1 = Math.floor(a / ticksPerSecond);
    const b = (a - q1 * ticksPerSecond) * 65536 + (lo & 0xffff);
    const q2 = Math.floor(b / ticksPerSecond);
    const rem = b - q2 * ticksPerSecond;
    out.tsSec = hiQ * TWO_POW_32 + q1 * 65536 + q2 + offsetSec;
    out.tsNsec = remainderToNanos(rem, ticksPerSecond);
    return;
  }
  const ticks = hi * TWO_POW_32 + lo;
  const sec = Math.floor(ticks / ticksPerSecond);
  out.tsSec = sec + offsetSec;
  out.tsNsec = Math.min(
    999_999_999,
    Math.floor(((ticks - sec * ticksPerSecond) / ticksPerSecond) * 1e9),
  );
}

function remainderToNanos(rem: number, ticksPerSecond: number): number {
  if (ticksPerSecond === 1e9) return rem;
  if (ticksPerSecond < 1e9 && 1e9 % ticksPerSecond === 0) return rem * (1e9 / ticksPerSecond);
  if (ticksPerSecond > 1e9 && ticksPerSecond % 1e9 === 0) {
    return Math.floor(rem / (ticksPerSecond / 1e9));
  }
  // Power-of-two resolutions: exact while rem * 1e9 < 2^53 (resolutions up to 2^-23 s).
  return Math.floor((rem * 1e9) / ticksPerSecond);
}

/** `if_tsresol` to ticks per second: 10^-n when the top bit is clear, else 2^-n (pcapng 4.2). */
export function ticksPerSecondFromResolution(tsresol: number): number | undefined {
  const exponent = tsresol & 0x7f;
  if ((tsresol & 0x80) === 0) return exponent <= 18 ? 10 ** exponent : undefined;
  return exponent <= 63 ? 2 ** exponent : undefined;
}

/** Formats a time as `seconds.nnnnnnnnn`, the form `frame.time_epoch` takes in tshark. */
export function formatEpoch(tsSec: number, tsNsec: number): string {
  return `${tsSec}.${String(tsNsec).padStart(9, "0")}`;
}
