/**
 * Text bound for a terminal: control characters (C0, DEL, C1) and therefore ANSI escape
 * sequences are shown escaped, never interpreted. Used for anything not produced by teardown
 * itself: file names, and later anything taken from packets.
 */
export function escapeForTerminal(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => {
    const code = c.charCodeAt(0);
    if (c === "\t") return "\\t";
    if (c === "\n") return "\\n";
    if (c === "\r") return "\\r";
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : c;
  });
}
