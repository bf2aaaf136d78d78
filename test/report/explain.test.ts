/**
 * `teardown explain`: the text comes from the catalogue of finding kinds and says all of it,
 * fits a terminal, and refuses kinds that do not exist.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  FINDING_KINDS,
  THRESHOLDS,
  thresholdText,
  type FindingKind,
  type FindingKindInfo,
} from "../../src/analysis/index.js";
import { explainKinds, formatExplain } from "../../src/report/index.js";

const KINDS = Object.keys(FINDING_KINDS) as FindingKind[];
/** Wrapping breaks lines at spaces: compare with every run of white space made one space. */
const flat = (s: string): string => s.replace(/\s+/g, " ");

function explained(kind: string): string {
  const text = formatExplain(kind);
  assert.ok(text !== undefined, `${kind} is explained`);
  return text;
}

describe("the catalogue of finding kinds", () => {
  for (const kind of KINDS) {
    const info: FindingKindInfo = FINDING_KINDS[kind];
    it(`${kind} has fixes, and names only real kinds and thresholds`, () => {
      assert.ok(info.fixes.length > 0, "at least one fix");
      for (const fix of info.fixes) assert.ok(fix.trim().length > 0, "no empty fix");
      for (const name of info.thresholds ?? []) assert.ok(Object.hasOwn(THRESHOLDS, name), name);
      // "see client-timeout" in a fix must point at a kind that exists.
      for (const text of [...info.causes, ...info.fixes]) {
        for (const m of text.matchAll(/\bsee ([a-z0-9]+(?:-[a-z0-9]+)+)/g))
          assert.ok(Object.hasOwn(FINDING_KINDS, m[1]!), `"${m[0]}" in ${kind}`);
      }
    });
  }
});

describe("formatExplain(kind)", () => {
  for (const kind of KINDS) {
    it(`${kind}: meaning, wire, every cause, every fix and its thresholds`, () => {
      const info: FindingKindInfo = FINDING_KINDS[kind];
      const text = explained(kind);
      const body = flat(text);
      assert.ok(text.startsWith(`${kind} (${info.severity}): ${info.title}`), "heading");
      for (const part of [info.meaning, info.wire, ...info.causes, ...info.fixes])
        assert.ok(body.includes(flat(part)), `missing: ${part}`);
      const thresholds = info.thresholds ?? [];
      for (const name of thresholds) {
        const t = THRESHOLDS[name];
        assert.ok(
          body.includes(`${t.option} (default ${thresholdText(name, t.default)})`),
          t.option,
        );
        assert.ok(body.includes(flat(t.meaning)), `${t.option} meaning`);
      }
      if (thresholds.length === 0) assert.match(text, /^Thresholds: none/m);
    });
  }

  it("fits a 100-column terminal: no line longer, no colour or control characters", () => {
    for (const kind of [undefined, ...KINDS]) {
      const text = formatExplain(kind)!;
      for (const line of text.split("\n")) {
        assert.ok(line.length <= 100, `${kind ?? "list"}: ${line.length} columns: ${line}`);
        assert.equal(line, line.trimEnd(), "no trailing spaces");
      }
      // eslint-disable-next-line no-control-regex
      assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
      assert.ok(!text.endsWith("\n"), "the caller adds the last newline");
    }
  });

  it("keeps lists readable: each cause and fix starts its own bullet", () => {
    const text = explained("rst-unread-data");
    const info: FindingKindInfo = FINDING_KINDS["rst-unread-data"];
    const bullets = text.split("\n").filter((l) => l.startsWith("  - "));
    assert.equal(bullets.length, info.causes.length + info.fixes.length);
  });

  it("gives undefined for an unknown kind", () => {
    for (const kind of ["", "nope", "Client-Timeout", " probe", "constructor", "__proto__"])
      assert.equal(formatExplain(kind), undefined, JSON.stringify(kind));
  });
});

describe("formatExplain() with no kind", () => {
  it("lists every kind once, in catalogue order, with its severity and title", () => {
    const text = formatExplain();
    assert.ok(text !== undefined);
    const rows = text.split("\n").filter((l) => /^ {2}[a-z]/.test(l));
    assert.deepEqual(
      rows.map((r) => r.trim().split(/\s+/)[0]),
      KINDS,
    );
    for (const [i, kind] of KINDS.entries()) {
      const info = FINDING_KINDS[kind];
      assert.match(rows[i]!, new RegExp(`^ {2}${kind} +${info.severity} +`));
      assert.ok(rows[i]!.endsWith(info.title), rows[i]);
    }
  });

  it("explainKinds() gives the same kinds, each of which formatExplain knows", () => {
    assert.deepEqual([...explainKinds()], KINDS);
    for (const kind of explainKinds()) assert.ok(formatExplain(kind) !== undefined, kind);
  });
});
