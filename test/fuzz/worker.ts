/**
 * The fuzz worker: runs the engine on its own thread so that the parent can stop it when an
 * execution hangs or runs out of memory. Before each execution the input is copied into shared
 * memory with a sequence number; the parent's watchdog reads them from there when the worker
 * stops answering.
 */
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { installAllocationGuard } from "./alloc-guard.js";
import { BlockCoverage } from "./coverage.js";
import {
  EXECS,
  INPUT_LENGTH,
  IN_EXEC,
  SEQ,
  SHARED_HEADER,
  type WorkerInput,
  type WorkerMessage,
} from "./protocol.js";

async function main(): Promise<void> {
  installAllocationGuard();
  const data = workerData as WorkerInput;
  // Started before the code under test is loaded, so that all of it gets block counters.
  const coverage = new BlockCoverage((url) => data.options.scope.some((s) => url.includes(s)));
  coverage.start();
  const { Engine } = await import("./engine.js");
  const header = new Int32Array(data.shared, 0, SHARED_HEADER / 4);
  const slot = new Uint8Array(data.shared, SHARED_HEADER);
  const post = (m: WorkerMessage): void => parentPort?.postMessage(m);
  const engine: InstanceType<typeof Engine> = new Engine(
    data.options,
    data.known,
    {
      beforeExec(input) {
        Atomics.store(header, EXECS, engine.stats.execs);
        const n = Math.min(input.length, slot.length);
        slot.set(input.subarray(0, n));
        Atomics.store(header, INPUT_LENGTH, n);
        Atomics.add(header, SEQ, 1);
        Atomics.store(header, IN_EXEC, 1);
      },
      afterExec() {
        Atomics.store(header, IN_EXEC, 0);
      },
      corpus: (input, seed) => post({ type: "corpus", input, seed }),
      failure: (failure) => post({ type: "failure", failure }),
      progress: (stats) => post({ type: "progress", stats }),
    },
    coverage,
  );
  const stats = engine.run(data.seeds, data.restored);
  post({ type: "done", stats });
}

// Only as a worker: the test runner also loads every module under dist/test on its own.
if (!isMainThread) await main();
