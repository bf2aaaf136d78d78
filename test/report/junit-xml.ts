/**
 * JUnit XML as the tests read it back: validated, then parsed with fast-xml-parser keeping every
 * value as text (test/report/junit.test.ts, test/hostile/junit.test.ts).
 */
import assert from "node:assert/strict";
import { XMLParser, XMLValidator } from "fast-xml-parser";

export interface Failure {
  "@_message": string;
  "@_type": string;
  "#text": string;
}
export interface TestCase {
  "@_classname": string;
  "@_name": string;
  "@_time": string;
  failure?: Failure;
  "system-out"?: string;
}
export interface Counts {
  "@_name": string;
  "@_tests": string;
  "@_failures": string;
  "@_errors": string;
  "@_skipped": string;
  "@_time": string;
  "@_timestamp"?: string;
}
export interface TestSuite extends Counts {
  properties: { property: { "@_name": string; "@_value": string }[] };
  testcase: TestCase[];
  "system-out": string;
}
export interface Report {
  testsuites: Counts & { testsuite: TestSuite[] };
}

/** Validates, then parses back with every value kept as text. */
export function parseJunit(xml: string): Report {
  assert.equal(XMLValidator.validate(xml), true, "well-formed XML");
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "@_",
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    isArray: (name) => ["testsuite", "testcase", "property"].includes(name),
  });
  return parser.parse(xml) as Report;
}

/** Characters XML 1.0 (2.2) does not allow, even as references. */
export const NOT_XML_CHAR = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;
