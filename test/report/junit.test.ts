/**
 * The JUnit report over real captures (the incident samples, read together as one capture so
 * that there are several servers), parsed back with fast-xml-parser and checked against the
 * summary; and over hostile file names and addresses, which must leave the XML well-formed.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { XMLValidator } from "fast-xml-parser";
import { FINDING_KINDS, type FindingKind } from "../../src/analysis/index.js";
import { formatJunit, type ReportInput } from "../../src/report/index.js";
import { INCIDENT_SAMPLES, reportInput } from "./read-report-input.js";
import { NOT_XML_CHAR, parseJunit as parse, type TestSuite } from "./junit-xml.js";

const KINDS = Object.keys(FINDING_KINDS) as FindingKind[];
const isWarning = (kind: FindingKind): boolean => FINDING_KINDS[kind].severity === "warning";

describe("formatJunit", () => {
  const input = reportInput(INCIDENT_SAMPLES);
  const s = input.summary;
  const xml = formatJunit(input, isWarning);
  const report = parse(xml);
  const suite = report.testsuites.testsuite[0] as TestSuite;
  const cases = suite.testcase;
  const present = KINDS.filter((k) => (s.byKind[k] ?? 0) > 0);

  it("is testsuites > one testsuite named teardown, with consistent counts", () => {
    assert.equal(report.testsuites.testsuite.length, 1);
    assert.equal(suite["@_name"], "teardown");
    const failing = cases.filter((c) => c.failure !== undefined).length;
    for (const counts of [report.testsuites, suite]) {
      assert.equal(counts["@_tests"], String(cases.length));
      assert.equal(counts["@_failures"], String(failing));
      assert.equal(counts["@_errors"], "0");
      assert.equal(counts["@_skipped"], "0");
      assert.equal(
        Number(counts["@_time"]).toFixed(1),
        (input.capture.end - input.capture.start).toFixed(1),
      );
      assert.match(counts["@_timestamp"] ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    }
    assert.ok(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites'));
  });

  it("has a test case for every kind of the catalogue", () => {
    const findings = cases.filter((c) => c["@_classname"] === "teardown.findings");
    assert.deepEqual(
      findings.map((c) => c["@_name"]),
      KINDS,
    );
    for (const c of findings) {
      const kind = c["@_name"] as FindingKind;
      if ((s.byKind[kind] ?? 0) === 0) {
        assert.equal(c.failure, undefined, `${kind} absent: passes`);
        assert.equal(c["system-out"], undefined);
      }
    }
  });

  it("fails the present warning kinds, with their count, meaning and example flows", () => {
    assert.ok(present.filter(isWarning).length >= 4, "the samples show several warnings");
    const failed = cases
      .filter((c) => c["@_classname"] === "teardown.findings" && c.failure !== undefined)
      .map((c) => c["@_name"]);
    assert.deepEqual(failed, present.filter(isWarning));
    for (const kind of present.filter(isWarning)) {
      const c = cases.find((x) => x["@_classname"] === "teardown.findings" && x["@_name"] === kind);
      const failure = c?.failure;
      assert.ok(failure !== undefined, kind);
      assert.equal(failure["@_type"], kind);
      assert.match(failure["@_message"], new RegExp(`found ${s.byKind[kind]} times?`));
      assert.ok(failure["#text"].includes(FINDING_KINDS[kind].meaning), `${kind}: meaning`);
      for (const sv of s.servers) {
        const k = sv.findings.find((f) => f.kind === kind);
        if (k === undefined) continue;
        assert.ok(
          failure["#text"].includes(`- ${sv.ip}:${sv.port}: ${k.count} time`) &&
            failure["#text"].includes(`flows ${k.flows.join(", ")}`),
          `${kind}: examples at ${sv.ip}:${sv.port}`,
        );
      }
    }
  });

  it("passes the present info kinds with their count in system-out", () => {
    const info = present.filter((k) => !isWarning(k));
    assert.ok(info.length >= 2, "the samples show probes and refusals");
    for (const kind of info) {
      const c = cases.find((x) => x["@_classname"] === "teardown.findings" && x["@_name"] === kind);
      assert.equal(c?.failure, undefined, kind);
      assert.match(c?.["system-out"] ?? "", new RegExp(`found ${s.byKind[kind]} times?`));
    }
  });

  it("has a test case per server for each kind it shows, failing likewise", () => {
    const perServer = cases.filter((c) => c["@_classname"] === "teardown.servers");
    const expected = s.servers.flatMap((sv) =>
      sv.findings.map((f) => ({ name: `${f.kind} @ ${sv.ip}:${sv.port}`, f })),
    );
    assert.equal(perServer.length, expected.length);
    for (const { name, f } of expected) {
      const c = perServer.find((x) => x["@_name"] === name);
      assert.ok(c !== undefined, name);
      assert.equal(c.failure !== undefined, isWarning(f.kind), `${name}: fails iff a warning`);
      const text = c.failure?.["#text"] ?? c["system-out"] ?? "";
      assert.match(
        text,
        new RegExp(`Found ${f.count} times?, (e\\.g\\. )?flows? ${f.flows.join(", ")}`),
      );
    }
  });

  it("lets the caller choose what fails", () => {
    const none = parse(formatJunit(input, () => false));
    assert.equal(none.testsuites["@_failures"], "0");
    const probes = parse(formatJunit(input, (k) => k === "probe"));
    const failed = probes.testsuites.testsuite[0]?.testcase.filter((c) => c.failure !== undefined);
    assert.ok(failed !== undefined && failed.length >= 2);
    assert.ok(failed.every((c) => c.failure?.["@_type"] === "probe"));
  });

  it("records the capture in properties", () => {
    const props = suite.properties.property;
    const value = (name: string): string[] =>
      props.filter((p) => p["@_name"] === name).map((p) => p["@_value"]);
    assert.deepEqual(
      value("capture.file"),
      input.capture.files.map((f) => f.path),
    );
    assert.deepEqual(value("capture.packets"), [String(input.capture.packets)]);
    assert.deepEqual(value("threshold.fin-gap"), [String(input.capture.thresholds.finGapSec)]);
  });

  it("passes every kind of an empty capture", () => {
    const empty = parse(
      formatJunit(
        {
          ...input,
          capture: { ...input.capture, files: [], packets: 0, tcpPackets: 0, start: 0, end: 0 },
          summary: {
            ...s,
            flows: 0,
            connections: 0,
            probes: 0,
            byKind: {},
            servers: [],
            clients: [],
          },
        },
        isWarning,
      ),
    );
    // Every kind, and the case that says every input was read.
    assert.equal(empty.testsuites["@_tests"], String(KINDS.length + 1));
    assert.equal(empty.testsuites["@_failures"], "0");
    assert.equal(empty.testsuites["@_errors"], "0");
    assert.equal(empty.testsuites["@_timestamp"], undefined);
  });

  it("reports a damaged input as an error test case", () => {
    const files = input.capture.files.map((f, i) => (i === 1 ? { ...f, damaged: true } : f));
    const xml = formatJunit({ ...input, capture: { ...input.capture, files } }, isWarning);
    assert.equal(XMLValidator.validate(xml), true);
    const doc = parse(xml);
    assert.equal(doc.testsuites["@_errors"], "1");
    assert.match(
      xml,
      /<testcase classname="teardown\.capture" name="every input read completely"[^>]*>\s*<error message="1 of \d+ inputs could not be read to the end" type="damaged-input">/,
    );
    assert.match(xml, new RegExp(`- ${files[1]?.path.replace(/[.]/g, "\\.")}: \\d+ packets read`));
  });
});

describe("formatJunit with hostile names", () => {
  const base = reportInput(["samples/incidents/client-timeout.pcap"]);
  const hostile =
    `<script>alert("x")</script>]]><![CDATA[ & &amp; 'q' "dq" ` +
    "\u0000\u0001\u0008\u000b\u000c\u001b[31m\u007f\u0085\ud800\uffff\ufffe\u202e \t\n\r end";
  // What the report shows instead: controls and forbidden characters as escapes.
  const shown =
    `<script>alert("x")</script>]]><![CDATA[ & &amp; 'q' "dq" ` +
    "\\x00\\x01\\x08\\x0b\\x0c\\x1b[31m\\x7f\\x85\\ud800\\uffff\\ufffe\\u202e \\t\\n\\r end";
  const sv = base.summary.servers[0];
  assert.ok(sv !== undefined);
  const input: ReportInput = {
    ...base,
    capture: {
      ...base.capture,
      files: [{ path: hostile, packets: 54, damaged: false, gzip: false }],
    },
    // Addresses are formatted by the decoder, but the model is a string: it is escaped anyway.
    summary: { ...base.summary, servers: [{ ...sv, ip: hostile }] },
    version: hostile,
  };
  const xml = formatJunit(input, isWarning);

  it("is well-formed, with no character XML 1.0 forbids", () => {
    assert.equal(XMLValidator.validate(xml), true);
    assert.doesNotMatch(xml, NOT_XML_CHAR);
    assert.doesNotMatch(xml, /<script|<!\[CDATA\[/);
  });

  it("writes an attribute whose value is true in full", () => {
    // fast-xml-parser's builder writes such an attribute bare (HTML style) unless told not to.
    const report = parse(formatJunit({ ...input, version: "true" }, isWarning));
    const props = report.testsuites.testsuite[0]?.properties.property ?? [];
    assert.equal(props.find((p) => p["@_name"] === "teardown.version")?.["@_value"], "true");
  });

  it("round-trips the names, controls shown escaped", () => {
    const suite = parse(xml).testsuites.testsuite[0];
    assert.ok(suite !== undefined);
    const props = suite.properties.property;
    assert.deepEqual(
      props.filter((p) => p["@_name"] === "capture.file").map((p) => p["@_value"]),
      [shown],
    );
    assert.equal(props.find((p) => p["@_name"] === "teardown.version")?.["@_value"], shown);
    const perServer = suite.testcase.filter((c) => c["@_classname"] === "teardown.servers");
    assert.ok(perServer.length > 0);
    for (const c of perServer) {
      assert.ok(c["@_name"].endsWith(` @ ${shown}:${sv.port}`), c["@_name"]);
      assert.ok(c.failure?.["@_message"].includes(`at ${shown}:${sv.port}`));
      assert.ok(c.failure?.["#text"].includes(`teardown flow ${shown} <id>`));
    }
  });
});
