/**
 * The analysis layer: findings per flow, from one catalogue of kinds and one of thresholds,
 * and the capture summary.
 */
export {
  Analyzer,
  FinishedFlow,
  FlowAnalysis,
  LADDER_PACKETS,
  type AnalyzerOptions,
} from "./analyzer.js";
export {
  DEFAULT_REPORT_FLOW_OPTIONS,
  ReportFlowCollector,
  type ReportFlowOptions,
} from "./report-flows.js";
export type { LadderFlow, LadderPacket, FlowIndexRow, ReportFlows } from "./ladder-flow.js";
export {
  FINDING_KINDS,
  type FindingKind,
  type FindingKindInfo,
  type FindingScope,
  type Severity,
} from "./finding-kinds.js";
export {
  THRESHOLDS,
  defaultThresholds,
  thresholdUnit,
  thresholdText,
  type Thresholds,
  type ThresholdName,
} from "./thresholds.js";
export {
  findingsForFlow,
  handshakeState,
  type Finding,
  type HandshakeState,
} from "./flow-findings.js";
export { buildFlowResult, flowFacts, addressText } from "./flow-result.js";
export {
  appResult,
  appFieldKind,
  appNumber,
  APP_PLAIN,
  APP_TIME,
  type AppFieldKind,
  type AppResult,
  type HttpResult,
  type HttpExchangeResult,
  type TlsResult,
} from "./app-result.js";
export {
  dateHolds,
  decimalSeconds,
  isoTime,
  seconds,
  secondsText,
  secondsPart,
  nanosPart,
  timeOfDay,
} from "./seconds.js";
export {
  flowPredicate,
  type FlowPredicate,
  type FlowSelection,
  type TimePoint,
} from "./flow-filter.js";
export type {
  FlowResult,
  FlowFacts,
  FindingResult,
  EndpointRef,
  StateResult,
} from "./flow-result.js";
export type { CaptureSummary, ServerSummary, ClientSummary, KindCount } from "./summary.js";
export type { AggregateFinding, ServerHttp, ServerTls } from "./server-aggregates.js";
export {
  NETSTAT_STATES,
  NetstatBuilder,
  type NetstatState,
  type NetstatSummary,
  type NetstatHost,
  type NetstatServer,
  type NetstatCounts,
  type NetstatGrid,
  type NetstatPeak,
} from "./netstat.js";
export { OTHER_ENDPOINTS } from "./endpoint-index.js";
