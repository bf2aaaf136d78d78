/**
 * The per-flow records of the streaming output formats, written as bytes as flows finish:
 * `json` (the teardown/1 document's `flows[]`, one flow a line, comma-separated), `ndjson` (one
 * flow object a line), `zeek` (a Zeek conn.log row). The opening and closing lines are the
 * CLI's.
 */
import type { FinishedFlow } from "../analysis/index.js";
import { writeFlowJson } from "./flow-json.js";
import { JsonBytes } from "./json-bytes.js";
import { zeekConnLogRow } from "./zeek-conn-log.js";

export type FlowRecordFormat = "json" | "ndjson" | "zeek";

const COMMA = 0x2c;
const NEWLINE = 0x0a;

/** Records are handed out in chunks of at least this many bytes (but the last). */
const CHUNK_BYTES = 256 * 1024;

/**
 * The records of one stream, written as flows finish and handed out in chunks to write (by the
 * thread that analyses, to the one that writes).
 */
export class FlowRecordWriter {
  private readonly bytes = new JsonBytes();
  private first = true;

  constructor(readonly format: FlowRecordFormat) {}

  add(x: FinishedFlow): void {
    writeFlowRecord(this.format, this.bytes, x, this.first);
    this.first = false;
  }

  /**
   * The records written since the last chunk once they fill one (with `rest`: whatever there
   * is). The chunk is the writer's own buffer: give it back with `recycle` once written.
   */
  takeChunk(rest = false): Uint8Array | undefined {
    const n = this.bytes.length;
    return n === 0 || (!rest && n < CHUNK_BYTES) ? undefined : this.bytes.take();
  }

  /** A chunk is written out: its buffer is written again. */
  recycle(chunk: Uint8Array): void {
    this.bytes.recycle(chunk);
  }
}

/** Appends one flow's record; `first`: no record was written before it. */
function writeFlowRecord(
  format: FlowRecordFormat,
  w: JsonBytes,
  x: FinishedFlow,
  first: boolean,
): void {
  switch (format) {
    case "json":
      if (!first) w.char(COMMA);
      writeFlowJson(w, x);
      w.char(NEWLINE);
      return;
    case "ndjson":
      writeFlowJson(w, x);
      w.char(NEWLINE);
      return;
    case "zeek":
      // Zeek's escaping leaves only printable ASCII.
      w.raw(zeekConnLogRow(x));
      return;
    default: {
      const never: never = format;
      return never;
    }
  }
}
