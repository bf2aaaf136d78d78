/**
 * Exit statuses, one table (documented in README.md):
 * 0 every input was read; warnings (a truncated last record, unsupported link types) allowed.
 * 1 bad usage: unknown command or option, missing argument.
 * 2 an input could not be read or was damaged; everything before the damage was still processed.
 * 3 a finding selected by --fail-on is present (and every input was read).
 * 4 internal error (a bug in teardown: please report it).
 * 5 an output could not be written to the end (disk full, file too large); no file was left half
 *   written.
 * 128 + the signal's number (130 SIGINT, 143 SIGTERM): interrupted; no output file was written.
 */
export const EXIT_OK = 0;
export const EXIT_USAGE = 1;
export const EXIT_INPUT = 2;
export const EXIT_FINDINGS = 3;
export const EXIT_INTERNAL = 4;
export const EXIT_OUTPUT = 5;
/** Added to a signal's number for the status of a run it interrupted, as shells do. */
export const EXIT_SIGNAL_BASE = 128;
