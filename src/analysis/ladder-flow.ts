/**
 * The flows the HTML report draws as ladders (like Wireshark's flow graph), with the packets
 * kept for them, and the flow index. The packets of a flow are kept while it is alive (its
 * opening and its closing packets, with a count of the middle ones left out), on the tracking
 * thread; when it finishes, the analysis keeps them only for the flows chosen to be drawn.
 */
import type { FlowResult } from "./flow-result.js";

/** One packet of a ladder. */
export interface LadderPacket {
  /**
   * Frame number in the capture, numbered on across files like every frame in the results (a
   * file's `frameOffset` in ReportInput.capture.files turns it into the file's own
   * `frame.number == N`; with one file they are the same).
   */
  readonly frame: number;
  /** Epoch seconds. */
  readonly at: number;
  readonly from: "client" | "server";
  /** TCP_* flag bits (decode/packet.ts). */
  readonly flags: number;
  /** Sequence and acknowledgement numbers relative to each side's ISN (raw when it is unknown). */
  readonly seq: number;
  readonly ack: number;
  /** Payload length (from the IP header) and the advertised window, unscaled. */
  readonly len: number;
  readonly window: number;
}

export interface LadderFlow {
  readonly flow: FlowResult;
  /** Packets in order; when `omitted` is set, the middle ones are left out between index `omitted.after` and the next. */
  readonly packets: readonly LadderPacket[];
  readonly omitted: {
    /** Index in `packets` of the last packet before the gap. */
    readonly after: number;
    readonly packets: number;
    /** Payload bytes of the packets left out, by sender. */
    readonly bytes: { readonly client: number; readonly server: number };
  } | null;
  /** Why it was chosen: the finding kinds it shows, or "requested" (--flow). */
  readonly reasons: readonly string[];
}

/** One line of the flow index. */
export interface FlowIndexRow {
  readonly id: number;
  readonly client: string;
  readonly server: string;
  /** Epoch seconds. */
  readonly start: number;
  readonly durationSec: number;
  readonly closedBy: "client" | "server" | "none";
  readonly close: "fin" | "rst" | "none";
  readonly findings: readonly string[];
}

/** What the report needs beyond the summary: ladders and the flow index. */
export interface ReportFlows {
  readonly ladders: readonly LadderFlow[];
  readonly index: readonly FlowIndexRow[];
  /** Flows analysed but left out of the index (past its size limit). */
  readonly indexOmitted: number;
}
