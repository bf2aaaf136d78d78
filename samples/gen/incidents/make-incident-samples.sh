#!/usr/bin/env bash
# Regenerate the incident captures in samples/incidents/ from real traffic on
# loopback, and the wire facts (ground truth, from tshark) beside each one.
#
# Each scenario of the Go program in scenarios/ (stdlib only, Go 1.19) runs
# on its own port, in its own private network namespace (`unshare -n`, with
# only `lo` up), while one tcpdump in that namespace captures it:
#
#   tcpdump -n -Z root --immediate-mode -B 131072 -i lo -s 0 -w NAME.pcap 'tcp port PORT'
#
# The namespace keeps other loopback traffic on this machine out of the
# captures, gives every run the kernel's default TCP settings, and lets the
# accept-backlog scenario lower net.ipv4.tcp_fin_timeout to 2 s without
# touching the host's setting (the sysctl is per network namespace). The
# namespace goes away when its last process (tcpdump, the scenario) exits.
#
# Then wire-facts.py reads every capture with tshark and writes
# NAME.wire.json, and a few checks make sure each capture shows what it is
# for (the script fails otherwise; see check_expectations below).
#
# Needs root (unshare, tcpdump), util-linux unshare, iproute2 ip, tcpdump,
# tshark, go, python3. Only loopback is used. Takes about a minute.
#
# Environment:
#   OUT    output directory (default: samples/incidents)
#   PORT   base port; scenario k (1..8) uses PORT+k (default 18500)
#   ONLY   space-separated scenario names to make (default: all)
#   KEEP   set to 1 to keep the temp directory (captures, logs, JSON)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SAMPLES=$(cd "$HERE/../.." && pwd)
OUT=${OUT:-$SAMPLES/incidents}
PORT=${PORT:-18500}

# name, port offset, tcp_fin_timeout in the namespace (- = kernel default 60)
SCENARIOS=(
    "client-timeout 1 -"
    "http2-storm 2 -"
    "connection-close 3 -"
    "unread-body 4 -"
    "accept-backlog 5 2"
    "keepalive-reuse 6 -"
    "probes 7 -"
    "refused 8 -"
)

die() {
    echo "make-incident-samples: $*" >&2
    exit 1
}
say() { echo "make-incident-samples: $*" >&2; }

# --- inside a private network namespace: capture one scenario -------------
# $0 --in-netns NAME PORT FIN_TIMEOUT PROGRAM WORKDIR
if [[ ${1:-} == --in-netns ]]; then
    name=$2 port=$3 fin_timeout=$4 prog=$5 work=$6
    ip link set lo up
    if [[ $fin_timeout != - ]]; then
        sysctl -q -w net.ipv4.tcp_fin_timeout="$fin_timeout"
    fi
    echo "netns: net.ipv4.tcp_fin_timeout = $(sysctl -n net.ipv4.tcp_fin_timeout)" >"$work/$name.sysctl"
    TCPDUMP_PID=
    stop_tcpdump() {
        if [[ -n $TCPDUMP_PID ]] && kill -0 "$TCPDUMP_PID" 2>/dev/null; then
            kill -INT "$TCPDUMP_PID" 2>/dev/null || true
            wait "$TCPDUMP_PID" 2>/dev/null || true
        fi
    }
    trap stop_tcpdump EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    # -Z root keeps tcpdump from switching to the tcpdump user (which could
    # not write into the 0700 temp dir); --immediate-mode makes every packet
    # reach the file before SIGINT. In immediate mode libpcap uses a
    # TPACKET_V2 ring of fixed-size frames, each big enough for a 64 KB
    # loopback packet, so -B 16384 (KiB) holds only ~250 packets: the
    # http2-storm burst (~1000 packets within a few ms) overflowed it once.
    # -B 131072 (128 MiB) holds ~2000.
    tcpdump -n -Z root --immediate-mode -B 131072 -i lo -s 0 -w "$work/$name.pcap" \
        "tcp port $port" >"$work/$name.tcpdump.log" 2>&1 &
    TCPDUMP_PID=$!
    for _ in $(seq 100); do
        grep -q '^tcpdump: listening on' "$work/$name.tcpdump.log" 2>/dev/null && break
        sleep 0.05
    done
    grep -q '^tcpdump: listening on' "$work/$name.tcpdump.log" ||
        die "$name: tcpdump did not start: $(cat "$work/$name.tcpdump.log")"
    sleep 0.2
    "$prog" -scenario "$name" -port "$port" 2>"$work/$name.log" ||
        die "$name: scenario failed: $(cat "$work/$name.log")"
    sleep 0.5
    kill -0 "$TCPDUMP_PID" 2>/dev/null || die "$name: tcpdump stopped before the scenario ended"
    kill -INT "$TCPDUMP_PID"
    wait "$TCPDUMP_PID" || die "$name: tcpdump exited with status $?"
    TCPDUMP_PID=
    grep -q '^0 packets dropped by kernel' "$work/$name.tcpdump.log" ||
        die "$name: tcpdump dropped packets: $(cat "$work/$name.tcpdump.log")"
    exit 0
fi

# --- outside: build, capture every scenario, extract, check, install --------
for tool in unshare ip sysctl tcpdump tshark go python3; do
    command -v "$tool" >/dev/null || die "missing tool: $tool"
done
[[ $(id -u) -eq 0 ]] || die "must run as root (unshare -n, tcpdump)"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/incident-samples.XXXXXX")
cleanup() {
    if [[ ${KEEP:-0} == 1 ]]; then
        say "kept $TMP"
    else
        rm -rf "$TMP"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "building the scenarios program"
(cd "$HERE/scenarios" && GOPROXY=off GOFLAGS=-mod=mod go build -o "$TMP/scenarios" .)

declare -a MADE=()
for entry in "${SCENARIOS[@]}"; do
    read -r name off fin_timeout <<<"$entry"
    if [[ -n ${ONLY:-} && " $ONLY " != *" $name "* ]]; then
        continue
    fi
    port=$((PORT + off))
    say "capturing $name on port $port"
    t0=$(date +%s.%N)
    unshare -n bash "$HERE/make-incident-samples.sh" --in-netns "$name" "$port" "$fin_timeout" \
        "$TMP/scenarios" "$TMP" || die "$name: capture failed"
    sed 's/^/    /' "$TMP/$name.log" >&2
    say "$name: $(cat "$TMP/$name.sysctl"); $(grep 'packets captured' "$TMP/$name.tcpdump.log");" \
        "$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f} s')" "$t0" "$(date +%s.%N)")"
    python3 "$HERE/wire-facts.py" "$TMP/$name.pcap" --server-port "$port" --name "$name" >"$TMP/$name.wire.json"
    MADE+=("$name")
done
[[ ${#MADE[@]} -gt 0 ]] || die "no scenario selected (ONLY=$ONLY)"

# --- check that each capture shows what it is for --------------------------
# Loose checks on the tshark facts; a failure means the real stacks did not
# produce the incident this time (the captures are then not installed).
check_expectations() {
    python3 - "$TMP" "$@" <<'EOF'
import json, sys
tmp, names = sys.argv[1], sys.argv[2:]
bad = []
for name in names:
    d = json.load(open(f"{tmp}/{name}.wire.json"))
    s, st = d["summary"], d["streams"]
    n = s["streams"]
    def want(cond, what):
        if not cond:
            bad.append(f"{name}: expected {what}")
    want(n > 0, "some TCP streams")
    if name == "client-timeout":
        want(s["first_fin_by"]["client"] == n, "the client to send the first FIN in every connection")
        want(s["first_fin_with_client_payload_unanswered"] == n, "an unanswered request at every client FIN")
        want(s["rsts"]["from_client"] >= 1 and s["rsts"]["sender_had_sent_fin"] == s["rsts"]["total"], "client RSTs after its own FIN (late response)")
        want(s["both_fins"] >= 1 and s["fin_to_fin_gap"]["min"] > 1.0, "at least one late server FIN, > 1 s after the client FIN")
    elif name == "http2-storm":
        want(n >= 40, "a burst of at least 40 connections")
        want(s["tls"] and s["tls"]["client_closed_before_server_hello"] >= 1, "connections closed by the client before the ServerHello")
    elif name == "connection-close":
        want(s["http_requests_per_stream"]["max"] == 1, "one request per connection")
        want(s["connection_close_responses"] == s["http_responses"] > 0, "Connection: close on every response")
        want(s["first_fin_by"]["server"] >= n // 2, "the server to send the first FIN in most connections")
    elif name == "unread-body":
        want(s["http_requests_per_stream"]["max"] == 1, "one request per connection (no reuse)")
        want(s["first_to_close_by"]["client_rst"] == n, "the client to end every connection with RST")
        want(s["rsts"]["sender_had_unanswered_bytes"] >= n, "RSTs with received response bytes unread")
    elif name == "accept-backlog":
        want(s["rsts"]["from_client"] >= 1, "client RSTs answering late server segments")
        want(any(x["first_fin"] and x["first_fin"]["sender"] == "client" and x["payload_bytes"]["server_to_client"] == 0
                 and x["second_fin"] and x["second_fin"]["gap"] > 3 and x["rsts"] for x in st),
             "a probe whose server FIN came > 3 s late and was answered by RST")
        want(any(x["first_fin"] and x["first_fin"]["sender"] == "client" and x["payload_bytes"]["server_to_client"] == 0
                 and x["second_fin"] and x["second_fin"]["gap"] > 0.5 and not x["rsts"] for x in st),
             "the late probe, whose late server FIN was answered without RST")
    elif name == "keepalive-reuse":
        want(s["rsts"]["total"] == 0, "no RST")
        want(s["http_requests"] == 20 and n <= 2, "20 requests over 1-2 connections")
        want(s["first_fin_by"]["client"] == n and s["both_fins"] == n, "clean client-first FIN closes")
    elif name == "probes":
        want(s["streams_with_no_payload"] == n, "no payload at all")
        want(s["first_to_close_by"]["client_fin"] >= 1 and s["first_to_close_by"]["client_rst"] >= 1, "FIN probes and RST probes")
    elif name == "refused":
        want(s["handshake_completed"] == 0 and s["rsts"]["from_server"] == n, "every SYN refused with RST")
for b in bad:
    print(b, file=sys.stderr)
sys.exit(1 if bad else 0)
EOF
}
check_expectations "${MADE[@]}" || die "a capture does not show what it is for (see above)"

# --- install ---------------------------------------------------------------
mkdir -p "$OUT"
for name in "${MADE[@]}"; do
    install -m 0644 "$TMP/$name.pcap" "$OUT/$name.pcap"
    # the JSON names the capture by its installed file name already
    install -m 0644 "$TMP/$name.wire.json" "$OUT/$name.wire.json"
done
cd "$OUT"
say "wrote to $OUT:"
for name in "${MADE[@]}"; do
    python3 "$HERE/wire-facts.py" --summary "$name.wire.json" >&2
done
ls -l "${MADE[@]/%/.pcap}" >&2
for name in "${MADE[@]}"; do
    size=$(stat -c %s "$name.pcap")
    if ((size > 200 * 1024)); then
        say "warning: $name.pcap is $size bytes (over 200 KiB)"
    fi
done
