/** A ReportInput for tests of the whole-capture renderers, from real captures. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Analyzer } from "../../src/analysis/index.js";
import { CaptureReader } from "../../src/capture/index.js";
import { decodePacket, DecodeCounts, newDecodedPacket } from "../../src/decode/index.js";
import type { CaptureFileInfo, ReportInput } from "../../src/report/index.js";
import { REPO_ROOT } from "../differential/capture-files.js";

/** Reads captures as `teardown analyze` does (frames numbered on across files). */
export function reportInput(paths: readonly string[]): ReportInput {
  const analyzer = new Analyzer();
  const decoded = newDecodedPacket();
  const counts = new DecodeCounts();
  const files: CaptureFileInfo[] = [];
  let frameBase = 0;
  for (const path of paths) {
    const base = frameBase;
    const reader = new CaptureReader({
      packet(rec) {
        decodePacket(decoded, rec.linkType, rec.buf, rec.offset, rec.capLen);
        counts.add(decoded, base + rec.frame);
        if (decoded.status === "tcp")
          analyzer.packet(base + rec.frame, rec.tsSec, rec.tsNsec, decoded);
      },
      diagnostic: () => undefined,
    });
    reader.push(readFileSync(join(REPO_ROOT, path)));
    reader.end();
    files.push({ path, packets: reader.packets, damaged: reader.error !== undefined, gzip: false });
    frameBase += reader.packets;
  }
  const summary = analyzer.finish();
  return {
    capture: {
      files,
      packets: counts.total,
      tcpPackets: counts.byStatus.tcp,
      notDecoded: { ...counts.byStatus, tcp: undefined },
      start: analyzer.firstSec < 0 ? 0 : analyzer.firstSec + analyzer.firstNsec * 1e-9,
      end: analyzer.lastSec < 0 ? 0 : analyzer.lastSec + analyzer.lastNsec * 1e-9,
      timestampsBackwards: analyzer.backwards,
      stragglers: analyzer.latePackets,
      peakLiveConnections: analyzer.peakLiveFlows,
      thresholds: analyzer.thresholds,
    },
    summary,
    version: "0.0.0-test",
  };
}
