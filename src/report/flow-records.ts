/**
 * The per-flow records of the streaming output formats, written as bytes as flows finish:
 * `json` (the teardown/1 document's `flows[]`, one flow a line, comma-separated), `ndjson` (one
 * flow object a line), `zeek` (a Zeek conn.log row). The opening and closing lines are the
 * CLI's.
 */
import type { FinishedFlow } from "../analysis/index.js";
import { writeFlowJson } from "./flow-json.js";
import type { JsonBytes } from "./json-bytes.js";
import { zeekConnLogRow } from "./zeek-conn-log.js";

export type FlowRecordFormat = "json" | "ndjson" | "zeek";

const COMMA = 0x2c;
const NEWLINE = 0x0a;

/** Appends one flow's record; `first`: no record was written before it. */
export function writeFlowRecord(
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
