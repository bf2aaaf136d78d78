/**
 * TCP sequence-number arithmetic modulo 2^32 (RFC 793 section 3.3, RFC 1982 serial numbers).
 * Every comparison of sequence or acknowledgement numbers goes through here, so a connection
 * that wraps past 2^32 is handled in one place.
 */

/** `a - b` as a signed distance in (-2^31, 2^31]. */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

export function seqLt(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

export function seqLe(a: number, b: number): boolean {
  return ((a - b) | 0) <= 0;
}

export function seqGt(a: number, b: number): boolean {
  return ((a - b) | 0) > 0;
}

export function seqGe(a: number, b: number): boolean {
  return ((a - b) | 0) >= 0;
}

/** `a + n` modulo 2^32, as an unsigned number. */
export function seqAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}
