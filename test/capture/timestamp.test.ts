import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { formatEpoch, ticksToTime, ticksPerSecondFromResolution } from "../../src/capture/index.js";

/** The exact answer, with BigInt: what ticksToTime must reproduce without BigInt. */
function reference(ticks: bigint, tps: bigint): [number, number] {
  const sec = ticks / tps;
  const nsec = ((ticks % tps) * 1_000_000_000n) / tps;
  return [Number(sec), Number(nsec)];
}

describe("timestamps", () => {
  it("splits any 64-bit tick count exactly for resolutions up to 2^-23 and 10^-11", () => {
    const resolutions = [1n, 1000n, 1_000_000n, 1_000_000_000n, 100_000_000_000n, 1024n, 1n << 23n];
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        fc.constantFrom(...resolutions),
        (ticks, tps) => {
          const out = { tsSec: 0, tsNsec: 0 };
          ticksToTime(out, Number(ticks >> 32n), Number(ticks & 0xffffffffn), Number(tps), 0);
          const [sec, nsec] = reference(ticks, tps);
          // Seconds beyond 2^53 cannot be exact in a double; no capture has them.
          if (sec < Number.MAX_SAFE_INTEGER) assert.equal(out.tsSec, sec);
          assert.equal(out.tsNsec, nsec);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("reads if_tsresol as 10^-n or 2^-n", () => {
    assert.equal(ticksPerSecondFromResolution(6), 1e6);
    assert.equal(ticksPerSecondFromResolution(9), 1e9);
    assert.equal(ticksPerSecondFromResolution(0x80 | 20), 2 ** 20);
    assert.equal(ticksPerSecondFromResolution(19), undefined);
  });

  it("formats epoch time with nine decimals", () => {
    assert.equal(formatEpoch(1700000000, 5), "1700000000.000000005");
    assert.equal(formatEpoch(0, 999999999), "0.999999999");
  });
});
