/**
 * The analysis thread of `teardown analyze`: receives finished flows in batches from the
 * tracking thread (see analysis-thread.ts), works out each one's facts and findings, adds it to
 * the summary, writes its JSON, and sends back the JSON in chunks and, at the end, the summary.
 * The tracking thread meanwhile reads, decodes and tracks the next packets: the two halves of
 * the work run on two cores.
 */
import { parentPort, workerData } from "node:worker_threads";
import {
  FlowAnalysis,
  flowPredicate,
  type FlowSelection,
  type Thresholds,
} from "../analysis/index.js";
import { batchRecords, Flow, type FlowBatchData } from "../flow/index.js";
import { JsonBytes, writeFlowRecord, type FlowRecordFormat } from "../report/index.js";
import type { ToAnalysis, FromAnalysis } from "./analysis-thread.js";

/** JSON is sent back once a batch has left at least this much. */
const JSON_CHUNK_BYTES = 256 * 1024;

const port = parentPort;
if (port === null) throw new Error("analysis-worker.js runs as a worker thread");
const { thresholds, format, select } = workerData as {
  thresholds: Thresholds;
  format: FlowRecordFormat | undefined;
  select: FlowSelection;
};
const predicate = flowPredicate(select);
const analysis = new FlowAnalysis(thresholds);
const out = new JsonBytes();
let first = true;

function send(message: FromAnalysis, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

function batch(b: FlowBatchData & { readonly startEpoch: number }): void {
  const flow = new Flow(batchRecords(b));
  for (let i = 0; i < b.count; i++) {
    flow.show(i);
    if (predicate !== undefined && !predicate(flow, b.baseSec, b.startEpoch)) continue;
    const finished = analysis.add(flow, b.captureEnd[i]!, b.baseSec);
    if (format === undefined) continue;
    writeFlowRecord(format, out, finished, first);
    first = false;
  }
  // The batch's arrays go back to be filled again.
  const arrays = { f64: b.f64, history: b.history, captureEnd: b.captureEnd };
  const transfer = [b.f64.buffer, b.history.buffer, b.captureEnd.buffer] as ArrayBuffer[];
  if (out.length >= JSON_CHUNK_BYTES) {
    const chunk = out.take();
    send({ type: "batch-done", json: chunk, arrays }, [...transfer, chunk.buffer as ArrayBuffer]);
  } else {
    send({ type: "batch-done", json: undefined, arrays }, transfer);
  }
}

port.on("message", (m: ToAnalysis) => {
  if (m.type === "batch") {
    batch(m.batch);
  } else {
    const chunk = out.length > 0 ? out.take() : undefined;
    send(
      { type: "summary", json: chunk, summary: analysis.build() },
      chunk === undefined ? [] : [chunk.buffer as ArrayBuffer],
    );
  }
});
