/** latin1(): one character per byte for every byte value, at any offset of any Uint8Array. */
import assert from "node:assert/strict";
import { it } from "node:test";
import fc from "fast-check";
import { latin1 } from "../../src/decode/index.js";

it("latin1 gives each byte as the character of the same code, 0x80-0x9F included", () => {
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  const text = latin1(all, 0, 256);
  assert.equal(text.length, 256);
  for (let i = 0; i < 256; i++) assert.equal(text.charCodeAt(i), i);
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.nat(), (bytes, a, b) => {
      const from = bytes.length === 0 ? 0 : a % bytes.length;
      const to = from + (bytes.length === 0 ? 0 : b % (bytes.length - from + 1));
      // A view at an offset into a larger buffer, as packets are.
      const inner = new Uint8Array(bytes.length + 8);
      inner.set(bytes, 5);
      const view = inner.subarray(5, 5 + bytes.length);
      assert.equal(latin1(view, from, to), String.fromCharCode(...bytes.subarray(from, to)));
    }),
  );
});
