/** The report layer: turns results into text for people and programs. */
export { formatPacketLine, formatSkippedLine, formatFlags, formatEndpoint } from "./packet-line.js";
export { formatDiagnosticLine, formatUnsupportedLinkLine } from "./diagnostic-line.js";
export { escapeForTerminal, terminalSafeJson } from "./terminal.js";
export { fillGeneratedSections, GENERATED_SECTIONS } from "./catalogue-markdown.js";
export { formatBrief } from "./brief.js";
export { formatLadder, type LadderPacket } from "./ladder.js";
export { JsonBytes } from "./json-bytes.js";
export { writeFlowJson } from "./flow-json.js";
export type { CaptureInfo, CaptureFileInfo, ReportInput } from "./report-input.js";
export { analyzerFacts } from "./report-input.js";
export { FlowRecordWriter, type FlowRecordFormat } from "./flow-records.js";
export { formatExplain, explainKinds } from "./explain.js";
export { formatMarkdown } from "./markdown.js";
export { formatJunit } from "./junit.js";
export {
  zeekConnLogHeader,
  zeekConnLogRow,
  zeekConnLogFooter,
  zeekString,
  zeekStringSet,
  zeekUid,
  zeekDuration,
  zeekSeconds,
  zeekLogTime,
  ZEEK_CONN_FIELDS,
  ZEEK_CONN_TYPES,
  ZEEK_UID_DIGITS,
} from "./zeek-conn-log.js";
// The HTML report (html/html-report.ts: renderHtmlReport) is imported on its own, when asked
// for: it loads d3-node and jsdom, 0.2-0.4 s of start-up no other output should pay.
