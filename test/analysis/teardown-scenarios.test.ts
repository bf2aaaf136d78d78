/**
 * Scenario tests, readable as documents: a packet script, then the states each endpoint went
 * through and the findings. Grouped by how the connection ended (the incidents of
 * ../shared/INCIDENTS.md, and clean controls).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { kinds, play, script, states } from "./script.js";

const HANDSHAKE = `
  c S  0.000
  s SA 0.001
  c A  0.002
`;

describe("clean closes", () => {
  it("client closes first: the client holds TIME_WAIT, the server goes through LAST_ACK", () => {
    const { flows } = play(
      script(`${HANDSHAKE}
        c PA 0.010 len=100
        s PA 0.020 len=500
        c A  0.021
        c FA 0.030
        s FA 0.031
        c A  0.032`),
    );
    const f = flows[0];
    assert.equal(flows.length, 1);
    // The capture ends right after: TIME_WAIT has not run out.
    assert.deepEqual(states(f, "client"), [
      "CLOSED",
      "SYN_SENT",
      "ESTABLISHED",
      "FIN_WAIT_1",
      "FIN_WAIT_2",
      "TIME_WAIT",
    ]);
    assert.deepEqual(states(f, "server"), [
      "CLOSED",
      "SYN_RECEIVED",
      "ESTABLISHED",
      "CLOSE_WAIT",
      "LAST_ACK",
      "CLOSED",
    ]);
    assert.deepEqual(
      [f?.closedBy, f?.close, f?.timeWait, f?.handshake],
      ["client", "fin", "client", "complete"],
    );
    assert.deepEqual(kinds(f), []);
    assert.equal(f?.zeek.history, "ShADdFf");
  });

  it("server closes first (Connection: close): the server holds TIME_WAIT", () => {
    const { flows } = play(
      script(`${HANDSHAKE}
        c PA 0.010 len=100
        s PA 0.020 len=500
        s FA 0.021
        c A  0.022
        c FA 0.023
        s A  0.024`),
    );
    const f = flows[0];
    assert.deepEqual([f?.closedBy, f?.timeWait], ["server", "server"]);
    assert.deepEqual(states(f, "server").slice(-3), ["FIN_WAIT_1", "FIN_WAIT_2", "TIME_WAIT"]);
    assert.deepEqual(kinds(f), []);
  });

  it("simultaneous close: FINs that cross go through CLOSING", () => {
    const { flows } = play(
      script(`${HANDSHAKE}
        c FA 0.010
        s FA 0.010 ack=1001
        c A  0.011
        s A  0.011`),
    );
    // The FINs crossed: the server's FIN does not acknowledge the client's. An endpoint takes
    // the peer's FIN when it acknowledges it, so the client (acknowledging first) passes through
    // CLOSING, and the server, whose FIN was acknowledged before it acknowledged, through FIN_WAIT_2.
    assert.deepEqual(states(flows[0], "client").slice(3), ["FIN_WAIT_1", "CLOSING", "TIME_WAIT"]);
    assert.deepEqual(states(flows[0], "server").slice(3), [
      "FIN_WAIT_1",
      "FIN_WAIT_2",
      "TIME_WAIT",
    ]);
  });

  it("says until when TIME_WAIT lasts: --time-wait after it began", () => {
    const { flows } = play(
      script(`${HANDSHAKE}
        c FA 0.010
        s FA 0.011
        c A  0.012`),
      { timeWaitSec: 30 },
    );
    assert.equal(states(flows[0], "client").at(-1), "TIME_WAIT");
    const began = flows[0]?.states.client.at(-1)?.at ?? 0;
    assert.equal(flows[0]?.timeWaitUntil, began + 30);
  });
});

describe("incident 1: client timeout (FIN after an unanswered request, late response answered by RST)", () => {
  const { flows } = play(
    script(`${HANDSHAKE}
      c PA 0.010 len=80
      s A  0.011
      c FA 1.010
      s A  1.011
      s PA 3.010 len=200
      s FA 3.011
      c R  3.012 seq=1081 ack=0
      c R  3.013 seq=1082 ack=0`),
  );
  const f = flows[0];

  it("says the client timed out after 1 s, with a FIN gap and a RST answering the late response", () => {
    assert.deepEqual(kinds(f), ["client-timeout", "long-fin-gap", "rst-after-close"]);
    const timeout = f?.findings.find((x) => x.kind === "client-timeout");
    assert.match(
      timeout?.detail ?? "",
      /client sent FIN 1\.000 s after its last request \(frame 4\)/,
    );
    assert.deepEqual(timeout?.evidence, [4, 6]);
    const late = f?.findings.find((x) => x.kind === "rst-after-close");
    assert.deepEqual(late?.evidence, [6, 8, 10]);
  });

  it("puts the client in FIN_WAIT_2 and the server in CLOSE_WAIT between the FINs", () => {
    assert.deepEqual(states(f, "client").slice(3), ["FIN_WAIT_1", "FIN_WAIT_2", "CLOSED"]);
    assert.deepEqual(states(f, "server").slice(3), ["CLOSE_WAIT", "LAST_ACK", "CLOSED"]);
  });
});

describe("incident 4: response body not read (RST instead of FIN)", () => {
  it("flags the client's RST after unanswered response data", () => {
    const { flows } = play(
      script(`${HANDSHAKE}
        c PA 0.010 len=100
        s PA 0.020 len=16384
        s PA 0.021 len=8192
        c A  0.022
        c RA 0.023`),
    );
    const f = flows[0];
    assert.deepEqual(kinds(f), ["rst-unread-data"]);
    assert.match(f?.findings[0]?.detail ?? "", /after receiving 24576 bytes it never answered/);
    assert.deepEqual([f?.closedBy, f?.close], ["client", "rst"]);
  });

  it("calls a RST with nothing pending an abortive close", () => {
    const { flows } = play(
      script(`${HANDSHAKE}
        c PA 0.010 len=100
        s PA 0.020 len=100
        c PA 0.030 len=100
        c RA 0.031`),
    );
    assert.deepEqual(kinds(flows[0]), ["abortive-close"]);
  });
});

describe("incident 5: accept backlog (handshake done by the kernel, the server app silent)", () => {
  it("finds the silent server, the long CLOSE_WAIT and the RST after FIN_WAIT_2 expired", () => {
    const { flows } = play(
      script(`${HANDSHAKE}
        c FA 0.500
        s A  0.501
        s FA 6.500
        c R  6.501 seq=1002 ack=0`),
    );
    assert.deepEqual(kinds(flows[0]), [
      "long-fin-gap",
      "probe",
      "rst-after-close",
      "server-silent",
    ]);
  });

  it("reports CLOSE_WAIT still open at the end of the capture", () => {
    const { flows } = play(
      script(`${HANDSHAKE}
        c PA 0.010 len=50
        c FA 0.600
        s A  0.601
        c S  5.000 port=40001`),
    );
    // The client had sent a request: a client timeout, not a silent server (see server-silent).
    assert.deepEqual(kinds(flows[0]), ["client-timeout", "close-wait-at-end"]);
    assert.equal(states(flows[0], "server").at(-1), "CLOSE_WAIT");
  });
});

describe("handshakes", () => {
  it("refused: SYN answered by RST", () => {
    const { flows } = play(script(`c S 0.000\ns RA 0.001 seq=0`));
    assert.deepEqual([flows[0]?.handshake, kinds(flows[0])], ["refused", ["refused"]]);
  });

  it("SYN unanswered, with retransmissions", () => {
    const { flows } = play(script(`c S 0.000\nc S 1.000 seq=1000\nc S 3.000 seq=1000`));
    assert.deepEqual(
      [flows.length, flows[0]?.handshake, kinds(flows[0])],
      [1, "unanswered", ["syn-unanswered"]],
    );
    assert.match(flows[0]?.findings[0]?.detail ?? "", /^3 SYNs over 3\.000 s/);
  });

  it("slow handshake: SYN-ACK after a retransmitted SYN", () => {
    const { flows } = play(
      script(
        `c S 0.000\nc S 1.000 seq=1000\ns SA 1.001\nc A 1.002\nc FA 1.1\ns FA 1.101\nc A 1.102`,
      ),
    );
    assert.deepEqual(kinds(flows[0]), ["probe", "slow-handshake"]);
  });

  it("a probe closed by RST raises only the probe", () => {
    const { flows } = play(script(`${HANDSHAKE}\nc RA 0.010`));
    assert.deepEqual(kinds(flows[0]), ["probe"]);
  });

  it("mid-stream: roles from the ports, states UNKNOWN then ESTABLISHED", () => {
    const { flows } = play(
      script(`s PA 0.000 len=100\nc A 0.001\nc FA 0.010\ns FA 0.011\nc A 0.012`),
    );
    const f = flows[0];
    assert.deepEqual([f?.roleInferred, f?.handshake, f?.server.port], [true, "mid-stream", 80]);
    assert.deepEqual(states(f, "server").slice(0, 2), ["UNKNOWN", "ESTABLISHED"]);
    assert.equal(f?.zeek.history.startsWith("^"), true);
  });
});

describe("reuse and sequence space", () => {
  it("a new SYN on a closed 4-tuple is a new connection; inside TIME_WAIT it is port reuse", () => {
    const { flows } = play(
      script(`${HANDSHAKE}
        c FA 0.010
        s FA 0.011
        c A  0.012
        c S  2.000 seq=90000
        s SA 2.001 seq=70000
        c A  2.002 seq=90001 ack=70001`),
    );
    assert.equal(flows.length, 2);
    assert.deepEqual(kinds(flows[1]), ["port-reuse"]);
    assert.equal(flows[1]?.previous?.id, 1);
  });

  it("sequence numbers wrapping past 2^32 are followed", () => {
    const { flows } = play(
      script(`${HANDSHAKE}
        c PA 0.010 len=1000
        s A  0.011
        c PA 0.012 len=1000
        s A  0.013
        c FA 0.020
        s FA 0.021
        c A  0.022`),
      {},
      4294967000,
    );
    const f = flows[0];
    assert.equal(f?.bytes.client, 2000);
    assert.deepEqual(kinds(f), []);
    assert.equal(states(f, "server").at(-1), "CLOSED");
  });

  it("ACKs for bytes never captured are capture loss", () => {
    const { flows } = play(
      script(`${HANDSHAKE}
        c PA 0.010 len=100
        s A  0.011 ack=2101`),
    );
    assert.ok(kinds(flows[0]).includes("capture-loss"));
  });

  it("a zero window is reported on the side that advertised it", () => {
    const { flows } = play(
      script(`${HANDSHAKE}
        s PA 0.010 len=1000
        c A  0.011 win=0`),
    );
    const z = flows[0]?.findings.find((x) => x.kind === "zero-window");
    assert.equal(z?.side, "client");
  });
});
