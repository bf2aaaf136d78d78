/**
 * Exit statuses, one table (documented in README.md):
 * 0 every input was read; warnings (a truncated last record, unsupported link types) allowed.
 * 1 bad usage: unknown command or option, missing argument.
 * 2 an input could not be read or was damaged; everything before the damage was still processed.
 * 3 a finding selected by --fail-on is present (and every input was read).
 * 4 internal error (a bug in teardown: please report it).
 */
export const EXIT_OK = 0;
export const EXIT_USAGE = 1;
export const EXIT_INPUT = 2;
export const EXIT_FINDINGS = 3;
export const EXIT_INTERNAL = 4;
