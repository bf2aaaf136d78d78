/**
 * Differential test of the payload parsers against tshark, an independent implementation: on
 * every sample and corpus capture in which tshark finds HTTP/1.x or TLS handshakes, the same
 * messages per TCP connection. HTTP: each request's method, target, first segment's frame and
 * `Connection: close`, each final response's status and `Connection: close`, and the counts of
 * both. TLS: the ClientHello's frame, SNI and ALPN offered; the ServerHello's frame, negotiated
 * version, cipher suite and (TLS 1.2 and below) ALPN chosen. Also: no flow where teardown reads
 * messages that tshark does not.
 *
 * Known, explained differences are listed in KNOWN_APP_DIFFERENCES (one entry per connection,
 * with its reason); anything else fails, and so does an entry that no longer happens.
 */
import assert from "node:assert/strict";
import { basename } from "node:path";
import { describe, it } from "node:test";
import { corpusCaptures, sampleCaptures } from "./capture-files.js";
import { KNOWN_FILE_DIFFERENCES } from "./compare-frames.js";
import {
  addAgreement,
  compareApp,
  noAgreement,
  teardownFlows,
  tsharkApp,
  type AppDifference,
} from "./app-tshark.js";

/**
 * The captures in which tshark finds HTTP/1.x or TLS handshakes: every sample and corpus capture
 * for which `tshark -r F -Y 'http || tls.handshake'` prints a line (tshark 4.0 with its default
 * heuristics, HTTP and TLS on any port among them), and those in which teardown reads HTTP or TLS
 * where tshark's port table picks another dissector. Listed rather than searched on each run to
 * keep the run short; the "no capture left out" test checks the list against teardown.
 */
const APP_CAPTURES = new Set([
  "zeek__tls__ssl-to-http-server.pcap",
  "zeek__http__get-to-ssh-server.pcap",
  "zeek__tls__https-to-http.pcap",
  "zeek__http__http-to-ssh.pcap",
  "lo-pcapng.pcapng.gz",
  "lo-ethernet.pcap.gz",
  "accept-backlog.pcap",
  "arkime__http-no-length.pcap",
  "arkime__http-wrapped-header.pcap",
  "arkime__nflog.pcap",
  "arkime__no-syn-ack.pcap",
  "arkime__tcp_handshake_synthetic.pcap",
  "arkime__tls-split-client-hello.pcap",
  "arkime__twovlan.pcap",
  "arkime__v6-http.pcap",
  "bigendian-nsec.pcap",
  "bigendian-usec.pcap",
  "client-timeout.pcap",
  "connection-close.pcap",
  "cut-mid-record.pcap",
  "gopacket__pcap__test_loopback.pcap",
  "http2-storm.pcap",
  "ipv4-fragments.pcap",
  "ipv6-ext-headers.pcap",
  "keepalive-reuse.pcap",
  "lo-any-sll.pcap",
  "lo-any-sll2.pcap",
  "lo-ethernet.pcap",
  "lo-nano-direct.pcap",
  "lo-nsec.pcap",
  "lo-pcapng.pcapng",
  "merged-two-linktypes.pcapng",
  "null-loop-raw.pcapng",
  "pcapng-bigendian-multisection.pcapng",
  "pcapplusplus__650HttpResponses.pcap",
  "pcapplusplus__example2.pcap",
  "pcapplusplus__file_heuristics__pcapng-example.pcapng.zst",
  "pcapplusplus__four_ipv6_http_streams.pcap",
  "pcapplusplus__many_interfaces-1.pcapng",
  "pcapplusplus__nanosecs_big_endian.pcap",
  "pcapplusplus__one_http_stream_fin.pcap",
  "pcapplusplus__one_http_stream_fin2.pcap",
  "pcapplusplus__one_http_stream_rst.pcap",
  "pcapplusplus__one_tcp_stream.pcap",
  "pcapplusplus__one_tcp_stream_max_seq.pcap",
  "pcapplusplus__pcapng-example.pcapng",
  "pcapplusplus__raw_ip.pcap",
  "pcapplusplus__sll.pcap",
  "pcapplusplus__three_http_streams.pcap",
  "pcapplusplus__unidirectional_tcp_stream_with_missing_packet.pcap",
  "qinq-8021ad.pcap",
  "rusticata__err-buffertoosmall.pcapng",
  "scapy__http_head.pcapng.gz",
  "scapy__tls_tcp_frag.pcap.gz",
  "snaplen-96.pcap",
  "snaplen-cut.pcapng",
  "suricata__bug-1450-04__tls_DER-incomplete-header.pcap",
  "suricata__bug-7264-tcp-3whs-ack-data-tls-01__input.pcap",
  "suricata__decode-sll2-01__input.pcap",
  "suricata__decode-sll2-02__input.pcap",
  "suricata__http-close-headers__input.pcap",
  "suricata__http-mime-truncated__input.pcap",
  "suricata__tcp-fastopen-01__tfo.pcap",
  "suricata__tcp-rst-unacked-stream-09__TLPW1-tcp-110.37.219.134-10.12.14.101-tcp-990-49230.pcap",
  "suricata__tcp-stream-after-swap__http-start-from-response.pcap",
  "suricata__tcp-urgp-01-oob__tcp-urgent1.pcap",
  "tcp-options.pcap",
  "tcpdump__print-flags.pcap",
  "tcpreplay__test.pcap",
  "unread-body.pcap",
  "vlan-8021q.pcap",
  "zeek__chksums__localhost-bad-chksum.pcap",
  "zeek__ftp__ftp-auth-tls.pcap",
  "zeek__http__connect-with-header.pcap",
  "zeek__http__get.pcap",
  "zeek__http__m57-long-49583-80.pcap",
  "zeek__http__zeek-image-1080-80-x.pcapng",
  "zeek__ldap__ldap-starttls.pcap",
  "zeek__mixed-vlan-mpls.pcap",
  "zeek__modbus__modbus-and-non-modbus-p502.pcap",
  "zeek__pppoe-over-qinq.pcap",
  "zeek__tcp-http-with-padding.pcap",
  "zeek__tcp__http-on-irc-port-missing-syn.pcapng",
  "zeek__tcp__miss_end_data.pcap",
  "zeek__tcp__missing-syn.pcap",
  "zeek__tcp__retransmit-timeout.pcapng",
  "zeek__tls__openjdk-25.0.2-zeek.org.pcap",
  "zeek__tls__pop3-starttls.pcap",
  "zeek__tls__xmpp-starttls.pcap",
  "zeek__tunnels__Teredo.pcap",
  "zeek__websocket__wstunnel-http.pcap",
  "zeek__websocket__wstunnel-https.pcap",
  "zeek__websocket__wstunnel-ssh.pcap",
  "zeek__wikipedia.pcap",
]);

/** Why teardown and tshark differ, for the differences listed below. */
const SERVER_FIRST =
  "the capture holds the server's data before any client payload (it starts mid-connection, or only one direction was captured): teardown decides the protocol from the client's first payload only (flow/app-sniffer.ts); tshark dissects any segment that starts like a message";
const STARTTLS =
  "TLS after STARTTLS (or MySQL's SSL request) in a connection that began in another protocol: teardown decides the protocol once, from the client's first payload; tshark follows the upgrade";
const CONNECT_TUNNEL =
  "TLS inside an HTTP CONNECT tunnel: teardown stops reading at the 2xx that opens the tunnel (RFC 9112 6.3 rule 2), tshark dissects the tunnelled TLS";
const SHORT_FIRST_PAYLOAD =
  "the client's first payload is a single byte: teardown needs 4 bytes to tell a protocol (flow/app-sniffer.ts) and decides only once; tshark dissects the later request";
const UNFINISHED_BODY =
  "the capture ends (or the connection is reset) before the response's body does: tshark's HTTP body desegmentation (on by default) dissects a response only once its body is whole; teardown counts the response at its status line";
const UNFINISHED_HEADERS =
  "the response's header block never ends (no empty line before the server's FIN): tshark's header desegmentation waits for it and dissects nothing; teardown counts the response at its status line";
const HTTP_09 =
  'an HTTP/0.9 request ("GET /" with no version): tshark dissects it, teardown parses HTTP/1.x only and stops the client direction (flow/http-session.ts limitations)';
const SNAPLEN =
  "segments cut by the snapshot length: teardown stops a direction at bytes the capture lost (capture loss outside a body of known length); tshark dissects what each cut segment shows";
const IP_FRAGMENTS =
  "the response came in IP fragments: teardown does not reassemble IP fragments, so the later fragments' bytes are lost to it and it never sees the body end; tshark reassembles them";
const LOST_BODY_SEGMENT =
  "a segment of the first request's body is missing from the capture: teardown subtracts the lost bytes from the Content-Length and reads the next request; tshark's reassembly never completes the first request and reports only the second (frames 7 to 11), which pairs with teardown's first";
const TSHARK_BOUND_ERROR =
  "tshark's dissection of the reassembled response ends in an exception ([BoundErrorUnreassembled Packet]) and it reports no response; teardown reads the status line and the body to its Content-Length";
const NOT_AN_HTTP_PORT =
  "HTTP on port 9090 whose request line spans segments (the urgent byte splits it): tshark's port table does not name 9090 and its HTTP heuristic needs the request line in the first segment; teardown detects HTTP from the method and the target's first byte";
const PORT_FIRST =
  "tshark chooses the dissector by port before its heuristics (22: SSH, which takes the request as an encrypted packet; 80: HTTP, which finds no request line in a ClientHello and leaves the bytes undissected); teardown detects the protocol from the client's first bytes whatever the port";
const UNSUPPORTED_LINK =
  "link type NFLOG: teardown does not decode it (counted as an unsupported link, see tshark.test.ts), so it has no flow";
const STRAGGLER =
  "the request follows the client's RST on the same 4-tuple: teardown ended the flow at the RST and counts later packets as stragglers (as in zeek-baselines.test.ts); tshark keeps one stream";

/**
 * Differences from tshark that teardown keeps, by capture: each entry's pattern is matched
 * against `<client address> <client port>: <difference>`, and each must match at least once.
 */
const KNOWN_APP_DIFFERENCES: Readonly<Record<string, readonly (readonly [RegExp, string])[]>> = {
  "pcapplusplus__650HttpResponses.pcap": [
    [/: tshark: 0 requests, \d+ responses; teardown: no payload parser$/, SERVER_FIRST],
  ],
  "pcapplusplus__pcapng-example.pcapng": [
    [/^2404:138:4002:4000:230:48ff:fedd:53 50243: tshark: 0 requests, 1 responses;/, SERVER_FIRST],
    [
      /^127\.0\.0\.1 40304: tshark: ClientHello in 8 ServerHello in 10; teardown: no payload parser$/,
      STARTTLS,
    ],
  ],
  "pcapplusplus__example2.pcap": [
    [
      /^10\.0\.0\.1 (55219|55220): tshark: 0 requests, 1 responses; teardown: no payload parser$/,
      SERVER_FIRST,
    ],
    [
      /^10\.0\.0\.1 55193: tshark: 2 requests, 2 responses; teardown: no payload parser$/,
      SHORT_FIRST_PAYLOAD,
    ],
    [
      /^10\.0\.0\.1 55(282|297): responses 1 vs tshark 0; response 1 \d+ \(body unfinished\): tshark has none$/,
      UNFINISHED_BODY,
    ],
    [
      /^10\.0\.0\.1 55297: responses 1 vs tshark 0; response 1 200: tshark has none$/,
      TSHARK_BOUND_ERROR,
    ],
  ],
  "suricata__tcp-stream-after-swap__http-start-from-response.pcap": [
    [/: tshark: 1 requests, 2 responses; teardown: no payload parser$/, SERVER_FIRST],
  ],
  "scapy__tls_tcp_frag.pcap.gz": [
    [/: tshark: {2}ServerHello in 4; teardown: no payload parser$/, SERVER_FIRST],
  ],
  "zeek__ldap__ldap-starttls.pcap": [
    [/: tshark: ClientHello in 8 ServerHello in 9; teardown: no payload parser$/, STARTTLS],
  ],
  "zeek__ftp__ftp-auth-tls.pcap": [
    [/: tshark: ClientHello in 22 ServerHello in 23; teardown: no payload parser$/, STARTTLS],
  ],
  "zeek__tls__xmpp-starttls.pcap": [
    [/: tshark: ClientHello in 13 ServerHello in 14; teardown: no payload parser$/, STARTTLS],
  ],
  "zeek__tls__pop3-starttls.pcap": [
    [/: tshark: ClientHello in 11 ServerHello in 13; teardown: no payload parser$/, STARTTLS],
  ],
  "zeek__http__connect-with-header.pcap": [
    [/: tshark: ClientHello in 9 ServerHello in 11; teardown: http$/, CONNECT_TUNNEL],
  ],
  "zeek__tcp-http-with-padding.pcap": [
    [/: tshark: 0 requests, 1 responses; teardown: no payload parser$/, SHORT_FIRST_PAYLOAD],
  ],
  "suricata__tcp-rst-unacked-stream-09__TLPW1-tcp-110.37.219.134-10.12.14.101-tcp-990-49230.pcap": [
    [
      /: responses 1 vs tshark 0; response 1 200 \(body unfinished\): tshark has none$/,
      UNFINISHED_BODY,
    ],
  ],
  "arkime__no-syn-ack.pcap": [
    [
      /: responses 1 vs tshark 0; response 1 200 \(body unfinished\): tshark has none$/,
      UNFINISHED_BODY,
    ],
  ],
  "arkime__twovlan.pcap": [
    [
      /: responses 1 vs tshark 0; response 1 200 \(body unfinished\): tshark has none$/,
      UNFINISHED_BODY,
    ],
  ],
  "pcapplusplus__raw_ip.pcap": [
    [
      /: responses 4 vs tshark 3; response 4 200 \(body unfinished\): tshark has none$/,
      UNFINISHED_BODY,
    ],
  ],
  "suricata__http-close-headers__input.pcap": [
    [
      /: responses 1 vs tshark 0; response 1 200 \(header block unfinished\): tshark has none$/,
      UNFINISHED_HEADERS,
    ],
  ],
  "zeek__mixed-vlan-mpls.pcap": [[/^10\.20\.80\.1 50343: requests 0 vs tshark 1$/, HTTP_09]],
  "snaplen-96.pcap": [[/: requests 1 vs tshark 3; responses 1 vs tshark 0;/, SNAPLEN]],
  "snaplen-cut.pcapng": [[/: requests 0 vs tshark 1$/, SNAPLEN]],
  "ipv4-fragments.pcap": [
    [/: response 1: \[200,null,true\] vs tshark \[200,(7|17),true\]$/, IP_FRAGMENTS],
  ],
  "pcapplusplus__unidirectional_tcp_stream_with_missing_packet.pcap": [
    [
      /: requests 2 vs tshark 1; request 1: \["POST",.*,3,false\] vs tshark \["POST",.*,7,false\]; request 2 POST \S+: tshark has none$/,
      LOST_BODY_SEGMENT,
    ],
  ],
  "suricata__tcp-urgp-01-oob__tcp-urgent1.pcap": [
    [/: requests 1 vs tshark 0; request 1 GET \/malicXious: tshark has none$/, NOT_AN_HTTP_PORT],
  ],
  "zeek__http__http-to-ssh.pcap": [
    [/: teardown flow 1 reads http that tshark does not dissect$/, PORT_FIRST],
  ],
  "zeek__http__get-to-ssh-server.pcap": [
    [/: teardown flow 1 reads http that tshark does not dissect$/, PORT_FIRST],
  ],
  "zeek__tls__https-to-http.pcap": [
    [/: teardown flow 1 reads tls that tshark does not dissect$/, PORT_FIRST],
  ],
  "zeek__tls__ssl-to-http-server.pcap": [
    [/: teardown flow 1 reads tls that tshark does not dissect$/, PORT_FIRST],
  ],
  "arkime__nflog.pcap": [[/: no teardown flow$/, UNSUPPORTED_LINK]],
  "zeek__modbus__modbus-and-non-modbus-p502.pcap": [
    [/^198\.74\.56\.135 60293: .*: no teardown flow$/, STRAGGLER],
  ],
};

/**
 * Captures whose HTTP and TLS are malformed on purpose, so that two parsers differ on them by
 * design rather than by mistake: samples/hostile/ carries request targets with spaces, control
 * bytes and invalid UTF-8, a 100 KB request line and hostile SNI and ALPN (tshark splits a
 * request line at its first space and shows text as UTF-8 with replacement characters, teardown
 * keeps the bytes as Latin-1). Its own tests (test/hostile/) check what teardown reads of it.
 */
const MALFORMED_ON_PURPOSE = new Set(["hostile.pcap"]);

/**
 * Samples that hold the same traffic as another one, in another file format or link type
 * (samples/reader/, made by samples/gen/make-reader-samples.sh): the reader tests cover them;
 * here they would only cost tshark start-ups.
 */
const SAME_TRAFFIC = new Set([
  "lo-any-sll.pcap",
  "lo-any-sll2.pcap",
  "lo-nano-direct.pcap",
  "lo-nsec.pcap",
  "lo-pcapng.pcapng",
  "lo-ethernet.pcap.gz",
  "lo-pcapng.pcapng.gz",
  "merged-two-linktypes.pcapng",
]);

function knownReason(d: AppDifference): string | undefined {
  const [capture, ...rest] = d.key.split(" ");
  const text = `${rest.join(" ")}: ${d.what}`;
  return KNOWN_APP_DIFFERENCES[capture ?? ""]?.find(([re]) => re.test(text))?.[1];
}

const files = [...sampleCaptures(), ...corpusCaptures()];

describe("differential: teardown's HTTP and TLS parsers vs tshark", { concurrency: 2 }, () => {
  const totals = noAgreement();
  const all: AppDifference[] = [];
  let tunnelled = 0;

  for (const file of files) {
    const name = basename(file);
    if (
      !APP_CAPTURES.has(name) ||
      SAME_TRAFFIC.has(name) ||
      MALFORMED_ON_PURPOSE.has(name) ||
      name in KNOWN_FILE_DIFFERENCES
    )
      continue;
    it(name, async () => {
      const theirs = await tsharkApp(file);
      const r = compareApp(name, theirs.connections, teardownFlows(file));
      addAgreement(totals, r.agreement);
      tunnelled += r.tunnelled;
      all.push(...r.differences);
    });
  }

  it("no capture left out: teardown reads no messages in the captures not listed", () => {
    const missed: string[] = [];
    for (const file of files) {
      const name = basename(file);
      if (
        APP_CAPTURES.has(name) ||
        MALFORMED_ON_PURPOSE.has(name) ||
        name in KNOWN_FILE_DIFFERENCES
      )
        continue;
      for (const f of teardownFlows(file)) {
        const http = f.app?.http;
        const tls = f.app?.tls;
        if (
          (http?.requests ?? 0) + (http?.responses ?? 0) > 0 ||
          (tls?.clientHelloFrame ?? null) !== null
        )
          missed.push(`${name}: flow ${f.id} (${f.app?.protocol ?? ""})`);
      }
    }
    assert.deepEqual(missed, [], "captures to add to APP_CAPTURES (or to explain)");
  });

  it("summary", (t) => {
    const a = totals;
    t.diagnostic(
      `${a.connections} connections; teardown agrees on ` +
        `${a.httpRequestsAgree} of tshark's ${a.httpRequests} HTTP requests, ` +
        `${a.httpResponsesAgree} of its ${a.httpResponses} final responses, ` +
        `${a.clientHellosAgree} of its ${a.clientHellos} ClientHellos and ` +
        `${a.serverHellosAgree} of its ${a.serverHellos} ServerHellos; ` +
        `connections in tunnels (not compared): ${tunnelled}`,
    );
    const byReason = new Map<string, number>();
    const unexplained: AppDifference[] = [];
    for (const d of all) {
      const known = knownReason(d);
      if (known === undefined) unexplained.push(d);
      else byReason.set(known, (byReason.get(known) ?? 0) + 1);
    }
    for (const [reason, n] of byReason)
      t.diagnostic(`known difference: ${n} connections: ${reason}`);
    for (const d of unexplained) t.diagnostic(`${d.key}: ${d.what} [NOT KNOWN]`);
    assert.deepEqual(unexplained, [], "every difference from tshark is listed with its reason");
    const stale: string[] = [];
    for (const [capture, entries] of Object.entries(KNOWN_APP_DIFFERENCES)) {
      const texts = all
        .filter((d) => d.key.startsWith(`${capture} `))
        .map((d) => `${d.key.slice(capture.length + 1)}: ${d.what}`);
      for (const [re] of entries)
        if (!texts.some((text) => re.test(text))) stale.push(`${capture} ${String(re)}`);
    }
    assert.deepEqual(stale, [], "every listed difference still happens");
  });
});
