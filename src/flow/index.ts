/**
 * The flow layer: TCP connections rebuilt from decoded packets, each endpoint's inferred
 * socket state over time, and Zeek's history string.
 */
export { FlowTracker, DEFAULT_TRACKER_OPTIONS, guessClientIsSender } from "./tracker.js";
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
export { FlowBatchWriter, batchRecords, type FlowBatchData } from "./flow-batch.js";
export type { FlowRecords } from "./flow-store.js";
