/**
 * The fuzzer's starting corpus: every capture in `samples/`, every capture of the shared corpus
 * (`../shared/corpus/`), the regression inputs of past crashes (`test/fixtures/fuzz/`) and a few
 * crafted shapes no sample has (header-only files, pcapng with power-of-two resolutions and an
 * offset, the other byte order). gzip files are decompressed (the reader is fed decompressed
 * bytes, as the CLI does); each seed is cut to its first whole records so an execution stays
 * fast. Sorted and deduplicated, so a run repeats for the same seed.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { gunzipSync } from "node:zlib";
import {
  concatBytes,
  epb,
  idb,
  pcapFileHeader,
  pcapRecord,
  shb,
  spb,
} from "../../samples/tools/capture-writer.js";
import { corpusCaptures, REPO_ROOT, sampleCaptures } from "../differential/capture-files.js";
import { capSeed } from "./mutate.js";

export const FUZZ_FIXTURES = join(REPO_ROOT, "test/fixtures/fuzz");

export interface Seed {
  readonly name: string;
  readonly bytes: Uint8Array;
}

function crafted(): Seed[] {
  const tcpSyn = Uint8Array.from([
    // Ethernet, IPv4 (total length 40), TCP SYN 10.0.0.1:40000 -> 10.0.0.2:80.
    ...[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00],
    ...[0x45, 0, 0, 40, 0, 1, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2],
    ...[0x9c, 0x40, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0],
  ]);
  return [
    { name: "crafted/pcap-header-only", bytes: pcapFileHeader({ linkType: 1 }) },
    {
      name: "crafted/pcap-be-nsec-huge-snaplen",
      bytes: concatBytes([
        pcapFileHeader({ linkType: 1, littleEndian: false, nanosecond: true, snapLen: 0xffffffff }),
        pcapRecord(
          { linkType: 1, littleEndian: false, nanosecond: true },
          { tsSec: 1, tsFrac: 999_999_999, data: tcpSyn },
        ),
      ]),
    },
    {
      name: "crafted/pcap-modified",
      bytes: concatBytes([
        pcapFileHeader({ linkType: 1, modified: true }),
        pcapRecord({ linkType: 1, modified: true }, { tsSec: 1, tsFrac: 0, data: tcpSyn }),
      ]),
    },
    {
      name: "crafted/pcapng-le-resolutions",
      bytes: concatBytes([
        shb(true),
        idb(true, { linkType: 1, tsresol: 0x94, tsoffset: 1_700_000_000n }),
        idb(true, { linkType: 101, snapLen: 0, tsresol: 9 }),
        epb(true, { interfaceId: 0, ticks: 1n << 40n, data: tcpSyn }),
        epb(true, { interfaceId: 1, ticks: 5n, data: tcpSyn.subarray(14) }),
        spb(true, tcpSyn),
      ]),
    },
    {
      name: "crafted/pcapng-be-sll2",
      bytes: concatBytes([
        shb(false),
        idb(false, { linkType: 276 }),
        epb(false, { interfaceId: 0, ticks: 1n, data: new Uint8Array(80) }),
      ]),
    },
  ];
}

function readCapture(path: string): Uint8Array {
  const raw: Uint8Array = readFileSync(path);
  if (raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      return gunzipSync(raw);
    } catch {
      return raw;
    }
  }
  return raw;
}

/** The regression inputs of crashes found before (any file in test/fixtures/fuzz/). */
export function fixtureFiles(): string[] {
  if (!existsSync(FUZZ_FIXTURES)) return [];
  return readdirSync(FUZZ_FIXTURES)
    .filter((n) => !n.endsWith(".md"))
    .sort()
    .map((n) => join(FUZZ_FIXTURES, n));
}

/** The starting corpus: each capture cut to `maxBytes` (whole records, at most `maxUnits`). */
export function loadSeeds(maxBytes: number, maxUnits: number): Seed[] {
  const seen = new Set<string>();
  const out: Seed[] = [];
  const add = (name: string, bytes: Uint8Array): void => {
    const cut = capSeed(bytes, maxBytes, maxUnits);
    const key = createHash("sha1").update(cut).digest("hex");
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ name, bytes: cut });
  };
  const files = [...sampleCaptures(), ...corpusCaptures(), ...fixtureFiles()];
  for (const path of files) {
    add(
      path.startsWith(REPO_ROOT) ? path.slice(REPO_ROOT.length + 1) : basename(path),
      readCapture(path),
    );
  }
  for (const s of crafted()) add(s.name, s.bytes);
  return out;
}
