/**
 * Markdown tables generated from the catalogues (finding kinds and their fixes, thresholds,
 * capture diagnostics, decode problems, link types), so the README never says something the code
 * does not do. `npm run docs` writes them into README.md between marker comments; a test fails
 * when the README is out of date.
 */
import {
  FINDING_KINDS,
  THRESHOLDS,
  thresholdText,
  type FindingKindInfo,
  type ThresholdName,
} from "../analysis/index.js";
import { CAPTURE_DIAGNOSTICS } from "../capture/index.js";
import { DECODE_PROBLEMS, LINK_TYPES } from "../decode/index.js";

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ");
}

export function captureDiagnosticsTable(): string {
  const rows = Object.entries(CAPTURE_DIAGNOSTICS).map(
    ([code, d]) => `| \`${code}\` | ${d.severity} | ${cell(d.meaning)} |`,
  );
  return ["| code | severity | meaning |", "| --- | --- | --- |", ...rows].join("\n");
}

export function decodeProblemsTable(): string {
  const rows = Object.entries(DECODE_PROBLEMS)
    .filter(([code]) => code !== "none")
    .map(([code, p]) => `| \`${code}\` | ${p.status ?? ""} | ${cell(p.meaning)} |`);
  return ["| code | counted as | meaning |", "| --- | --- | --- |", ...rows].join("\n");
}

export function decodedLinkTypesTable(): string {
  const rows = LINK_TYPES.filter((l) => l.decoded).map(
    (l) => `| ${l.value} | ${l.name} | ${cell(l.description)} |`,
  );
  return ["| LINKTYPE | name | what it is |", "| --- | --- | --- |", ...rows].join("\n");
}

export function findingKindsTable(): string {
  const rows = Object.entries(FINDING_KINDS).map(([kind, k]: [string, FindingKindInfo]) => {
    const options = (k.thresholds ?? []).map((t) => `\`${THRESHOLDS[t].option}\``).join(" ");
    return `| \`${kind}\` | ${k.severity} | ${cell(k.meaning)} | ${cell(k.wire)} | ${cell(k.causes.join(" "))} | ${options} |`;
  });
  return [
    "| kind | severity | meaning | on the wire | usual causes | thresholds |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
}

/** The fixes are too long for a table column: a list under it, one item per kind. */
export function findingFixesList(): string {
  const items = Object.entries(FINDING_KINDS).map(([kind, k]: [string, FindingKindInfo]) =>
    [`- \`${kind}\`:`, ...k.fixes.map((fix) => `  - ${oneLine(fix)}`)].join("\n"),
  );
  return [
    "Fixes, by kind (`teardown explain KIND` prints one kind with all of this):",
    "",
    ...items,
  ].join("\n");
}

/** The table of finding kinds, then their fixes. */
export function findingKindsSection(): string {
  return `${findingKindsTable()}\n\n${findingFixesList()}`;
}

export function thresholdsTable(): string {
  const rows = (Object.keys(THRESHOLDS) as ThresholdName[]).map((name) => {
    const t = THRESHOLDS[name];
    return `| \`${t.option}\` | ${thresholdText(name, t.default)} | ${cell(t.meaning)} |`;
  });
  return ["| option | default | meaning |", "| --- | --- | --- |", ...rows].join("\n");
}

/** The generated sections, by the name used in the README's marker comments. */
export const GENERATED_SECTIONS: Readonly<Record<string, () => string>> = {
  "finding-kinds": findingKindsSection,
  thresholds: thresholdsTable,
  "capture-diagnostics": captureDiagnosticsTable,
  "decode-problems": decodeProblemsTable,
  "link-types": decodedLinkTypesTable,
};

/** Replaces each `<!-- generated:NAME -->...<!-- /generated:NAME -->` block with fresh content. */
export function fillGeneratedSections(markdown: string): string {
  let out = markdown;
  for (const [name, make] of Object.entries(GENERATED_SECTIONS)) {
    const open = `<!-- generated:${name} -->`;
    const close = `<!-- /generated:${name} -->`;
    const start = out.indexOf(open);
    const end = out.indexOf(close);
    if (start < 0 || end < start) continue;
    out = `${out.slice(0, start + open.length)}\n\n${make()}\n\n${out.slice(end)}`;
  }
  return out;
}
