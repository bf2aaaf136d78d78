/**
 * The Markdown report (`--format markdown`) of the hostile sample, read under hostile file
 * names (the report's text from the capture is its file names and addresses): parsed the way
 * CommonMark and GFM read code spans and table cells (markdown-inline.ts), no text outside a code
 * span opens a link, an image, an autolink, raw HTML or an entity, and everything that came
 * from the file name sits inside code spans, its control and bidi characters shown escaped.
 */
import assert from "node:assert/strict";
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { REPO_ROOT } from "../differential/capture-files.js";
import { HOSTILE_NAME_SHOWN, hostileCopy, offending, teardown, utf8 } from "./hostile-sample.js";
import { documentSegments, inlineSegments, liveConstruct, tableCells } from "./markdown-inline.js";

/** Pieces of the hostile names: each may only be inside a code span. */
const MARKERS = [
  "alert(1)",
  "onload",
  "javascript",
  "\\x1b",
  "\\u202e",
  "\\x9b",
  "tick",
  "#separator",
  "]]>",
  "hostile2",
];

function checkDocument(md: string): void {
  assert.deepEqual(offending(md), [], "no control or bidi character");
  const segments = documentSegments(md);
  for (const s of segments) {
    if (s.code) continue;
    assert.equal(liveConstruct(s.text), null, `live Markdown outside code spans: ${s.text}`);
    for (const m of MARKERS) assert.ok(!s.text.includes(m), `${m} outside a code span: ${s.text}`);
  }
}

describe("Markdown of the hostile sample", () => {
  const copy = hostileCopy();
  after(copy.remove);
  // A second file for a rotation set, so the file names also land in a table's cells.
  const second = join(copy.dir, "hostile2 `|` \u001b]0;t\u0007 [y](javascript:alert(1)).pcap");
  copyFileSync(join(REPO_ROOT, "samples/incidents/refused.pcap"), second);

  it("keeps the hostile file name in one code span, escaped", () => {
    const r = teardown(["analyze", copy.path, "--format", "markdown"]);
    assert.equal(r.status, 0, r.stderr.toString());
    const md = utf8(r.stdout);
    checkDocument(md);
    const capture = md.split("\n").find((l) => l.includes("packets ("))!;
    const first = inlineSegments(capture)[0]!;
    assert.deepEqual(first, { code: true, text: join(copy.dir, HOSTILE_NAME_SHOWN) });
    // The hint to draw a flow quotes the name for a shell, inside a code span too.
    const hint = md.split("\n").find((l) => l.startsWith("To see one flow"))!;
    assert.ok(
      inlineSegments(hint).some((s) => s.code && s.text.includes(`'${copy.dir}/h <svg`)),
      hint,
    );
  });

  it("keeps file names in table cells whole: a pipe in a name splits no cell", () => {
    const r = teardown(["analyze", copy.path, second, "--format", "markdown"]);
    assert.equal(r.status, 0, r.stderr.toString());
    const md = utf8(r.stdout);
    checkDocument(md);
    const lines = md.split("\n");
    const head = lines.findIndex((l) => l.startsWith("| file |"));
    assert.ok(head >= 0, "a files table");
    const width = tableCells(lines[head]!)!.length;
    const rows = lines.slice(head + 2, head + 4).map((l) => tableCells(l)!);
    for (const row of rows) assert.equal(row.length, width, row.join(" | "));
    const names = rows.map((row) => inlineSegments(row[0]!.trim()));
    assert.ok(
      names.every((n) => n.length === 1 && n[0]!.code),
      "each name one code span",
    );
    assert.deepEqual(
      names.map((n) => n[0]!.text).sort(),
      [
        join(copy.dir, HOSTILE_NAME_SHOWN).replace(/\|/g, "\\x7c"),
        join(copy.dir, "hostile2 `\\x7c` \\x1b]0;t\\x07 [y](javascript:alert(1)).pcap"),
      ].sort(),
    );
  });

  it("the parse check catches what it is for", () => {
    // A live link, raw HTML and a code span cut short by a pipe in a table cell.
    assert.notEqual(liveConstruct("see [x](javascript:alert(1))"), null);
    assert.notEqual(liveConstruct("<svg onload=alert(1)>"), null);
    assert.equal(liveConstruct("\\[x\\]\\(y\\) \\<b\\>"), null);
    const cells = tableCells("| `a|b` | c |")!;
    assert.equal(cells.length, 3);
    assert.ok(inlineSegments(cells[0]!).every((s) => !s.code));
    assert.deepEqual(inlineSegments("``a ` b``"), [{ code: true, text: "a ` b" }]);
    assert.deepEqual(inlineSegments("\\`x` y"), [{ code: false, text: "\\`x` y" }]);
  });
});
