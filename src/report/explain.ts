/**
 * What `teardown explain [kind]` prints: the catalogue of finding kinds as plain text for a
 * terminal. Everything comes from FINDING_KINDS and THRESHOLDS, the tables the rules and the
 * README use, so the command cannot say something the analysis does not do (STYLE.md
 * practice 4).
 */
import {
  FINDING_KINDS,
  THRESHOLDS,
  thresholdText,
  type FindingKind,
  type FindingKindInfo,
} from "../analysis/index.js";

/** Lines are wrapped to fit a 100-column terminal. */
const WIDTH = 100;

/** The kinds, in catalogue order: for shell completion and error messages. */
export function explainKinds(): readonly string[] {
  return Object.keys(FINDING_KINDS);
}

/**
 * With no kind, a list of every kind (id, severity, title); with a kind, its meaning, wire
 * signature, causes, fixes and the thresholds its rule compares against. Undefined for an
 * unknown kind. Lines are joined by "\n", with no newline at the end.
 */
export function formatExplain(kind?: string): string | undefined {
  if (kind === undefined) return formatList();
  // hasOwn, so that "constructor" or "__proto__" are unknown kinds, not Object's properties.
  if (!Object.hasOwn(FINDING_KINDS, kind)) return undefined;
  return formatKind(kind as FindingKind);
}

function formatList(): string {
  const kinds = Object.keys(FINDING_KINDS) as FindingKind[];
  const idWidth = Math.max(...kinds.map((k) => k.length));
  const severityWidth = Math.max(...kinds.map((k) => FINDING_KINDS[k].severity.length));
  const lines = ["Finding kinds (teardown explain KIND for one kind's causes and fixes):", ""];
  for (const k of kinds) {
    const info = FINDING_KINDS[k];
    const head = `  ${k.padEnd(idWidth)}  ${info.severity.padEnd(severityWidth)}  `;
    lines.push(...wrap(info.title, head, " ".repeat(head.length)));
  }
  return lines.join("\n");
}

function formatKind(kind: FindingKind): string {
  const info: FindingKindInfo = FINDING_KINDS[kind];
  const lines = [`${kind} (${info.severity}): ${info.title}`];
  section(lines, "Meaning:", [info.meaning], false);
  section(lines, "On the wire:", [info.wire], false);
  section(lines, "Usual causes:", info.causes, true);
  section(lines, "Fixes:", info.fixes, true);
  const thresholds = info.thresholds ?? [];
  if (thresholds.length === 0) {
    lines.push("", "Thresholds: none; the rule does not depend on a threshold option.");
  } else {
    section(
      lines,
      "Thresholds (options of analyze and flow):",
      thresholds.map((name) => {
        const t = THRESHOLDS[name];
        return `${t.option} (default ${thresholdText(name, t.default)}): ${t.meaning}`;
      }),
      true,
    );
  }
  return lines.join("\n");
}

/** A heading, then each entry wrapped and indented; `bullets` marks each entry with "- ". */
function section(
  lines: string[],
  heading: string,
  entries: readonly string[],
  bullets: boolean,
): void {
  lines.push("", heading);
  for (const entry of entries) {
    if (bullets) lines.push(...wrap(entry, "  - ", "    "));
    else lines.push(...wrap(entry, "  ", "  "));
  }
}

/**
 * Greedy word wrap to WIDTH columns: `first` starts the first line, `rest` the others. Breaks
 * only at spaces, so a word longer than a line stays whole on a line of its own.
 */
function wrap(text: string, first: string, rest: string): string[] {
  const words = text.split(/\s+/).filter((w) => w !== "");
  const out: string[] = [];
  let line = first;
  let empty = true;
  for (const word of words) {
    if (!empty && line.length + 1 + word.length > WIDTH) {
      out.push(line);
      line = rest + word;
    } else {
      line += (empty ? "" : " ") + word;
    }
    empty = false;
  }
  out.push(line);
  return out;
}
