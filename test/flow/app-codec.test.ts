/**
 * Payload contexts cross threads as bytes (app-codec.ts) and read back as the same objects:
 * same fields, same order (JSON text equal), for every context real captures give and for
 * arbitrary ones.
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import fc from "fast-check";
import { Analyzer } from "../../src/analysis/index.js";
import { AppContextReader, AppContextWriter, type AppContext } from "../../src/flow/index.js";
import { captureBytes, decodeAll } from "../decode/decode-file.js";

function roundTrip(contexts: readonly AppContext[]): AppContext[] {
  const w = new AppContextWriter();
  for (const c of contexts) w.write(c);
  const r = new AppContextReader(w.take());
  const out = contexts.map(() => r.next());
  assert.ok(r.done, "every byte read");
  return out;
}

function contextsOf(file: string): AppContext[] {
  const out: AppContext[] = [];
  const analyzer = new Analyzer({
    onFlow: (x) => {
      if (x.flow.app !== undefined) out.push(x.flow.app);
    },
  });
  decodeAll(captureBytes(file), (rec, p) => {
    if (p.status === "tcp") analyzer.packet(rec.frame, rec.tsSec, rec.tsNsec, p);
  });
  analyzer.finish();
  return out;
}

/** Records with an ordinary prototype, like the contexts (fast-check's have none by default). */
function rec<T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> {
  return fc.record(model, { noNullPrototype: true }) as fc.Arbitrary<T>;
}

const text = fc.string({ unit: "binary", maxLength: 40 });
const num = fc.oneof(fc.integer({ min: -1, max: 2 ** 31 }), fc.double({ noNaN: true }));
const exchange = rec({
  method: text,
  target: text,
  version: text,
  host: fc.option(text),
  requestAt: num,
  requestFrame: num,
  requestConnection: fc.constantFrom("close" as const, "keep-alive" as const, null),
  requestComplete: fc.boolean(),
  interim: num,
  responseAt: num,
  responseFrame: num,
  status: num,
  reason: text,
  responseConnection: fc.constantFrom("close" as const, "keep-alive" as const, null),
  bodyFraming: fc.constantFrom(
    "length" as const,
    "chunked" as const,
    "close" as const,
    "none" as const,
    null,
  ),
  contentLength: num,
  bodyBytes: num,
  responseComplete: fc.boolean(),
  responseEndAt: num,
  responseEndFrame: num,
});
const stopped = fc.option(rec({ reason: text, frame: num }));
const http = rec({
  requests: num,
  responses: num,
  exchanges: fc.array(exchange, { maxLength: 4 }),
  omitted: num,
  connectionClose: rec({ client: num, server: num }),
  upgraded: fc.option(text),
  stopped,
});
const tls = rec({
  clientHelloAt: num,
  clientHelloFrame: num,
  sni: fc.option(text),
  alpnOffered: fc.array(text, { maxLength: 4 }),
  serverHelloAt: num,
  serverHelloFrame: num,
  firstServerDataAt: num,
  firstServerDataFrame: num,
  version: fc.option(text),
  alpn: fc.option(text),
  cipherSuite: fc.option(num),
  appRecords: rec({ client: num, server: num }),
  firstAppDataAt: rec({ client: num, server: num }),
  alert: fc.option(
    rec({
      side: fc.constantFrom("client" as const, "server" as const),
      level: num,
      description: num,
      frame: num,
    }),
  ),
  stopped,
});
const context: fc.Arbitrary<AppContext> = fc.oneof(
  http.map((h) => ({ protocol: "http" as const, http: h })),
  tls.map((t) => ({ protocol: "tls" as const, tls: t })),
  fc.constant({ protocol: "h2c" as const }),
);

describe("app-codec", () => {
  it("reads back every context of the HTTP and TLS samples as it was written", () => {
    const dir = "samples/incidents";
    let n = 0;
    for (const name of readdirSync(dir).filter((x) => x.endsWith(".pcap"))) {
      const contexts = contextsOf(join(dir, name));
      n += contexts.length;
      const back = roundTrip(contexts);
      assert.equal(JSON.stringify(back), JSON.stringify(contexts), name);
      assert.deepEqual(back, contexts, name);
    }
    assert.ok(n > 100, `${n} contexts`);
  });

  it("reads back arbitrary contexts: any text (beyond Latin-1 too), any number", () => {
    fc.assert(
      fc.property(fc.array(context, { maxLength: 6 }), (contexts) => {
        const back = roundTrip(contexts);
        assert.equal(JSON.stringify(back), JSON.stringify(contexts));
        assert.deepEqual(back, contexts);
      }),
      { numRuns: 300 },
    );
  });
});
