/**
 * Compares teardown's and tshark's view of one capture, frame by frame, and sorts every
 * difference into explained (a deliberate, documented difference) or unexplained (a bug).
 */
import { basename } from "node:path";
import type { OurFrame, TsharkFrame } from "./run-tools.js";

export interface Comparison {
  unexplained: string[];
  explained: Map<string, number>;
}

/**
 * Whole files where teardown deliberately reads differently from tshark, and why. Each entry is
 * a documented limitation (README "Differences from tshark").
 */
export const KNOWN_FILE_DIFFERENCES: Record<string, string> = {
  "pcapplusplus__solaris.snoop":
    "Solaris snoop format: teardown reads pcap and pcapng only (one-line error naming the format)",
  "pcapplusplus__file_heuristics__pcapng-example.pcapng.zst":
    "zstd-compressed: Node 20 has no zstd decoder (one-line error: decompress it first)",
  "suricata__bug-6875-01__fuzz.pcap":
    "damaged pcap: tshark's variant heuristics guess another record layout; teardown reads the standard layout and stops at record 2 (impossible-length)",
};

/** Non-TCP statuses teardown may give a frame that tshark decodes as TCP, and why. */
export const KNOWN_FRAME_DIFFERENCES: Record<string, string> = {
  "unsupported-link": "link type teardown does not decode (counted and warned about once)",
  malformed:
    "TCP header longer than the IP payload: tshark shows the fields and marks [Malformed Packet]; teardown counts the packet as malformed",
  truncated:
    "snapshot length cut the TCP header before its flags: tshark lists an empty TCP layer; teardown counts it as truncated",
};

const FIELDS = ["time", "src", "dst", "flags", "seq", "ack", "win", "len"] as const;

export function compareFrames(
  file: string,
  ours: Map<number, OurFrame>,
  ourTotal: number,
  theirs: Map<number, TsharkFrame>,
  tsharkOk: boolean,
  tsharkStderr: string,
): Comparison {
  const unexplained: string[] = [];
  const explained = new Map<string, number>();
  const explain = (reason: string): void =>
    void explained.set(reason, (explained.get(reason) ?? 0) + 1);
  const fileReason = KNOWN_FILE_DIFFERENCES[basename(file)];
  if (fileReason !== undefined) {
    explain(`${basename(file)}: ${fileReason}`);
    return { unexplained, explained };
  }

  let nonPacket = 0;
  for (const o of ours.values()) if (o.status === "non-packet") nonPacket++;
  if (ourTotal + nonPacket !== theirs.size) {
    const tsharkError = tsharkStderr
      .split("\n")
      .filter((l) => !l.startsWith("Running as user"))
      .join(" ")
      .trim();
    unexplained.push(
      `frame count: teardown ${ourTotal + nonPacket}, tshark ${theirs.size}${tsharkOk ? "" : ` (tshark: ${tsharkError})`}`,
    );
  }
  for (const [n, t] of theirs) {
    const o = ours.get(n);
    if (o === undefined) {
      if (ours.size > 0 || theirs.size < 5)
        unexplained.push(`frame ${n}: tshark has it, teardown does not`);
      continue;
    }
    if (o.status === "non-packet" && t.time === "") {
      explain("pcapng custom and journal blocks: numbered as frames by both, no packet");
      continue;
    }
    if (t.time === "")
      explain(
        "pcapng simple packet block: no timestamp in the file (tshark prints none, teardown keeps the previous packet's time)",
      );
    else if (/\.\d{10,}$/.test(t.time) || t.time.startsWith("-"))
      explain(
        "sub-second field of a second or more: tcpdump and teardown print it unsigned, tshark signed",
      );
    else if (o.time !== t.time) unexplained.push(`frame ${n}: time ${o.time} vs tshark ${t.time}`);
    if (t.plainTcp && o.tcp) {
      for (const f of FIELDS) {
        if (f === "time") continue;
        if (f === "len" && t.len === -1) {
          explain(
            "first IP fragment: tshark gives no TCP length without reassembly; teardown counts the payload bytes in the fragment",
          );
          continue;
        }
        if (o[f] !== t[f])
          unexplained.push(`frame ${n}: ${f} ${String(o[f])} vs tshark ${String(t[f])}`);
      }
    } else if (t.plainTcp && !o.tcp) {
      const reason = KNOWN_FRAME_DIFFERENCES[o.status];
      if (reason !== undefined) explain(reason);
      else
        unexplained.push(
          `frame ${n}: tshark decodes TCP (${t.protocols.join(":")}), teardown says ${o.status}`,
        );
    } else if (!t.plainTcp && o.tcp) {
      unexplained.push(`frame ${n}: teardown decodes TCP, tshark says ${t.protocols.join(":")}`);
    }
  }
  return { unexplained, explained };
}
