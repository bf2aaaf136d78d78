/** What the fuzz worker and its parent (main.ts) say to each other, and their shared memory. */
import type { EngineOptions, EngineStats, Failure } from "./engine.js";

export interface WorkerInput {
  readonly options: EngineOptions;
  readonly seeds: readonly Uint8Array[];
  readonly restored: readonly Uint8Array[];
  /** Failure signatures already found (a restarted worker does not report them again). */
  readonly known: readonly string[];
  readonly shared: SharedArrayBuffer;
}

export type WorkerMessage =
  | { readonly type: "corpus"; readonly input: Uint8Array; readonly seed: boolean }
  | { readonly type: "failure"; readonly failure: Failure }
  | { readonly type: "progress"; readonly stats: EngineStats }
  | { readonly type: "done"; readonly stats: EngineStats };

/**
 * Shared memory layout: [sequence, in an execution, input length, executions], then the input
 * bytes. The sequence counts every run (minimising included), the executions only the engine's.
 */
export const SHARED_HEADER = 16;
export const SEQ = 0;
export const IN_EXEC = 1;
export const INPUT_LENGTH = 2;
export const EXECS = 3;
