/**
 * One flow as a text ladder, like Wireshark's flow graph turned on its side: a line per packet
 * with its direction, flags, relative sequence and acknowledgement numbers and length; each
 * endpoint's inferred state change printed where it happens; long silences marked with their
 * duration; the findings last.
 *
 *   +0.000000      #1  client ──[S]  seq 0 len 0──────────────▶ server
 *                      client  SYN_SENT
 */
import { FINDING_KINDS, type FlowResult } from "../analysis/index.js";
import { TCP_ACK } from "../decode/index.js";
import type { Side } from "../flow/index.js";
import { formatFlags } from "./packet-line.js";
import { escapeForTerminal } from "./terminal.js";

export interface LadderPacket {
  readonly frame: number;
  /** Epoch seconds. */
  readonly at: number;
  readonly from: Side;
  readonly flags: number;
  /** Sequence and acknowledgement numbers relative to each side's first (Wireshark's relative numbering). */
  readonly seq: number;
  readonly ack: number;
  readonly window: number;
  readonly len: number;
}

const endpointText = (e: { ip: string; port: number }): string =>
  escapeForTerminal(e.ip.includes(":") ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`);

export function formatLadder(
  flow: FlowResult,
  packets: readonly LadderPacket[],
  gapSec: number,
): string {
  const lines: string[] = [];
  lines.push(
    `flow ${flow.id}: ${endpointText(flow.client)} (client${flow.roleInferred ? ", inferred" : ""}) <-> ${endpointText(flow.server)} (server)`,
    `handshake ${flow.handshake}; closed first by ${flow.closedBy}${flow.close === "none" ? "" : ` (${flow.close.toUpperCase()})`}; ` +
      `Zeek ${flow.zeek.connState} ${flow.zeek.history}`,
    "",
  );
  const t0 = flow.start;
  // State changes by frame, so each is printed under the packet that caused it.
  const changes = new Map<number, string[]>();
  for (const side of ["client", "server"] as const) {
    flow.states[side].forEach((s, i) => {
      if (i === 0) return;
      const list = changes.get(s.frame) ?? [];
      list.push(
        `${side === "client" ? "client" : "                                                server"}  ${s.state}`,
      );
      changes.set(s.frame, list);
    });
  }
  const initial =
    `${flow.states.client[0]?.state ?? "UNKNOWN"}`.padEnd(48) +
    (flow.states.server[0]?.state ?? "UNKNOWN");
  lines.push(
    `             client                                          server`,
    `             ${initial}`,
  );
  let previous = t0;
  for (const p of packets) {
    if (p.at - previous > gapSec)
      lines.push(`             ~~~ ${(p.at - previous).toFixed(3)} s with no packet ~~~`);
    previous = p.at;
    // The acknowledgement number means nothing without the ACK flag (a bare RST, a SYN).
    const ack = (p.flags & TCP_ACK) !== 0 ? ` ack ${p.ack}` : "";
    const label = `[${formatFlags(p.flags)}] seq ${p.seq}${ack} win ${p.window} len ${p.len}`;
    const arrow =
      p.from === "client"
        ? `──${label}`.padEnd(46, "─") + "▶"
        : "◀" + `${label}──`.padStart(46, "─");
    lines.push(`+${(p.at - t0).toFixed(6).padStart(11)} #${String(p.frame).padEnd(6)} ${arrow}`);
    for (const c of changes.get(p.frame) ?? []) lines.push(`${" ".repeat(21)}${c}`);
  }
  if (flow.timeWait !== "none" && flow.timeWaitUntil !== null) {
    lines.push(
      `${" ".repeat(21)}${flow.timeWait} stays in TIME_WAIT until +${(flow.timeWaitUntil - t0).toFixed(3)} s`,
    );
  }
  lines.push("");
  if (flow.findings.length === 0) lines.push("No findings.");
  for (const f of flow.findings) {
    const info = FINDING_KINDS[f.kind];
    lines.push(
      // The detail quotes the HTTP request, text from the capture.
      `${info.severity === "warning" ? "!" : "-"} ${f.kind} (${f.side}, frames ${f.evidence.join(", ")}): ${escapeForTerminal(f.detail)}`,
    );
    lines.push(`    ${info.meaning}`);
  }
  return lines.join("\n");
}
