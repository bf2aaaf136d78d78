/**
 * Text bound for a terminal: control characters (C0, DEL, C1) and therefore ANSI escape
 * sequences are shown escaped, never interpreted. Used for anything not produced by teardown
 * itself: file names, and anything taken from packets.
 *
 * Bidirectional embeddings, overrides, isolates and marks are shown escaped too (`\u202e`): a
 * terminal does not act on them, but it draws the text around them reordered, so a name or a
 * request could read as something it is not (CVE-2021-42574, "Trojan Source").
 */
/** What is shown escaped beyond the C0 controls: DEL, the C1 controls, the bidi controls. */
const BEYOND_C0 = "\\u007f-\\u009f\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069";
const SHOWN_ESCAPED = new RegExp(`[\\u0000-\\u001f${BEYOND_C0}]`, "g");
/** In JSON text, where JSON already escapes C0, only the rest (they only occur inside strings). */
const JSON_SHOWN_ESCAPED = new RegExp(`[${BEYOND_C0}]`, "g");

/**
 * JSON text with DEL, C1 and bidi controls as \u escapes: the same JSON value (JSON.stringify
 * leaves these characters raw), and nothing a terminal acts on when it is printed there.
 */
export function terminalSafeJson(json: string): string {
  return json.replace(
    JSON_SHOWN_ESCAPED,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

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
