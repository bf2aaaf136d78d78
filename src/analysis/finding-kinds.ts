/**
 * The catalogue of finding kinds: each kind's stable id, severity, a one-line meaning, how it
 * shows on the wire, its usual causes and their fixes (from ../shared/INCIDENTS.md, with the Go
 * net/http setting where an incident names one, and the equivalent elsewhere), and the
 * thresholds its rule compares against (flow-findings.ts for a connection's findings,
 * server-aggregates.ts for a server's). Ids are stable: added, never renamed. `teardown explain` and the README are generated from this table.
 */
import type { ThresholdName } from "./thresholds.js";

export type Severity = "info" | "warning";

/**
 * What a finding is about: one connection (in its flow's `findings`), or a server endpoint's
 * connections taken together (in `summary.servers[].aggregates`).
 */
export type FindingScope = "flow" | "server";

export interface FindingKindInfo {
  readonly severity: Severity;
  /** Absent: "flow". */
  readonly scope?: FindingScope;
  readonly title: string;
  readonly meaning: string;
  readonly wire: string;
  readonly causes: readonly string[];
  /** What to change, one step per entry, in the order to try them. */
  readonly fixes: readonly string[];
  /** The thresholds the rule compares against (absent: the rule has none). */
  readonly thresholds?: readonly ThresholdName[];
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
    fixes: [
      "Make the server answer inside the client's deadline: find the handler blocked on a slow dependency or a lock and bound it (Go: pass r.Context(), which the server cancels when the client goes away, to downstream calls, or wrap the handler in http.TimeoutHandler).",
      "Or give the client a timeout that fits the server's real response time (Go: http.Client.Timeout, Transport.ResponseHeaderTimeout, a context.WithTimeout deadline; elsewhere the request or read timeout of the client library or proxy, such as nginx proxy_read_timeout).",
      "Retry with backoff and a retry budget, not at once: an HTTP/1.1 client that times out must close the connection (a late response could not be told apart from the next one), so every timeout costs a connection, and immediate retries churn new ones while FIN_WAIT_2 and TIME_WAIT pile up on the client.",
      "If the timeout fires while a burst of requests opens many new connections at once (each handshake slower, requests sent late), let the requests share connections: Go: raise Transport.MaxIdleConnsPerHost from its default of 2, cap new dials with Transport.MaxConnsPerHost; for HTTP/2, use http2.Transport directly rather than the upgrade path of http2.ConfigureTransport, which dialed a new TLS connection for each request beyond the server's SETTINGS_MAX_CONCURRENT_STREAMS (250 on Go servers), or raise that limit on the server (http2.Server.MaxConcurrentStreams).",
      "If the server never accepted the connection (see server-silent), raise its accept capacity rather than the client's timeout.",
    ],
    thresholds: ["clientTimeoutSec"],
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
    fixes: [
      "Go: read the response body to EOF before closing it, even when only the status code matters: io.Copy(io.Discard, resp.Body), then resp.Body.Close() (bound the drain with io.LimitReader when bodies are large). A body closed early makes the Transport drop the connection instead of returning it to the pool.",
      "Other stacks: consume the response before releasing the connection (Apache HttpClient: EntityUtils.consume; any socket code: read until read() returns 0 before close()).",
      "A side that must close without reading everything: shut down its sending side first (shutdown(SHUT_WR); Go: TCPConn.CloseWrite), keep reading briefly, then close, so the peer gets FIN and the data before any RST (Go's http.Server does this for request bodies it did not read).",
      "If the code sets SO_LINGER with a zero timeout (Go: TCPConn.SetLinger(0)), the RST is deliberate; remove it unless dropping unsent and unread data is the intent.",
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
    fixes: [
      "If the RST answers a late response after the client gave up (a client-timeout on the same flow), fix the timeout mismatch (see client-timeout): the RST is harmless, the wasted request is not.",
      "If the active closer's FIN_WAIT_2 expired before the passive side closed (Linux: net.ipv4.tcp_fin_timeout, 60 s by default), make the passive side close promptly (see long-fin-gap); raising tcp_fin_timeout only moves the RST later.",
      "Servers: stop work when the client goes away (Go: check r.Context().Done() in long handlers) so no late response is written to a connection the client has closed.",
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
    fixes: [
      "Close as soon as the peer's FIN is read: when read() returns 0 (Go: io.EOF), call Close(). A passive side that does so sends its FIN within milliseconds.",
      "Unblock handlers: a server connection stays in CLOSE_WAIT until its handler returns, so bound slow work with deadlines (Go: context.WithTimeout on downstream calls, r.Context(), which the server cancels when the client leaves, http.Server.WriteTimeout).",
      "If connections wait in the accept queue (no process owns them yet): Go: raise the limit of netutil.LimitListener, or set http.Server.IdleTimeout so idle keep-alive connections stop holding its slots; any server: size its connection limit or worker pool for keep-alive clients and proxies.",
      "Find the owner on the host: ss -tnp state close-wait lists the sockets with their process (none: never accepted, see server-silent) and Recv-Q.",
    ],
    thresholds: ["finGapSec"],
  },
  "close-wait-at-end": {
    severity: "warning",
    title: "Still in CLOSE_WAIT when the capture ended",
    meaning:
      "One side sent FIN and the other had not closed when the capture ended (or when the flow was finished after --idle-timeout of silence): it was still in CLOSE_WAIT.",
    wire: "A FIN, its ACK, and no FIN or RST from the other side until the end of the capture.",
    causes: [
      "An application that does not close connections its peer closed (a leak).",
      "A blocked handler.",
    ],
    fixes: [
      "Close connections the peer closed: handle EOF (read() returning 0; Go: io.EOF) by closing. Go clients: always call resp.Body.Close(), or the pooled connection stays in CLOSE_WAIT after the server's idle timeout closes its side.",
      "Unblock stuck handlers with deadlines (see long-fin-gap). A socket that ss -tnp state close-wait shows with no process was never accepted (see server-silent).",
      "If the capture ended just after the FIN, capture longer before concluding: this finding only says the second FIN was not seen before the flow ended (the end of the capture, or --idle-timeout of silence).",
    ],
    thresholds: ["finGapSec", "idleTimeoutSec"],
  },
  "server-silent": {
    severity: "warning",
    title: "Server never answered after the handshake",
    meaning:
      "The handshake completed but the server sent no byte, and no FIN while the client was there: the kernel completed the handshake from the accept backlog, the application never accepted.",
    wire: "SYN, SYN-ACK, ACK; a client FIN or RST with no payload either way; the server only ACKs, and closes much later if at all.",
    causes: [
      "A full accept queue: the application limits concurrent connections (netutil.LimitListener) or is stuck.",
      "A server that reads the whole request only after another slow event.",
    ],
    fixes: [
      "Let the application accept: Go: raise n in netutil.LimitListener(l, n), or set http.Server.IdleTimeout so idle keep-alive connections stop holding its slots (in one incident, a proxy's keep-alive connections filled the limit and probes waited 90 s for their FIN); any server: size connection limits and worker pools for keep-alive clients.",
      "Confirm on the server: ss -lnt shows the listener's accept queue (Recv-Q) near its backlog (Send-Q), and nstat -az TcpExtListenOverflows rises; raise net.core.somaxconn only once the accept rate is fixed, as a longer queue only waits longer.",
      "Make health checks exercise the application, not only the kernel: an HTTP check (Kubernetes httpGet, curl) fails where a TCP connect (tcpSocket, telnet) succeeds from the backlog.",
    ],
    thresholds: ["finGapSec"],
  },
  "abortive-close": {
    severity: "warning",
    title: "Abortive close (RST with nothing pending)",
    meaning: "A side ended the connection with RST although nothing on the wire explains it.",
    wire: "RST from a side with no unanswered data received and no late segment to refuse.",
    causes: [
      "SO_LINGER with a zero timeout.",
      "A restarted host: a kernel that no longer knows the connection answers its next segment with RST.",
      "A middlebox (load balancer, firewall) resetting idle connections.",
    ],
    fixes: [
      "If the application sets SO_LINGER with a zero timeout to avoid TIME_WAIT (Go: TCPConn.SetLinger(0)), prefer a normal close and connection reuse: an abortive close discards unsent data and the peer sees connection reset by peer.",
      "Look for a killed process or a restarted host at the RST's time (OOM killer, deploys, Kubernetes restarts): a kernel that no longer knows a connection answers anything on it with RST (RFC 9293 3.5.2).",
      "For a middlebox resetting idle connections (load balancer, NAT or firewall idle timeout), keep pooled connections' idle time below its timeout (Go: Transport.IdleConnTimeout on clients, http.Server.IdleTimeout on servers) or send TCP keepalives (on by default in Go: net.Dialer.KeepAlive).",
      "Capture at both ends to tell them apart: a RST that one side's capture shows arriving but the other side's capture never shows leaving came from a middlebox.",
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
    fixes: [
      "Start the service, or point the client at the right address and port: ss -lnt on the server lists what listens; a service bound to 127.0.0.1 refuses connections to the host's other addresses.",
      "If a firewall rejects with RST (iptables -j REJECT --reject-with tcp-reset), open the port or fix the rule.",
      "Clients: treat refused as a fast failure and retry with backoff (Go reports it as connect: connection refused, syscall.ECONNREFUSED), not in a tight loop.",
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
    fixes: [
      "Check the path: the host up, the address right, routes, security groups and firewalls that drop (iptables -j DROP) rather than reject.",
      "If the host is up, check its listener: Linux drops SYNs while the accept queue is full (nstat -az TcpExtListenOverflows TcpExtListenDrops rising); make the application accept faster or raise the backlog (net.core.somaxconn, which Go uses as its listen backlog).",
      "Under a SYN flood, keep net.ipv4.tcp_syncookies on (Linux's default).",
      "Clients: choose the connect timeout deliberately (Go: net.Dialer.Timeout): Linux retransmits an unanswered SYN after 1, 3, 7, 15 s... and gives up after net.ipv4.tcp_syn_retries (6, about 127 s).",
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
    fixes: [
      "Usually nothing: teardown counts probes apart from connections; leave the checker's traffic out of a capture (tcpdump 'not host CHECKER') if it drowns the rest.",
      "If probes pile up in CLOSE_WAIT or as server-silent, make the check test the application (an HTTP check, Kubernetes httpGet rather than tcpSocket): a TCP connect succeeds from the kernel's backlog even when the application does not accept.",
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
    fixes: [
      "A SYN-ACK about 1 s (or 3 s, 7 s) after the first SYN answers a retransmitted SYN: the first was lost or dropped. Look for loss on the path, or for full queues on the server (nstat -az TcpExtListenOverflows TcpExtListenDrops).",
      "Full queues: make the application accept faster, raise the listen backlog (net.core.somaxconn; Go uses it as its backlog), and on NAT or firewall hosts check conntrack (nf_conntrack: table full in dmesg).",
      "Bursts of new connections: reuse connections instead of dialing one per request (Go: one shared http.Client, Transport.MaxIdleConnsPerHost raised from its default of 2, Transport.MaxConnsPerHost to cap dials; for HTTP/2 see client-timeout).",
    ],
    thresholds: ["slowHandshakeSec"],
  },
  "zero-window": {
    severity: "warning",
    title: "Zero window",
    meaning: "A side advertised a zero receive window: its application stopped reading.",
    wire: "ACKs with window 0.",
    causes: ["A slow or blocked reader.", "A receiver overwhelmed by a fast sender."],
    fixes: [
      "Find why the receiver stopped reading: a consumer blocked on a lock or a full downstream, or code that holds a body open without reading it while it works (Go: a handler or client holding resp.Body); a goroutine or thread dump of the receiving process at that time shows where.",
      "If the receiver is simply slower than the sender, apply backpressure in the application (limit concurrency or rate, stream in bounded chunks); bigger buffers (net.ipv4.tcp_rmem, SO_RCVBUF) only delay the zero window.",
      "Senders: set write deadlines (Go: conn.SetWriteDeadline, http.Server.WriteTimeout) so a peer that never reads again cannot hold the connection open forever with zero-window probes (RFC 9293 3.8.6.1).",
    ],
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
    fixes: [
      "Give tcpdump room: a bigger buffer (-B 32768, in KiB), a short snapshot length (-s 200 keeps every header teardown reads; it takes payload lengths from the IP header), a capture filter (port 8080), and -w to a file rather than printing; the packets dropped by kernel count tcpdump prints at exit confirms the loss.",
      "Start the capture before the connections open, or expect flows first seen mid-stream to lack their start.",
      "Capture where both directions pass (on the host itself, -i any), not on one link of an asymmetric route.",
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
    fixes: [
      "Reuse connections instead of opening one per request: Go: share one http.Client, read each response body to EOF and close it, and raise Transport.MaxIdleConnsPerHost (default 2) to the real concurrency, or the extra connections are closed after each request; other stacks: one pooled keep-alive client (a requests.Session, a shared Java HttpClient).",
      'Do not close after every response: a handler setting Connection: close (Go: w.Header().Set("Connection", "close"), or http.Server.SetKeepAlivesEnabled(false); on clients Transport.DisableKeepAlives or req.Close) allows one request per connection, and makes the server close first and hold TIME_WAIT.',
      "If ephemeral ports still run out, widen net.ipv4.ip_local_port_range and let net.ipv4.tcp_tw_reuse reuse TIME_WAIT ports for outgoing connections (it relies on TCP timestamps, PAWS in RFC 7323); never tcp_tw_recycle (removed in Linux 4.12).",
      "Do not bind a fixed source port; let the kernel choose one.",
    ],
    thresholds: ["timeWaitSec"],
  },
  "slow-tls-handshake": {
    severity: "warning",
    title: "Slow TLS handshake",
    meaning:
      "The server's answer to the TLS ClientHello (its ServerHello) came late, or not before the client gave up.",
    wire: "ClientHello from the client, then the ServerHello long after it, sometimes after the client's FIN (answered by RST).",
    causes: [
      "A server short of CPU for handshakes during a burst of new TLS connections (incident 2: hundreds of connections opened at once, each handshake slower).",
      "A full accept queue: the kernel took the ClientHello, the application read it late.",
      "A slow path or packet loss (a retransmitted ClientHello).",
    ],
    fixes: [
      "Open fewer TLS connections: reuse them (Go: one shared http.Client; Transport.MaxIdleConnsPerHost raised from its default of 2), and for HTTP/2 let requests share connections instead of dialing one per request beyond the server's stream limit (Go: use http2.Transport directly, not the upgrade path of http2.ConfigureTransport; or raise http2.Server.MaxConcurrentStreams).",
      "Cap concurrent dials (Go: Transport.MaxConnsPerHost) so a burst queues on existing connections instead of starting hundreds of handshakes at once.",
      "Give the client's handshake a deadline that fits the server under load (Go: Transport.TLSHandshakeTimeout, 10 s by default; a 1 s http.Client.Timeout covers the handshake too).",
      "On the server, check CPU during bursts and resume sessions (TLS session tickets) so repeat clients skip the full handshake.",
    ],
    thresholds: ["slowTlsHandshakeSec"],
  },
  "tls-handshake-abandoned": {
    severity: "warning",
    title: "Client closed during the TLS handshake",
    meaning:
      "The client closed before it had finished the TLS handshake: no request was ever sent on this connection, and any work the server did for it was wasted.",
    wire: "ClientHello, no encrypted record from the client, then its FIN or RST; a late ServerHello is answered by RST.",
    causes: [
      "A client timeout shorter than the handshake under load (incident 2: a 1 s timeout, handshakes slowed to over 1 s by a connection storm).",
      "A client that cancels requests (a context cancelled, a user navigating away) while connections are still being opened.",
    ],
    fixes: [
      "Find why handshakes are slow (see slow-tls-handshake) rather than raising the timeout: a storm of new connections is usually the cause, and connection reuse its fix.",
      "Keep handshakes out of the request timeout where the client allows it (Go: Transport.TLSHandshakeTimeout and Dialer.Timeout bound the connection; http.Client.Timeout bounds everything).",
    ],
  },
  "no-reuse": {
    severity: "warning",
    scope: "server",
    title: "No connection reuse",
    meaning:
      "Most connections to this server carried a single HTTP request: each request paid for a new connection (handshake, slow start) and left a socket in TIME_WAIT.",
    wire: "Many short connections to one server endpoint, each with one request and one response.",
    causes: [
      "Responses or requests carrying Connection: close (incident 3).",
      "Response bodies not read to EOF before Close, so the connection cannot return to the pool (incident 4).",
      "A pool that keeps too few idle connections for the concurrency (Go: Transport.MaxIdleConnsPerHost defaults to 2): a burst of N concurrent requests opens N - 2 new connections.",
      "A client that creates a new HTTP client (and pool) per request.",
    ],
    fixes: [
      "If the responses carry Connection: close, drop it on the server (Go: do not set it, nor call SetKeepAlivesEnabled(false)), unless closing is the intent.",
      "Read every response body to EOF and close it (Go: io.Copy(io.Discard, resp.Body); resp.Body.Close()).",
      "Share one client and raise its idle pool to the real concurrency (Go: Transport.MaxIdleConnsPerHost, MaxIdleConns).",
    ],
    thresholds: ["minServerConnections"],
  },
  "connection-burst": {
    severity: "warning",
    scope: "server",
    title: "Burst of new connections",
    meaning:
      "Many new connections to this server opened within a short window: a connection storm, or a pool that opens a connection per concurrent request.",
    wire: "SYNs to one server endpoint from many source ports within a fraction of a second.",
    causes: [
      "HTTP/2 requests beyond the server's concurrent-stream limit each opening a new TLS connection (incident 2).",
      "A pool keeping too few idle connections (Go: Transport.MaxIdleConnsPerHost defaults to 2) under a burst of concurrent requests.",
      "Retries after timeouts, each on a new connection.",
    ],
    fixes: [
      "Cap new connections per host (Go: Transport.MaxConnsPerHost) so requests queue on existing ones.",
      "Keep enough idle connections for the real concurrency (Go: Transport.MaxIdleConnsPerHost).",
      "For HTTP/2, let requests share connections: Go: use http2.Transport directly, or raise the server's http2.Server.MaxConcurrentStreams.",
      "Retry with backoff and jitter, not at once.",
    ],
    thresholds: ["burstWindowSec", "burstConnections"],
  },
  "time-wait-on-server": {
    severity: "warning",
    scope: "server",
    title: "TIME_WAIT piles up on the server",
    meaning:
      "The server closed first in most of its connections, so it, not its clients, holds each connection's TIME_WAIT (2*MSL, 60 s on Linux): thousands of sockets on a busy server.",
    wire: "The server's FIN comes first, after its response; the client's FIN follows.",
    causes: [
      "Responses carrying Connection: close (incident 3), or a server that disables keep-alive.",
      "A server-side idle timeout shorter than the client's, closing idle keep-alive connections.",
    ],
    fixes: [
      'Let the client close: remove Connection: close from responses (Go: w.Header().Set("Connection", "close") or SetKeepAlivesEnabled(false)).',
      "If idle connections are closed by the server's timeout, make the client's idle timeout shorter than the server's (Go: Transport.IdleConnTimeout below http.Server.IdleTimeout).",
      "A server that must close first can live with TIME_WAIT (it costs little memory); tcp_tw_reuse only helps outgoing connections.",
    ],
    thresholds: ["minServerConnections", "timeWaitSec"],
  },
  "close-wait-leak": {
    severity: "warning",
    scope: "server",
    title: "Server sockets sat in CLOSE_WAIT",
    meaning:
      "In some connections the client closed and the server did not close its side for a long time (or not at all): the server's sockets sat in CLOSE_WAIT.",
    wire: "Client FIN, server ACK only, then the server's FIN late or never.",
    causes: [
      "Handlers blocked past the client's timeout (incident 1).",
      "Connections waiting in a full accept queue: no process owns them until accepted (incident 5).",
      "A connection leak in the server application.",
    ],
    fixes: [
      "Close when the peer closes (read() returning 0 / io.EOF) and bound handler work with deadlines.",
      "If no process owns the sockets (ss -tnp state close-wait shows none), they wait in the accept queue: raise the application's accept capacity (see server-silent).",
    ],
    thresholds: ["finGapSec"],
  },
} as const satisfies Record<string, FindingKindInfo>;

export type FindingKind = keyof typeof FINDING_KINDS;
