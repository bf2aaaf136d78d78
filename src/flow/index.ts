/**
 * The flow layer: TCP connections rebuilt from decoded packets, each endpoint's inferred
 * socket state over time, and Zeek's history string.
 */
export { FlowTracker, DEFAULT_TRACKER_OPTIONS, guessClientIsSender } from "./tracker.js";
export { hashWords } from "./flow-table.js";
export type { FlowTrackerOptions, FlowSink, FlowEndReason } from "./tracker.js";
export { Flow, Direction, Endpoint, ZeekEndpoint, type StateChange, type Side } from "./flow.js";
export { nextState, hasClosed, TCP_STATES, type TcpState, type TcpEvent } from "./tcp-state.js";
export { seqDiff, seqLt, seqLe, seqGt, seqGe, seqAdd } from "./seq.js";
export {
  updateZeekState,
  zeekConnState,
  zeekBytes,
  zeekConnStateOf,
  zeekSize,
  type ZeekEndpointState,
} from "./zeek-state.js";
export {
  FlowBatchWriter,
  batchRecords,
  batchArrays,
  batchBuffers,
  detachFlow,
  type FlowBatchData,
  type BatchArrays,
} from "./flow-batch.js";
export type { FlowRecords } from "./flow-store.js";
export { P, PM, orderedRows, type PacketLogRecords } from "./packet-log.js";
export { APP_SESSIONS } from "./app-sessions.js";
export { HttpSession, HTTP_STOP_REASONS } from "./http-session.js";
export { TlsSession } from "./tls-session.js";
export { AppContextReader, AppContextWriter } from "./app-codec.js";
export { GrowingBytes } from "./growing-bytes.js";
export { AppEventReplayer, AppEventWriter, type AppForward } from "./app-forward.js";
export { PrefaceSession, detectApp } from "./app-sniffer.js";
export {
  MAX_TEXT,
  MAX_EXCHANGES,
  type AppContext,
  type AppProtocol,
  type AppSession,
  type AppSessionFactories,
  type HttpContext,
  type HttpExchange,
  type TlsContext,
} from "./app-context.js";
