/**
 * The catalogue of finding kinds: each kind's stable id, severity, a one-line meaning, how it
 * shows on the wire, and its usual causes (from ../shared/INCIDENTS.md). Ids are stable: added,
 * never renamed. `teardown explain` and the README are generated from this table.
 */
export type Severity = "info" | "warning";

export interface FindingKindInfo {
  readonly severity: Severity;
  readonly title: string;
  readonly meaning: string;
  readonly wire: string;
  readonly causes: readonly string[];
}

export const FINDING_KINDS = {
  "client-timeout": {
    severity: "warning",
    title: "Client gave up waiting",
    meaning:
      "The client closed while its last request had got no data back: a client-side timeout.",
    wire: "Client data, no server data after it, then a client FIN or RST after a wait.",
    causes: [
      "A client timeout (Go http.Client.Timeout, a context deadline) shorter than the server's response time.",
      "A server handler blocked on a slow dependency or a lock.",
      "A full accept backlog: the kernel completed the handshake and took the request, the application never accepted it.",
    ],
  },
  "rst-unread-data": {
    severity: "warning",
    title: "RST instead of FIN, with data unread",
    meaning:
      "A side closed with RST after receiving data it never answered: Linux sends RST when a socket is closed with unread data in its receive queue (RFC 2525 2.17).",
    wire: "Data from the peer, ACKed, then RST (not FIN) from the receiver, with no data of its own in between.",
    causes: [
      "The response body was not read to EOF before Close (Go: resp.Body.Close() without io.Copy(io.Discard, resp.Body)), so the connection cannot return to the pool.",
      "SO_LINGER with a zero timeout set while data was pending (indistinguishable on the wire).",
    ],
  },
  "rst-after-close": {
    severity: "warning",
    title: "RST answering a segment that came after close",
    meaning:
      "The side had already closed (sent FIN) when the peer's data or FIN arrived; its socket was gone, so the kernel answered with RST.",
    wire: "FIN from one side, later data or FIN from the other, answered by RST from the first.",
    causes: [
      "A late response after the client gave up (client timeout).",
      "The active closer's FIN_WAIT_2 expired (tcp_fin_timeout) before the passive side closed.",
    ],
  },
  "long-fin-gap": {
    severity: "warning",
    title: "Long FIN gap (CLOSE_WAIT / FIN_WAIT_2)",
    meaning:
      "The second FIN came long after the first: the passive side sat in CLOSE_WAIT (its application had not closed), the active side in FIN_WAIT_2.",
    wire: "FIN answered only by ACK, and the second FIN late.",
    causes: [
      "The passive side's application closes only when a handler returns (blocked handler, client timeout upstream).",
      "Connections accepted late from a full accept backlog (netutil.LimitListener).",
      "A connection leak: the application never closes.",
    ],
  },
  "close-wait-at-end": {
    severity: "warning",
    title: "Still in CLOSE_WAIT when the capture ended",
    meaning:
      "One side sent FIN and the other never closed before the capture ended: it was still in CLOSE_WAIT.",
    wire: "A FIN, its ACK, and no FIN or RST from the other side until the end of the capture.",
    causes: [
      "An application that does not close connections its peer closed (a leak).",
      "A blocked handler.",
    ],
  },
  "server-silent": {
    severity: "warning",
    title: "Server never answered after the handshake",
    meaning:
      "The handshake completed but the server sent no byte, and no FIN while the client was there: the kernel completed the handshake from the accept backlog, the application never accepted.",
    wire: "SYN, SYN-ACK, ACK; a client FIN with no payload either way; the server only ACKs, and closes much later if at all.",
    causes: [
      "A full accept queue: the application limits concurrent connections (netutil.LimitListener) or is stuck.",
      "A server that reads the whole request only after another slow event.",
    ],
  },
  "abortive-close": {
    severity: "warning",
    title: "Abortive close (RST with nothing pending)",
    meaning: "A side ended the connection with RST although nothing on the wire explains it.",
    wire: "RST from a side with no unanswered data received and no late segment to refuse.",
    causes: [
      "SO_LINGER with a zero timeout.",
      "A killed process.",
      "A middlebox (load balancer, firewall) resetting idle connections.",
    ],
  },
  refused: {
    severity: "info",
    title: "Connection refused",
    meaning: "The SYN was answered by RST: nothing listened on the port.",
    wire: "SYN, then RST-ACK from the server.",
    causes: [
      "No process listening on the port (service down or wrong port).",
      "A firewall rejecting with RST.",
    ],
  },
  "syn-unanswered": {
    severity: "warning",
    title: "SYN unanswered",
    meaning: "The SYN and its retransmissions got no answer.",
    wire: "SYN, retransmitted SYNs, nothing back.",
    causes: [
      "A host down or unreachable.",
      "A firewall dropping.",
      "A full SYN queue (SYN flood, or a stuck listener).",
    ],
  },
  probe: {
    severity: "info",
    title: "Probe (connect and close, no data)",
    meaning:
      "A handshake, then a close by FIN or RST with no payload either way: a health check or a port scanner.",
    wire: "SYN, SYN-ACK, ACK, then FIN or RST; no payload.",
    causes: [
      "Load-balancer or Kubernetes TCP health checks.",
      "Port scanners.",
      "telnet/nc checks.",
    ],
  },
  "slow-handshake": {
    severity: "warning",
    title: "Slow handshake",
    meaning: "The SYN-ACK came long after the first SYN.",
    wire: "SYN (often retransmitted), SYN-ACK late.",
    causes: [
      "A full SYN or accept queue on the server.",
      "Packet loss (the SYN retransmitted after 1 s).",
      "A slow network path.",
    ],
  },
  "zero-window": {
    severity: "warning",
    title: "Zero window",
    meaning: "A side advertised a zero receive window: its application stopped reading.",
    wire: "ACKs with window 0.",
    causes: ["A slow or blocked reader.", "A receiver overwhelmed by a fast sender."],
  },
  "capture-loss": {
    severity: "info",
    title: "Capture loss",
    meaning:
      "A side acknowledged bytes the capture never showed: packets were lost by the capture, not the network.",
    wire: "An ACK beyond the highest sequence number seen from the other side.",
    causes: [
      "tcpdump dropped packets (buffer too small, -B).",
      "The capture started or ended mid-transfer.",
      "Asymmetric routing past the capture point.",
    ],
  },
  "port-reuse": {
    severity: "info",
    title: "4-tuple reused inside TIME_WAIT",
    meaning:
      "A new connection reused the same addresses and ports less than 2*MSL after the previous one ended.",
    wire: "A new SYN on a 4-tuple whose previous connection closed less than the TIME_WAIT period before.",
    causes: [
      "Connection churn exhausting ephemeral ports (tcp_tw_reuse at work).",
      "A client binding a fixed source port.",
    ],
  },
} as const satisfies Record<string, FindingKindInfo>;

export type FindingKind = keyof typeof FINDING_KINDS;
