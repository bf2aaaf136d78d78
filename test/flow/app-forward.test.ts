/**
 * Payload parsed elsewhere (app-forward.ts) gives the same context as payload parsed in place:
 * the same captures go through a tracker that parses everything itself and one that forwards
 * some or all HTTP connections as events, replayed into real sessions, and every flow's context
 * must come out the same (JSON text equal). Events cut into tiny chunks too, so every event
 * sits at a chunk's edge, and channels are given back and given again.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { generateCapture } from "../../bench/synth-capture.js";
import {
  APP_SESSIONS,
  AppEventReplayer,
  AppEventWriter,
  DEFAULT_TRACKER_OPTIONS,
  FlowTracker,
  type AppContext,
  type AppProtocol,
} from "../../src/flow/index.js";
import { CORPUS_DIR, REPO_ROOT } from "../differential/capture-files.js";
import { captureBytes, decodeAll } from "../decode/decode-file.js";

/** Every flow's context by flow id, and how many flows were forwarded. */
interface Contexts {
  readonly byId: Map<number, string>;
  readonly forwarded: number;
  /** Channels the writer gave out (reused ones counted once). */
  readonly channels: number;
}

/**
 * Tracks `file`; with `forward`, the HTTP connections it picks (by order of their start) are
 * parsed through events cut into chunks of `chunkBytes`, replayed as they come.
 */
function contexts(
  file: string,
  forward?: { readonly pick: (n: number) => boolean; readonly chunkBytes: number },
): Contexts {
  const byId = new Map<number, string>();
  const replayer = new AppEventReplayer(APP_SESSIONS);
  const events = new AppEventWriter(forward?.chunkBytes ?? 1 << 16, (chunk) =>
    replayer.replay(chunk),
  );
  let httpStarts = 0;
  let forwarded = 0;
  const tracker = new FlowTracker(
    {
      flowEnded(flow) {
        // What the tracking thread sends before a batch: the flow's last events.
        events.flush();
        const there = replayer.finish(flow.id);
        const here = flow.app;
        assert.ok(there === undefined || here === undefined, `flow ${flow.id}: parsed twice`);
        const app: AppContext | undefined = there ?? here;
        if (app !== undefined) byId.set(flow.id, JSON.stringify(app));
      },
    },
    {
      ...DEFAULT_TRACKER_OPTIONS,
      // Closed flows finish soon after they close (not all at the capture's end), so that
      // forwarded sessions end, and their channels are given again, while others go on.
      maxLingering: 32,
      appSessions: APP_SESSIONS,
      ...(forward === undefined
        ? {}
        : {
            appForward: {
              events,
              wanted: (protocol: AppProtocol) => {
                if (protocol !== "http" || !forward.pick(httpStarts++)) return false;
                forwarded++;
                return true;
              },
            },
          }),
    },
  );
  decodeAll(captureBytes(file), (rec, p) => {
    if (p.status === "tcp") tracker.packet(rec.frame, rec.tsSec, rec.tsNsec, p);
  });
  tracker.end();
  assert.equal(replayer.live, 0, "every forwarded session was finished");
  assert.equal(replayer.held, 0, "no channel keeps a finished session");
  return { byId, forwarded, channels: events.channelsGiven };
}

const dir = mkdtempSync(join(tmpdir(), "teardown-forward-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const synthetic = join(dir, "mixed.pcap");
generateCapture({ path: synthetic, shape: "mixed", targetBytes: 3 << 20, seed: 11 });
// Many short connections, a few dozen at once: channels are given back and given again.
const short = join(dir, "short.pcap");
generateCapture({ path: short, shape: "short", targetBytes: 0, seed: 12, connections: 3000 });

const files = [
  ...readdirSync(join(REPO_ROOT, "samples", "incidents"))
    .filter((n) => n.endsWith(".pcap"))
    .map((n) => join(REPO_ROOT, "samples", "incidents", n)),
  join(CORPUS_DIR, "pcapplusplus__650HttpResponses.pcap"),
  join(CORPUS_DIR, "arkime__http-no-length.pcap"),
  join(CORPUS_DIR, "arkime__http-wrapped-header.pcap"),
  join(CORPUS_DIR, "suricata__http-close-headers__input.pcap"),
  join(CORPUS_DIR, "scapy__http_head.pcapng.gz"),
  synthetic,
  short,
];

describe("HTTP parsed from forwarded events", () => {
  for (const [label, forward] of [
    ["every HTTP connection, tiny chunks", { pick: () => true, chunkBytes: 16 }],
    ["every other HTTP connection", { pick: (n: number) => n % 2 === 0, chunkBytes: 4096 }],
  ] as const) {
    it(`gives every flow the context parsing in place gives: ${label}`, () => {
      let forwardedAll = 0;
      for (const file of files) {
        const here = contexts(file);
        const there = contexts(file, forward);
        forwardedAll += there.forwarded;
        assert.deepEqual([...there.byId.keys()], [...here.byId.keys()], `${file}: flows`);
        for (const [id, app] of here.byId) {
          assert.equal(there.byId.get(id), app, `${file}: flow ${id}`);
        }
      }
      assert.ok(forwardedAll > 800, `forwarded ${forwardedAll} connections`);
    });
  }

  it("gives channels back: as many as connections were forwarded at once, not in all", () => {
    const there = contexts(short, { pick: () => true, chunkBytes: 1 << 16 });
    assert.ok(there.forwarded > 1000, `forwarded ${there.forwarded}`);
    assert.ok(
      there.channels < there.forwarded / 2,
      `${there.channels} channels for ${there.forwarded} connections`,
    );
  });

  it("keeps the session of a channel given again before the last flow's batch came", () => {
    const replayer = new AppEventReplayer(APP_SESSIONS);
    const events = new AppEventWriter(1 << 16, (chunk) => replayer.replay(chunk));
    const request = new TextEncoder().encode("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    const first = events.session(1, "http");
    first.data(true, request, 0, request.length, 0, 0.5, 3);
    first.end();
    // The channel goes to the next flow before flow 1's batch reaches the replaying side.
    const second = events.session(2, "http");
    events.flush();
    assert.equal(events.channelsGiven, 1);
    assert.equal(replayer.finish(1)?.http?.requests, 1);
    second.data(true, request, 0, request.length, 0, 0.75, 9);
    second.end();
    events.flush();
    assert.equal(replayer.finish(2)?.http?.requests, 1);
    assert.equal(replayer.held, 0);
  });

  it("rejects a chunk that is not events, with where", () => {
    const replayer = new AppEventReplayer(APP_SESSIONS);
    assert.throws(() => replayer.replay(new Uint8Array([9, 0, 0, 0, 0])), /event type 9.*byte 0/);
  });
});
