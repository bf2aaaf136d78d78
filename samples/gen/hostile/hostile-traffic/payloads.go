package main

import "strings"

// The hostile strings the connections carry, each aimed at a different way
// out of a report: HTML and SVG markup, script URLs, Markdown links and
// images, terminal escape sequences (7-bit and the 8-bit C1 CSI), NUL and
// the other characters XML forbids, byte sequences that are not UTF-8, bidi
// overrides, the end of a CDATA section, Zeek's header marker, and tabs,
// CRs and backslashes that break TSV and line-oriented formats.
const (
	script   = "<script>alert(1)</script>"
	svg      = `"><svg onload=alert(1)>`
	jsURL    = "javascript:alert(1)"
	onHover  = "' onmouseover='alert(1)"
	mdLink   = "[x](javascript:alert(1))"
	mdImage  = "![x](http://example.invalid/x.png)"
	autolink = "<http://example.invalid/a>"
	imgTag   = "<img src=x onerror=alert(1)>"
	// Backticks and pipes: a code span or a table cell that does not count
	// them would end early.
	mdBreakers = "``code`` | cell | **bold** _em_ ~~s~~ # h &amp; &#60; \\"

	ansiClear = "\x1b[2J"
	ansiTitle = "\x1b]0;title\x07"
	ansiRed   = "\x1b[31m"
	ansiReset = "\x1b[0m"
	// The 8-bit CSI (C1 0x9b): "ESC [" in one byte for terminals that honour C1.
	c1CSI = "\x9b2J"

	nul = "\x00"
	// Forbidden in XML 1.0 even as character references; DEL too for terminals.
	xmlForbidden = "\x01\x0b\x0c\x1f\x7f"

	// Not UTF-8: bytes that never occur in it, a lone surrogate (U+D800 and
	// U+DC00) written the CESU-8 way, and an overlong "/".
	notUTF8  = "\xff\xfe"
	cesu     = "\xed\xa0\x80\xed\xb0\x80"
	overlong = "\xc0\xaf"
	// U+202E RIGHT-TO-LEFT OVERRIDE ... U+202C POP DIRECTIONAL FORMATTING, in UTF-8.
	bidi = "\xe2\x80\xaeevil\xe2\x80\xac"

	cdataEnd = "]]><!--"
	// Zeek's first header line, with a real tab and as Zeek writes it.
	zeekSep = "#separator\t#separator \\x09"
)

// longTarget is a request-target of about 100 KB: longer than the 4 KiB a
// line parser keeps, with markup at both ends.
var longTarget = "/" + script + strings.Repeat("A", 100*1024) + svg
