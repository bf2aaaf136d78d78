/**
 * Every threshold a finding depends on, with its default and meaning, in one table. The CLI
 * turns each into an option; the report prints the values used.
 */
export const THRESHOLDS = {
  finGapSec: {
    default: 1,
    option: "--fin-gap",
    meaning:
      "First FIN to second FIN longer than this is a long FIN gap: the passive side sat in CLOSE_WAIT, the active side in FIN_WAIT_2.",
  },
  timeWaitSec: {
    default: 60,
    option: "--time-wait",
    meaning: "How long the active closer stays in TIME_WAIT (2*MSL; Linux: 60 s).",
  },
  clientTimeoutSec: {
    default: 0.5,
    option: "--client-timeout",
    meaning:
      "A client that closes at least this long after its last unanswered request is taken to have timed out.",
  },
  slowHandshakeSec: {
    default: 1,
    option: "--slow-handshake",
    meaning:
      "SYN to SYN-ACK longer than this is a slow handshake (Linux retransmits a SYN after 1 s).",
  },
  closeLingerSec: {
    default: 5,
    option: "--close-linger",
    meaning:
      "A connection closed or reset and quiet this long is finished; a later SYN on its 4-tuple starts a new connection, other late packets count as its stragglers (Zeek: tcp_close_delay).",
  },
  idleTimeoutSec: {
    default: 900,
    option: "--idle-timeout",
    meaning: "A flow with no packet for this long is finished (its state kept as it was).",
  },
  maxLiveConnections: {
    default: 200_000,
    option: "--max-live-connections",
    unit: "connections",
    meaning:
      "At most this many flows are followed at once (half as many with --html, which keeps 3 KB more a flow for its ladder); past it the one quiet for longest is finished as if idle, so a SYN flood or a scan cannot make memory grow with the capture (about 2 KB a flow). The capture's facts say how many were finished early.",
  },
  slowTlsHandshakeSec: {
    default: 0.5,
    option: "--slow-tls-handshake",
    meaning:
      "ClientHello to ServerHello longer than this (or no ServerHello that long before the client closed) is a slow TLS handshake.",
  },
  burstWindowSec: {
    default: 1,
    option: "--burst-window",
    meaning: "The window in which --burst-connections new connections to one server are a burst.",
  },
  burstConnections: {
    default: 50,
    option: "--burst-connections",
    unit: "connections",
    meaning: "New connections to one server within --burst-window that make a connection burst.",
  },
  minServerConnections: {
    default: 5,
    option: "--min-server-connections",
    unit: "connections",
    meaning:
      "A server needs at least this many connections before its connections taken together (no reuse, TIME_WAIT on the server) make a finding.",
  },
} as const satisfies Record<
  string,
  { default: number; option: string; meaning: string; unit?: "connections" }
>;

/** A threshold's value with its unit: "1 s", "50 connections". */
export function thresholdText(name: ThresholdName, value: number): string {
  return thresholdUnit(name) === "seconds" ? `${value} s` : `${value} connections`;
}

/** What a threshold counts: seconds unless its entry says otherwise. */
export function thresholdUnit(name: ThresholdName): "seconds" | "connections" {
  const t = THRESHOLDS[name];
  return "unit" in t ? t.unit : "seconds";
}

export type ThresholdName = keyof typeof THRESHOLDS;
export type Thresholds = { readonly [K in ThresholdName]: number };

export function defaultThresholds(): Thresholds {
  const out = {} as { [K in ThresholdName]: number };
  for (const name of Object.keys(THRESHOLDS) as ThresholdName[])
    out[name] = THRESHOLDS[name].default;
  return out;
}
