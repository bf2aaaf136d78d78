/**
 * Just enough of CommonMark's and GFM's inline parsing to tell, for a line of Markdown, which
 * text is inside a code span (where nothing is interpreted: no link, image, autolink, HTML or
 * entity) and which is not. It follows the rules where they decide that:
 * - GFM tables (4.10): a row is split into cells at every pipe not escaped by a backslash, before
 *   any inline parsing, code spans included;
 * - backslash escapes (CommonMark 2.4): a backslash before ASCII punctuation makes it literal,
 *   so `\`` opens no code span; they do not work inside code spans;
 * - code spans (6.1), read left to right: a run of n backticks opens one if a run of exactly n
 *   backticks follows; otherwise the run is literal text. One space is stripped from each side
 *   when both sides have one and the content is not all spaces.
 * A construct that starts before a code span (a `<` or `[` in the text) could reach over it, so
 * the caller also checks that the text outside code spans opens none.
 */

export interface Segment {
  /** Inside a code span (content as rendered), or text outside one (as written). */
  readonly code: boolean;
  readonly text: string;
}

const ASCII_PUNCTUATION = /[!-/:-@[-`{-~]/;

/** The cells of a GFM table row, or null when the line is not one (teardown starts rows with `|`). */
export function tableCells(line: string): string[] | null {
  if (!line.startsWith("|")) return null;
  const cells: string[] = [];
  let cell = "";
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "\\" && line[i + 1] === "|") {
      cell += "\\|";
      i++;
    } else if (c === "|") {
      cells.push(cell);
      cell = "";
    } else {
      cell += c;
    }
  }
  cells.push(cell);
  // The leading pipe leaves an empty first cell, the trailing one an empty last cell.
  cells.shift();
  if (cells.at(-1)?.trim() === "") cells.pop();
  return cells;
}

/** A run of backticks starting at `i`: its length. */
function run(s: string, i: number): number {
  let n = 0;
  while (s[i + n] === "`") n++;
  return n;
}

/** The code spans and the text between them, left to right. */
export function inlineSegments(s: string): Segment[] {
  const out: Segment[] = [];
  let text = "";
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === "\\" && i + 1 < s.length && ASCII_PUNCTUATION.test(s[i + 1]!)) {
      text += s.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (c !== "`") {
      text += c;
      i++;
      continue;
    }
    const n = run(s, i);
    let close = -1;
    for (let j = i + n; j < s.length;) {
      const m = run(s, j);
      if (m === n) {
        close = j;
        break;
      }
      j += m > 0 ? m : 1;
    }
    if (close < 0) {
      text += s.slice(i, i + n);
      i += n;
      continue;
    }
    if (text !== "") out.push({ code: false, text });
    text = "";
    let content = s.slice(i + n, close);
    if (/^ .*[^ ].* $/s.test(content)) content = content.slice(1, -1);
    out.push({ code: true, text: content });
    i = close + n;
  }
  if (text !== "") out.push({ code: false, text });
  return out;
}

/** Every segment of a document, line by line, table rows cell by cell. */
export function documentSegments(markdown: string): Segment[] {
  return markdown
    .split("\n")
    .flatMap((line) => (tableCells(line) ?? [line]).flatMap((cell) => inlineSegments(cell)));
}

/**
 * What in text outside code spans would start a link, an image, an autolink (CommonMark's
 * `<...>` and GFM's extended `www.`, `http://`, `x@y.z`), raw HTML or an entity; escaped
 * characters (`\[`) are literal and do not count.
 */
export function liveConstruct(text: string): string | null {
  const bare = text.replace(/\\[!-/:-@[-`{-~]/g, "");
  const m = /[<>[\]]|!\[|:\/\/|www\.|\S@\S|&#?\w+;|javascript:/i.exec(bare);
  return m === null ? null : m[0];
}
