/**
 * The findings as a JUnit XML report, for CI systems (Jenkins, GitLab, GitHub test reporters):
 * `testsuites > testsuite > testcase > failure | error | system-out`. A first test case says
 * whether every input was read to the end (an `error` when one was damaged). Every kind of the
 * catalogue is a test case, so a CI shows them all, passing when absent; a kind present fails
 * when the caller says so (`--fail-on`), with its evidence in the failure's body. Each server
 * that has a kind gets a test case of its own, so a CI's history tracks servers separately.
 *
 * The document is built with fast-xml-parser's builder, which escapes markup characters. What
 * it does not handle is characters XML 1.0 forbids outright (most C0 controls, lone surrogates,
 * U+FFFE and U+FFFF, 2.2 "Characters"): no escape makes them legal, so text from the capture is
 * first rewritten with them shown escaped (`\x01`), as on the terminal.
 *
 * Limitations: JUnit has no place for a test's data, so the counts and example flows are text
 * in the failure body and `system-out`; test case times are 0 and the suite's time is the
 * capture's span, not a run time.
 */
import { XMLBuilder } from "fast-xml-parser";
import {
  dateHolds,
  FINDING_KINDS,
  isoTime,
  THRESHOLDS,
  type FindingKind,
  type ServerSummary,
  type ThresholdName,
} from "../analysis/index.js";
import type { ReportInput } from "./report-input.js";
import { serverName } from "./summary-text.js";
import { escapeForTerminal } from "./terminal.js";

// Forbidden by XML 1.0 even as character references, once escapeForTerminal has taken the C0
// controls: lone surrogates and the two noncharacters U+FFFE, U+FFFF. The `u` flag makes a
// surrogate pair one code point, so only unpaired halves match.
const NOT_XML_CHAR = /[\ud800-\udfff\ufffe\uffff]/gu;
// Bidirectional embeddings, overrides and isolates: allowed, but they can make a name read
// differently from what it is (CVE-2021-42574).
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/g;

const hex4 = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;

/** Text from the capture, made valid XML 1.0 character data: forbidden characters shown escaped. */
function xmlText(text: string): string {
  return escapeForTerminal(text).replace(NOT_XML_CHAR, hex4).replace(BIDI_CONTROLS, hex4);
}

function endpoint(s: ServerSummary): string {
  return xmlText(serverName(s));
}

const times = (n: number): string => `${n} time${n === 1 ? "" : "s"}`;
/** The summary keeps a few example flows per server and kind; say so when there are more. */
const flowList = (count: number, flows: readonly number[]): string =>
  `${count > flows.length ? "e.g. " : ""}flow${flows.length === 1 ? "" : "s"} ${flows.join(", ")}`;

/**
 * An ISO 8601 date-time in UTC without zone or fraction: the JUnit (Ant) schema's pattern (for
 * a time a Date holds: see dateHolds).
 */
function junitTimestamp(epochSec: number): string {
  return isoTime(Math.floor(epochSec)).slice(0, 19);
}

interface TestCase {
  "@_classname": string;
  "@_name": string;
  "@_time": string;
  failure?: { "@_message": string; "@_type": string; "#text": string };
  error?: { "@_message": string; "@_type": string; "#text": string };
  "system-out"?: string;
}

function testCase(
  classname: string,
  name: string,
  kind: FindingKind,
  failing: boolean,
  message: string,
  body: string,
): TestCase {
  const tc: TestCase = { "@_classname": classname, "@_name": name, "@_time": "0" };
  if (failing) tc.failure = { "@_message": message, "@_type": kind, "#text": body };
  else tc["system-out"] = `${message}\n${body}`;
  return tc;
}

/** The catalogue entry as text: meaning, how it shows on the wire, usual causes. */
function explanation(kind: FindingKind): string {
  const info = FINDING_KINDS[kind];
  return [
    info.meaning,
    `On the wire: ${info.wire}`,
    "Usual causes:",
    ...info.causes.map((c) => `- ${c}`),
  ].join("\n");
}

/**
 * JUnit XML. `isFailure(kind)` says which finding kinds fail the build (the CLI passes its
 * --fail-on choice; default: severity "warning").
 */
export function formatJunit(input: ReportInput, isFailure: (kind: FindingKind) => boolean): string {
  const s = input.summary;
  const c = input.capture;
  const files = c.files.map((f) => xmlText(f.path));
  const flowHint = `Draw one flow with: teardown flow ${files.length > 0 ? files.join(" ") : "<capture>"} <id>`;
  // First, whether the capture could be read at all: a CI job must not pass on half a capture.
  const damaged = c.files.filter((f) => f.damaged);
  const readCase: TestCase = {
    "@_classname": "teardown.capture",
    "@_name": "every input read completely",
    "@_time": "0",
  };
  if (damaged.length > 0) {
    readCase.error = {
      "@_message": `${damaged.length} of ${c.files.length} input${c.files.length === 1 ? "" : "s"} could not be read to the end`,
      "@_type": "damaged-input",
      "#text": [
        "An error stopped the reading of these inputs (teardown printed it on stderr); what came before it was analysed:",
        ...damaged.map((f) => `- ${xmlText(f.path)}: ${f.packets} packets read`),
      ].join("\n"),
    };
  }
  const cases: TestCase[] = [readCase];
  for (const kind of Object.keys(FINDING_KINDS) as FindingKind[]) {
    const count = s.byKind[kind] ?? 0;
    const title = FINDING_KINDS[kind].title;
    const severity = FINDING_KINDS[kind].severity;
    const servers = s.servers.flatMap((sv) => {
      const k = sv.findings.find((f) => f.kind === kind);
      return k === undefined ? [] : [{ sv, k }];
    });
    if (count === 0) {
      cases.push({ "@_classname": "teardown.findings", "@_name": kind, "@_time": "0" });
      continue;
    }
    const failing = isFailure(kind);
    cases.push(
      testCase(
        "teardown.findings",
        kind,
        kind,
        failing,
        `${kind} (${severity}): found ${times(count)}: ${title}`,
        [
          explanation(kind),
          "",
          "Example flows by server:",
          ...servers.map(
            ({ sv, k }) => `- ${endpoint(sv)}: ${times(k.count)}, ${flowList(k.count, k.flows)}`,
          ),
          flowHint,
        ].join("\n"),
      ),
    );
    for (const { sv, k } of servers) {
      cases.push(
        testCase(
          "teardown.servers",
          `${kind} @ ${endpoint(sv)}`,
          kind,
          failing,
          `${kind} (${severity}) at ${endpoint(sv)}: found ${times(k.count)}: ${title}`,
          [
            FINDING_KINDS[kind].meaning,
            `Found ${times(k.count)}, ${flowList(k.count, k.flows)}.`,
            `Server: ${sv.connections} connections, ${sv.probes} probes, ${sv.refused} refused, ${sv.unanswered} unanswered; ` +
              `closed first by the client ${sv.closedBy.client}, by the server ${sv.closedBy.server}.`,
            flowHint,
          ].join("\n"),
        ),
      );
    }
  }
  const failures = cases.filter((tc) => tc.failure !== undefined).length;
  const errors = cases.filter((tc) => tc.error !== undefined).length;
  const span = c.end >= c.start ? c.end - c.start : 0;
  const stamp =
    c.packets > 0 && c.start > 0 && dateHolds(c.start)
      ? { "@_timestamp": junitTimestamp(c.start) }
      : {};
  const properties = [
    { "@_name": "teardown.version", "@_value": xmlText(input.version) },
    ...files.map((path) => ({ "@_name": "capture.file", "@_value": path })),
    ...(c.packets > 0 && c.start > 0
      ? [{ "@_name": "capture.start", "@_value": isoTime(c.start) }]
      : []),
    { "@_name": "capture.packets", "@_value": String(c.packets) },
    { "@_name": "capture.tcpPackets", "@_value": String(c.tcpPackets) },
    { "@_name": "connections", "@_value": String(s.connections) },
    { "@_name": "probes", "@_value": String(s.probes) },
    { "@_name": "refused", "@_value": String(s.refused) },
    { "@_name": "unanswered", "@_value": String(s.unanswered) },
    ...(Object.keys(THRESHOLDS) as ThresholdName[]).map((name) => ({
      "@_name": `threshold.${THRESHOLDS[name].option.replace(/^-+/, "")}`,
      "@_value": String(c.thresholds[name]),
    })),
  ];
  const counts = {
    "@_tests": String(cases.length),
    "@_failures": String(failures),
    "@_errors": String(errors),
    "@_skipped": "0",
    "@_time": span.toFixed(3),
  };
  const doc = {
    testsuites: {
      "@_name": "teardown",
      ...counts,
      ...stamp,
      testsuite: {
        "@_name": "teardown",
        ...counts,
        ...stamp,
        properties: { property: properties },
        testcase: cases,
        "system-out":
          `${files.join(", ")}: ${c.packets} packets (${c.tcpPackets} TCP) over ${span.toFixed(1)} s; ` +
          `${s.connections} connections, ${s.probes} probes, ${s.refused} refused, ${s.unanswered} unanswered. ` +
          `Closed first by the client ${s.closedBy.client}, by the server ${s.closedBy.server}; ` +
          `TIME_WAIT held by clients ${s.timeWait.client}, by servers ${s.timeWait.server}.`,
      },
    },
  };
  const builder = new XMLBuilder({
    ignoreAttributes: false,
    attributeNamePrefix: "@_",
    format: true,
    // Otherwise an attribute whose value is "true" is written bare, which is not XML.
    suppressBooleanAttributes: false,
    suppressEmptyNode: true,
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build(doc)}`;
}
