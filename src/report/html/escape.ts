/**
 * Escaping for the HTML report. The report is polyglot XHTML5 (well-formed XML that browsers
 * also parse as HTML), so one escaping serves HTML text, attribute values and inline SVG.
 *
 * Everything taken from a capture (file names, addresses, HTTP targets and headers, SNI) is
 * hostile: it goes through `shown()` first, which makes control characters, bidirectional
 * controls and characters XML forbids visible as escapes (NUL becomes `\x00`, ESC `\x1b`), so
 * no byte can break the XML, rewrite a terminal it is pasted into, or reorder what the reader
 * sees. Then `text()` or `attr()` escapes markup characters. Nothing from a capture ever
 * becomes an element, an attribute name, an id, a URL or a style.
 */
import { escapeForTerminal } from "../terminal.js";

// Unicode bidirectional embeddings, overrides and isolates (CVE-2021-42574, "Trojan Source"),
// and the characters XML 1.0 does not allow even escaped: lone surrogates, U+FFFE and U+FFFF.
const INVISIBLE =
  /[\u202a-\u202e\u2066-\u2069\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Hostile text made visible: control, bidi and XML-forbidden characters shown as escapes. */
export function shown(raw: string): string {
  return escapeForTerminal(raw).replace(
    INVISIBLE,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

const MARKUP: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Text for element content or an attribute value, markup characters escaped. */
export function text(s: string): string {
  return s.replace(/[&<>"']/g, (c) => MARKUP[c] ?? c);
}

/** Hostile text for element content or a double-quoted attribute value. */
export function hostile(raw: string): string {
  return text(shown(raw));
}

/** An address and port, IPv6 bracketed, as hostile text (addresses are typed as text upstream). */
export function endpoint(e: { readonly ip: string; readonly port: number }): string {
  return hostile(e.ip.includes(":") ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`);
}
