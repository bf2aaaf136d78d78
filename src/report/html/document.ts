/**
 * The document shell: polyglot XHTML5 (well-formed XML that browsers also read as HTML), one
 * inline stylesheet and one inline script, and a Content-Security-Policy that allows exactly
 * those two by their SHA-256 hashes and nothing else: no other script, no inline event
 * handler, no `javascript:` URL, no image, font, frame, form target or connection of any kind.
 * A report opened from a ticket therefore makes no request and runs nothing a capture put in it,
 * even if some text escaped its escaping.
 */
import { createHash } from "node:crypto";
import { SCRIPT } from "./script.js";
import { STYLE } from "./style.js";

const sha256 = (s: string): string =>
  `'sha256-${createHash("sha256").update(s, "utf8").digest("base64")}'`;

/**
 * The policy. `default-src 'none'` covers script, style, image, font, media, frame, connect and
 * worker fetches; base-uri and form-action do not fall back to it, so they are set too.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src ${sha256(STYLE)}`,
  `script-src ${sha256(SCRIPT)}`,
  "base-uri 'none'",
  "form-action 'none'",
].join("; ");

/**
 * The whole document around `body` (markup already escaped). `title` is escaped text.
 */
export function htmlDocument(title: string, generator: string, body: string): string {
  return (
    "<!DOCTYPE html>\n" +
    '<html xmlns="http://www.w3.org/1999/xhtml" lang="en" xml:lang="en">\n<head>\n' +
    '<meta charset="utf-8"/>\n' +
    `<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}"/>\n` +
    '<meta name="referrer" content="no-referrer"/>\n' +
    '<meta name="viewport" content="width=device-width, initial-scale=1"/>\n' +
    `<meta name="generator" content="${generator}"/>\n` +
    `<title>${title}</title>\n` +
    `<style>${STYLE}</style>\n` +
    `</head>\n<body>\n${body}\n<script>${SCRIPT}</script>\n</body>\n</html>\n`
  );
}
