#!/usr/bin/env python3
"""Extract the ground truth of a capture's TCP teardowns, as tshark sees it.

Usage: wire-facts.py CAPTURE [--server-port PORT] [--name NAME] > CAPTURE.wire.json
       wire-facts.py --summary FILE.wire.json...     (one line per file)

Standard library only. Every fact comes from one run of

    tshark -r CAPTURE -o tcp.desegment_tcp_streams:FALSE -T fields -e ...

(one line per frame; no reassembly, so each TCP segment is one frame and the
HTTP/TLS fields are those tshark finds in that segment alone). Nothing here
knows what the program that made the traffic intended.

Per TCP stream (tshark's tcp.stream index):
  client / server      ip:port; the client is the sender of the SYN (no ACK).
                       Without a SYN, the side whose port is --server-port is
                       the server, else the sender of the first frame is the
                       client (client_is_guess = true).
  handshake            SYN, SYN/ACK and the client's ACK of it, with frames;
                       completed = all three seen.
  first_fin            the first FIN: sender (client/server), frame, time;
                       plus the payload state at that moment (who sent payload
                       last, and whether a client request was unanswered,
                       i.e. client payload with no server payload after it).
  second_fin           the first FIN from the other side, and the gap to the
                       first FIN (the FIN-to-FIN gap).
  rsts                 every RST: sender, frame, time, flags, whether the
                       sender had sent its own FIN before, payload bytes the
                       sender had received / sent before the RST, bytes it
                       received after its own last payload ("unanswered"),
                       how many of the received bytes it had ACKed, and the
                       frame just before the RST in the stream.
  payload              bytes and segments each way (tcp.len, so correct even
                       when the snapshot length cut the packet).
  http                 requests: client segments whose payload starts with an
                       HTTP method and a space; tshark_requests: frames with
                       http.request.method; responses: server segments
                       starting with "HTTP/1."; connection_close_responses:
                       server frames where tshark's http.connection is
                       "close".
  tls                  ClientHello / ServerHello frames and times
                       (tls.handshake.type 1 and 2), the ClientHello's ALPN
                       list, and the time between them.
  first/last packet    times, relative to the first frame of the capture.

Times are seconds relative to the capture's first frame (frame.time_relative)
unless the key says otherwise; capture_start_epoch gives the absolute time.
"""

import json
import statistics
import subprocess
import sys

FIELDS = [
    "frame.number",
    "frame.time_relative",
    "frame.time_epoch",
    "tcp.stream",
    "ip.src",
    "ip.dst",
    "ipv6.src",
    "ipv6.dst",
    "tcp.srcport",
    "tcp.dstport",
    "tcp.flags",
    "tcp.len",
    "tcp.seq",
    "tcp.ack",
    "tcp.payload",
    "http.request.method",
    "http.connection",
    "tls.handshake.type",
    "tls.handshake.extensions_alpn_str",
]

HTTP_METHODS = (b"GET ", b"POST ", b"HEAD ", b"PUT ", b"DELETE ", b"OPTIONS ", b"PATCH ", b"CONNECT ", b"TRACE ")

FIN, SYN, RST, ACK = 0x01, 0x02, 0x04, 0x10


def r6(x):
    return None if x is None else round(x, 6)


def flag_str(f):
    names = [(SYN, "S"), (FIN, "F"), (RST, "R"), (0x08, "P"), (ACK, ".")]
    return "".join(n for bit, n in names if f & bit) or "none"


def run_tshark(path):
    cmd = ["tshark", "-r", path, "-n", "-o", "tcp.desegment_tcp_streams:FALSE",
           "-o", "tcp.relative_sequence_numbers:TRUE",
           "-T", "fields", "-E", "header=n", "-E", "separator=/t", "-E", "occurrence=a",
           "-E", "aggregator=,", "-Y", "tcp"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE).stdout
    rows = []
    for line in out.decode("utf-8", "replace").splitlines():
        parts = line.split("\t")
        parts += [""] * (len(FIELDS) - len(parts))
        rows.append(dict(zip(FIELDS, parts)))
    return rows


def first_int(s, default=0):
    s = s.split(",")[0] if s else ""
    return int(s, 0) if s else default


def parse(rows):
    frames = []
    for r in rows:
        src = r["ip.src"] or r["ipv6.src"]
        dst = r["ip.dst"] or r["ipv6.dst"]
        fmt = "[{}]:{}" if ":" in src else "{}:{}"
        payload_hex = r["tcp.payload"].replace(":", "")
        frames.append({
            "frame": int(r["frame.number"]),
            "t": float(r["frame.time_relative"]),
            "epoch": float(r["frame.time_epoch"]),
            "stream": int(r["tcp.stream"]),
            "src": fmt.format(src, r["tcp.srcport"]),
            "dst": fmt.format(dst, r["tcp.dstport"]),
            "sport": int(r["tcp.srcport"]),
            "dport": int(r["tcp.dstport"]),
            "flags": int(r["tcp.flags"], 16),
            "len": int(r["tcp.len"] or 0),
            "seq": first_int(r["tcp.seq"]),
            "ack": first_int(r["tcp.ack"]),
            "head": bytes.fromhex(payload_hex[:32]) if payload_hex else b"",
            "http_method": r["http.request.method"],
            "http_connection": r["http.connection"].lower(),
            "tls_types": [int(x) for x in r["tls.handshake.type"].split(",") if x],
            "alpn": r["tls.handshake.extensions_alpn_str"],
        })
    return frames


def analyze_stream(idx, fr, server_port, t0):
    syn = next((f for f in fr if f["flags"] & SYN and not f["flags"] & ACK), None)
    guess = False
    if syn:
        client, server = syn["src"], syn["dst"]
    elif server_port is not None and any(f["sport"] == server_port for f in fr):
        server = next(f["src"] for f in fr if f["sport"] == server_port)
        client = next(f["dst"] for f in fr if f["sport"] == server_port)
    else:
        client, server = fr[0]["src"], fr[0]["dst"]
        guess = True
    side = lambda f: "client" if f["src"] == client else "server"
    other = {"client": "server", "server": "client"}

    synack = next((f for f in fr if f["flags"] & SYN and f["flags"] & ACK and side(f) == "server"), None)
    hs_ack = None
    if synack:
        hs_ack = next((f for f in fr if f["frame"] > synack["frame"] and side(f) == "client"
                       and f["flags"] & ACK and not f["flags"] & (SYN | RST)), None)

    # Running state per side, updated frame by frame.
    sent = {"client": 0, "server": 0}          # payload bytes sent
    segs = {"client": 0, "server": 0}          # payload segments sent
    pkts = {"client": 0, "server": 0}
    last_payload = {"client": None, "server": None}   # last payload frame
    since_last_own = {"client": 0, "server": 0}       # bytes received after own last payload
    max_ack = {"client": 0, "server": 0}              # highest relative ack sent
    fin_of = {"client": None, "server": None}
    fins = []
    rsts = []
    requests = responses = tshark_requests = conn_close = 0
    first_request = None
    tls = {"client_hello": None, "server_hello": None, "alpn_offered": None}
    prev = None
    for f in fr:
        s = side(f)
        o = other[s]
        fl = f["flags"]
        if fl & RST:
            recv = sent[o]
            acked = max(0, min(recv, max_ack[s] - 1)) if max_ack[s] else 0
            rsts.append({
                "sender": s,
                "frame": f["frame"],
                "t": r6(f["t"] - t0),
                "t_stream": r6(f["t"] - fr[0]["t"]),
                "flags": flag_str(fl),
                "sender_sent_fin_before": fin_of[s] is not None,
                "peer_sent_fin_before": fin_of[o] is not None,
                "sender_bytes_received_before": recv,
                "sender_bytes_sent_before": sent[s],
                "sender_unanswered_bytes": since_last_own[s],
                "sender_acked_bytes_before": acked,
                "previous_frame": None if prev is None else {
                    "frame": prev["frame"], "sender": side(prev), "flags": flag_str(prev["flags"]),
                    "len": prev["len"], "dt": r6(f["t"] - prev["t"])},
            })
        if fl & ACK and not fl & RST:
            max_ack[s] = max(max_ack[s], f["ack"])
        if f["len"] > 0:
            if s == "client" and f["head"].startswith(HTTP_METHODS):
                requests += 1
                if first_request is None:
                    first_request = f
            if s == "server" and f["head"].startswith(b"HTTP/1."):
                responses += 1
            sent[s] += f["len"]
            segs[s] += 1
            last_payload[s] = f
            since_last_own[s] = 0
            since_last_own[o] += f["len"]
        if f["http_method"] and s == "client":
            tshark_requests += 1
        if s == "server" and "close" in f["http_connection"].split(","):
            conn_close += 1
        if 1 in f["tls_types"] and s == "client" and tls["client_hello"] is None:
            tls["client_hello"] = f
            tls["alpn_offered"] = f["alpn"] or None
        if 2 in f["tls_types"] and s == "server" and tls["server_hello"] is None:
            tls["server_hello"] = f
        if fl & FIN and fin_of[s] is None:
            # payload state at the moment of this FIN
            lc, ls = last_payload["client"], last_payload["server"]
            unanswered = lc is not None and (ls is None or ls["frame"] < lc["frame"])
            # the first client payload after the last server payload
            first_unanswered = None
            if unanswered:
                cut = ls["frame"] if ls else -1
                first_unanswered = next(g for g in fr if side(g) == "client" and g["len"] > 0 and g["frame"] > cut)
            fin_of[s] = f
            fins.append({
                "sender": s,
                "frame": f["frame"],
                "t": r6(f["t"] - t0),
                "t_stream": r6(f["t"] - fr[0]["t"]),
                "with_payload": f["len"],
                "last_payload_by": None if (lc is None and ls is None) else
                    ("client" if ls is None or (lc is not None and lc["frame"] > ls["frame"]) else "server"),
                "client_payload_unanswered": unanswered,
                "unanswered_since": None if not first_unanswered else {
                    "frame": first_unanswered["frame"], "t": r6(first_unanswered["t"] - t0),
                    "dt": r6(f["t"] - first_unanswered["t"])},
                "since_last_client_payload": None if lc is None else r6(f["t"] - lc["t"]),
                "since_last_server_payload": None if ls is None else r6(f["t"] - ls["t"]),
            })
        pkts[s] += 1
        prev = f

    first_fin = fins[0] if fins else None
    second_fin = None
    if first_fin:
        sf = fin_of[other[first_fin["sender"]]]
        if sf is not None:
            second_fin = {
                "sender": other[first_fin["sender"]],
                "frame": sf["frame"],
                "t": r6(sf["t"] - t0),
                "gap": r6(sf["t"] - fin_of[first_fin["sender"]]["t"]),
            }
    first_rst = rsts[0] if rsts else None
    # Who ended the connection first: the first FIN or RST.
    ender = None
    cands = [x for x in (first_fin, first_rst) if x]
    if cands:
        e = min(cands, key=lambda x: x["frame"])
        ender = {"sender": e["sender"], "by": "FIN" if e is first_fin else "RST", "frame": e["frame"], "t": e["t"]}

    ch, sh = tls["client_hello"], tls["server_hello"]
    return {
        "stream": idx,
        "client": client,
        "server": server,
        "client_is_guess": guess,
        "handshake": {
            "syn_frame": syn["frame"] if syn else None,
            "synack_frame": synack["frame"] if synack else None,
            "ack_frame": hs_ack["frame"] if hs_ack else None,
            "completed": bool(syn and synack and hs_ack),
            "rtt": r6(hs_ack["t"] - syn["t"]) if (syn and hs_ack) else None,
        },
        "first_packet_t": r6(fr[0]["t"] - t0),
        "last_packet_t": r6(fr[-1]["t"] - t0),
        "duration": r6(fr[-1]["t"] - fr[0]["t"]),
        "packets": {"client": pkts["client"], "server": pkts["server"]},
        "payload_bytes": {"client_to_server": sent["client"], "server_to_client": sent["server"]},
        "payload_segments": {"client_to_server": segs["client"], "server_to_client": segs["server"]},
        "first_to_close": ender,
        "first_fin": first_fin,
        "second_fin": second_fin,
        "fins": {"client": fin_of["client"]["frame"] if fin_of["client"] else None,
                 "server": fin_of["server"]["frame"] if fin_of["server"] else None},
        "rsts": rsts,
        "http": {
            "requests": requests,
            "tshark_requests": tshark_requests,
            "responses": responses,
            "connection_close_responses": conn_close,
            "first_request_frame": first_request["frame"] if first_request else None,
            "first_request_t": r6(first_request["t"] - t0) if first_request else None,
        },
        "tls": None if not (ch or sh) else {
            "client_hello_frame": ch["frame"] if ch else None,
            "client_hello_t": r6(ch["t"] - t0) if ch else None,
            "alpn_offered": tls["alpn_offered"],
            "server_hello_frame": sh["frame"] if sh else None,
            "server_hello_t": r6(sh["t"] - t0) if sh else None,
            "client_hello_to_server_hello": r6(sh["t"] - ch["t"]) if (ch and sh) else None,
        },
    }


def stats(xs):
    xs = [x for x in xs if x is not None]
    if not xs:
        return None
    return {"n": len(xs), "min": r6(min(xs)), "median": r6(statistics.median(xs)), "max": r6(max(xs))}


def summarize(streams):
    n = len(streams)
    cnt = lambda pred: sum(1 for s in streams if pred(s))
    rst_all = [r for s in streams for r in s["rsts"]]
    syn_ts = [s["first_packet_t"] for s in streams if s["handshake"]["syn_frame"]]
    return {
        "streams": n,
        "handshake_completed": cnt(lambda s: s["handshake"]["completed"]),
        "syn_only_or_refused": cnt(lambda s: s["handshake"]["syn_frame"] and not s["handshake"]["completed"]),
        "first_fin_by": {
            "client": cnt(lambda s: s["first_fin"] and s["first_fin"]["sender"] == "client"),
            "server": cnt(lambda s: s["first_fin"] and s["first_fin"]["sender"] == "server"),
            "none": cnt(lambda s: not s["first_fin"]),
        },
        "first_to_close_by": {
            "client_fin": cnt(lambda s: s["first_to_close"] and s["first_to_close"]["sender"] == "client" and s["first_to_close"]["by"] == "FIN"),
            "client_rst": cnt(lambda s: s["first_to_close"] and s["first_to_close"]["sender"] == "client" and s["first_to_close"]["by"] == "RST"),
            "server_fin": cnt(lambda s: s["first_to_close"] and s["first_to_close"]["sender"] == "server" and s["first_to_close"]["by"] == "FIN"),
            "server_rst": cnt(lambda s: s["first_to_close"] and s["first_to_close"]["sender"] == "server" and s["first_to_close"]["by"] == "RST"),
            "none": cnt(lambda s: not s["first_to_close"]),
        },
        "both_fins": cnt(lambda s: s["second_fin"] is not None),
        "fin_to_fin_gap": stats([s["second_fin"]["gap"] for s in streams if s["second_fin"]]),
        "first_fin_with_client_payload_unanswered": cnt(lambda s: s["first_fin"] and s["first_fin"]["client_payload_unanswered"]),
        "unanswered_request_age_at_first_fin": stats(
            [s["first_fin"]["unanswered_since"]["dt"] for s in streams if s["first_fin"] and s["first_fin"]["unanswered_since"]]),
        "streams_with_rst": cnt(lambda s: s["rsts"]),
        "rsts": {
            "total": len(rst_all),
            "from_client": sum(1 for r in rst_all if r["sender"] == "client"),
            "from_server": sum(1 for r in rst_all if r["sender"] == "server"),
            "sender_had_sent_fin": sum(1 for r in rst_all if r["sender_sent_fin_before"]),
            "sender_had_unanswered_bytes": sum(1 for r in rst_all if r["sender_unanswered_bytes"] > 0),
            "answering_peer_payload_or_fin": sum(1 for r in rst_all if r["previous_frame"] and r["previous_frame"]["sender"] != r["sender"]
                                                 and (r["previous_frame"]["len"] > 0 or "F" in r["previous_frame"]["flags"])),
        },
        "http_requests": sum(s["http"]["requests"] for s in streams),
        "http_requests_per_stream": stats([s["http"]["requests"] for s in streams if s["handshake"]["completed"]]),
        "http_responses": sum(s["http"]["responses"] for s in streams),
        "connection_close_responses": sum(s["http"]["connection_close_responses"] for s in streams),
        "streams_with_no_payload": cnt(lambda s: s["payload_bytes"]["client_to_server"] == 0 and s["payload_bytes"]["server_to_client"] == 0),
        "streams_with_server_payload": cnt(lambda s: s["payload_bytes"]["server_to_client"] > 0),
        "payload_bytes": {
            "client_to_server": sum(s["payload_bytes"]["client_to_server"] for s in streams),
            "server_to_client": sum(s["payload_bytes"]["server_to_client"] for s in streams),
        },
        "syn_time_span": None if not syn_ts else {"first": r6(min(syn_ts)), "last": r6(max(syn_ts)), "span": r6(max(syn_ts) - min(syn_ts))},
        "tls": None if not any(s["tls"] for s in streams) else {
            "client_hellos": cnt(lambda s: s["tls"] and s["tls"]["client_hello_frame"]),
            "server_hellos": cnt(lambda s: s["tls"] and s["tls"]["server_hello_frame"]),
            "client_hello_to_server_hello": stats([s["tls"]["client_hello_to_server_hello"] for s in streams if s["tls"]]),
            "client_closed_before_server_hello": cnt(lambda s: s["tls"] and s["tls"]["client_hello_frame"] and s["first_to_close"]
                                                     and s["first_to_close"]["sender"] == "client"
                                                     and (s["tls"]["server_hello_frame"] is None or s["first_to_close"]["frame"] < s["tls"]["server_hello_frame"])),
        },
    }


def extract(path, server_port=None, name=None):
    frames = parse(run_tshark(path))
    if not frames:
        sys.exit(f"{path}: no TCP frames")
    t0 = frames[0]["t"]
    by_stream = {}
    for f in frames:
        by_stream.setdefault(f["stream"], []).append(f)
    streams = [analyze_stream(i, by_stream[i], server_port, t0) for i in sorted(by_stream)]
    return {
        "capture": path.rsplit("/", 1)[-1],
        "name": name,
        "extracted_by": "samples/gen/incidents/wire-facts.py (tshark -o tcp.desegment_tcp_streams:FALSE -T fields)",
        "tshark_version": subprocess.run(["tshark", "--version"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        .stdout.decode().splitlines()[0],
        "frames": len(frames),
        "capture_start_epoch": frames[0]["epoch"],
        "capture_duration": r6(frames[-1]["t"] - t0),
        "server_port": server_port,
        "summary": summarize(streams),
        "streams": streams,
    }


def one_line(d):
    s = d["summary"]
    parts = [f"{d['capture']}: {d['frames']} frames, {s['streams']} streams ({s['handshake_completed']} handshakes completed)",
             "first FIN client/server/none {client}/{server}/{none}".format(**s["first_fin_by"]),
             f"both FINs {s['both_fins']}"]
    if s["fin_to_fin_gap"]:
        g = s["fin_to_fin_gap"]
        parts.append(f"FIN gap {g['min']:.3f}..{g['max']:.3f}s")
    r = s["rsts"]
    parts.append(f"RST {r['total']} (client {r['from_client']}, server {r['from_server']})")
    parts.append(f"HTTP req {s['http_requests']}")
    if s["tls"]:
        parts.append("TLS CH {client_hellos} SH {server_hellos}, client closed before SH {client_closed_before_server_hello}".format(**s["tls"]))
    return "; ".join(parts)


def main(argv):
    if argv and argv[0] == "--summary":
        for p in argv[1:]:
            with open(p) as fh:
                print(one_line(json.load(fh)))
        return
    if not argv:
        sys.exit(__doc__)
    path, port, name = argv[0], None, None
    rest = argv[1:]
    while rest:
        if rest[0] == "--server-port":
            port = int(rest[1])
        elif rest[0] == "--name":
            name = rest[1]
        else:
            sys.exit(f"unknown argument {rest[0]}")
        rest = rest[2:]
    json.dump(extract(path, port, name), sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
