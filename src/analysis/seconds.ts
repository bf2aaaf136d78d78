/**
 * How results give times: seconds rounded to the nanosecond, the finest a capture records.
 * The flow tracker keeps a time as the capture's base second plus a relative double; the
 * result's number is the decimal `secondsText` writes, so the JSON text (written byte by byte in
 * the report layer from the same two parts) and the result object agree exactly, and no time
 * shows float noise such as 1700000000.1234567.
 */

const NS_PER_SEC = 1e9;

/** The whole seconds of `whole + offset` rounded to the nanosecond (floor, also when negative). */
export function secondsPart(whole: number, offset: number): number {
  return whole + Math.floor(Math.round(offset * NS_PER_SEC) / NS_PER_SEC);
}

/** The nanoseconds after secondsPart: 0 to 999,999,999. */
export function nanosPart(offset: number): number {
  const ns = Math.round(offset * NS_PER_SEC);
  return ns - Math.floor(ns / NS_PER_SEC) * NS_PER_SEC;
}

/** `whole + offset` as a decimal rounded to the nanosecond, without trailing zeros. */
export function secondsText(whole: number, offset: number): string {
  let sec = secondsPart(whole, offset);
  let frac = nanosPart(offset);
  let sign = "";
  if (sec < 0) {
    sign = "-";
    if (frac > 0) {
      sec += 1;
      frac = NS_PER_SEC - frac;
    }
    sec = -sec;
  }
  if (frac === 0) return `${sign}${sec}`;
  return `${sign}${sec}.${String(frac).padStart(9, "0").replace(/0+$/, "")}`;
}

/** The number secondsText writes. */
export function seconds(whole: number, offset: number): number {
  return Number(secondsText(whole, offset));
}
