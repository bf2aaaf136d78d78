/**
 * Packet scripts for scenario tests: each step says who sends what and when; sequence and
 * acknowledgement numbers follow the conversation unless a step overrides them.
 *
 *   c S  0.000            client SYN
 *   s SA 0.001            server SYN-ACK
 *   c A  0.002            client ACK
 *   c PA 0.010 len=120    client data
 */
import assert from "node:assert/strict";
import {
  Analyzer,
  defaultThresholds,
  type CaptureSummary,
  type FlowResult,
  type ReportFlowOptions,
  type Thresholds,
} from "../../src/analysis/index.js";
import {
  newDecodedPacket,
  TCP_ACK,
  TCP_FIN,
  TCP_PSH,
  TCP_RST,
  TCP_SYN,
  type DecodedPacket,
} from "../../src/decode/index.js";
import { JsonBytes, writeFlowJson } from "../../src/report/index.js";

export interface Step {
  from: "c" | "s";
  /** Letters: S SYN, A ACK, F FIN, R RST, P PSH. */
  flags: string;
  /** Seconds after the script's start. */
  at: number;
  len?: number;
  seq?: number;
  ack?: number;
  win?: number;
  /** Another connection's client port (for scripts with several flows). */
  port?: number;
}

const FLAG_BITS: Record<string, number> = {
  S: TCP_SYN,
  A: TCP_ACK,
  F: TCP_FIN,
  R: TCP_RST,
  P: TCP_PSH,
};
const CLIENT = 0x0a000001; // 10.0.0.1
const SERVER = 0x0a000005; // 10.0.0.5
const BASE_SEC = 1_700_000_000;

/** Parses "c S 0.000 len=10 seq=5" lines into steps. */
export function script(text: string): Step[] {
  return text
    .trim()
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const [from, flags, at, ...rest] = line.split(/\s+/);
      const step: Step = { from: from === "s" ? "s" : "c", flags: flags ?? "", at: Number(at) };
      for (const kv of rest) {
        const [k, v] = kv.split("=");
        (step as unknown as Record<string, number>)[k ?? ""] = Number(v);
      }
      return step;
    });
}

export interface Played {
  flows: FlowResult[];
  analyzer: Analyzer;
  summary: CaptureSummary;
}

/** Plays the steps through the analyzer as one capture; returns the flows in id order. */
export function play(
  steps: readonly Step[],
  thresholds: Partial<Thresholds> = {},
  clientIsn = 1000,
  serverIsn = 5000,
  report?: ReportFlowOptions,
): Played {
  const flows: FlowResult[] = [];
  const analyzer = new Analyzer({
    thresholds: { ...defaultThresholds(), ...thresholds },
    ...(report !== undefined ? { report } : {}),
    onFlow: (f) => {
      const result = f.result();
      // The JSON written byte by byte from the flow is the result object, exactly: same fields
      // in the same order, same numbers.
      const w = new JsonBytes();
      writeFlowJson(w, f);
      assert.equal(JSON.stringify(JSON.parse(w.text())), JSON.stringify(result));
      flows.push(result);
    },
  });
  const next = new Map<string, { c: number; s: number }>();
  const p: DecodedPacket = newDecodedPacket();
  steps.forEach((step, i) => {
    const port = step.port ?? 40000;
    const seqs = next.get(String(port)) ?? { c: clientIsn, s: serverIsn };
    next.set(String(port), seqs);
    let flags = 0;
    for (const ch of step.flags) flags |= FLAG_BITS[ch] ?? 0;
    const fromClient = step.from === "c";
    const len = step.len ?? 0;
    const seq = step.seq ?? (fromClient ? seqs.c : seqs.s);
    const ack = step.ack ?? ((flags & TCP_ACK) !== 0 ? (fromClient ? seqs.s : seqs.c) : 0);
    const consumed = len + ((flags & TCP_SYN) !== 0 ? 1 : 0) + ((flags & TCP_FIN) !== 0 ? 1 : 0);
    if ((flags & TCP_RST) === 0) {
      if (fromClient) seqs.c = (seq + consumed) >>> 0;
      else seqs.s = (seq + consumed) >>> 0;
    }
    Object.assign(p, newDecodedPacket(), {
      status: "tcp",
      linkType: 1,
      ipVersion: 4,
      src0: fromClient ? CLIENT : SERVER,
      dst0: fromClient ? SERVER : CLIENT,
      srcPort: fromClient ? port : 80,
      dstPort: fromClient ? 80 : port,
      seq: seq >>> 0,
      ack: ack >>> 0,
      flags,
      window: step.win ?? 65535,
      payloadLen: len,
      tcpHeaderLen: 20,
    });
    const whole = Math.floor(step.at);
    analyzer.packet(i + 1, BASE_SEC + whole, Math.round((step.at - whole) * 1e9), p);
  });
  const summary = analyzer.finish();
  flows.sort((a, b) => a.id - b.id);
  return { flows, analyzer, summary };
}

export const kinds = (f: FlowResult | undefined): string[] =>
  (f?.findings ?? []).map((x) => x.kind).sort();
export const states = (f: FlowResult | undefined, side: "client" | "server"): string[] =>
  (f?.states[side] ?? []).map((s) => s.state);
