/**
 * The JSON (`--json -`) and NDJSON (`--format ndjson`) of the hostile sample: valid UTF-8
 * whatever bytes the packets held, parsed by JSON.parse, and every hostile string of the
 * sample's HTTP and TLS context round-trips: it is in the text only as JSON escapes (`\u001b`,
 * `\u0000`, `\u00ff`) and parses back to exactly what was on the wire, one char per byte.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { FLOWS, HOSTILE_NAME, hostileCopy, SAMPLE, teardown, utf8 } from "./hostile-sample.js";

interface Exchange {
  readonly method: string;
  readonly target: string;
  readonly host: string | null;
  readonly status: number;
  readonly reason: string;
}
interface Flow {
  readonly id: number;
  readonly findings: readonly { readonly kind: string; readonly detail: string }[];
  readonly app?: {
    readonly protocol: string;
    readonly http?: {
      readonly exchanges: readonly Exchange[];
      readonly upgraded: string | null;
      readonly stopped: { readonly reason: string } | null;
    };
    readonly tls?: {
      readonly sni: string | null;
      readonly alpnOffered: readonly string[];
      readonly alpn: string | null;
    };
  };
}
interface Document {
  readonly schema: string;
  readonly flows: readonly Flow[];
  readonly capture: { readonly files: readonly { readonly path: string }[] };
}

// What the Go program sent (samples/gen/hostile/hostile-traffic), read one char per byte.
const ESC = "\u001b";
const CLEAR = `${ESC}[2J`;
const TITLE = `${ESC}]0;title\u0007`;
const SCRIPT = "<script>alert(1)</script>";
const SVG = '"><svg onload=alert(1)>';
const FORBIDDEN = "\u0001\u000b\u000c\u001f\u007f";
const RLO_UTF8 = "\u00e2\u0080\u00aeevil\u00e2\u0080\u00ac";
const NOT_UTF8 = "\u00ff\u00fe\u00ed\u00a0\u0080\u00ed\u00b0\u0080";

/** Field values of the sample, by flow id, as they must parse. */
const EXPECTED: readonly [id: number, pick: (f: Flow) => unknown, value: unknown][] = [
  [
    1,
    (f) => f.app?.http?.exchanges[0]?.target,
    `/${SCRIPT}?q=${SVG}&u=javascript:alert(1)&h=' onmouseover='alert(1)&c1=\u0085\u009b31m`,
  ],
  [1, (f) => f.app?.http?.exchanges[0]?.host, `${SVG}${CLEAR}${TITLE}\u0000`],
  [1, (f) => f.app?.http?.exchanges[0]?.reason, `OK ${SCRIPT} ${SVG}`],
  [
    2,
    (f) => f.app?.http?.exchanges[0]?.host,
    "[x](javascript:alert(1)) ![x](http://example.invalid/x.png)",
  ],
  [
    3,
    (f) => f.app?.http?.exchanges[0]?.host,
    `${CLEAR}${TITLE}${ESC}[31mred${ESC}[0m\u0000nul\u0007bell${FORBIDDEN}`,
  ],
  [
    3,
    (f) => f.app?.http?.exchanges[0]?.reason,
    `${CLEAR}${TITLE}${ESC}[31mteapot\u0000${ESC}[0m${FORBIDDEN}`,
  ],
  [4, (f) => f.app?.http?.exchanges[0]?.reason, `${TITLE}Bad ${SCRIPT}`],
  [4, (f) => f.app?.http?.stopped?.reason, "client: malformed request line"],
  [5, (f) => f.app?.http?.exchanges[0]?.target, `/${NOT_UTF8}\u00c0\u00af${RLO_UTF8}.txt\u009b2J`],
  [5, (f) => f.app?.http?.exchanges[0]?.host, `${NOT_UTF8}${RLO_UTF8}`],
  // The 100 KB target, cut to the 256 characters kept.
  [6, (f) => f.app?.http?.exchanges[0]?.target, `/${SCRIPT}${"A".repeat(256 - 1 - SCRIPT.length)}`],
  [7, (f) => f.app?.http?.exchanges[0]?.target, `/]]><!--<![CDATA[${SCRIPT}]]>\\x09\\`],
  [
    7,
    (f) => f.app?.http?.exchanges[0]?.host,
    "#separator\t#separator \\x09\ttab\tcr\rcr\u000bvt\u000cff\\",
  ],
  [
    7,
    (f) => f.app?.http?.exchanges[0]?.reason,
    "tab\there\rcr ]]><!-- #separator\t#separator \\x09 \\",
  ],
  [8, (f) => f.app?.http?.upgraded, `javascript:alert(1)${CLEAR}\u0000`],
  [8, (f) => f.app?.http?.exchanges[0]?.reason, SVG],
  [
    9,
    (f) => f.app?.http?.exchanges.map((x) => x.target),
    [`/1${SCRIPT}`, `/2${SVG}`, "/3javascript:alert(1)"],
  ],
  [9, (f) => f.app?.http?.exchanges[2]?.host, `c${RLO_UTF8}`],
  [10, (f) => f.app?.tls?.sni, `${SCRIPT}${CLEAR}\u0000${SVG}`],
  [
    10,
    (f) => f.app?.tls?.alpnOffered,
    ["javascript:alert(1)", SVG, TITLE, `\u00ff\u00fe${RLO_UTF8}`, "h2"],
  ],
  [
    11,
    (f) => f.app?.tls?.sni,
    `[x](javascript:alert(1))![x](http://example.invalid/x.png)${RLO_UTF8}\u009b2J`,
  ],
  [
    12,
    (f) => f.app?.tls?.sni,
    `]]><!--#separator\t#separator \\x09${FORBIDDEN}' onmouseover='alert(1)`,
  ],
  [12, (f) => f.app?.tls?.alpn, `${SCRIPT}${ESC}[31m`],
];

/** Raw control characters are not allowed in JSON strings (RFC 8259 7): none may be in the text. */
/**
 * No control character a terminal would act on (C0, DEL, C1) and no bidi control in the text:
 * `--json -` is often printed to a terminal. JSON itself only escapes C0.
 */
function assertNoRawControl(text: string): void {
  const raw =
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/.exec(
      text.replace(/\n/g, ""),
    );
  assert.equal(raw, null, `raw control character in the JSON text at ${raw?.index}`);
}

function checkFlows(flows: readonly Flow[], text: string): void {
  assert.deepEqual(
    flows.map((f) => f.id),
    Array.from({ length: FLOWS }, (_, i) => i + 1),
  );
  for (const [id, pick, value] of EXPECTED) {
    assert.deepEqual(pick(flows[id - 1]!), value, `flow ${id}: ${pick.toString()}`);
  }
  // The escaped forms are what the text holds (the app context is written as ASCII).
  for (const escaped of [
    "\\u001b[2J\\u001b]0;title\\u0007",
    "\\u0000",
    "\\u00ff\\u00fe",
    "\\u009b2J",
    "<script>alert(1)</script>",
    '\\"><svg onload=alert(1)>',
    "#separator\\t#separator \\\\x09",
  ])
    assert.ok(text.includes(escaped), `escaped ${escaped} in the text`);
  // Finding details quote the requests (flow 1: rst-unread-data, flow 2: client-timeout).
  const detail = (id: number, kind: string): string =>
    flows[id - 1]!.findings.find((f) => f.kind === kind)?.detail ?? "";
  assert.ok(detail(1, "rst-unread-data").includes(`GET /${SCRIPT}?q=${SVG}`));
  assert.ok(detail(2, "client-timeout").includes("GET /[x](javascript:alert(1)) ![x]("));
  assert.ok(detail(5, "client-timeout").includes(`${RLO_UTF8}.txt\u009b2J`));
}

describe("JSON and NDJSON of the hostile sample", () => {
  const copy = hostileCopy();
  after(copy.remove);

  it("--json: valid UTF-8 that parses back to every hostile string", () => {
    const r = teardown(["analyze", SAMPLE, "--json", "-"]);
    assert.equal(r.status, 0, r.stderr.toString());
    const text = utf8(r.stdout);
    assertNoRawControl(text);
    const doc = JSON.parse(text) as Document;
    assert.equal(doc.schema, "teardown/1");
    checkFlows(doc.flows, text);
  });

  it("--format ndjson: one valid JSON value a line, the same strings", () => {
    const r = teardown(["analyze", SAMPLE, "--format", "ndjson"]);
    assert.equal(r.status, 0, r.stderr.toString());
    const text = utf8(r.stdout);
    assertNoRawControl(text);
    const lines = text.split("\n");
    assert.equal(lines.pop(), "", "ends with a newline");
    const values = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(values.length, FLOWS + 1);
    checkFlows(values.slice(0, FLOWS) as unknown as Flow[], text);
    assert.ok("summary" in values[FLOWS]!);
  });

  it("a hostile file name round-trips in capture.files", () => {
    for (const args of [
      ["--json", "-"],
      ["--format", "ndjson"],
    ]) {
      const r = teardown(["analyze", copy.path, ...args]);
      assert.equal(r.status, 0, r.stderr.toString());
      const text = utf8(r.stdout);
      assertNoRawControl(text);
      const last = text.trimEnd().split("\n").at(-1)!;
      const doc = JSON.parse(args[0] === "--json" ? text : last) as Document;
      assert.equal(doc.capture.files[0]?.path, copy.path);
      assert.ok(copy.path.endsWith(HOSTILE_NAME));
      assert.ok(text.includes("\\u001b[2J") && text.includes("\\ttab\\nnl"));
    }
  });
});
