/**
 * Real-world faults around `teardown analyze`, end to end with the built CLI: a capture that
 * tcpdump is still writing, a run interrupted by Ctrl-C (SIGINT) or SIGTERM, outputs that cannot
 * be written (before the capture is read, or part way through). Output files are written whole
 * or not at all (src/cli/output-file.ts).
 */
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createServer, get, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it, type TestContext } from "node:test";
import { generateCapture } from "../../bench/synth-capture.js";
import { CLI, REPO_ROOT } from "../differential/capture-files.js";

const sample = (name: string): string => join(REPO_ROOT, "samples", "incidents", name);

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface Started {
  child: ChildProcess;
  done: Promise<Finished>;
}

/** Starts a command, collecting its output; killed (and failing its test) after `timeoutMs`. */
function start(
  cmd: string,
  args: readonly string[],
  options: { uid?: number; gid?: number; timeoutMs?: number } = {},
): Started {
  const { timeoutMs = 120_000, ...ids } = options;
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], ...ids });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on("data", (b: Buffer) => out.push(b));
  child.stderr?.on("data", (b: Buffer) => err.push(b));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const done = new Promise<Finished>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      });
    });
  });
  return { child, done };
}

const teardown = (
  args: readonly string[],
  options?: { uid?: number; gid?: number; timeoutMs?: number },
): Started => start(process.execPath, [CLI, ...args], options);

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `test` holds, polling; false if it did not within `ms`. */
async function until(test: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(20)) if (test()) return true;
  return test();
}

/** Temporary files an output leaves while it is being written (output-file.ts names them). */
const tempFiles = (dir: string): string[] =>
  readdirSync(dir).filter((n) => /^\..*\.teardown-[0-9a-f]+\.tmp$/.test(n));

const isRoot = process.getuid?.() === 0;
/** An unprivileged user for permission tests: root writes through any mode bits. */
const NOBODY = 65534;
const readOnlySkip =
  isRoot &&
  spawnSync(process.execPath, [CLI, "--version"], { uid: NOBODY, gid: NOBODY }).status !== 0
    ? "an unprivileged user (uid 65534) cannot run the CLI from this checkout"
    : false;

describe("an output that cannot be written fails before the capture is read", () => {
  let dir: string;
  let fifo: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "teardown-unwritable-"));
    // Others (the unprivileged user below) must reach the files in it.
    chmodSync(dir, 0o755);
    // A capture nobody writes to: opening it for reading would block for ever, so a run that
    // ends (within the time limit) did not read it.
    fifo = join(dir, "capture.pcap");
    const made = spawnSync("mkfifo", ["-m", "0666", fifo]);
    assert.equal(made.status, 0, `mkfifo: ${made.stderr?.toString() ?? String(made.error)}`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const refuses = async (
    args: readonly string[],
    expected: string,
    ids: { uid?: number; gid?: number } = {},
  ): Promise<void> => {
    const r = await teardown(["analyze", fifo, ...args], { ...ids, timeoutMs: 20_000 }).done;
    assert.equal(r.signal, null, "it did not end by itself: it opened the capture (a FIFO)");
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, expected + "\n");
    assert.equal(r.stdout, "");
    assert.deepEqual(readdirSync(dir).sort(), ["capture.pcap", "dir", "ro"].sort());
  };

  before(() => {
    mkdirSync(join(dir, "dir"));
    mkdirSync(join(dir, "ro"));
    chmodSync(join(dir, "ro"), 0o555);
  });

  it("into a directory that does not exist (exit 1)", async () => {
    const out = join(dir, "missing", "out.txt");
    await refuses(
      ["--output", out],
      `teardown: cannot write --output ${out}: no such directory (ENOENT)`,
    );
  });

  it("at a path that is a directory (exit 1)", async () => {
    await refuses(
      ["--json", join(dir, "out.json"), "--html", join(dir, "dir")],
      `teardown: cannot write --html ${join(dir, "dir")}: is a directory (EISDIR)`,
    );
    // The --json file opened before --html failed is gone too.
    assert.deepEqual(tempFiles(dir), []);
  });

  it("into a read-only directory (exit 1)", { skip: readOnlySkip }, async () => {
    const out = join(dir, "ro", "out.json");
    await refuses(
      ["--json", out],
      `teardown: cannot write --json ${out}: permission denied (EACCES)`,
      isRoot ? { uid: NOBODY, gid: NOBODY } : {},
    );
    assert.deepEqual(readdirSync(join(dir, "ro")), []);
  });

  it("over one of its inputs (exit 1; the capture is left as it was)", async () => {
    const copy = join(dir, "copy.pcap");
    writeFileSync(copy, readFileSync(sample("probes.pcap")));
    try {
      const r = await teardown(["analyze", copy, "--json", copy]).done;
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stderr, `teardown: --json ${copy} is also an input: give another file\n`);
      assert.deepEqual(readFileSync(copy), readFileSync(sample("probes.pcap")));
      assert.deepEqual(tempFiles(dir), []);
    } finally {
      rmSync(copy);
    }
  });
});

describe("an output that fails part way leaves no partial file", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "teardown-write-fails-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it(
    "a device that is full (/dev/full): one line, exit 5",
    { skip: !existsSync("/dev/full") },
    async () => {
      const r = await teardown([
        "analyze",
        sample("client-timeout.pcap"),
        "--format",
        "json",
        "--output",
        "/dev/full",
      ]).done;
      assert.equal(r.code, 5, r.stderr);
      assert.equal(
        r.stderr,
        "teardown: cannot write --output /dev/full: no space left on device (ENOSPC)\n",
      );
    },
  );

  it("a file that outgrows the file size limit (EFBIG): exit 5, the old file kept, no temporary file", async () => {
    const out = join(dir, "out.json");
    writeFileSync(out, "the previous run's output\n");
    // RLIMIT_FSIZE of 8 blocks (4 or 8 KiB; the JSON is about 20 KiB). SIGXFSZ ignored, as the
    // shell passes it on, so the write fails with EFBIG instead of killing the process.
    const r = await start("/bin/sh", [
      "-c",
      'trap "" XFSZ; ulimit -f 8; exec "$@"',
      "sh",
      process.execPath,
      CLI,
      "analyze",
      sample("client-timeout.pcap"),
      "--quiet",
      "--json",
      out,
    ]).done;
    assert.equal(r.code, 5, r.stderr);
    assert.equal(r.stderr, `teardown: cannot write --json ${out}: file too large (EFBIG)\n`);
    assert.equal(readFileSync(out, "utf8"), "the previous run's output\n");
    assert.deepEqual(readdirSync(dir), ["out.json"]);
  });

  it("a complete run puts the files in place, with the permissions of the files replaced", async () => {
    const out = join(dir, "report.json");
    writeFileSync(out, "old\n");
    chmodSync(out, 0o640);
    const r = await teardown(["analyze", sample("client-timeout.pcap"), "--quiet", "--json", out])
      .done;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      (JSON.parse(readFileSync(out, "utf8")) as { schema: string }).schema,
      "teardown/1",
    );
    assert.equal(statSync(out).mode & 0o777, 0o640);
    assert.deepEqual(tempFiles(dir), []);
  });
});

describe("an interrupted run (SIGINT, SIGTERM) exits cleanly and writes no output", () => {
  let dir: string;
  let inputs: string[];
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "teardown-interrupted-"));
    const big = join(dir, "big.pcap");
    generateCapture({ path: big, shape: "mixed", targetBytes: 40 * 1024 * 1024, seed: 11 });
    // Read eight times over: a run of several seconds (with the analysis thread), long enough
    // to be interrupted in the middle.
    inputs = Array.from({ length: 8 }, () => big);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const interrupt = async (
    t: TestContext,
    signal: "SIGINT" | "SIGTERM",
    status: number,
  ): Promise<void> => {
    const json = join(dir, "out.json");
    const html = join(dir, "out.html");
    const run = teardown(["analyze", ...inputs, "--json", json, "--html", html]);
    // The outputs are opened first: once their temporary files exist, the run is under way.
    assert.ok(await until(() => tempFiles(dir).length === 2, 30_000), "the outputs were opened");
    await sleep(500);
    const sent = Date.now();
    run.child.kill(signal);
    const r = await run.done;
    const tookMs = Date.now() - sent;
    t.diagnostic(`${r.stderr.trim()} (${tookMs} ms after ${signal})`);
    assert.equal(r.signal, null, "it exits by itself, not killed by the signal");
    assert.equal(r.code, status, r.stderr);
    const lines = r.stderr.split("\n").filter((l) => !l.startsWith("teardown: warning:"));
    assert.deepEqual(lines.slice(1), [""], `one line:\n${r.stderr}`);
    assert.match(
      lines[0] ?? "",
      /^teardown: interrupted (after \d+ packets, in \S+big\.pcap \(input \d of 8\)|before reading the capture|after reading all \d+ packets); no output file written$/,
    );
    assert.equal(r.stdout, "", "no brief");
    assert.ok(tookMs < 10_000, `it stopped ${tookMs} ms after the signal`);
    assert.deepEqual(tempFiles(dir), []);
    assert.ok(!existsSync(html), "no out.html");
  };

  it("SIGINT (Ctrl-C): status 130, one line, no out.json, out.html or temporary file", async (t) => {
    await interrupt(t, "SIGINT", 130);
    assert.ok(!existsSync(join(dir, "out.json")), "no out.json");
  });

  it("stdout's reader going away (| head) leaves no output file either", async () => {
    const html = join(dir, "out.html");
    const run = teardown(["analyze", ...inputs, "--json", "-", "--html", html]);
    // Close the pipe after the first flow records, as `head -c` would.
    await new Promise<void>((resolve) => run.child.stdout?.once("data", () => resolve()));
    run.child.stdout?.destroy();
    const r = await run.done;
    assert.equal(r.signal, null);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /internal error|EPIPE|^\s+at /m);
    assert.deepEqual(tempFiles(dir), []);
    assert.ok(!existsSync(html), "no out.html");
  });

  it("SIGTERM: status 143, and an out.json from before is left as it was", async (t) => {
    writeFileSync(join(dir, "out.json"), "the previous run's output\n");
    await interrupt(t, "SIGTERM", 143);
    assert.equal(readFileSync(join(dir, "out.json"), "utf8"), "the previous run's output\n");
  });
});

/** The byte offset of each record of a classic pcap file (little-endian, as tcpdump writes it). */
function recordOffsets(bytes: Buffer): number[] {
  const offsets: number[] = [];
  for (let at = 24; at + 16 <= bytes.length; at += 16 + bytes.readUInt32LE(at + 8))
    offsets.push(at);
  return offsets;
}

const hasTcpdump = spawnSync("tcpdump", ["--version"]).status === 0;
const liveSkip = !hasTcpdump
  ? "tcpdump is not installed"
  : !isRoot
    ? "capturing on loopback with tcpdump needs root"
    : false;

const CUT_SHORT =
  /^(\S+): warning at byte (\d+), record (\d+): the file ends \d+ bytes into record \d+, so the last record is incomplete \(the capture is still being written, or was cut short\); the \d+ records before it were read \[truncated-record\]$/;

describe("a capture tcpdump is still writing (tcpdump -U -w)", { skip: liveSkip }, () => {
  let dir: string;
  let capture: string;
  let server: Server;
  let tcpdump: Started;
  let traffic = true;
  let clients: Promise<void>;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "teardown-live-"));
    capture = join(dir, "live.pcap");
    // Responses of 100 KB: on loopback (MTU 65536) records of up to 64 KB, which tcpdump writes
    // in more than one piece, so a reader can find the last one half there.
    const body = Buffer.alloc(100_000, "x");
    server = createServer((_req, res) => res.end(body));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    // -U: each packet written as it comes; --immediate-mode: delivered at once, not by blocks;
    // -Z root: keep writing into this root-only directory.
    tcpdump = start(
      "tcpdump",
      ["-i", "lo", "-U", "--immediate-mode", "-Z", "root", "-w", capture, `tcp port ${port}`],
      { timeoutMs: 120_000 },
    );
    let said = "";
    tcpdump.child.stderr?.on("data", (b: Buffer) => (said += b.toString()));
    assert.ok(await until(() => said.includes("listening on"), 20_000), `tcpdump: ${said}`);
    // Two clients, a new connection per request (agent: false), until the test stops them.
    const client = async (): Promise<void> => {
      while (traffic) {
        await new Promise<void>((resolve) => {
          get({ host: "127.0.0.1", port, path: "/", agent: false }, (res) => {
            res.resume();
            res.on("end", resolve);
          }).on("error", () => resolve());
        });
        await sleep(10);
      }
    };
    clients = Promise.all([client(), client()]).then(() => undefined);
    await until(() => existsSync(capture) && statSync(capture).size > 100_000, 20_000);
  });

  after(async () => {
    traffic = false;
    await clients;
    if (tcpdump.child.exitCode === null) tcpdump.child.kill("SIGINT");
    await tcpdump.done;
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it("reads up to the last complete record while it grows, then all of it", async (t) => {
    const seen: number[] = [];
    let cut = 0;
    for (let i = 0; i < 5; i++) {
      const r = await teardown(["analyze", capture, "--json", "-"]).done;
      assert.equal(r.code, 0, `run ${i}: ${r.stderr}`);
      const problems = r.stderr.split("\n").filter((l) => l !== "");
      // Nothing, or the one warning that the last record is incomplete, naming file and offset.
      assert.ok(problems.length <= 1, r.stderr);
      if (problems.length === 1) {
        const m = CUT_SHORT.exec(problems[0] ?? "");
        assert.ok(m !== null, problems[0]);
        assert.equal(m[1], capture);
        cut++;
      }
      const j = JSON.parse(r.stdout) as { capture: { packets: number } };
      seen.push(j.capture.packets);
      await sleep(100);
    }
    // The file only grows: each run read at least as much as the one before.
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i]! >= seen[i - 1]!, String(seen));

    traffic = false;
    await clients;
    await sleep(200);
    tcpdump.child.kill("SIGINT");
    const stopped = await tcpdump.done;
    const captured = Number(/(\d+) packets? captured/.exec(stopped.stderr)?.[1] ?? NaN);
    assert.ok(captured > 0, stopped.stderr);
    const last = await teardown(["analyze", capture, "--json", "-"]).done;
    assert.equal(last.code, 0, last.stderr);
    assert.equal(last.stderr, "", "the finished file is complete");
    const total = (JSON.parse(last.stdout) as { capture: { packets: number } }).capture.packets;
    assert.equal(total, captured, "every packet tcpdump wrote");
    for (const n of seen) assert.ok(n <= total, `${n} packets read while writing, ${total} in all`);
    t.diagnostic(
      `packets read while tcpdump wrote: ${seen.join(", ")} of ${total}; ${cut} runs found the last record half written`,
    );
  });

  it("a file cut inside its last record: the warning names the file and the record's offset", async () => {
    const whole = readFileSync(capture);
    const offsets = recordOffsets(whole);
    const lastAt = offsets.at(-1) ?? 0;
    const cutFile = join(dir, "cut.pcap");
    // 10 bytes into the last record's data.
    writeFileSync(cutFile, whole.subarray(0, lastAt + 16 + 10));
    const expected = new RegExp(
      `^${cutFile.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: warning at byte ${lastAt}, record ${offsets.length}: the file ends 26 bytes into record ${offsets.length}, so the last record is incomplete \\(the capture is still being written, or was cut short\\); the ${offsets.length - 1} records before it were read \\[truncated-record\\]$`,
    );
    const a = await teardown(["analyze", cutFile, "--json", "-"]).done;
    assert.equal(a.code, 0, "a warning, not an error");
    assert.match(a.stderr.trimEnd(), expected);
    assert.equal(
      (JSON.parse(a.stdout) as { capture: { packets: number } }).capture.packets,
      offsets.length - 1,
    );
    const p = await teardown(["packets", "--quiet", cutFile]).done;
    assert.equal(p.code, 0, "a warning, not an error");
    assert.match(p.stderr.trimEnd(), expected);
    assert.equal(p.stdout.trimEnd().split("\n").length, offsets.length - 1);
  });
});
