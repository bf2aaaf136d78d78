#!/usr/bin/env bash
# Regenerate the reader-test sample captures in samples/reader/ from real
# traffic on loopback.
#
# One run of the traffic program (samples/gen/traffic, Go, stdlib only) is
# captured by five tcpdump processes at the same time, so the five direct
# captures hold the same packets:
#
#   lo, Ethernet (DLT_EN10MB = 1), -s 0, microsecond pcap  -> lo-ethernet.pcap
#   lo, Ethernet, --time-stamp-precision=nano              -> lo-nano-direct.pcap
#   lo, Ethernet, -s 96                                    -> snaplen-96.pcap
#   any, -y LINUX_SLL  (DLT_LINUX_SLL = 113)               -> lo-any-sll.pcap
#   any, -y LINUX_SLL2 (DLT_LINUX_SLL2 = 276)              -> lo-any-sll2.pcap
#
# The other files are derived from those with editcap, mergecap, gzip and
# head -c (see samples/README.md, "Reader samples").
#
# Needs root (tcpdump), tcpdump, tshark, capinfos, editcap, mergecap, go,
# python3, gzip. Only loopback is used. Takes a few seconds.
#
# Environment:
#   OUT   output directory (default: samples/reader next to this script)
#   PORT  base port; the traffic uses PORT..PORT+6, the filter PORT..PORT+10
#         (default 18080)
#   BULK  bytes in the bulk transfer (default 65536: two 32 KiB segments on lo,
#         and each capture stays under ~100 KB)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SAMPLES=$(dirname "$HERE")
OUT=${OUT:-$SAMPLES/reader}
PORT=${PORT:-18080}
BULK=${BULK:-65536}
FILTER="tcp portrange $PORT-$((PORT + 10))"

die() {
    echo "make-reader-samples: $*" >&2
    exit 1
}
say() { echo "make-reader-samples: $*" >&2; }

for tool in tcpdump tshark capinfos editcap mergecap go python3 gzip head column; do
    command -v "$tool" >/dev/null || die "missing tool: $tool"
done
[[ $(id -u) -eq 0 ]] || die "must run as root (tcpdump on lo/any)"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/reader-samples.XXXXXX")
declare -a CAPTURE_PIDS=()

cleanup() {
    local pid
    for pid in "${CAPTURE_PIDS[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then
            kill -INT "$pid" 2>/dev/null || true
        fi
    done
    for pid in "${CAPTURE_PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    CAPTURE_PIDS=()
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- build the traffic program (before capturing, so compiling is not timed)
say "building traffic program"
(cd "$HERE/traffic" && GOPROXY=off go build -o "$TMP/traffic" .)

# --- start the captures
# start_capture NAME TCPDUMP-ARGS...: tcpdump writes $TMP/NAME, logs to
# $TMP/NAME.log. -Z root keeps tcpdump from switching to the tcpdump user
# (which could not write into the 0700 temp dir). --immediate-mode makes
# every packet reach the file before SIGINT; -B 16384 (KiB) gives the kernel
# ring room for the large (32 KB) loopback segments so none are dropped.
start_capture() {
    local name=$1
    shift
    tcpdump -n -Z root --immediate-mode -B 16384 "$@" -w "$TMP/$name" "$FILTER" \
        >"$TMP/$name.log" 2>&1 &
    CAPTURE_PIDS+=("$!")
}

start_capture lo-ethernet.pcap -i lo -s 0
start_capture lo-nano-direct.pcap -i lo -s 0 --time-stamp-precision=nano
start_capture snaplen-96.pcap -i lo -s 96
start_capture lo-any-sll.pcap -i any -y LINUX_SLL -s 0
start_capture lo-any-sll2.pcap -i any -y LINUX_SLL2 -s 0

# Wait until every tcpdump says "listening on".
for name in lo-ethernet.pcap lo-nano-direct.pcap snaplen-96.pcap lo-any-sll.pcap lo-any-sll2.pcap; do
    for _ in $(seq 100); do
        grep -q '^tcpdump: listening on' "$TMP/$name.log" 2>/dev/null && break
        sleep 0.05
    done
    grep -q '^tcpdump: listening on' "$TMP/$name.log" ||
        die "tcpdump for $name did not start: $(cat "$TMP/$name.log")"
done
sleep 0.2

# --- make the traffic
say "running traffic on ports $PORT-$((PORT + 6)), bulk $BULK bytes"
"$TMP/traffic" -port "$PORT" -bulk "$BULK" 2>"$TMP/traffic.log" ||
    die "traffic program failed: $(cat "$TMP/traffic.log")"
sed 's/^/  /' "$TMP/traffic.log" >&2
sleep 0.5

# --- stop the captures cleanly (SIGINT lets tcpdump flush and close the file)
for pid in "${CAPTURE_PIDS[@]}"; do
    kill -0 "$pid" 2>/dev/null || die "a tcpdump (pid $pid) stopped before the traffic ended"
done
for pid in "${CAPTURE_PIDS[@]}"; do
    kill -INT "$pid" 2>/dev/null || true # may be gone already (Ctrl-C hits the group)
done
for pid in "${CAPTURE_PIDS[@]}"; do
    wait "$pid" || die "tcpdump (pid $pid) exited with status $?"
done
CAPTURE_PIDS=()
for name in lo-ethernet.pcap lo-nano-direct.pcap snaplen-96.pcap lo-any-sll.pcap lo-any-sll2.pcap; do
    grep -q '^0 packets dropped by kernel' "$TMP/$name.log" ||
        die "tcpdump for $name dropped packets: $(cat "$TMP/$name.log")"
done

# --- derive the other files into a staging dir
STAGE=$TMP/stage
mkdir -p "$STAGE"
for name in lo-ethernet.pcap lo-nano-direct.pcap snaplen-96.pcap lo-any-sll.pcap lo-any-sll2.pcap; do
    cp "$TMP/$name" "$STAGE/$name"
done
cd "$STAGE"
editcap -F nsecpcap lo-ethernet.pcap lo-nsec.pcap
editcap -F pcapng lo-ethernet.pcap lo-pcapng.pcapng
mergecap -F pcapng -w merged-two-linktypes.pcapng lo-ethernet.pcap lo-any-sll.pcap
gzip -9 -n -c lo-ethernet.pcap >lo-ethernet.pcap.gz
gzip -9 -n -c lo-pcapng.pcapng >lo-pcapng.pcapng.gz

# cut-mid-record.pcap: lo-ethernet.pcap cut halfway through the packet data of
# its last record (the 16-byte record header is complete, the data is not).
CUTINFO=$(python3 - lo-ethernet.pcap <<'EOF'
import struct, sys
data = open(sys.argv[1], "rb").read()
magic = data[:4]
if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
    e = "<"
elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
    e = ">"
else:
    sys.exit("not a pcap file")
off, n, last = 24, 0, None
while off < len(data):
    incl = struct.unpack(e + "I", data[off + 8:off + 12])[0]
    last = (off, incl)
    off += 16 + incl
    n += 1
if off != len(data) or last is None:
    sys.exit("pcap records do not end at end of file")
start, incl = last
cut = start + 16 + incl // 2
assert start + 16 < cut < start + 16 + incl
print(cut, start, incl, n, len(data))
EOF
) || die "could not compute the cut offset"
read -r CUT LAST_START LAST_INCL NRECS ORIG_SIZE <<<"$CUTINFO"
head -c "$CUT" lo-ethernet.pcap >cut-mid-record.pcap
say "cut-mid-record.pcap: lo-ethernet.pcap is $ORIG_SIZE bytes, $NRECS records;" \
    "last record starts at offset $LAST_START (16-byte header + $LAST_INCL data bytes);" \
    "cut at $CUT = $LAST_START + 16 + $((LAST_INCL / 2))"

# --- check the results
# expect FILE FORMAT PRECISION LINK-TYPES TRUNCATED-RECORDS TRAILING-BYTES
# (pcap-summary.py reads the file headers itself; capinfos counts packets.)
python3 "$HERE/pcap-summary.py" lo-ethernet.pcap lo-nsec.pcap lo-nano-direct.pcap \
    lo-pcapng.pcapng lo-any-sll.pcap lo-any-sll2.pcap merged-two-linktypes.pcapng \
    lo-ethernet.pcap.gz lo-pcapng.pcapng.gz cut-mid-record.pcap snaplen-96.pcap >summary.tsv
expect() {
    local got
    got=$(awk -F'\t' -v f="$1" '$1 == f {print $2, $4, $5, ($7 > 0 ? "some" : "none"), ($8 > 0 ? "some" : "none")}' summary.tsv)
    [[ $got == "$2 $3 $4 $5 $6" ]] || die "$1: expected '$2 $3 $4 $5 $6', got '$got'"
}
expect lo-ethernet.pcap pcap usec 1 none none
expect lo-nsec.pcap pcap nsec 1 none none
expect lo-nano-direct.pcap pcap nsec 1 none none
expect lo-pcapng.pcapng pcapng usec 1 none none
expect lo-any-sll.pcap pcap usec 113 none none
expect lo-any-sll2.pcap pcap usec 276 none none
expect merged-two-linktypes.pcapng pcapng usec,usec 1,113 none none
expect lo-ethernet.pcap.gz pcap usec 1 none none
expect lo-pcapng.pcapng.gz pcapng usec 1 none none
expect cut-mid-record.pcap pcap usec 1 none some
expect snaplen-96.pcap pcap usec 1 some none

npackets() { capinfos -c -M "$1" | awk '/Number of packets/ {print $NF}'; }
N=$(npackets lo-ethernet.pcap)
for f in lo-nsec.pcap lo-nano-direct.pcap lo-pcapng.pcapng lo-any-sll.pcap lo-any-sll2.pcap \
    lo-ethernet.pcap.gz lo-pcapng.pcapng.gz snaplen-96.pcap; do
    n=$(npackets "$f")
    [[ $n == "$N" ]] || die "$f has $n packets, lo-ethernet.pcap has $N"
done
n=$(npackets merged-two-linktypes.pcapng)
[[ $n == $((2 * N)) ]] || die "merged-two-linktypes.pcapng has $n packets, expected $((2 * N))"

# The cut file must make tshark complain about a packet cut short.
if tshark -r cut-mid-record.pcap -q -z io,stat,0 >cut.out 2>&1; then :; fi
grep -q 'cut short in the middle of a packet' cut.out ||
    die "cut-mid-record.pcap: tshark did not report a cut-short packet: $(cat cut.out)"
rm -f cut.out

# --- install: replace only the files this script makes
FILES=(lo-ethernet.pcap lo-nsec.pcap lo-nano-direct.pcap lo-pcapng.pcapng lo-any-sll.pcap
    lo-any-sll2.pcap merged-two-linktypes.pcapng lo-ethernet.pcap.gz lo-pcapng.pcapng.gz
    cut-mid-record.pcap snaplen-96.pcap)
mkdir -p "$OUT"
for f in "${FILES[@]}"; do
    rm -f "$OUT/$f"
    install -m 0644 "$f" "$OUT/$f"
done
cd "$OUT"

# --- summary
say "wrote ${#FILES[@]} files to $OUT"
python3 "$HERE/pcap-summary.py" "${FILES[@]}" | column -t -s $'\t' >&2
ls -l "${FILES[@]}" >&2
say "cut-mid-record.pcap: cut at byte $CUT of $ORIG_SIZE (last record at $LAST_START," \
    "$LAST_INCL data bytes); tshark and capinfos report it as cut short"
