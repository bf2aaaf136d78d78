/**
 * The JUnit XML (`--format junit`) of the hostile sample under hostile file names (the report's
 * text from the capture): well-formed for fast-xml-parser's XMLValidator, parsed back by its
 * XMLParser with the same structure a CI reads (testsuites > testsuite > testcase), every
 * character one XML 1.0 allows, and the file name, with its markup, `]]>` and escaped controls,
 * read back as the text it was shown as.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import {
  HOSTILE_NAME_SHOWN,
  hostileCopy,
  offending,
  SAMPLE,
  teardown,
  utf8,
} from "./hostile-sample.js";
import { NOT_XML_CHAR, parseJunit as parse } from "../report/junit-xml.js";

/** A code point XML 1.0 (2.2) does not allow. */
const notXmlChar = (c: number): boolean => NOT_XML_CHAR.test(String.fromCodePoint(c));

describe("JUnit XML of the hostile sample", () => {
  const copy = hostileCopy();
  after(copy.remove);

  for (const failOn of [[], ["--fail-on", "info"]]) {
    it(`is well-formed and reads back the hostile file name${failOn.length > 0 ? " (every kind failing)" : ""}`, () => {
      const r = teardown(["analyze", copy.path, "--format", "junit", ...failOn]);
      assert.ok(r.status === 0 || r.status === 3, r.stderr.toString());
      const xml = utf8(r.stdout);
      assert.deepEqual(offending(xml, notXmlChar), [], "only characters XML 1.0 allows");
      assert.deepEqual(offending(xml), [], "no control or bidi character but line breaks");
      const suite = parse(xml).testsuites.testsuite[0]!;
      const shown = `${copy.dir}/${HOSTILE_NAME_SHOWN}`;
      const file = suite.properties.property.find((p) => p["@_name"] === "capture.file");
      assert.equal(file?.["@_value"], shown, "the name, read back from an attribute");
      assert.ok(suite["system-out"].startsWith(`${shown}: `), "and from text");
      const failures = suite.testcase.filter((t) => t.failure !== undefined);
      assert.ok(failures.length >= 5);
      for (const t of failures)
        assert.ok(t.failure!["#text"].includes(`teardown flow ${shown} <id>`), t["@_name"]);
      // The warnings of the sample, one test case each, and one per server with them.
      const kinds = suite.testcase.filter((t) => t.failure !== undefined).map((t) => t["@_name"]);
      assert.ok(kinds.includes("client-timeout") && kinds.includes("tls-handshake-abandoned"));
    });
  }

  it("the committed sample's report is well-formed too", () => {
    const r = teardown(["analyze", SAMPLE, "--format", "junit"]);
    assert.equal(r.status, 0);
    parse(utf8(r.stdout));
  });
});
