/** Runs teardown's CLI and tshark on a capture and parses what they print. */
import { spawn } from "node:child_process";
import { CLI } from "./capture-files.js";

export interface ToolRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: readonly string[], timeoutMs = 120_000): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], timeout: timeoutMs });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({
        code,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      }),
    );
  });
}

/** One frame as `teardown packets --all` printed it. */
export interface OurFrame {
  frame: number;
  time: string;
  tcp: boolean;
  /** For non-TCP frames: the status word (other, fragment, encapsulated, ...). */
  status: string;
  src: string;
  dst: string;
  flags: number;
  seq: number;
  ack: number;
  win: number;
  len: number;
}

const FLAG_BITS: Record<string, number> = {
  F: 1,
  S: 2,
  R: 4,
  P: 8,
  ".": 16,
  U: 32,
  E: 64,
  W: 128,
  e: 256,
};

function flagBits(letters: string): number {
  let v = 0;
  if (letters === "none") return 0;
  for (const c of letters) v |= FLAG_BITS[c] ?? 0x8000;
  return v;
}

const TCP_LINE =
  /^(\d+) (\d+\.\d{9,}) (\S+) > (\S+) \[([^\]]+)\] seq (\d+) ack (\d+) win (\d+) len (\d+)$/;
const SKIPPED_LINE = /^(\d+) (\d+\.\d{9,}) - (\S+)/;
const NON_PACKET_LINE = /^(\d+) - - /;

export async function runTeardown(
  file: string,
): Promise<{ run: ToolRun; frames: Map<number, OurFrame>; total: number }> {
  const r = await run(process.execPath, [CLI, "packets", "--all", file]);
  const frames = new Map<number, OurFrame>();
  for (const line of r.stdout.split("\n")) {
    if (line === "") continue;
    const m = TCP_LINE.exec(line);
    if (m !== null) {
      frames.set(Number(m[1]), {
        frame: Number(m[1]),
        time: m[2] ?? "",
        tcp: true,
        status: "tcp",
        src: m[3] ?? "",
        dst: m[4] ?? "",
        flags: flagBits(m[5] ?? ""),
        seq: Number(m[6]),
        ack: Number(m[7]),
        win: Number(m[8]),
        len: Number(m[9]),
      });
      continue;
    }
    const np = NON_PACKET_LINE.exec(line);
    if (np !== null) {
      const frame = Number(np[1]);
      frames.set(frame, {
        frame,
        time: "",
        tcp: false,
        status: "non-packet",
        src: "",
        dst: "",
        flags: 0,
        seq: 0,
        ack: 0,
        win: 0,
        len: 0,
      });
      continue;
    }
    const s = SKIPPED_LINE.exec(line);
    if (s === null) throw new Error(`unparsable line from teardown packets: ${line}`);
    frames.set(Number(s[1]), {
      frame: Number(s[1]),
      time: s[2] ?? "",
      tcp: false,
      status: s[3] ?? "",
      src: "",
      dst: "",
      flags: 0,
      seq: 0,
      ack: 0,
      win: 0,
      len: 0,
    });
  }
  const total = Number(/: (\d+) packets/.exec(r.stderr)?.[1] ?? "-1");
  return { run: r, frames, total };
}

export interface TsharkFrame {
  frame: number;
  time: string;
  protocols: string[];
  /** Set when the frame is TCP directly over one IPv4/IPv6 header (no tunnel, no ICMP quote). */
  plainTcp: boolean;
  src: string;
  dst: string;
  flags: number;
  seq: number;
  ack: number;
  win: number;
  len: number;
}

const TSHARK_FIELDS = [
  "frame.number",
  "frame.time_epoch",
  "frame.protocols",
  "ip.src",
  "ip.dst",
  "ipv6.src",
  "ipv6.dst",
  "tcp.srcport",
  "tcp.dstport",
  "tcp.flags",
  "tcp.seq_raw",
  "tcp.ack_raw",
  "tcp.window_size_value",
  "tcp.len",
];

/** Layers that mean the TCP header tshark shows is not the packet's own transport. */
const ENCAPSULATIONS = new Set([
  "gre",
  "mpls",
  "pppoes",
  "pppoed",
  "ppp",
  "vxlan",
  "teredo",
  "udp",
  "icmp",
  "icmpv6",
  "gtp",
  "l2tp",
  "esp",
  "erspan",
  "nsh",
  "geneve",
  "ipip",
]);

/**
 * Whether tshark's protocol stack (frame.protocols, split on ":") is TCP in one IP header with
 * no tunnel or quote below it: the packets teardown decodes as TCP.
 */
export function isPlainTcp(protocols: readonly string[]): boolean {
  const tcpAt = protocols.indexOf("tcp");
  const below = protocols.slice(0, Math.max(0, tcpAt));
  return (
    tcpAt > 0 &&
    below.filter((p) => p === "ip" || p === "ipv6").length === 1 &&
    !below.some((p) => ENCAPSULATIONS.has(p))
  );
}

export async function runTshark(
  file: string,
): Promise<{ run: ToolRun; frames: Map<number, TsharkFrame> }> {
  const args = [
    "-n",
    "-r",
    file,
    "-T",
    "fields",
    "-E",
    "separator=/t",
    "-E",
    "occurrence=a",
    "-E",
    "aggregator=,",
  ];
  for (const f of TSHARK_FIELDS) args.push("-e", f);
  // Each frame's own TCP header: no reassembly across frames or fragments.
  args.push(
    "-o",
    "tcp.desegment_tcp_streams:FALSE",
    "-o",
    "ip.defragment:FALSE",
    "-o",
    "ipv6.defragment:FALSE",
  );
  const r = await run("tshark", args);
  const frames = new Map<number, TsharkFrame>();
  for (const line of r.stdout.split("\n")) {
    if (line === "") continue;
    // With occurrence=a, a field repeated in the frame (a tunnel's inner header, an ICMP quote, an
    // OpenFlow packet-in) is a comma-separated list: the first value is the outermost.
    const cols = line.split("\t").map((c) => c.split(",")[0] ?? "");
    const [num, time, , ip4s, ip4d, ip6s, ip6d, sport, dport, flags, seq, ack, win, len] = cols;
    const protocols = (line.split("\t")[2] ?? "").split(":");
    const src = ip4s !== "" ? ip4s : ip6s;
    const dst = ip4d !== "" ? ip4d : ip6d;
    const v6 = ip4s === "";
    frames.set(Number(num), {
      frame: Number(num),
      time: time ?? "",
      protocols,
      plainTcp: isPlainTcp(protocols),
      src: v6 ? `[${src}]:${sport}` : `${src}:${sport}`,
      dst: v6 ? `[${dst}]:${dport}` : `${dst}:${dport}`,
      flags: Number(flags) & 0x1ff,
      seq: Number(seq),
      ack: Number(ack),
      win: Number(win),
      // tshark gives no tcp.len for a first IP fragment when it does not reassemble.
      len: len === "" ? -1 : Number(len),
    });
  }
  return { run: r, frames };
}
