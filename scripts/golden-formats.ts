/**
 * The golden outputs kept for each incident sample: the file suffix and the `teardown analyze`
 * arguments after the capture that print it. `npm run goldens` writes them, the tests in
 * test/analysis/format-goldens.test.ts and incident-samples.test.ts compare.
 */
export const GOLDEN_FORMATS: readonly {
  readonly suffix: string;
  readonly args: readonly string[];
}[] = [
  { suffix: "golden.txt", args: [] },
  { suffix: "golden.json", args: ["--json", "-"] },
  { suffix: "golden.ndjson", args: ["--format", "ndjson"] },
  { suffix: "golden.md", args: ["--format", "markdown"] },
  { suffix: "golden.junit.xml", args: ["--format", "junit"] },
  { suffix: "golden.zeek.log", args: ["--format", "zeek"] },
];
