/**
 * Real TCP traffic for the tcpdump rotation test: a server and its clients on 127.0.0.1 (node:net,
 * the kernel's own TCP), several seconds and several megabytes of it, so that tcpdump's `-C 1`
 * (1,000,000 bytes) and `-G 1` (one second) rotate many times while connections are open.
 *
 * Each connection asks for a response of some size and then ends one way (its `Mode`): a FIN from
 * the client or from the server first, an RST from either side, or a client FIN answered by the
 * server's FIN only 1.5 s later (a teardown that straddles files). A few long-lived connections
 * trickle data for the whole run, so they cross every rotation boundary, including the one a
 * wrapped `-W` ring loses.
 *
 * The run is bounded: a fixed number of connections on a fixed schedule, each with a deadline.
 */
import { createServer, connect, type Server, type Socket } from "node:net";

export const MODES = [
  "client-fin",
  "server-fin",
  "client-rst",
  "server-rst",
  "fin-gap",
  "long",
] as const;
export type Mode = (typeof MODES)[number];

/** One connection as the programs made it: what the capture must show. */
export interface TrafficConnection {
  readonly mode: Mode;
  /** The client's port; the server's is the run's port. */
  readonly clientPort: number;
  readonly responseBytes: number;
}

export interface TrafficOptions {
  readonly port: number;
  /**
   * Client ports are `firstClientPort` on, one per connection. Left to the kernel, a port can
   * come back within the run (Linux reuses a 4-tuple at once after an RST, and on loopback from
   * TIME_WAIT, net.ipv4.tcp_tw_reuse=2), and then the test could not tell flows by 4-tuple.
   */
  readonly firstClientPort: number;
  /** Short connections, started `spacingMs` apart. */
  readonly connections: number;
  readonly spacingMs: number;
  /** Long-lived connections, open from the start for about `longMs`. */
  readonly long: number;
  readonly longMs: number;
  /** How long the server waits before its FIN in `fin-gap` connections. */
  readonly finGapMs: number;
}

export const DEFAULT_TRAFFIC: Omit<TrafficOptions, "port"> = {
  firstClientPort: 41000,
  connections: 120,
  spacingMs: 35,
  long: 3,
  longMs: 4800,
  finGapMs: 1500,
};

const SHORT_MODES: readonly Mode[] = MODES.filter((m) => m !== "long");
/** No connection may take longer than this; the run fails rather than hang. */
const DEADLINE_MS = 15_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The server reads one request line, `MODE BYTES`, answers BYTES bytes and then ends as MODE
 * says. For `long` it answers 1 KB every 100 ms until the client closes.
 */
function serve(sock: Socket, finGapMs: number): void {
  let line = "";
  let timer: NodeJS.Timeout | undefined;
  sock.on("error", () => undefined);
  sock.on("close", () => clearInterval(timer));
  sock.on("data", (chunk: Buffer) => {
    if (line.endsWith("\n")) {
      // After the response: the client's "done" in server-rst.
      if (chunk.toString("latin1").includes("done")) sock.resetAndDestroy();
      return;
    }
    line += chunk.toString("latin1");
    if (!line.endsWith("\n")) return;
    const [mode, size] = line.trim().split(" ") as [Mode, string];
    if (mode === "long") {
      timer = setInterval(() => sock.write(Buffer.alloc(1024, 0x6c)), 100);
      sock.on("end", () => {
        clearInterval(timer);
        sock.end();
      });
      return;
    }
    sock.write(Buffer.alloc(Number(size), 0x72));
    if (mode === "server-fin") sock.end();
    sock.on("end", () => {
      if (mode === "fin-gap") setTimeout(() => sock.end(), finGapMs);
      else if (mode === "client-fin") sock.end();
    });
  });
}

/** One client connection; resolves when its socket has closed, whichever way. */
function client(
  port: number,
  clientPort: number,
  mode: Mode,
  responseBytes: number,
  longMs: number,
): Promise<TrafficConnection> {
  return new Promise((resolve, reject) => {
    const sock = connect({ port, host: "127.0.0.1", localPort: clientPort });
    let got = 0;
    const deadline = setTimeout(() => {
      sock.destroy();
      reject(new Error(`${mode} connection from port ${clientPort} did not end in time`));
    }, DEADLINE_MS);
    sock.on("error", (e: NodeJS.ErrnoException) => {
      // The server's RST in server-rst is expected; anything else is not.
      if (mode !== "server-rst" || e.code !== "ECONNRESET") {
        clearTimeout(deadline);
        reject(e);
      }
    });
    sock.on("close", () => {
      clearTimeout(deadline);
      resolve({ mode, clientPort, responseBytes });
    });
    sock.on("connect", () => {
      sock.write(`${mode} ${responseBytes}\n`);
      if (mode === "long") setTimeout(() => sock.end(), longMs);
    });
    sock.on("data", (chunk: Buffer) => {
      got += chunk.length;
      if (mode === "long" || got < responseBytes) return;
      if (mode === "client-fin" || mode === "fin-gap") sock.end();
      else if (mode === "client-rst") sock.resetAndDestroy();
      else if (mode === "server-rst") sock.write("done\n");
      // server-fin: the server's FIN comes with its response; Node answers it with ours.
    });
  });
}

/** Response sizes from 20 to 80 KB, the same every run. */
function responseSize(i: number): number {
  return 20_000 + ((i * 7919) % 60_000);
}

/** Runs the traffic and returns each connection as made, in the order they were opened. */
export async function runRotationTraffic(options: TrafficOptions): Promise<TrafficConnection[]> {
  // Half-open allowed: the server's FIN is its own decision (fin-gap), not Node's automatic reply.
  const server: Server = createServer({ allowHalfOpen: true }, (sock) =>
    serve(sock, options.finGapMs),
  );
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", resolve);
  });
  try {
    const runs: Promise<TrafficConnection>[] = [];
    let clientPort = options.firstClientPort;
    for (let i = 0; i < options.long; i++) {
      runs.push(client(options.port, clientPort++, "long", 0, options.longMs));
    }
    for (let i = 0; i < options.connections; i++) {
      const mode = SHORT_MODES[i % SHORT_MODES.length] as Mode;
      runs.push(client(options.port, clientPort++, mode, responseSize(i), options.longMs));
      await sleep(options.spacingMs);
    }
    return await Promise.all(runs);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
