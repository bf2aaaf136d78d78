/**
 * Terminal text from the hostile sample: the incident brief of `teardown analyze` (to a pipe,
 * and to a real pseudo-terminal through util-linux `script`, as a person running it sees it),
 * every flow's ladder from `teardown flow`, and `teardown packets`. Nothing from the capture may
 * reach the terminal as a control character (ESC, and so no ANSI sequence; NUL, BEL, CR, tab;
 * C1 controls such as the 8-bit CSI 0x9b) or a bidi override: each is shown as a visible escape
 * (`\x1b`, `\u202e`), and the hostile text is still there to read.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, describe, it } from "node:test";
import { CLI, REPO_ROOT } from "../differential/capture-files.js";
import {
  FLOW_IDS,
  HOSTILE_NAME_SHOWN,
  hostileCopy,
  offending,
  SAMPLE,
  teardown,
  utf8,
} from "./hostile-sample.js";

/** The progress line's own sequences: CR, its text, ESC [ K (erase to the end of the line). */
// eslint-disable-next-line no-control-regex
const PROGRESS = /\r(?:teardown: file \d+\/\d+, [^\r\n\u001b]*)?\u001b\[K/g;

/** Text a terminal would get, checked: valid UTF-8, nothing it would act on. */
function assertInert(bytes: Uint8Array, what: string): string {
  const text = utf8(bytes);
  assert.deepEqual(offending(text), [], `${what}: characters a terminal would act on`);
  return text;
}

// The requests of flows 1 and 2 as their finding details quote them; the C1 bytes 0x85 (NEL)
// and 0x9b (CSI) of flow 1's target shown escaped.
const FLOW1_REQUEST =
  "GET /<script>alert(1)</script>?q=\"><svg onload=alert(1)>&u=javascript:alert(1)&h=' onmouseover='alert(1)&c1=\\x85\\x9b31m (frame ";
const FLOW2_REQUEST =
  "GET /[x](javascript:alert(1)) ![x](http://example.invalid/x.png) <http://example.invalid/a> <img src=x onerror=alert(1)> ``code`` | cell |";
// Flow 5's target: bytes that are not UTF-8 (0xff 0xfe, CESU-8 surrogates, an overlong "/"),
// U+202E as its three UTF-8 bytes, all read one char per byte (so 0x80, 0xae... are C1 or
// Latin-1), then the 8-bit CSI.
const FLOW5_TARGET = "/ÿþí\u00a0\\x80í°\\x80À¯â\\x80®evilâ\\x80¬.txt\\x9b2J";

describe("terminal text from the hostile sample", () => {
  const copy = hostileCopy();
  after(copy.remove);

  it("the brief on a pipe shows the hostile requests and file name, escaped", () => {
    const r = teardown(["analyze", copy.path]);
    assert.equal(r.status, 0, utf8(r.stderr));
    const out = assertInert(r.stdout, "stdout");
    assertInert(r.stderr, "stderr");
    assert.ok(out.includes(HOSTILE_NAME_SHOWN), "the file name, escaped");
    assert.ok(out.includes(FLOW1_REQUEST), "flow 1's request in its finding's example");
    assert.ok(out.includes(FLOW2_REQUEST), "flow 2's request in its finding's example");
  });

  it("the brief on a terminal gets no control sequence but the progress line's own", () => {
    // `script` runs the command on a new pseudo-terminal and copies what it writes there,
    // stdout and stderr together, to its stdout: the bytes a terminal emulator would get.
    const r = spawnSync("script", ["-qec", 'exec "$NODE" "$CLI" analyze "$CAPTURE"', "/dev/null"], {
      cwd: REPO_ROOT,
      env: { ...process.env, NODE: process.execPath, CLI, CAPTURE: copy.path },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 60_000,
    });
    if (r.error !== undefined) throw r.error;
    assert.equal(r.status, 0, r.stderr.toString());
    // The terminal driver turns each LF into CR LF; teardown's progress line (on a terminal's
    // stderr) redraws itself with CR and erases with ESC [ K: those are its own, not the capture's.
    const seen = utf8(r.stdout).replace(/\r\n/g, "\n").replace(PROGRESS, "");
    assert.deepEqual(offending(seen), [], "the terminal gets no control from the capture");
    assert.ok(seen.includes(HOSTILE_NAME_SHOWN));
    assert.ok(seen.includes(FLOW1_REQUEST));
  });

  it("every flow's ladder (teardown flow) shows its findings' requests escaped", () => {
    const ladders = FLOW_IDS.map((id) => {
      const r = teardown(["flow", SAMPLE, String(id)]);
      assert.equal(r.status, 0, utf8(r.stderr));
      assertInert(r.stderr, `flow ${id} stderr`);
      return assertInert(r.stdout, `flow ${id}`);
    });
    assert.ok(ladders[0]!.includes(FLOW1_REQUEST));
    assert.ok(ladders[1]!.includes(FLOW2_REQUEST));
    assert.ok(ladders[4]!.includes(FLOW5_TARGET), "flow 5's target, C1 bytes escaped");
  });

  it("teardown packets names the hostile file escaped", () => {
    const r = teardown(["packets", copy.path]);
    assert.equal(r.status, 0, utf8(r.stderr));
    assertInert(r.stdout, "stdout");
    const err = assertInert(r.stderr, "stderr");
    assert.ok(err.includes(HOSTILE_NAME_SHOWN));
  });
});
