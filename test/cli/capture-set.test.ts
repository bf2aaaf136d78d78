/**
 * A rotation set read as one capture: a sample split with editcap (by packet count, `-c`, as
 * tcpdump -C splits by size, and by time, `-i`, as tcpdump -G), given shuffled, gzipped in part,
 * as a directory or a glob, and as a ring whose names wrap, must give the same flows, states,
 * findings and summary as the whole file. A damaged file in the middle and a file that is not a
 * capture are reported, and the rest is read.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { CLI, REPO_ROOT } from "../differential/capture-files.js";
import { analyze, shuffled, type SetDoc } from "./analyze-json.js";

const root = mkdtempSync(join(tmpdir(), "teardown-set-"));
after(() => rmSync(root, { recursive: true, force: true }));

/** Splits a sample into a new directory with editcap; returns the pieces in time order. */
function split(sample: string, how: string[], name: string): { dir: string; pieces: string[] } {
  const dir = join(root, name);
  mkdirSync(dir);
  const r = spawnSync(
    "editcap",
    [...how, join(REPO_ROOT, "samples", "incidents", sample), join(dir, "cap.pcap")],
    {
      encoding: "utf8",
    },
  );
  assert.equal(r.status, 0, r.stderr);
  const pieces = readdirSync(dir)
    .sort()
    .map((n) => join(dir, n));
  assert.ok(pieces.length >= 3, `${sample} split into ${pieces.length} pieces`);
  return { dir, pieces };
}

describe("a rotation set reads as the whole capture", () => {
  const cases: [string, string[]][] = [
    ["connection-close.pcap", ["-c", "40"]],
    ["accept-backlog.pcap", ["-c", "30"]],
    ["client-timeout.pcap", ["-i", "2"]],
  ];
  for (const [sample, how] of cases) {
    it(`${sample} split with editcap ${how.join(" ")}`, () => {
      const whole = analyze([join(REPO_ROOT, "samples", "incidents", sample)]);
      assert.equal(whole.code, 0);
      const { dir, pieces } = split(sample, how, `${sample}${how.join("")}`);
      const same = (args: string[], what: string): SetDoc => {
        const r = analyze(args);
        assert.equal(r.code, 0, `${what}: ${r.stderr}`);
        assert.deepEqual(r.doc.flows, whole.doc.flows, `${what}: flows`);
        assert.deepEqual(r.doc.summary, whole.doc.summary, `${what}: summary`);
        assert.equal(r.doc.capture.packets, whole.doc.capture.packets, `${what}: packets`);
        return r.doc;
      };
      const inOrder = same(shuffled(pieces), "shuffled files");
      assert.deepEqual(
        inOrder.capture.files.map((f) => f.path),
        pieces,
        "read in the order of their first packets",
      );
      assert.equal(inOrder.capture.files[0]?.gapBefore, null);
      assert.ok(
        inOrder.capture.files.slice(1).every((f) => f.gapBefore !== null && f.gapBefore >= 0),
      );
      // These pieces are small: auto reads them on one thread. Three threads decode the files
      // on one of their own, a file ahead of the tracking: the stitching must not change.
      same([...shuffled(pieces), "--threads", "3"], "shuffled files, decoded on a third thread");
      same([dir], "the directory");
      same([join(dir, "cap_*")], "a glob");
      // gzip every other piece (tcpdump -z gzip), by content, whatever the name says.
      for (const [i, p] of pieces.entries()) {
        if (i % 2 === 1) spawnSync("gzip", ["-k", p]);
      }
      const gz = pieces.map((p, i) => (i % 2 === 1 ? `${p}.gz` : p));
      const zipped = same(shuffled(gz), "partly gzipped");
      same([...shuffled(gz), "--threads", "3"], "partly gzipped, decoded on a third thread");
      assert.deepEqual(
        zipped.capture.files.map((f) => f.gzip),
        pieces.map((_, i) => i % 2 === 1),
      );
      // A -W ring that wrapped: ring0 holds the newest packets, ring1.. the oldest.
      const ring = join(root, `${sample}-ring`);
      mkdirSync(ring);
      for (const [i, p] of pieces.entries()) {
        const slot = (i + 1) % pieces.length;
        renameSync(p, join(ring, `ring${slot}`));
      }
      same([ring], "a ring that wrapped");
    });
  }
});

describe("a set with trouble in it", () => {
  it("reports a truncated file in the middle and a non-capture file, and reads the rest", () => {
    const { dir, pieces } = split("connection-close.pcap", ["-c", "40"], "trouble");
    const middle = pieces[2] ?? "";
    truncateSync(middle, statSync(middle).size - 10);
    writeFileSync(join(dir, "notes.txt"), "capture of the incident, see ticket\n");
    const r = analyze([dir]);
    assert.equal(r.code, 0, "a cut last record is a warning");
    // Decoded on a third thread, the same warnings in the same order, and the same document.
    const three = analyze([dir, "--threads", "3"]);
    assert.equal(three.stderr, r.stderr);
    assert.deepEqual(three.doc, r.doc);
    assert.match(r.stderr, /notes\.txt: skipped, not a capture/);
    assert.match(r.stderr, new RegExp(`${middle.split("/").pop()}.*truncated`));
    assert.equal(r.doc.capture.files.length, pieces.length);
    assert.deepEqual(
      r.doc.capture.files.map((f) => f.packets),
      [40, 40, 39, 40, 40],
      "one record lost, every other file read whole",
    );
    const unmatched = spawnSync(process.execPath, [CLI, "analyze", join(dir, "nothing-*.pcap")], {
      encoding: "utf8",
    });
    assert.equal(unmatched.status, 2);
    assert.match(unmatched.stderr, /nothing-\*\.pcap: no capture file matches/);
  });
});
