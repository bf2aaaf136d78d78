/**
 * The options of `teardown analyze` that choose what a report covers (`--host`, `--port`,
 * `--server`, `--since`, `--until`, `--flow`) and what fails a CI job (`--fail-on`), parsed into
 * the analysis layer's terms, each bad value a one-line usage error naming the option.
 */
import { isIP } from "node:net";
import { InvalidArgumentError } from "commander";
import {
  FINDING_KINDS,
  type FindingKind,
  type FlowSelection,
  type TimePoint,
} from "../analysis/index.js";

/** An address as the JSON writes it (IPv6 compressed, lower case), or undefined if it is none. */
export function canonicalAddress(text: string): string | undefined {
  const version = isIP(text);
  if (version === 4) return text.split(".").map(Number).join(".");
  if (version === 6) return new URL(`http://[${text}]/`).hostname.slice(1, -1);
  return undefined;
}

export function parseHost(value: string, previous: string[] = []): string[] {
  const ip = canonicalAddress(value);
  if (ip === undefined)
    throw new InvalidArgumentError(`--host takes an IPv4 or IPv6 address, not "${value}"`);
  return [...previous, ip];
}

function port(value: string, option: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535)
    throw new InvalidArgumentError(`${option} takes a port number (0-65535), not "${value}"`);
  return Number(value);
}

export function parsePort(value: string, previous: number[] = []): number[] {
  return [...previous, port(value, "--port")];
}

/** `--server ADDRESS`, `--server ADDRESS:PORT`, `--server [IPv6]:PORT` or `--server :PORT`. */
export function parseServer(
  value: string,
  previous: { ip?: string; port?: number }[] = [],
): { ip?: string; port?: number }[] {
  const bad = (): never => {
    throw new InvalidArgumentError(
      `--server takes ADDRESS, ADDRESS:PORT, [IPv6]:PORT or :PORT, not "${value}"`,
    );
  };
  let ipText = value;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(value);
  if (bracketed !== null) {
    ipText = bracketed[1] ?? "";
    portText = bracketed[2];
  } else if (isIP(value) !== 6) {
    const i = value.lastIndexOf(":");
    if (i >= 0) {
      ipText = value.slice(0, i);
      portText = value.slice(i + 1);
    }
  }
  const entry: { ip?: string; port?: number } = {};
  if (ipText !== "") {
    const ip = canonicalAddress(ipText);
    if (ip === undefined) bad();
    else entry.ip = ip;
  }
  if (portText !== undefined) entry.port = port(portText, "--server");
  if (entry.ip === undefined && entry.port === undefined) bad();
  return [...previous, entry];
}

export function parseFlowId(value: string, previous: number[] = []): number[] {
  if (!/^[1-9]\d*$/.test(value))
    throw new InvalidArgumentError(`--flow takes a flow id (1, 2, ...), not "${value}"`);
  return [...previous, Number(value)];
}

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, ms: 0.001 };

/**
 * A time for `--since`/`--until`: `+90s`, `+2m`, `+1.5h` after the capture's first packet;
 * epoch seconds (`1700000000.25`); or an ISO 8601 date and time (`2026-11-21T13:40:00Z`).
 */
export function parseTimePoint(option: string): (value: string) => TimePoint {
  return (value: string): TimePoint => {
    const relative = /^\+(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value);
    if (relative !== null)
      return { afterStart: Number(relative[1]) * (UNIT_SECONDS[relative[2] ?? "s"] ?? 1) };
    if (/^\d+(\.\d+)?$/.test(value)) return { epoch: Number(value) };
    if (/^\d{4}-\d{2}-\d{2}T/.test(value)) {
      const ms = Date.parse(value);
      if (!Number.isNaN(ms)) return { epoch: ms / 1000 };
    }
    throw new InvalidArgumentError(
      `${option} takes +SECONDS[ms|s|m|h] after the capture's start, epoch seconds or an ISO 8601 time, not "${value}"`,
    );
  };
}

export function selectionFrom(opts: Record<string, unknown>): FlowSelection {
  return {
    hosts: (opts["host"] as string[] | undefined) ?? [],
    ports: (opts["port"] as number[] | undefined) ?? [],
    servers: (opts["server"] as { ip?: string; port?: number }[] | undefined) ?? [],
    flowIds: (opts["flow"] as number[] | undefined) ?? [],
    ...(opts["since"] !== undefined ? { since: opts["since"] as TimePoint } : {}),
    ...(opts["until"] !== undefined ? { until: opts["until"] as TimePoint } : {}),
  };
}

/**
 * `--fail-on`: comma-separated severities (`warning`: every warning kind; `info`: every kind)
 * and finding kinds; the result says whether a kind fails the run.
 */
export function parseFailOn(value: string): (kind: FindingKind) => boolean {
  const kinds = new Set<FindingKind>();
  for (const item of value.split(",").map((x) => x.trim())) {
    if (item === "warning" || item === "info") {
      for (const [kind, info] of Object.entries(FINDING_KINDS) as [
        FindingKind,
        (typeof FINDING_KINDS)[FindingKind],
      ][]) {
        if (item === "info" || info.severity === "warning") kinds.add(kind);
      }
    } else if (item in FINDING_KINDS) {
      kinds.add(item as FindingKind);
    } else {
      throw new InvalidArgumentError(
        `--fail-on takes warning, info or finding kinds (${Object.keys(FINDING_KINDS).join(", ")}), not "${item}"`,
      );
    }
  }
  return (kind) => kinds.has(kind);
}
