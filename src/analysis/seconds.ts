/**
 * How results give times: seconds rounded to the nanosecond, the finest a capture records.
 * The flow tracker keeps a time as the capture's base second plus a relative double; the
 * result's number is the decimal `secondsText` writes, so the JSON text (written byte by byte in
 * the report layer from the same two parts) and the result object agree exactly, and no time
 * shows float noise such as 1700000000.1234567.
 */

const NS_PER_SEC = 1e9;

/**
 * The whole seconds of `whole + offset` rounded to 1/`perSecond` s (default: the nanosecond),
 * floored, also when negative.
 */
export function secondsPart(whole: number, offset: number, perSecond = NS_PER_SEC): number {
  return whole + Math.floor(Math.round(offset * perSecond) / perSecond);
}

/** The fraction after secondsPart, in 1/`perSecond` s: 0 to perSecond - 1. */
export function fractionPart(offset: number, perSecond = NS_PER_SEC): number {
  const units = Math.round(offset * perSecond);
  return units - Math.floor(units / perSecond) * perSecond;
}

/** The nanoseconds after secondsPart: 0 to 999,999,999. */
export function nanosPart(offset: number): number {
  return fractionPart(offset, NS_PER_SEC);
}

/**
 * `whole + offset` as a decimal rounded to `digits` decimals; trailing zeros dropped when
 * `trim` (results) or kept (Zeek's logs write six always).
 */
export function decimalSeconds(
  whole: number,
  offset: number,
  digits: number,
  trim: boolean,
): string {
  const perSecond = 10 ** digits;
  let sec = secondsPart(whole, offset, perSecond);
  let frac = fractionPart(offset, perSecond);
  let sign = "";
  if (sec < 0) {
    sign = "-";
    if (frac > 0) {
      sec += 1;
      frac = perSecond - frac;
    }
    sec = -sec;
  }
  const decimals = String(frac).padStart(digits, "0");
  if (!trim) return `${sign}${sec}.${decimals}`;
  return frac === 0 ? `${sign}${sec}` : `${sign}${sec}.${decimals.replace(/0+$/, "")}`;
}

/** `whole + offset` as a decimal rounded to the nanosecond, without trailing zeros. */
export function secondsText(whole: number, offset: number): string {
  return decimalSeconds(whole, offset, 9, true);
}

/** The number secondsText writes. */
export function seconds(whole: number, offset: number): number {
  return Number(secondsText(whole, offset));
}

/** Epoch seconds a Date can hold (ECMAScript: ±8.64e15 ms, about ±275,760 years). */
const DATE_LIMIT_SEC = 8.64e12;

/** Whether `epochSec` is a time a Date can hold (a damaged or odd timestamp may not be). */
export function dateHolds(epochSec: number): boolean {
  return Math.abs(epochSec) <= DATE_LIMIT_SEC;
}

/**
 * `epochSec` as ISO 8601 UTC to the millisecond (`2026-11-21T16:00:00.000Z`); past what a Date
 * holds (pcapng timestamps are 64-bit: a damaged one can be anything) the seconds themselves,
 * with the unit, so that no output fails on a capture's time.
 */
export function isoTime(epochSec: number): string {
  return dateHolds(epochSec)
    ? new Date(epochSec * 1000).toISOString()
    : `${String(epochSec)} s after the epoch`;
}

/** The time of day of `epochSec` (`16:00:00.000`, UTC), or isoTime's fallback past a Date's range. */
export function timeOfDay(epochSec: number): string {
  return dateHolds(epochSec) ? isoTime(epochSec).slice(11, 23) : isoTime(epochSec);
}
