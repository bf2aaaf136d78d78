/**
 * Text bound for a terminal: control characters (C0, DEL, C1) and therefore ANSI escape
 * sequences are shown escaped, never interpreted. Used for anything not produced by teardown
 * itself: file names, and anything taken from packets.
 *
 * Bidirectional embeddings, overrides, isolates and marks are shown escaped too (`\u202e`): a
 * terminal does not act on them, but it draws the text around them reordered, so a name or a
 * request could read as something it is not (CVE-2021-42574, "Trojan Source").
 */
// eslint-disable-next-line no-control-regex
const SHOWN_ESCAPED = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function escapeForTerminal(text: string): string {
  return text.replace(SHOWN_ESCAPED, (c) => {
    const code = c.charCodeAt(0);
    if (c === "\t") return "\\t";
    if (c === "\n") return "\\n";
    if (c === "\r") return "\\r";
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, "0")}`
      : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}
