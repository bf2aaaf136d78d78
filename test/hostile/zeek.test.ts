/**
 * The Zeek conn.log (`--format zeek`) of the hostile sample: Zeek's TSV layout holds whatever
 * the packets carried. The conn.log has no column of text from packets (addresses, numbers,
 * states, and `service` from what the payload parsers confirmed), so the log is checked for its
 * shape (one row per connection, every row as many fields as `#fields`, pure printable ASCII
 * but the separators), and zeekString, the escaping any text column goes through, is checked on
 * every hostile string of the sample: no raw tab, newline or control byte, and Zeek's reading
 * of the escapes (`\x09`, `\x0a`, `\\`) gives back the string (as UTF-8, as zeekString writes it).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { zeekString, zeekStringSet } from "../../src/report/zeek-conn-log.js";
import { FLOWS, SAMPLE, teardown, utf8 } from "./hostile-sample.js";

/** Zeek's reading of an escaped value (util::get_unescaped_string): `\xNN` a byte, `\\` one `\`. */
function unescapeZeek(field: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < field.length; i++) {
    const c = field.charCodeAt(i);
    if (c === 0x5c && field[i + 1] === "x") {
      out.push(parseInt(field.slice(i + 2, i + 4), 16));
      i += 3;
    } else if (c === 0x5c && field[i + 1] === "\\") {
      out.push(0x5c);
      i += 1;
    } else {
      out.push(c);
    }
  }
  return Uint8Array.from(out);
}

/** Every string of the sample's HTTP and TLS context, from its JSON. */
function hostileStrings(): string[] {
  const r = teardown(["analyze", SAMPLE, "--json", "-"]);
  assert.equal(r.status, 0);
  const out: string[] = [];
  const collect = (v: unknown): void => {
    if (typeof v === "string") out.push(v);
    else if (Array.isArray(v)) v.forEach(collect);
    else if (v !== null && typeof v === "object") Object.values(v).forEach(collect);
  };
  for (const f of (JSON.parse(utf8(r.stdout)) as { flows: { app?: unknown }[] }).flows)
    collect(f.app);
  return out;
}

describe("Zeek conn.log of the hostile sample", () => {
  it("has one row per connection, each with every column, in printable ASCII", () => {
    const r = teardown(["analyze", SAMPLE, "--format", "zeek"]);
    assert.equal(r.status, 0, r.stderr.toString());
    const text = utf8(r.stdout);
    assert.match(text, /^[\x20-\x7e\t\n]*$/, "printable ASCII, tabs and newlines only");
    const lines = text.split("\n");
    assert.equal(lines.pop(), "");
    assert.equal(lines[0], "#separator \\x09");
    const fields = lines
      .find((l) => l.startsWith("#fields\t"))!
      .split("\t")
      .slice(1);
    const types = lines
      .find((l) => l.startsWith("#types\t"))!
      .split("\t")
      .slice(1);
    assert.equal(types.length, fields.length);
    const rows = lines.filter((l) => !l.startsWith("#"));
    assert.equal(rows.length, FLOWS);
    for (const row of rows) assert.equal(row.split("\t").length, fields.length, row);
    // The rows are the sample's connections: service from what the parsers confirmed.
    const column = (name: string): string[] =>
      rows.map((r) => r.split("\t")[fields.indexOf(name)]!);
    assert.deepEqual(
      column("teardown_id"),
      Array.from({ length: FLOWS }, (_, i) => String(i + 1)),
    );
    assert.deepEqual(column("service"), "http - http - - http http http http - - ssl".split(" "));
  });

  it("escapes every hostile string of the sample as Zeek does, reversibly", () => {
    const strings = hostileStrings();
    // The sample's tabs, CRs, ESCs, NULs and backslashes are all among them.
    for (const c of ["\t", "\r", "\u001b", "\u0000", "\\", "\u00ff", "#separator"])
      assert.ok(
        strings.some((s) => s.includes(c)),
        `a string with ${JSON.stringify(c)}`,
      );
    for (const s of strings) {
      const field = zeekString(s);
      assert.match(field, /^[\x21-\x7e ]*$/, `printable ASCII, no raw tab: ${JSON.stringify(s)}`);
      if (s === "") assert.equal(field, "(empty)");
      else assert.deepEqual(unescapeZeek(field), new TextEncoder().encode(s), JSON.stringify(s));
      const set = zeekStringSet([s, "x"]);
      assert.equal(set.split(",").length, 2, `one set element: ${set}`);
    }
    assert.equal(zeekString("a\tb\nc\\d"), "a\\x09b\\x0ac\\\\d");
  });
});
