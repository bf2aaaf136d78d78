/**
 * The flows the HTML report draws: chosen by finding kind, each with the packets the tracker
 * kept (the opening ones, the closing ones, a count of the middle), numbered as Wireshark
 * numbers them (relative seq/ack), and the flow index.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TCP_ACK, TCP_FIN, TCP_SYN } from "../../src/decode/index.js";
import { LADDER_PACKETS, type LadderFlow } from "../../src/analysis/index.js";
import { play, script } from "./script.js";

const REPORT = { maxLadders: 12, indexLimit: 100, requested: [] as number[] };

/** A clean connection on `port` with `rounds` request/response rounds, starting at `t`. */
function connection(port: number, t: number, rounds: number): string {
  const lines = [
    `c S ${t} port=${port}`,
    `s SA ${t + 0.001} port=${port}`,
    `c A ${t + 0.002} port=${port}`,
  ];
  let at = t + 0.01;
  for (let i = 0; i < rounds; i++) {
    lines.push(
      `c PA ${at.toFixed(4)} len=100 port=${port}`,
      `s PA ${(at + 0.001).toFixed(4)} len=1000 port=${port}`,
    );
    at += 0.01;
  }
  lines.push(
    `c FA ${at.toFixed(4)} port=${port}`,
    `s FA ${(at + 0.001).toFixed(4)} port=${port}`,
    `c A ${(at + 0.002).toFixed(4)} port=${port}`,
  );
  return lines.join("\n");
}

describe("report flows", () => {
  it("draw the flows behind findings with all their packets, numbered from each side's ISN", () => {
    const { analyzer } = play(
      script(`
        ${connection(40001, 0, 1)}
        # flow 2: the client gives up 2 s after its request
        c S  1.000 port=40002
        s SA 1.001 port=40002
        c A  1.002 port=40002
        c PA 1.010 len=120 port=40002
        s A  1.011 port=40002
        c FA 3.010 port=40002
      `),
      {},
      1000,
      5000,
      REPORT,
    );
    const flows = analyzer.reportFlows();
    assert.ok(flows !== undefined);
    assert.deepEqual(
      flows.index.map((r) => [r.id, r.findings]),
      [
        [1, []],
        [2, ["client-timeout"]],
      ],
    );
    assert.deepEqual(
      flows.ladders.map((l) => [l.flow.id, l.reasons]),
      [[2, ["client-timeout"]]],
    );
    const ladder = flows.ladders[0]!;
    assert.equal(ladder.omitted, null);
    assert.deepEqual(
      ladder.packets.map((p) => [p.frame, p.from, p.flags, p.seq, p.ack, p.len]),
      [
        [9, "client", TCP_SYN, 0, 0, 0],
        [10, "server", TCP_SYN | TCP_ACK, 0, 1, 0],
        [11, "client", TCP_ACK, 1, 1, 0],
        [12, "client", 0x18, 1, 1, 120],
        [13, "server", TCP_ACK, 1, 121, 0],
        [14, "client", TCP_FIN | TCP_ACK, 121, 1, 0],
      ],
    );
    assert.equal(ladder.packets[5]!.at, 1_700_000_003.01);
  });

  it("keep a long flow's opening and closing packets and count the middle", () => {
    const rounds = 40;
    const { analyzer } = play(script(connection(40001, 0, rounds)), {}, 1000, 5000, {
      ...REPORT,
      requested: [1],
    });
    const ladder: LadderFlow = analyzer.reportFlows()!.ladders[0]!;
    const total = 3 + 2 * rounds + 3;
    const { head, tail } = LADDER_PACKETS;
    assert.deepEqual(ladder.reasons, ["requested"]);
    assert.equal(ladder.packets.length, head + tail);
    assert.deepEqual(ladder.omitted, {
      after: head - 1,
      packets: total - head - tail,
      // Rounds of 100 client and 1000 server bytes left out whole.
      bytes: {
        client: 100 * ((total - head - tail) / 2),
        server: 1000 * ((total - head - tail) / 2),
      },
    });
    const frames = ladder.packets.map((p) => p.frame);
    assert.deepEqual(
      frames.slice(0, head),
      [...Array(head).keys()].map((i) => i + 1),
    );
    assert.deepEqual(
      frames.slice(head),
      [...Array(tail).keys()].map((i) => total - tail + i + 1),
    );
    assert.equal(ladder.packets.at(-1)!.flags, TCP_ACK);
  });

  it("draw at most maxLadders flows, every kind present before a second example of any", () => {
    const lines: string[] = [];
    // Ten refused connections, then one client timeout.
    for (let i = 0; i < 10; i++)
      lines.push(`c S ${i} port=${41000 + i}`, `s RA ${i + 0.001} port=${41000 + i} ack=1001`);
    lines.push(
      "c S 20 port=42000",
      "s SA 20.001 port=42000",
      "c A 20.002 port=42000",
      "c PA 20.01 len=10 port=42000",
      "c FA 22 port=42000",
    );
    const { analyzer } = play(script(lines.join("\n")), {}, 1000, 5000, {
      ...REPORT,
      maxLadders: 3,
    });
    const flows = analyzer.reportFlows()!;
    const kinds = flows.ladders.map((l) => l.reasons[0]);
    assert.equal(flows.ladders.length, 3);
    assert.ok(kinds.includes("client-timeout"), `kinds drawn: ${kinds.join(", ")}`);
    assert.ok(kinds.includes("refused"));
  });

  it("list at most indexLimit flows and count the rest", () => {
    const { analyzer } = play(
      script(
        [connection(40001, 0, 1), connection(40002, 1, 1), connection(40003, 2, 1)].join("\n"),
      ),
      {},
      1000,
      5000,
      { ...REPORT, indexLimit: 2 },
    );
    const flows = analyzer.reportFlows()!;
    assert.deepEqual(
      flows.index.map((r) => r.id),
      [1, 2],
    );
    assert.equal(flows.indexOmitted, 1);
  });
});
