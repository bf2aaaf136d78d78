#!/usr/bin/env bash
# Regenerate samples/hostile/hostile.pcap: hostile HTTP/1.1 requests and TLS
# hellos, and hostile answers, over real TCP connections on loopback.
#
# The Go program in hostile-traffic/ (stdlib only, Go 1.19) writes the bytes
# over raw sockets (net/http and crypto/tls refuse them); it runs in a private
# network namespace (`unshare -n`, only `lo` up) while one tcpdump in that
# namespace captures it:
#
#   tcpdump -n -Z root --immediate-mode -B 131072 -i lo -s 0 -w hostile.pcap 'tcp portrange PORT-PORT+1'
#
# as samples/gen/incidents/make-incident-samples.sh does for the incidents.
# Then a few checks with tshark make sure the capture holds what it is for
# (the script fails otherwise, and installs nothing).
#
# Needs root (unshare, tcpdump), util-linux unshare, iproute2 ip, tcpdump,
# tshark, go. Only loopback is used. Takes about ten seconds.
#
# Environment:
#   OUT    output directory (default: samples/hostile)
#   PORT   HTTP server port; the TLS server uses PORT+1 (default 18601)
#   KEEP   set to 1 to keep the temp directory (capture, logs)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SAMPLES=$(cd "$HERE/../.." && pwd)
OUT=${OUT:-$SAMPLES/hostile}
PORT=${PORT:-18601}
NAME=hostile
# Connections the program makes, in order (see hostile-traffic/main.go).
CONNECTIONS=12

die() {
    echo "make-hostile-samples: $*" >&2
    exit 1
}
say() { echo "make-hostile-samples: $*" >&2; }

# --- inside a private network namespace: capture the program --------------
# $0 --in-netns PORT PROGRAM WORKDIR
if [[ ${1:-} == --in-netns ]]; then
    port=$2 prog=$3 work=$4
    ip link set lo up
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
    # -Z root: the tcpdump user could not write into the 0700 temp dir;
    # --immediate-mode: every packet reaches the file before SIGINT.
    tcpdump -n -Z root --immediate-mode -B 131072 -i lo -s 0 -w "$work/$NAME.pcap" \
        "tcp portrange $port-$((port + 1))" >"$work/tcpdump.log" 2>&1 &
    TCPDUMP_PID=$!
    for _ in $(seq 100); do
        grep -q '^tcpdump: listening on' "$work/tcpdump.log" 2>/dev/null && break
        sleep 0.05
    done
    grep -q '^tcpdump: listening on' "$work/tcpdump.log" ||
        die "tcpdump did not start: $(cat "$work/tcpdump.log")"
    sleep 0.2
    "$prog" -port "$port" 2>"$work/program.log" || die "the program failed: $(cat "$work/program.log")"
    sleep 0.5
    kill -0 "$TCPDUMP_PID" 2>/dev/null || die "tcpdump stopped before the program ended"
    kill -INT "$TCPDUMP_PID"
    wait "$TCPDUMP_PID" || die "tcpdump exited with status $?"
    TCPDUMP_PID=
    grep -q '^0 packets dropped by kernel' "$work/tcpdump.log" ||
        die "tcpdump dropped packets: $(cat "$work/tcpdump.log")"
    exit 0
fi

# --- outside: build, capture, check, install --------------------------------
for tool in unshare ip tcpdump tshark go; do
    command -v "$tool" >/dev/null || die "missing tool: $tool"
done
[[ $(id -u) -eq 0 ]] || die "must run as root (unshare -n, tcpdump)"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/hostile-samples.XXXXXX")
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

say "building the program"
(cd "$HERE/hostile-traffic" && GOPROXY=off GOFLAGS=-mod=mod go build -o "$TMP/hostile-traffic" .)

say "capturing on ports $PORT-$((PORT + 1))"
unshare -n bash "$HERE/make-hostile-samples.sh" --in-netns "$PORT" "$TMP/hostile-traffic" "$TMP" ||
    die "capture failed"
sed 's/^/    /' "$TMP/program.log" >&2
say "$(grep 'packets captured' "$TMP/tcpdump.log")"

# --- check that the capture holds what it is for -----------------------------
pcap=$TMP/$NAME.pcap
count() {
    local out
    out=$(tshark -r "$pcap" -Y "$1" 2>"$TMP/tshark.log") || die "tshark -Y '$1': $(cat "$TMP/tshark.log")"
    grep -c . <<<"$out" || true
}
streams=$(tshark -r "$pcap" -T fields -e tcp.stream 2>/dev/null | sort -un | wc -l)
syns=$(count 'tcp.flags.syn == 1 && tcp.flags.ack == 0')
client_rsts=$(count "tcp.flags.reset == 1 && (tcp.dstport == $PORT || tcp.dstport == $((PORT + 1)))")
server_rsts=$(count "tcp.flags.reset == 1 && tcp.srcport == $PORT")
hellos=$(count 'tls.handshake.type == 1')
snis=$(tshark -r "$pcap" -T fields -e tls.handshake.extensions_server_name 2>/dev/null | grep -c . || true)
server_hellos=$(count 'tls.handshake.type == 2')
alerts=$(count 'tls.record.content_type == 21')
long=$(count "tcp.dstport == $PORT && tcp.len > 30000")
bad=()
((streams == CONNECTIONS)) || bad+=("$streams TCP streams, expected $CONNECTIONS")
((syns == CONNECTIONS)) || bad+=("$syns SYNs, expected $CONNECTIONS")
((client_rsts >= 4)) || bad+=("$client_rsts client RSTs, expected at least 4 (unread, timeout, read+RST x2)")
((server_rsts >= 1)) || bad+=("$server_rsts server RSTs, expected at least 1")
((hellos == 3 && snis == 3)) || bad+=("$hellos ClientHellos with $snis SNIs, expected 3 and 3")
((server_hellos == 1 && alerts == 1)) || bad+=("$server_hellos ServerHellos and $alerts alerts, expected 1 and 1")
((long >= 2)) || bad+=("$long client segments over 30000 bytes, expected the 100 KB request line in 2 or more")
for b in "${bad[@]}"; do say "check failed: $b"; done
((${#bad[@]} == 0)) || die "the capture does not show what it is for (see above)"
size=$(stat -c %s "$pcap")
((size <= 300 * 1024)) || die "$NAME.pcap is $size bytes (over 300 KiB)"

mkdir -p "$OUT"
install -m 0644 "$pcap" "$OUT/$NAME.pcap"
say "wrote $OUT/$NAME.pcap: $size bytes, $(tshark -r "$pcap" 2>/dev/null | wc -l) frames, $streams TCP streams;" \
    "RSTs: $client_rsts from clients, $server_rsts from the server"
