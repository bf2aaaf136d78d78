/**
 * The byte-level JSON writer against the reference it must match: JSON.stringify for strings
 * (with DEL, C1 and bidi controls escaped as well) and numbers, analysis' secondsText for times.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { seconds, secondsText } from "../../src/analysis/index.js";
import { formatIpv4 } from "../../src/decode/index.js";
import { JsonBytes } from "../../src/report/index.js";
import { jsonFragment } from "../../src/report/json-bytes.js";

function written(write: (w: JsonBytes) => void): string {
  const w = new JsonBytes();
  write(w);
  return w.text();
}

describe("JsonBytes", () => {
  it("writes any string as JSON.stringify does, DEL, C1 and bidi controls escaped too", () => {
    const terminalSafe = (x: string): string =>
      JSON.stringify(x).replace(
        /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
        (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
      );
    const cases = [
      "",
      "plain",
      'a"b',
      "back\\slash",
      "tab\tnew\nline",
      "\u0000\u001f\u007f",
      "\u009b31m \u202egnp.exe \u2066x\u2069",
      "é€😀",
      "\ud800x",
    ];
    for (const s of cases) {
      const text = written((w) => w.string(s));
      assert.equal(text, terminalSafe(s), s);
      assert.equal(JSON.parse(text), JSON.parse(JSON.stringify(s)), s);
    }
    assert.equal(
      written((w) => w.string("\u009b")),
      '"\\u009b"',
    );
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        const text = written((w) => w.string(s));
        assert.equal(text, terminalSafe(s));
        assert.doesNotMatch(text, /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
      }),
    );
  });

  it("writes any string in ASCII: JSON.stringify's escapes, \\u escapes from U+007F up", () => {
    const reference = (s: string): string =>
      JSON.stringify(s).replace(
        /[\u007f-\uffff]/g,
        (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
      );
    const cases = [
      "",
      "GET",
      'a"b\\c',
      "\b\f\n\r\t\u0000\u001f",
      "\u007f\u0080\u00ff",
      "é€😀",
      "\udfff",
    ];
    for (const s of cases)
      assert.equal(
        written((w) => w.asciiEscaped(s)),
        reference(s),
        s,
      );
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        const text = written((w) => w.asciiEscaped(s));
        assert.equal(text, reference(s));
        assert.match(text, /^[\x20-\x7e]*$/);
      }),
    );
  });

  it("writes numbers as JSON.stringify does", () => {
    for (const x of [0, 7, 10, 99, 100, 4294967295, 2 ** 53 - 1, -1, 0.5, -2.25, 1e21, NaN]) {
      assert.equal(
        written((w) => w.number(x)),
        JSON.stringify(x),
        String(x),
      );
    }
    fc.assert(
      fc.property(fc.double(), (x) => {
        assert.equal(
          written((w) => w.number(x)),
          JSON.stringify(x),
        );
      }),
    );
  });

  it("writes times as secondsText, and that text parses to seconds()", () => {
    const cases: [number, number][] = [
      [1700000000, 0],
      [1700000000, 0.123456789],
      [1700000000, 0.1],
      [1700000000, 86399.999999999],
      [1700000000, 0.9999999996],
      [0, -0.5],
      [0, -1],
      [0, -1.25],
      [5, -0.000000001],
    ];
    for (const [whole, offset] of cases) {
      const text = secondsText(whole, offset);
      assert.equal(
        written((w) => w.seconds(whole, offset)),
        text,
        `${whole} + ${offset}`,
      );
      assert.equal(JSON.parse(text), seconds(whole, offset));
      assert.ok(Math.abs(Number(text) - (whole + offset)) <= 5e-10 + Math.abs(whole) * 1e-15);
    }
    assert.equal(secondsText(1700000000, 0.1), "1700000000.1");
    assert.equal(secondsText(0, -1.25), "-1.25");
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4e9 }),
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        (whole, offset) => {
          assert.equal(
            written((w) => w.seconds(whole, offset)),
            secondsText(whole, offset),
          );
        },
      ),
    );
  });

  it("writes whole seconds past 2^53 (absurd pcapng timestamps) as valid JSON numbers", () => {
    // Found by the fuzzer: 11529215063078956 s came out as "11529215063078956 0".
    for (const whole of [2 ** 53, 11529215063078956, 2 ** 63, 18446744073709552000]) {
      const text = written((w) =>
        w.raw("[").seconds(whole, 0).raw(",").seconds(whole, 0.5).raw("]"),
      );
      const back = JSON.parse(text) as number[];
      assert.deepEqual(back, [whole, whole + 0.5], text);
      assert.equal(
        written((w) => w.number(whole)),
        JSON.stringify(whole),
      );
    }
  });

  it("writes times that alternate between whole seconds as secondsText", () => {
    // The digits of the last two whole seconds are kept: a flow's TIME_WAIT end lies a minute
    // after its other times. Three values in turn miss that memory every time.
    const cases: [number, number][] = [];
    for (let i = 0; i < 30; i++) {
      cases.push([1700000000, i * 0.013]);
      cases.push([1700000000, 60 + i * 0.0071]);
      if (i % 3 === 0) cases.push([1700000000, 3600.5 + i]);
      if (i % 5 === 0) cases.push([0, -i - 0.25]);
    }
    const text = written((w) => {
      for (const [whole, offset] of cases) w.seconds(whole, offset).char(0x2c);
    });
    assert.equal(text, cases.map(([whole, offset]) => `${secondsText(whole, offset)},`).join(""));
  });

  it("writes IPv4 addresses as formatIpv4 does, as JSON strings", () => {
    for (const word of [0, 0xffffffff, 0x0a000001, 0xc0a80164, 0x64646464, 0x09630a01])
      assert.equal(
        written((w) => w.ipv4String(word)),
        JSON.stringify(formatIpv4(word)),
      );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (word) => {
        assert.equal(
          written((w) => w.ipv4String(word)),
          JSON.stringify(formatIpv4(word)),
        );
      }),
    );
  });

  it("writes pre-encoded fragments, also across the buffer's growth", () => {
    const fragments = [
      "",
      "{",
      "null",
      '{"id":',
      ',"windowScale":',
      '},"roleInferred":false,"start":',
    ];
    const w = new JsonBytes();
    let expected = "";
    // Well past the first buffer, so that some fragment (and its word slack) meets its end.
    for (let i = 0; expected.length < 300_000; i++) {
      const text = fragments[i % fragments.length]!;
      w.fragment(jsonFragment(text)).number(i);
      expected += text + String(i);
    }
    assert.equal(w.text(), expected);
    assert.throws(() => jsonFragment("é"), RangeError);
  });

  it("hands out what it wrote and starts again", () => {
    const w = new JsonBytes();
    w.raw("[").number(1).raw(",").string("x".repeat(100_000)).raw("]");
    const first = w.take();
    assert.equal(new TextDecoder().decode(first), `[1,"${"x".repeat(100_000)}"]`);
    assert.equal(w.length, 0);
    w.raw("{}");
    assert.equal(w.text(), "{}");
  });

  it("writes in a buffer given back, and never in one still out", () => {
    const w = new JsonBytes();
    w.raw("[1]");
    const first = w.take();
    w.raw("[2]");
    const second = w.take();
    // Neither is written over while it is out.
    w.raw("[3]");
    assert.equal(new TextDecoder().decode(first), "[1]");
    assert.equal(new TextDecoder().decode(second), "[2]");
    assert.notEqual(first.buffer, second.buffer);
    w.recycle(first);
    const third = w.take();
    assert.equal(new TextDecoder().decode(third), "[3]");
    // The writer went on in the buffer given back.
    w.raw("[4]");
    const fourth = w.take();
    assert.equal(fourth.buffer, first.buffer);
    assert.equal(new TextDecoder().decode(fourth), "[4]");
    assert.equal(new TextDecoder().decode(third), "[3]");
  });
});
