/**
 * Captures the rotation traffic (rotation-traffic.ts) with real tcpdump, live, in a private
 * network namespace (`unshare -n`, only `lo` up, MTU 1500 so segments are the size they are on
 * Ethernet), like samples/gen/incidents/make-incident-samples.sh. Several tcpdumps capture the
 * same traffic at once, on the same interface:
 *
 *   whole    tcpdump -w whole/whole.pcap                           (the reference)
 *   size     tcpdump -C 1 -w size/cap.pcap                         (cap.pcap, cap.pcap1, ...)
 *   ring     tcpdump -C 1 -W 3 -w ring/ring.pcap                   (ring.pcap0..2, wraps)
 *   time     tcpdump -G 1 -w 'time/cap-%Y%m%d-%H%M%S.pcap'
 *   timegz   tcpdump -G 1 -z gzip -w 'timegz/cap-%Y%m%d-%H%M%S.pcap' (all but the last gzipped)
 *
 * Two packet sockets stamp the same packet each with its own clock reading, so the captures agree
 * on every packet but may differ in its time by microseconds.
 *
 * Run by the test as `unshare -n node rotation-capture.js --in-netns DIR PORT`; imported, it
 * does nothing but export `captureRotationSets`.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_TRAFFIC, runRotationTraffic, type TrafficConnection } from "./rotation-traffic.js";

export const RING_FILES = 3;

/** Each capture's tcpdump arguments after the common ones, relative to the output directory. */
const SETS = {
  whole: ["-w", "whole/whole.pcap"],
  size: ["-C", "1", "-w", "size/cap.pcap"],
  ring: ["-C", "1", "-W", String(RING_FILES), "-w", "ring/ring.pcap"],
  time: ["-G", "1", "-w", "time/cap-%Y%m%d-%H%M%S.pcap"],
  timegz: ["-G", "1", "-z", "gzip", "-w", "timegz/cap-%Y%m%d-%H%M%S.pcap"],
} as const;
export type SetName = keyof typeof SETS;

export interface TcpdumpStats {
  readonly captured: number;
  readonly dropped: number;
}

export interface RotationCapture {
  readonly dir: string;
  readonly port: number;
  readonly traffic: TrafficConnection[];
  readonly tcpdump: Record<SetName, TcpdumpStats>;
}

/** The tools the capture needs, missing ones named; empty when it can run. */
export function missingTools(): string[] {
  return ["tcpdump", "unshare", "ip", "gzip"].filter(
    (t) => spawnSync("sh", ["-c", `command -v ${t}`]).status !== 0,
  );
}

/** Runs the capture in a new network namespace (needs root); throws with its output on failure. */
export function captureRotationSets(dir: string, port: number): RotationCapture {
  const script = fileURLToPath(import.meta.url);
  const r = spawnSync(
    "unshare",
    ["-n", process.execPath, script, "--in-netns", dir, String(port)],
    { encoding: "utf8", timeout: 60_000 },
  );
  if (r.status !== 0) {
    throw new Error(
      `rotation capture failed (status ${r.status}, ${r.error?.message ?? r.signal ?? ""}):\n${r.stderr}`,
    );
  }
  return JSON.parse(readFileSync(join(dir, "capture.json"), "utf8")) as RotationCapture;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Running {
  readonly name: SetName;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  stderr: string;
}

function startTcpdump(dir: string, port: number, name: SetName): Running {
  mkdirSync(join(dir, name));
  // -Z root: tcpdump would otherwise switch to its own user, who cannot write in the test's
  // private temp directory. --immediate-mode and a 32 MiB buffer: no packet waits or drops.
  const child = spawn(
    "tcpdump",
    [
      "-n",
      "-Z",
      "root",
      "--immediate-mode",
      "-B",
      "32768",
      "-i",
      "lo",
      "-s",
      "0",
      ...SETS[name],
      `tcp port ${port}`,
    ],
    { cwd: dir, stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, TZ: "UTC" } },
  );
  const running: Running = {
    name,
    child,
    exited: new Promise((resolve) => child.on("exit", (code) => resolve(code))),
    stderr: "",
  };
  child.stderr?.on("data", (c: Buffer) => (running.stderr += c.toString()));
  return running;
}

async function waitFor(what: string, ok: () => boolean, ms: number): Promise<void> {
  for (let waited = 0; !ok(); waited += 50) {
    if (waited >= ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function stats(t: Running): TcpdumpStats {
  const count = (what: string): number => {
    const m = new RegExp(`^(\\d+) packets ${what}`, "m").exec(t.stderr);
    if (m === null)
      throw new Error(`${t.name}: tcpdump did not say how many ${what}:\n${t.stderr}`);
    return Number(m[1]);
  };
  return { captured: count("captured"), dropped: count("dropped by kernel") };
}

/** tcpdump -z runs gzip on each finished file and does not wait for it: wait here. */
async function waitForGzip(dir: string): Promise<void> {
  await waitFor(
    "tcpdump -z gzip to finish",
    () => {
      const names = readdirSync(dir);
      const raw = names.filter((n) => !n.endsWith(".gz"));
      // Done when only the last file (never rotated, so never compressed) is left raw and no
      // gzip is still writing (its input and output both there).
      return (
        raw.length === 1 && !names.some((n) => n.endsWith(".gz") && raw.includes(n.slice(0, -3)))
      );
    },
    20_000,
  );
}

async function inNetns(dir: string, port: number): Promise<void> {
  spawnSync("ip", ["link", "set", "lo", "up"], { stdio: "inherit" });
  spawnSync("ip", ["link", "set", "lo", "mtu", "1500"], { stdio: "inherit" });
  const names = Object.keys(SETS) as SetName[];
  const running = names.map((name) => startTcpdump(dir, port, name));
  try {
    for (const t of running) {
      await waitFor(
        `${t.name}: tcpdump to listen`,
        () => t.stderr.includes("listening on"),
        10_000,
      );
    }
    await sleep(200);
    const traffic = await runRotationTraffic({ port, ...DEFAULT_TRAFFIC });
    // Let the last packets reach every tcpdump.
    await sleep(300);
    for (const t of running) t.child.kill("SIGINT");
    const tcpdump = {} as Record<SetName, TcpdumpStats>;
    for (const t of running) {
      const code = await t.exited;
      if (code !== 0) throw new Error(`${t.name}: tcpdump exited with ${code}:\n${t.stderr}`);
      tcpdump[t.name] = stats(t);
    }
    await waitForGzip(join(dir, "timegz"));
    const result: RotationCapture = { dir, port, traffic, tcpdump };
    writeFileSync(join(dir, "capture.json"), JSON.stringify(result));
  } finally {
    for (const t of running) if (t.child.exitCode === null) t.child.kill("SIGINT");
  }
}

if (process.argv[2] === "--in-netns") {
  const [dir, port] = process.argv.slice(3);
  if (dir === undefined || !existsSync(dir) || port === undefined) {
    process.stderr.write("usage: rotation-capture.js --in-netns DIR PORT\n");
    process.exit(2);
  }
  inNetns(dir, Number(port)).catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}
