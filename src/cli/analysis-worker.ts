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
  type ReportFlowOptions,
  type Thresholds,
} from "../analysis/index.js";
import {
  APP_SESSIONS,
  AppEventReplayer,
  batchArrays,
  batchBuffers,
  batchRecords,
  Flow,
  type FlowBatchData,
} from "../flow/index.js";
import { FlowRecordWriter, type FlowRecordFormat } from "../report/index.js";
import type { ToAnalysis, FromAnalysis } from "./analysis-thread.js";

const port = parentPort;
if (port === null) throw new Error("analysis-worker.js runs as a worker thread");
const { thresholds, format, select, report } = workerData as {
  thresholds: Thresholds;
  format: FlowRecordFormat | undefined;
  select: FlowSelection;
  report: ReportFlowOptions | undefined;
};
const predicate = flowPredicate(select);
const analysis = new FlowAnalysis(thresholds, report);
const out = format === undefined ? undefined : new FlowRecordWriter(format);
/** Sessions of the connections whose payload the tracking thread forwarded here. */
const parsed = new AppEventReplayer(APP_SESSIONS);

function send(message: FromAnalysis, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

function batch(b: FlowBatchData & { readonly startEpoch: number }): void {
  const flow = new Flow(batchRecords(b, parsed));
  for (let i = 0; i < b.count; i++) {
    flow.show(i);
    if (predicate !== undefined && !predicate(flow, b.baseSec, b.startEpoch)) continue;
    const finished = analysis.add(flow, b.captureEnd[i]!, b.baseSec);
    out?.add(finished);
  }
  // The batch's arrays go back to be filled again.
  const arrays = batchArrays(b);
  const transfer = batchBuffers(arrays);
  const chunk = out?.takeChunk();
  if (chunk !== undefined) {
    send({ type: "batch-done", json: chunk, arrays }, [...transfer, chunk.buffer as ArrayBuffer]);
  } else {
    send({ type: "batch-done", json: undefined, arrays }, transfer);
  }
}

port.on("message", (m: ToAnalysis) => {
  if (m.type === "batch") {
    batch(m.batch);
  } else if (m.type === "written") {
    out?.recycle(m.json);
  } else if (m.type === "app-events") {
    parsed.replay(m.events);
    send({ type: "app-events-done", events: m.events }, [m.events.buffer as ArrayBuffer]);
  } else {
    const chunk = out?.takeChunk(true);
    send(
      {
        type: "summary",
        json: chunk,
        summary: analysis.build(),
        reportFlows: analysis.buildReportFlows(),
      },
      chunk === undefined ? [] : [chunk.buffer as ArrayBuffer],
    );
  }
});
