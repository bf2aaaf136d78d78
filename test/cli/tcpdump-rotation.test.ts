/**
 * Rotation sets made by real tcpdump read as one capture (issue 6). Real traffic on loopback in a
 * private network namespace (rotation-traffic.ts: 123 connections over about 6 s, ended by FIN
 * from either side, RST from either side, a 1.5 s FIN gap, and three connections open
 * throughout) is captured by several tcpdumps at once (rotation-capture.ts): one whole file, and
 * live rotation sets made with `-C 1`, `-C 1 -W 3` (a ring that wraps), `-G 1` with a strftime
 * name, and `-G 1 -z gzip`. `tcpdump -r whole.pcap -C 1 [-W 3]` then cuts the whole file the way
 * a live `-C` does, deterministically.
 *
 * What must hold:
 * - A set cut from the whole file reads exactly as the whole file (flows with their frame numbers
 *   and times, summary, packet count), given shuffled, as a directory, or gzipped in part.
 * - A ring that wrapped reads exactly as the packets it kept in one file, and relative to the
 *   whole capture: flows whose packets all went with the overwritten files are gone; flows that
 *   crossed the lost boundary start mid-stream with only their kept packets, and keep the way
 *   they ended when their first FIN or RST was kept; flows that began after it are the whole
 *   capture's flows, frame numbers counted from the ring's first packet.
 * - A live set reads exactly as its own files joined into one (mergecap -a), and as the whole
 *   capture made beside it, up to the clocks of two packet sockets: each tcpdump stamps a packet
 *   with its own reading (microseconds apart) and two sockets may see packets of different
 *   connections swap places, so there times agree within CLOCK_SLACK_SEC and frame numbers and
 *   flow ids are not compared (flows are matched by their 4-tuple).
 *
 * Needs root (unshare -n, tcpdump on lo), tcpdump, unshare, ip, gzip, editcap and mergecap; the
 * tests are skipped, saying which is missing, without them.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { after, before, describe, it } from "node:test";
import { analyze, shuffled, type SetDoc } from "./analyze-json.js";
import {
  captureRotationSets,
  missingTools,
  RING_FILES,
  type RotationCapture,
} from "./rotation-capture.js";
import type { Mode } from "./rotation-traffic.js";

/** Two packet sockets' time stamps of one packet differ by microseconds; allow milliseconds. */
const CLOCK_SLACK_SEC = 0.005;
const PORT = 18700;

interface Endpoint {
  ip: string;
  port: number;
}
interface Flow {
  id: number;
  client: Endpoint;
  server: Endpoint;
  roleInferred: boolean;
  packets: { client: number; server: number };
  closedBy: string;
  close: string;
  handshake: string;
  timeWait: string | null;
  sent: Record<"client" | "server", { fin: number | null; rst: number | null }>;
  states: Record<"client" | "server", { state: string; at: number; frame: number }[]>;
  findings: { kind: string; evidence: number[] }[];
}

/** The 4-tuple of the traffic's connection from a client port. */
const portKey = (clientPort: number): string =>
  [`127.0.0.1:${clientPort}`, `127.0.0.1:${PORT}`].sort().join(" ");
const flowsOf = (doc: SetDoc): Flow[] => doc.flows as Flow[];
const endpoint = (e: Endpoint): string => `${e.ip}:${e.port}`;
/** A flow's 4-tuple, the same whichever end was taken for the client. */
const flowKey = (f: Flow): string => [endpoint(f.client), endpoint(f.server)].sort().join(" ");

function byKey(flows: Flow[]): Map<string, Flow> {
  const map = new Map<string, Flow>();
  for (const f of flows) {
    assert.ok(!map.has(flowKey(f)), `one flow per 4-tuple (${flowKey(f)})`);
    map.set(flowKey(f), f);
  }
  return map;
}

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  assert.equal(r.status, 0, `${cmd} ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

/** One packet as tcpdump lists it: frame numbers are positions in the listing, from 1. */
interface Listed {
  key: string;
  /** A FIN or an RST. */
  closes: boolean;
  syn: boolean;
}

const TCPDUMP_LINE = /^\d+\.\d+ IP (\S+)\.(\d+) > (\S+)\.(\d+): Flags \[([^\]]*)\]/;

/** The packets of a plain capture file, read by tcpdump (not by the code under test). */
function listPackets(file: string): Listed[] {
  return run("tcpdump", ["-r", file, "-n", "-tt"])
    .split("\n")
    .filter((l) => l !== "")
    .map((line) => {
      const m = TCPDUMP_LINE.exec(line);
      assert.ok(m !== null, `tcpdump line: ${line}`);
      const [, srcIp, srcPort, dstIp, dstPort, flags] = m as unknown as string[];
      return {
        key: [`${srcIp}:${srcPort}`, `${dstIp}:${dstPort}`].sort().join(" "),
        closes: /[FR]/.test(flags ?? ""),
        syn: (flags ?? "").includes("S"),
      };
    });
}

/** Per 4-tuple: its first and last frame, and its first FIN or RST, in a listing. */
function spans(listing: Listed[]): Map<string, { first: number; last: number; close?: number }> {
  const out = new Map<string, { first: number; last: number; close?: number }>();
  listing.forEach((p, i) => {
    const frame = i + 1;
    const s = out.get(p.key) ?? { first: frame, last: frame };
    s.last = frame;
    if (p.closes) s.close ??= frame;
    out.set(p.key, s);
  });
  return out;
}

/** The files of a -C set by their number (cap.pcap, cap.pcap1, ...; a ring's by slot). */
function piecesBySuffix(dir: string): string[] {
  const n = (name: string): number => Number(/(\d*)$/.exec(name)?.[1] || "0");
  return readdirSync(dir)
    .sort((a, b) => n(a) - n(b))
    .map((name) => join(dir, name));
}

/** Files in the order of their first packet, as tcpdump reads it. */
function byFirstPacket(paths: string[]): string[] {
  const first = (p: string): number =>
    Number(run("tcpdump", ["-r", p, "-n", "-tt", "-c", "1"]).split(" ")[0]);
  return paths
    .map((p) => ({ p, t: first(p) }))
    .sort((a, b) => a.t - b.t)
    .map((x) => x.p);
}

/** The files joined into one (mergecap -a: concatenated in the order given). */
function joined(paths: string[], out: string): string {
  run("mergecap", ["-a", "-F", "pcap", "-w", out, ...paths]);
  return out;
}

function analyzed(args: string[], what: string): SetDoc {
  const r = analyze(args);
  assert.equal(r.code, 0, `${what}: ${r.stderr}`);
  return r.doc;
}

/** The same flows, summary and packet count, exactly: frame numbers and times too. */
function assertSame(actual: SetDoc, expected: SetDoc, what: string): void {
  assert.equal(actual.capture.packets, expected.capture.packets, `${what}: packets`);
  assert.deepEqual(actual.flows, expected.flows, `${what}: flows`);
  assert.deepEqual(actual.summary, expected.summary, `${what}: summary`);
}

/**
 * Keys not compared across two tcpdumps: frame numbers, flow ids, text quoting times, and the
 * reconstructed netstat, which samples states on a time grid: a SYN_SENT that lasts 20 us is
 * caught by a sample in one capture and missed in the other, their clocks 2 us apart.
 */
const PER_SOCKET = new Set(["id", "frame", "evidence", "previous", "detail", "example", "netstat"]);
const isTimeKey = (k: string): boolean =>
  ["start", "end", "at", "fin", "rst", "timeWaitUntil"].includes(k) || k.endsWith("Sec");

/** Deep equality, times within CLOCK_SLACK_SEC, PER_SOCKET keys and id lists left out. */
function assertSameUpToClock(actual: unknown, expected: unknown, path: string): void {
  const key = path.slice(path.lastIndexOf(".") + 1);
  if (typeof actual === "number" && typeof expected === "number" && isTimeKey(key)) {
    assert.ok(Math.abs(actual - expected) <= CLOCK_SLACK_SEC, `${path}: ${actual} vs ${expected}`);
    return;
  }
  if (Array.isArray(actual) && Array.isArray(expected)) {
    // Flow ids listed in the summary depend on the order first packets were seen.
    if (key === "flows" && actual.every((x) => typeof x === "number")) return;
    assert.equal(actual.length, expected.length, `${path}: length`);
    actual.forEach((x, i) => assertSameUpToClock(x, expected[i], `${path}[${i}]`));
    return;
  }
  if (
    typeof actual === "object" &&
    actual !== null &&
    typeof expected === "object" &&
    expected !== null &&
    !Array.isArray(actual) &&
    !Array.isArray(expected)
  ) {
    const a = actual as Record<string, unknown>;
    const e = expected as Record<string, unknown>;
    const keys = (o: Record<string, unknown>): string[] =>
      Object.keys(o)
        .filter((k) => !PER_SOCKET.has(k))
        .sort();
    assert.deepEqual(keys(a), keys(e), `${path}: keys`);
    for (const k of keys(a)) assertSameUpToClock(a[k], e[k], `${path}.${k}`);
    return;
  }
  assert.deepEqual(actual, expected, path);
}

/** The same flows (by 4-tuple), summary and packet count as a capture made by another tcpdump. */
function assertSameAsBeside(actual: SetDoc, expected: SetDoc, what: string): void {
  assert.equal(actual.capture.packets, expected.capture.packets, `${what}: packets`);
  const a = byKey(flowsOf(actual));
  const e = byKey(flowsOf(expected));
  assert.deepEqual([...a.keys()].sort(), [...e.keys()].sort(), `${what}: the same 4-tuples`);
  for (const [k, f] of a) assertSameUpToClock(f, e.get(k), `${what}: flow ${k}`);
  assertSameUpToClock(actual.summary, expected.summary, `${what}: summary`);
}

const PCAP_HEADER_BYTES = 24;

function unpackedSize(path: string): number {
  return path.endsWith(".gz") ? gunzipSync(readFileSync(path)).length : statSync(path).size;
}

/** A file boundary of the set between two times (each a packet's): a < boundary <= b. */
function fileBoundaryBetween(doc: SetDoc, a: number, b: number): boolean {
  return doc.capture.files.slice(1).some((f) => f.first !== null && a < f.first && f.first <= b);
}

/** Some fin-gap connection's teardown (client FIN, server FIN 1.5 s later) spans two files. */
function assertTeardownStraddles(doc: SetDoc, cap: RotationCapture): void {
  const finGap = new Set(cap.traffic.filter((t) => t.mode === "fin-gap").map((t) => t.clientPort));
  assert.ok(
    flowsOf(doc).some(
      (f) =>
        finGap.has(f.client.port) &&
        fileBoundaryBetween(doc, f.sent.client.fin ?? 0, f.sent.server.fin ?? 0),
    ),
    "a teardown (client FIN ... server FIN) straddles two files",
  );
}

const missing = [
  ...missingTools(),
  ...["editcap", "mergecap"].filter((t) => spawnSync("sh", ["-c", `command -v ${t}`]).status !== 0),
];
const skip =
  process.getuid?.() !== 0
    ? "needs root: captures with tcpdump on lo in a private network namespace (unshare -n)"
    : missing.length > 0
      ? `needs ${missing.join(", ")} (not installed)`
      : false;

describe("sets made by real tcpdump rotation read as the whole capture", { skip }, () => {
  let root = "";
  let cap: RotationCapture;
  let wholePath: string;
  let whole: SetDoc;
  let listing: Listed[];
  const dir = (name: string): string => join(root, name);

  before(
    () => {
      root = mkdtempSync(join(tmpdir(), "teardown-tcpdump-rotation-"));
      cap = captureRotationSets(root, PORT);
      wholePath = join(root, "whole", "whole.pcap");
      whole = analyzed([wholePath], "the whole capture");
      listing = listPackets(wholePath);
      // The deterministic cuts: tcpdump reading the whole file rotates by size as it writes.
      for (const [name, extra] of [
        ["cut", []],
        ["cutring", ["-W", String(RING_FILES)]],
      ] as const) {
        mkdirSync(dir(name));
        run("tcpdump", [
          "-r",
          wholePath,
          "-Z",
          "root",
          "-C",
          "1",
          ...extra,
          "-w",
          join(dir(name), "cap.pcap"),
        ]);
      }
    },
    { timeout: 90_000 },
  );
  after(() => {
    if (root !== "") rmSync(root, { recursive: true, force: true });
  });

  it("captures every connection as the programs made it, with no packet dropped", () => {
    const counts = Object.entries(cap.tcpdump);
    for (const [name, s] of counts) {
      assert.equal(s.dropped, 0, `${name}: packets dropped by kernel`);
      assert.equal(s.captured, cap.tcpdump.whole.captured, `${name}: the same packets as whole`);
    }
    assert.equal(whole.capture.packets, cap.tcpdump.whole.captured);
    assert.equal(listing.length, cap.tcpdump.whole.captured);
    assert.ok(statSync(wholePath).size > 5_000_000, "several -C units of traffic");
    const flows = byKey(flowsOf(whole));
    assert.equal(flows.size, cap.traffic.length, "one flow per connection");
    const expected: Record<Mode, { closedBy: string; close: string }> = {
      "client-fin": { closedBy: "client", close: "fin" },
      "server-fin": { closedBy: "server", close: "fin" },
      "client-rst": { closedBy: "client", close: "rst" },
      "server-rst": { closedBy: "server", close: "rst" },
      "fin-gap": { closedBy: "client", close: "fin" },
      long: { closedBy: "client", close: "fin" },
    };
    for (const c of cap.traffic) {
      const key = portKey(c.clientPort);
      const f = flows.get(key);
      assert.ok(f !== undefined, `${c.mode} connection from port ${c.clientPort}`);
      assert.equal(f.handshake, "complete", key);
      assert.deepEqual(
        { closedBy: f.closedBy, close: f.close },
        expected[c.mode],
        `${c.mode} ${key}`,
      );
      if (c.mode === "fin-gap") {
        assert.ok(
          f.findings.some((x) => x.kind === "long-fin-gap"),
          `${key}: long-fin-gap`,
        );
      }
    }
  });

  it("tcpdump -r whole.pcap -C 1: the pieces, shuffled, as a directory, gzipped in part, read as the whole", () => {
    const pieces = piecesBySuffix(dir("cut"));
    assert.ok(pieces.length >= 5, `${pieces.length} pieces`);
    const inOrder = analyzed(shuffled(pieces), "shuffled pieces");
    assertSame(inOrder, whole, "shuffled pieces");
    assert.deepEqual(
      inOrder.capture.files.map((f) => f.path),
      pieces,
      "read in the order tcpdump wrote them",
    );
    assertSame(analyzed([dir("cut")], "the directory"), whole, "the directory");

    // Connections cross the files: the long ones (open for 4.8 s of the 6) several boundaries,
    // many others one, and a FIN gap's teardown at least one.
    const offsets = inOrder.capture.files.map((f) => f.frameOffset);
    const fileOf = (frame: number): number => offsets.filter((o) => o < frame).length - 1;
    const frames = spans(listing);
    for (const c of cap.traffic.filter((t) => t.mode === "long")) {
      const s = frames.get(portKey(c.clientPort));
      assert.ok(
        s !== undefined && fileOf(s.last) - fileOf(s.first) >= 3,
        `long from ${c.clientPort}`,
      );
    }
    const crossing = [...frames.values()].filter((s) => fileOf(s.first) !== fileOf(s.last));
    assert.ok(crossing.length >= 10, `${crossing.length} connections cross files`);
    assertTeardownStraddles(inOrder, cap);

    // tcpdump -z gzip: every other piece gzipped (the set read by content, not by name).
    const zipped = pieces.map((p, i) => {
      if (i % 2 === 0) return p;
      run("gzip", ["-k", p]);
      return `${p}.gz`;
    });
    const gz = analyzed(shuffled(zipped), "gzipped in part");
    assertSame(gz, whole, "gzipped in part");
    assert.deepEqual(
      gz.capture.files.map((f) => f.gzip),
      pieces.map((_, i) => i % 2 === 1),
    );
  });

  it("tcpdump -r whole.pcap -C 1 -W 3: a ring that wrapped reads as the packets it kept", () => {
    const ring = piecesBySuffix(dir("cutring"));
    assert.equal(ring.length, RING_FILES);
    const kept = ring.reduce((n, p) => n + listPackets(p).length, 0);
    const lost = listing.length - kept;
    assert.ok(lost > 0, "the ring wrapped");
    const tail = join(root, "tail.pcap");
    run("editcap", ["-r", wholePath, tail, `${lost + 1}-${listing.length}`]);
    const expected = analyzed([tail], "the kept end of the whole");
    const fromRing = analyzed(shuffled(ring), "the ring");
    assertSame(fromRing, expected, "the ring");
    assertSame(
      analyzed([...shuffled(ring), "--threads", "3"], "the ring, decoded on a third thread"),
      expected,
      "the ring, decoded on a third thread",
    );
    assertSame(
      analyzed([dir("cutring")], "the ring's directory"),
      expected,
      "the ring's directory",
    );

    // Relative to the whole capture.
    const wholeFlows = byKey(flowsOf(whole));
    const ringFlows = byKey(flowsOf(fromRing));
    const frames = spans(listing);
    let gone = 0;
    let crossing = 0;
    let later = 0;
    for (const [key, f] of wholeFlows) {
      const s = frames.get(key);
      assert.ok(s !== undefined, key);
      const r = ringFlows.get(key);
      if (s.last <= lost) {
        gone++;
        assert.equal(r, undefined, `${key}: all its packets were overwritten`);
      } else if (s.first <= lost) {
        crossing++;
        assert.ok(r !== undefined, `${key}: crossed the lost boundary`);
        const keptPackets = listing.slice(lost).filter((p) => p.key === key);
        assert.equal(
          r.packets.client + r.packets.server,
          keptPackets.length,
          `${key}: kept packets`,
        );
        if (!keptPackets.some((p) => p.syn)) {
          assert.equal(r.handshake, "mid-stream", `${key}: first seen mid-stream`);
        }
        if (s.close !== undefined && s.close > lost) {
          assert.deepEqual(
            [r.closedBy, r.close],
            [f.closedBy, f.close],
            `${key}: its first FIN or RST was kept`,
          );
        }
      } else {
        later++;
        assert.ok(r !== undefined, key);
        const shifted = JSON.parse(JSON.stringify({ ...f, id: r.id }), (k: string, v: unknown) =>
          k === "frame" && typeof v === "number"
            ? v - lost
            : k === "evidence" && Array.isArray(v)
              ? v.map((x: number) => x - lost)
              : v,
        ) as Flow;
        assert.deepEqual(r, shifted, `${key}: began after the lost boundary`);
      }
    }
    assert.equal(ringFlows.size, crossing + later, "no other flow in the ring");
    assert.ok(
      gone > 0 && crossing > 0 && later > 0,
      `gone ${gone}, crossing ${crossing}, later ${later}`,
    );
    const longPorts = cap.traffic.filter((t) => t.mode === "long").map((t) => t.clientPort);
    for (const port of longPorts) {
      assert.equal(
        ringFlows.get(portKey(port))?.handshake,
        "mid-stream",
        `the long connection from ${port}`,
      );
    }
  });

  it("live tcpdump -C 1: the pieces read as the capture made beside them", () => {
    const pieces = piecesBySuffix(dir("size"));
    assert.ok(pieces.length >= 5, `${pieces.length} pieces`);
    const doc = analyzed(shuffled(pieces), "live -C pieces");
    assert.deepEqual(
      doc.capture.files.map((f) => f.path),
      pieces,
    );
    assertSame(
      doc,
      analyzed([joined(pieces, join(root, "size-joined.pcap"))], "joined"),
      "live -C vs joined",
    );
    assertSameAsBeside(doc, whole, "live -C vs whole");
    assertSameAsBeside(analyzed([dir("size")], "live -C directory"), whole, "live -C directory");
  });

  it("live tcpdump -C 1 -W 3: the ring reads as its files joined, and as the end of the capture beside it", () => {
    const ring = piecesBySuffix(dir("ring"));
    assert.equal(ring.length, RING_FILES);
    const doc = analyzed([dir("ring")], "the live ring");
    const written = byFirstPacket(ring);
    assert.deepEqual(
      doc.capture.files.map((f) => f.path),
      written,
      "read from the oldest file on, whatever the names say",
    );
    assertSame(
      doc,
      analyzed([joined(written, join(root, "ring-joined.pcap"))], "joined"),
      "live ring vs joined",
    );
    const lost = listing.length - ring.reduce((n, p) => n + listPackets(p).length, 0);
    assert.ok(lost > 0, "the ring wrapped");
    const tail = join(root, "ring-tail.pcap");
    run("editcap", ["-r", wholePath, tail, `${lost + 1}-${listing.length}`]);
    assertSameAsBeside(doc, analyzed([tail], "the whole's end"), "live ring vs the whole's end");
  });

  for (const set of ["time", "timegz"] as const) {
    it(`live tcpdump -G 1${set === "timegz" ? " -z gzip" : ""} -w 'cap-%Y%m%d-%H%M%S.pcap' reads as the capture made beside it`, () => {
      const files = readdirSync(dir(set))
        .sort()
        .map((n) => join(dir(set), n));
      assert.ok(files.length >= 2, `${files.length} files in ${set}`);
      if (set === "timegz") {
        // tcpdump -z compresses each file it closes; the last one stays as written.
        assert.ok(
          files.slice(0, -1).every((f) => f.endsWith(".pcap.gz")),
          files.join(" "),
        );
        assert.ok(files.at(-1)?.endsWith(".pcap"));
      }
      const doc = analyzed(shuffled(files), set);
      // tcpdump -G opens its first file at start and rotates when a packet comes a second later:
      // that file can hold no packet, and then has no time to be ordered by.
      const empty = files.filter((f) => unpackedSize(f) === PCAP_HEADER_BYTES);
      assert.deepEqual(
        doc.capture.files.filter((f) => f.packets > 0).map((f) => f.path),
        files.filter((f) => !empty.includes(f)),
        "the names' time order",
      );
      assert.deepEqual(
        doc.capture.files.filter((f) => f.packets === 0).map((f) => f.path),
        empty,
        "files without packets",
      );
      assertSame(
        doc,
        analyzed([joined(files, join(root, `${set}-joined.pcap`))], "joined"),
        `${set} vs joined`,
      );
      assertSame(analyzed([join(dir(set), "cap-*")], `${set} glob`), doc, `${set}: a glob`);
      assertSameAsBeside(doc, whole, `${set} vs whole`);
      assertTeardownStraddles(doc, cap);
    });
  }
});
