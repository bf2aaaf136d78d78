#!/usr/bin/env python3
"""Print a one-line summary of pcap / pcapng files (optionally gzipped).

Used by make-reader-samples.sh to check the files it writes, independently of
Wireshark's tools. Standard library only. For each file prints, tab-separated:

  file  format  endian  ts-precision  link-types  records  truncated-records  trailing

format is pcap or pcapng; ts-precision is usec/nsec (pcap) or the if_tsresol
of each interface (pcapng); link-types are the DLT/LINKTYPE numbers (pcap file
header, or each pcapng IDB); records counts complete packet records (pcap
records, pcapng EPB/SPB/PB); truncated-records counts records whose captured
length is less than the original length (snaplen); trailing is the number of
bytes after the last complete record/block (non-zero for a file cut short).
"""

import gzip
import struct
import sys

PCAP_MAGICS = {
    b"\xd4\xc3\xb2\xa1": ("<", "usec"),
    b"\xa1\xb2\xc3\xd4": (">", "usec"),
    b"\x4d\x3c\xb2\xa1": ("<", "nsec"),
    b"\xa1\xb2\x3c\x4d": (">", "nsec"),
}


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data


def summarize_pcap(data):
    e, prec = PCAP_MAGICS[data[:4]]
    linktype = struct.unpack(e + "I", data[20:24])[0] & 0x0FFFFFFF
    off, n, cut = 24, 0, 0
    while off + 16 <= len(data):
        incl, orig = struct.unpack(e + "II", data[off + 8 : off + 16])
        if off + 16 + incl > len(data):
            break
        n += 1
        if incl < orig:
            cut += 1
        off += 16 + incl
    return "pcap", "LE" if e == "<" else "BE", prec, str(linktype), n, cut, len(data) - off


def tsresol_name(v):
    if v & 0x80:
        return "2^-%d" % (v & 0x7F)
    return {6: "usec", 9: "nsec"}.get(v, "10^-%d" % v)


def summarize_pcapng(data):
    off, n, cut = 0, 0, 0
    e = "<"
    links, precs = [], []
    while off + 12 <= len(data):
        if data[off : off + 4] == b"\x0a\x0d\x0d\x0a":
            bom = data[off + 8 : off + 12]
            e = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
            links, precs = [], []  # a new section starts new interface ids
        btype, blen = struct.unpack(e + "II", data[off : off + 8])
        if blen < 12 or off + blen > len(data):
            break
        body = data[off + 8 : off + blen - 4]
        if btype == 1:  # IDB
            links.append(struct.unpack(e + "H", body[0:2])[0])
            resol = 6
            o = 8
            while o + 4 <= len(body):
                code, olen = struct.unpack(e + "HH", body[o : o + 4])
                if code == 0:
                    break
                if code == 9 and olen >= 1:
                    resol = body[o + 4]
                o += 4 + ((olen + 3) & ~3)
            precs.append(tsresol_name(resol))
        elif btype == 6:  # EPB
            incl, orig = struct.unpack(e + "II", body[12:20])
            n += 1
            cut += incl < orig
        elif btype == 3:  # SPB
            n += 1
        elif btype == 2:  # obsolete PB
            incl, orig = struct.unpack(e + "II", body[12:20])
            n += 1
            cut += incl < orig
        off += blen
    return (
        "pcapng",
        "LE" if e == "<" else "BE",
        ",".join(precs),
        ",".join(str(x) for x in links),
        n,
        cut,
        len(data) - off,
    )


def main(paths):
    print("file\tformat\tendian\tts-precision\tlink-types\trecords\ttruncated-records\ttrailing")
    for path in paths:
        data = read(path)
        if data[:4] in PCAP_MAGICS:
            row = summarize_pcap(data)
        elif data[:4] == b"\x0a\x0d\x0d\x0a":
            row = summarize_pcapng(data)
        else:
            print("%s: not pcap or pcapng" % path, file=sys.stderr)
            return 1
        print("\t".join([path] + [str(x) for x in row]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
