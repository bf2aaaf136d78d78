/** A ReportInput for tests of the whole-capture renderers, from real captures. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Analyzer } from "../../src/analysis/index.js";
import { DecodeCounts } from "../../src/decode/index.js";
import { decodeAll } from "../decode/decode-file.js";
import {
  analyzerFacts,
  type CaptureFileInfo,
  type CaptureInfo,
  type ReportInput,
} from "../../src/report/index.js";
import { REPO_ROOT } from "../differential/capture-files.js";

/** The eight incident samples, one server each: read together, a capture with several servers. */
export const INCIDENT_SAMPLES: readonly string[] = [
  "client-timeout",
  "http2-storm",
  "connection-close",
  "unread-body",
  "accept-backlog",
  "keepalive-reuse",
  "probes",
  "refused",
].map((name) => `samples/incidents/${name}.pcap`);

/** What reading captures through an Analyzer gave: the files and the decode counts. */
export interface CapturesRead {
  readonly files: CaptureFileInfo[];
  readonly counts: DecodeCounts;
}

/** Reads captures through `analyzer` as `teardown analyze` does (frames numbered on across files). */
export function readCaptures(paths: readonly string[], analyzer: Analyzer): CapturesRead {
  const counts = new DecodeCounts();
  const files: CaptureFileInfo[] = [];
  let frameBase = 0;
  for (const path of paths) {
    const base = frameBase;
    const reader = decodeAll(readFileSync(join(REPO_ROOT, path)), (rec, decoded) => {
      counts.add(decoded, base + rec.frame);
      if (decoded.status === "tcp")
        analyzer.packet(base + rec.frame, rec.tsSec, rec.tsNsec, decoded);
    });
    files.push({
      path,
      packets: reader.packets,
      damaged: reader.error !== undefined,
      gzip: false,
      frameOffset: base,
    });
    frameBase += reader.packets;
  }
  return { files, counts };
}

/** The capture info of captures read through a finished `analyzer`. */
export function captureInfo(analyzer: Analyzer, read: CapturesRead): CaptureInfo {
  const { files, counts } = read;
  return {
    files,
    packets: counts.total,
    tcpPackets: counts.byStatus.tcp,
    notDecoded: { ...counts.byStatus, tcp: undefined },
    ...analyzerFacts(analyzer),
  };
}

/** The ReportInput of captures read as one, as `teardown analyze` gives it. */
export function reportInput(paths: readonly string[]): ReportInput {
  const analyzer = new Analyzer();
  const read = readCaptures(paths, analyzer);
  const summary = analyzer.finish();
  return { capture: captureInfo(analyzer, read), summary, version: "0.0.0-test" };
}
