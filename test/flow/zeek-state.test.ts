/**
 * Zeek's endpoint states, conn_state and history, from short packet scripts run through the
 * flow tracker. A script is one packet per string, read like a flow graph:
 *
 *   "> S"        client to server, SYN              "< SA"   server to client, SYN-ACK
 *   "> A D100"   ACK with 100 bytes of payload       "< FA"   FIN-ACK
 *   "> A D100 rx" the same 100 bytes again (a retransmission)
 *   "< A w0"     ACK advertising a zero window       "> R"    RST (no ACK)
 *
 * Sequence and acknowledgement numbers follow from the script (client ISN 1000, server ISN
 * 5000); a packet acknowledges everything the peer has sent. The client is 10.0.0.1:40000, the
 * server 10.0.0.2:80.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  newDecodedPacket,
  TCP_ACK,
  TCP_FIN,
  TCP_RST,
  TCP_SYN,
  type DecodedPacket,
} from "../../src/decode/index.js";
import {
  detachFlow,
  FlowTracker,
  zeekBytes,
  zeekConnState,
  zeekConnStateOf,
  type Flow,
  type ZeekEndpointState,
} from "../../src/flow/index.js";

const CLIENT = { addr: 0x0a000001, port: 40000, isn: 1000 };
const SERVER = { addr: 0x0a000002, port: 80, isn: 5000 };

const FLAG_BITS: Readonly<Record<string, number>> = {
  S: TCP_SYN,
  A: TCP_ACK,
  F: TCP_FIN,
  R: TCP_RST,
};

interface Result {
  readonly connState: string;
  readonly history: string;
  readonly orig: ZeekEndpointState;
  readonly resp: ZeekEndpointState;
  readonly bytes: { readonly orig: number; readonly resp: number };
}

function packet(step: string, next: { c: number; s: number }): DecodedPacket {
  const [dir, flagText = "", ...opts] = step.split(" ");
  const fromClient = dir === ">";
  const p = newDecodedPacket();
  const me = fromClient ? CLIENT : SERVER;
  const peer = fromClient ? SERVER : CLIENT;
  p.status = "tcp";
  p.ipVersion = 4;
  p.src0 = me.addr;
  p.dst0 = peer.addr;
  p.srcPort = me.port;
  p.dstPort = peer.port;
  p.window = 65535;
  for (const ch of flagText) {
    const bit = FLAG_BITS[ch];
    assert.ok(bit !== undefined, `flag ${ch} in "${step}"`);
    p.flags |= bit;
  }
  let retransmit = false;
  for (const o of opts) {
    if (o.startsWith("D")) p.payloadLen = p.capturedPayloadLen = Number(o.slice(1));
    else if (o === "w0") p.window = 0;
    else if (o === "rx") retransmit = true;
    else assert.fail(`option ${o} in "${step}"`);
  }
  const mine = fromClient ? "c" : "s";
  const theirs = fromClient ? "s" : "c";
  const syn = (p.flags & TCP_SYN) !== 0;
  const fin = (p.flags & TCP_FIN) !== 0;
  const span = p.payloadLen + (syn ? 1 : 0) + (fin ? 1 : 0);
  if (retransmit) next[mine] -= span;
  p.seq = (syn ? me.isn : next[mine]) >>> 0;
  p.ack = (p.flags & TCP_ACK) !== 0 ? next[theirs] >>> 0 : 0;
  next[mine] = p.seq + span;
  return p;
}

/** Runs a script; every packet must land in one flow, whose Zeek view is returned. */
function run(script: readonly string[]): Result {
  const flows: Flow[] = [];
  const tracker = new FlowTracker({ flowEnded: (f) => void flows.push(detachFlow(f)) });
  const next = { c: CLIENT.isn + 1, s: SERVER.isn + 1 };
  script.forEach((step, i) =>
    tracker.packet(i + 1, 1_700_000_000, i * 1_000_000, packet(step, next)),
  );
  tracker.end();
  assert.equal(flows.length, 1, "one flow");
  const f = flows[0] as Flow;
  return {
    connState: zeekConnState(f),
    history: f.history,
    orig: f.zeekOrig.state,
    resp: f.zeekResp.state,
    bytes: zeekBytes(f),
  };
}

interface Case {
  readonly name: string;
  readonly script: readonly string[];
  readonly connState: string;
  readonly history: string;
  readonly orig?: ZeekEndpointState;
  readonly resp?: ZeekEndpointState;
}

function table(cases: readonly Case[]): void {
  for (const c of cases) {
    it(c.name, () => {
      const r = run(c.script);
      assert.equal(r.connState, c.connState, "conn_state");
      assert.equal(r.history, c.history, "history");
      if (c.orig !== undefined) assert.equal(r.orig, c.orig, "originator state");
      if (c.resp !== undefined) assert.equal(r.resp, c.resp, "responder state");
    });
  }
}

const HANDSHAKE = ["> S", "< SA", "> A"];

describe("attempts: S0, REJ, RSTOS0, SH", () => {
  table([
    {
      name: "a lone SYN is an unanswered attempt (S0)",
      script: ["> S"],
      connState: "S0",
      history: "S",
      orig: "TCP_SYN_SENT",
      resp: "TCP_INACTIVE",
    },
    {
      name: "a retransmitted SYN with the same sequence number adds no letter",
      script: ["> S", "> S"],
      connState: "S0",
      history: "S",
    },
    {
      name: "SYN answered by RST-ACK is rejected (REJ)",
      script: ["> S", "< RA"],
      connState: "REJ",
      history: "Sr",
      orig: "TCP_SYN_SENT",
      resp: "TCP_RESET",
    },
    {
      name: "both sides reset with no data either way is still REJ",
      script: ["> S", "< RA", "> R"],
      connState: "REJ",
      history: "SrR",
      orig: "TCP_RESET",
      resp: "TCP_RESET",
    },
    {
      name: "the originator gives up with a RST before any answer (RSTOS0)",
      script: ["> S", "> R"],
      connState: "RSTOS0",
      history: "SR",
    },
    {
      name: "SYN then FIN with no answer is half open (SH)",
      script: ["> S", "> FA"],
      connState: "SH",
      history: "SF",
      orig: "TCP_CLOSED",
      resp: "TCP_INACTIVE",
    },
    {
      name: "a responder that acks the SYN before its SYN-ACK stays inactive until the SYN-ACK",
      script: ["> S", "< A", "< SA", "> A"],
      connState: "S1",
      history: "SahA",
    },
  ]);
});

describe("established: S1, S2, S3, SF", () => {
  table([
    {
      name: "handshake and data, never closed (S1)",
      script: [...HANDSHAKE, "> A D100", "< A D200"],
      connState: "S1",
      history: "ShADd",
      orig: "TCP_ESTABLISHED",
      resp: "TCP_ESTABLISHED",
    },
    {
      name: "only the originator closed (S2)",
      script: [...HANDSHAKE, "> FA"],
      connState: "S2",
      history: "ShAF",
    },
    {
      name: "only the responder closed (S3)",
      script: [...HANDSHAKE, "< FA"],
      connState: "S3",
      history: "ShAf",
    },
    {
      name: "FIN both ways is a normal close (SF)",
      script: [...HANDSHAKE, "> A D10", "< A D20", "> FA", "< FA", "> A"],
      connState: "SF",
      history: "ShADdFf",
      orig: "TCP_CLOSED",
      resp: "TCP_CLOSED",
    },
    {
      name: "a RST after both FINs does not undo the close (SF)",
      script: [...HANDSHAKE, "> FA", "< FA", "> R"],
      connState: "SF",
      history: "ShAFfR",
      orig: "TCP_CLOSED",
    },
    {
      name: "FIN, RST, then the peer's FIN: the RST is taken back (SF)",
      script: [...HANDSHAKE, "> FA", "> R", "< FA"],
      connState: "SF",
      history: "ShAFRf",
      orig: "TCP_CLOSED",
      resp: "TCP_CLOSED",
    },
  ]);
});

describe("resets: RSTO, RSTR, RSTRH", () => {
  table([
    {
      name: "the originator aborts an established connection (RSTO)",
      script: [...HANDSHAKE, "> A D10", "> RA"],
      connState: "RSTO",
      history: "ShADR",
      orig: "TCP_RESET",
      resp: "TCP_ESTABLISHED",
    },
    {
      name: "the responder aborts (RSTR)",
      script: [...HANDSHAKE, "> A D10", "< RA"],
      connState: "RSTR",
      history: "ShADr",
    },
    {
      name: "a RST after the originator's FIN still counts (RSTR)",
      script: [...HANDSHAKE, "> FA", "< R"],
      connState: "RSTR",
      history: "ShAFr",
    },
    {
      name: "SYN-ACK then RST from the responder, no SYN seen (RSTRH)",
      script: ["< SA", "< R"],
      connState: "RSTRH",
      history: "^hr",
      orig: "TCP_INACTIVE",
      resp: "TCP_RESET",
    },
  ]);
});

describe("no SYN seen: OTH, SHR, and a missed SYN", () => {
  table([
    {
      name: "mid-stream traffic is a partial connection (OTH)",
      script: ["> A D10", "< A"],
      connState: "OTH",
      history: "Da",
      orig: "TCP_PARTIAL",
      resp: "TCP_PARTIAL",
    },
    {
      name: "mid-stream, first seen from the server: roles flipped (OTH)",
      script: ["< A D10", "> A"],
      connState: "OTH",
      history: "^dA",
    },
    {
      name: "SYN-ACK then FIN from the responder, no SYN seen (SHR)",
      script: ["< SA", "< FA"],
      connState: "SHR",
      history: "^hf",
      orig: "TCP_INACTIVE",
      resp: "TCP_CLOSED",
    },
    {
      name: "SYN missed, SYN-ACK seen: the originator's ACK completes the handshake",
      script: ["< SA", "> A", "> A D10", "< A D20", "> FA", "< FA"],
      connState: "SF",
      history: "^hADdFf",
    },
    {
      name: "a lone FIN from a mid-stream endpoint closes it; the silent peer stays inactive (SH)",
      script: ["> FA"],
      connState: "SH",
      history: "F",
    },
  ]);
});

describe("history letters that need Zeek's bookkeeping: T, W, Q, I", () => {
  table([
    {
      name: "payload not above the highest sequence number sent is a retransmission (T)",
      script: [...HANDSHAKE, "> A D100", "> A D100 rx"],
      connState: "S1",
      history: "ShADT",
    },
    {
      name: "T is recorded at the 1st and 10th retransmission, not in between",
      script: [...HANDSHAKE, "> A D100", ...Array<string>(10).fill("> A D100 rx")],
      connState: "S1",
      history: "ShADTT",
    },
    {
      name: "a zero window from the responder (w)",
      script: [...HANDSHAKE, "< A w0", "< A w0"],
      connState: "S1",
      history: "ShAaw",
    },
    {
      name: "a zero window after the peer's FIN is not news",
      script: [...HANDSHAKE, "> FA", "< A w0"],
      connState: "S2",
      history: "ShAFa",
    },
    {
      name: "a zero window on a SYN counts, as in Zeek",
      script: ["> S w0"],
      connState: "S0",
      history: "SW",
    },
    {
      name: "SYN with FIN is a multi-flag packet (Q), and closes the originator (SH)",
      script: ["> SF"],
      connState: "SH",
      history: "Q",
      orig: "TCP_CLOSED",
    },
    {
      name: "FIN with RST is inconsistent (I)",
      script: [...HANDSHAKE, "> FR"],
      connState: "RSTO",
      history: "ShAI",
      orig: "TCP_RESET",
    },
  ]);
});

describe("orig_bytes and resp_bytes", () => {
  it("count payload once, without SYN and FIN, retransmissions included only once", () => {
    const r = run([...HANDSHAKE, "> A D100", "> A D100 rx", "< A D40", "> FA", "< FA"]);
    assert.deepEqual(r.bytes, { orig: 100, resp: 40 });
  });

  it("count bytes the peer acknowledged though the capture missed them", () => {
    // The server acknowledges 300 bytes; the capture shows only the first 100.
    const script = [...HANDSHAKE, "> A D100"];
    const flows: Flow[] = [];
    const tracker = new FlowTracker({ flowEnded: (f) => void flows.push(detachFlow(f)) });
    const next = { c: CLIENT.isn + 1, s: SERVER.isn + 1 };
    script.forEach((s, i) => tracker.packet(i + 1, 1_700_000_000, i, packet(s, next)));
    const ack = packet("< A", next);
    ack.ack = CLIENT.isn + 1 + 300;
    tracker.packet(9, 1_700_000_000, 9, ack);
    tracker.end();
    assert.deepEqual(zeekBytes(flows[0] as Flow), { orig: 300, resp: 0 });
  });
});

describe("zeekConnState is a pure function of the two states, history and sizes", () => {
  const cases: [ZeekEndpointState, ZeekEndpointState, string, string][] = [
    ["TCP_SYN_SENT", "TCP_RESET", "Sr", "REJ"],
    ["TCP_SYN_ACK_SENT", "TCP_RESET", "Hr", "REJ"],
    ["TCP_INACTIVE", "TCP_RESET", "^r", "RSTRH"],
    ["TCP_PARTIAL", "TCP_RESET", "Dr", "RSTRH"],
    ["TCP_ESTABLISHED", "TCP_RESET", "ShADr", "RSTR"],
    ["TCP_RESET", "TCP_INACTIVE", "SR", "RSTOS0"],
    ["TCP_RESET", "TCP_INACTIVE", "^SR", "RSTOS0"],
    ["TCP_RESET", "TCP_INACTIVE", "SAR", "OTH"],
    ["TCP_RESET", "TCP_INACTIVE", "R", "OTH"],
    ["TCP_RESET", "TCP_ESTABLISHED", "ShAR", "RSTO"],
    ["TCP_CLOSED", "TCP_CLOSED", "ShAFf", "SF"],
    ["TCP_CLOSED", "TCP_INACTIVE", "SF", "SH"],
    ["TCP_CLOSED", "TCP_PARTIAL", "DdF", "SH"],
    ["TCP_CLOSED", "TCP_ESTABLISHED", "ShAF", "S2"],
    ["TCP_INACTIVE", "TCP_CLOSED", "^hf", "SHR"],
    ["TCP_ESTABLISHED", "TCP_CLOSED", "ShAf", "S3"],
    ["TCP_SYN_SENT", "TCP_INACTIVE", "S", "S0"],
    ["TCP_ESTABLISHED", "TCP_ESTABLISHED", "ShA", "S1"],
    ["TCP_PARTIAL", "TCP_PARTIAL", "Dd", "OTH"],
    ["TCP_SYN_ACK_SENT", "TCP_INACTIVE", "H", "OTH"],
    ["TCP_INACTIVE", "TCP_INACTIVE", "", "OTH"],
  ];
  for (const [os, rs, history, expected] of cases) {
    it(`${os} / ${rs} / "${history}" is ${expected}`, () => {
      assert.equal(
        zeekConnStateOf(
          os,
          rs,
          () => history,
          () => true,
        ),
        expected,
      );
    });
  }

  it("both reset is REJ only when neither side sent data", () => {
    const state = (noBytes: boolean): string =>
      zeekConnStateOf(
        "TCP_RESET",
        "TCP_RESET",
        () => "ShADR",
        () => noBytes,
      );
    assert.equal(state(true), "REJ");
    assert.equal(state(false), "RSTR");
  });
});
