/**
 * The Markdown report over real captures (the incident samples, read together as one capture so
 * that there are several servers), and over a capture whose file name and addresses are hostile:
 * nothing from the capture may become a link, an HTML tag, a heading or a broken table row.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FINDING_KINDS, type FindingKind } from "../../src/analysis/index.js";
import { formatMarkdown, type ReportInput } from "../../src/report/index.js";
import { INCIDENT_SAMPLES, reportInput } from "./read-report-input.js";

const n = (x: number): string => x.toLocaleString("en-US");

/**
 * A line with its code spans cut out and its backslash escapes replaced by `E`, following
 * CommonMark 6.1 (a run of n backticks closes at the next run of exactly n) and 2.4 (a backslash
 * escapes ASCII punctuation). What is left is what Markdown interprets.
 */
function outsideCode(line: string): string {
  let out = "";
  let i = 0;
  while (i < line.length) {
    const c = line[i] as string;
    if (c === "\\" && i + 1 < line.length && /[!-/:-@[-`{-~]/.test(line[i + 1] as string)) {
      out += "E";
      i += 2;
      continue;
    }
    if (c === "`") {
      let n = 0;
      while (line[i + n] === "`") n++;
      const close = new RegExp(`(?<!\`)\`{${n}}(?!\`)`, "g");
      close.lastIndex = i + n;
      const m = close.exec(line);
      if (m !== null) {
        out += "C";
        i = m.index + n;
        continue;
      }
      out += line.slice(i, i + n);
      i += n;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

/** A table row's cells, split as GFM does: on pipes not escaped by a backslash. */
function cells(line: string): string[] {
  const parts: string[] = [];
  let cur = "";
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (c === "\\" && i + 1 < line.length) {
      cur += c + (line[i + 1] as string);
      i++;
    } else if (c === "|") {
      parts.push(cur);
      cur = "";
    } else {
      cur += c;
    }
  }
  parts.push(cur);
  // A row starts and ends with a pipe: drop the empty ends.
  return parts.slice(1, -1).map((p) => p.trim());
}

/** The tables of a document, each as its lines, checked to be whole. */
function tables(md: string): string[][] {
  const out: string[][] = [];
  let current: string[] | undefined;
  for (const line of md.split("\n")) {
    if (line.startsWith("|")) {
      if (current === undefined) out.push((current = []));
      current.push(line);
    } else {
      assert.ok(current === undefined || line === "", `a table ends with a blank line: ${line}`);
      current = undefined;
    }
  }
  for (const t of out) {
    const width = cells(t[0] as string).length;
    assert.match(t[1] as string, /^\|( -{3}:? \|)+$/, "a delimiter row follows the header");
    for (const row of t) {
      assert.ok(row.endsWith(" |"), `row ends with a pipe: ${row}`);
      assert.equal(cells(row).length, width, `row has ${width} cells: ${row}`);
    }
  }
  return out;
}

/** The table under a heading, as rows of cells (header and delimiter rows left out). */
function tableUnder(md: string, heading: string): string[][] {
  const at = md.indexOf(`\n${heading}\n`);
  assert.ok(at >= 0, `no ${heading}`);
  const table = tables(md.slice(at))[0];
  assert.ok(table !== undefined, `no table under ${heading}`);
  return table.slice(2).map(cells);
}

/** What no line of a report may show outside code spans, whatever the capture holds. */
function assertInert(md: string): void {
  for (const line of md.split("\n")) {
    const live = outsideCode(line);
    assert.doesNotMatch(live, /[<>]/, `no HTML or autolink: ${line}`);
    assert.doesNotMatch(live, /[[\]]/, `no link: ${line}`);
    assert.doesNotMatch(live, /https?:|www\.|javascript:|@/i, `no autolink: ${line}`);
    assert.doesNotMatch(live, /`/, `no unclosed code span: ${line}`);
    if (line.startsWith("#")) assert.match(line, /^#{2,3} [A-Za-z]/, `only our headings: ${line}`);
  }
  tables(md);
}

describe("formatMarkdown", () => {
  const input = reportInput(INCIDENT_SAMPLES);
  const md = formatMarkdown(input);
  const s = input.summary;

  it("starts with a title and the capture line", () => {
    const lines = md.split("\n");
    assert.match(lines[0] ?? "", /^## teardown/);
    assert.match(
      lines[2] ?? "",
      new RegExp(
        `^\`samples/incidents/client-timeout\\.pcap\`, .*: ${n(input.capture.packets)} packets`,
      ),
    );
    assert.match(
      md,
      new RegExp(`${n(s.connections)} connections, ${n(s.probes)} probes, ${n(s.refused)} refused`),
    );
    assert.match(md, /Closed first by the client in \d+%, by the server in \d+%/);
    assert.match(md, /TIME_WAIT held by clients: \d+, by servers: \d+/);
  });

  it("has every present kind with its count, severity and example flows", () => {
    const rows = tableUnder(md, "### Findings");
    const present = Object.keys(s.byKind) as FindingKind[];
    assert.ok(present.length >= 6, "the samples show most kinds");
    assert.equal(rows.length, present.length);
    for (const kind of present) {
      const row = rows.find((r) => r[0] === `\`${kind}\``);
      assert.ok(row !== undefined, kind);
      assert.equal(row[1], FINDING_KINDS[kind].severity);
      assert.equal(row[2], (s.byKind[kind] ?? 0).toLocaleString("en-US"));
      assert.match(row[4] ?? "", /^`#\d+`( `#\d+`)*$/, "flow ids as code, never bare #12");
    }
    // Warnings come first.
    const severities = rows.map((r) => r[1]);
    assert.deepEqual(
      severities,
      [...severities].sort((a, b) => (a === b ? 0 : a === "warning" ? -1 : 1)),
    );
  });

  it("has one servers row per server, with its counts", () => {
    const rows = tableUnder(md, "### Servers");
    assert.equal(s.servers.length, INCIDENT_SAMPLES.length, "one server per incident");
    assert.equal(rows.length, s.servers.length);
    for (const sv of s.servers) {
      const row = rows.find((r) => r[0] === `\`${sv.ip}:${sv.port}\``);
      assert.ok(row !== undefined, `${sv.ip}:${sv.port}`);
      assert.equal(row[1], String(sv.connections));
      assert.equal(row[2], String(sv.probes));
      // FIN gap: the count, then p50, p90 and the longest, or a dash when none closed by FIN.
      assert.match(
        row[7] ?? "",
        sv.finGap.count > 0
          ? new RegExp(`^${sv.finGap.count}: p50 [0-9.]+ (s|ms|µs), p90 `)
          : /^-$/,
      );
      for (const f of sv.findings) assert.ok(row[8]?.includes(`\`${f.kind}\` ${f.count}`), f.kind);
    }
  });

  it("has the top clients, the thresholds and how to see one flow", () => {
    assert.equal(tableUnder(md, "### Top clients")[0]?.[0], "`127.0.0.1`");
    const thresholds = tableUnder(md, "### Thresholds used");
    assert.deepEqual(thresholds.find((r) => r[0] === "`--time-wait`")?.slice(0, 2), [
      "`--time-wait`",
      "60 s",
    ]);
    assert.match(md, /`teardown flow <capture\.\.\.> <id>`/);
    assert.match(md, /`teardown flow samples\/incidents\/client-timeout\.pcap .* \d+`/);
  });

  it("is inert Markdown with whole tables", () => assertInert(md));

  it("says so when a capture has no connections", () => {
    const empty = formatMarkdown({
      ...input,
      capture: { ...input.capture, files: [], packets: 0, tcpPackets: 0, start: 0, end: 0 },
      summary: {
        ...s,
        flows: 0,
        connections: 0,
        probes: 0,
        refused: 0,
        unanswered: 0,
        byKind: {},
        servers: [],
        clients: [],
      },
    });
    assert.match(empty, /No TCP connections in this capture\./);
    assert.doesNotMatch(empty, /### Servers|teardown flow/);
    assertInert(empty);
  });
});

describe("formatMarkdown with hostile names", () => {
  const base = reportInput(["samples/incidents/client-timeout.pcap"]);
  const hostile =
    "evil|name`with``ticks` [x](javascript:alert(1)) <img src=x onerror=alert(1)>\n" +
    "# not a heading\r\n| --- | * _em_ ~~s~~ http://evil.example www.evil.example a@evil.example " +
    "\u0000\u001b[31m\u007f\u202e \\|`";
  const sv = base.summary.servers[0];
  assert.ok(sv !== undefined);
  const input: ReportInput = {
    ...base,
    capture: {
      ...base.capture,
      files: [{ path: hostile, packets: 54, damaged: true, gzip: true }, ...base.capture.files],
    },
    summary: {
      ...base.summary,
      // Addresses are formatted by the decoder, but the model is a string: it is escaped anyway.
      servers: [{ ...sv, ip: hostile }, sv],
      clients: base.summary.clients.map((c) => ({ ...c, ip: `${hostile}${c.ip}` })),
    },
    version: hostile,
  };
  const md = formatMarkdown(input);

  it("makes no live link, no HTML tag, no heading and no broken table row", () => assertInert(md));

  it("still shows the names, with control characters escaped", () => {
    assert.ok(md.includes("onerror=alert(1)>\\n# not a heading\\r\\n"), "newlines shown as \\n");
    assert.ok(md.includes("\\x00\\x1b[31m\\x7f\\u202e"), "controls and bidi overrides shown");
    assert.match(md, /\(gzip, damaged: read stopped early\)/);
    assert.equal(tableUnder(md, "### Servers").length, 2, "one row per server");
    assert.match(tableUnder(md, "### Servers")[0]?.[0] ?? "", /^`{3}\[evil\\x7cname/);
    assert.equal(tableUnder(md, "### Top clients").length, 1);
  });

  it("quotes the name in the example command for a shell", () => {
    assert.match(md, /teardown flow 'evil\|name/);
  });
});
