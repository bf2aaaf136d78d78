/**
 * Writes a large synthetic classic pcap for the benchmarks: little-endian, microsecond
 * timestamps, Ethernet, many TCP connections interleaved in time.
 *
 * Two shapes:
 * - `mixed` (the read benchmark): connections open with a three-way handshake (SYN and SYN-ACK
 *   carry MSS, SACK-permitted, window scale and, for 70% of them, timestamps), exchange a few
 *   request/response rounds (small requests, heavy-tailed responses sent in slow-start flights
 *   of full-MSS segments, the receiver acking every second segment), and end by FIN/FIN from
 *   either side, by RST (abort, the server closing with unread data as in RFC 2525 2.17, the
 *   client resetting while a response is in flight, data after a FIN), or never get answered
 *   (refused by RST, SYN retransmitted into silence). The file grows to `targetBytes`.
 * - `short` (the later flow-table benchmark): `connections` (default 1,000,000) short
 *   connections of about 8 packets each (handshake, one small request and response, FIN/FIN or
 *   RST), about 970 MiB with their payload, so the flow table sees a million keys.
 *
 * About 20% of connections are IPv6. A priority queue of active connections, keyed by the time
 * of each one's next packet, interleaves them: `concurrency` are open at any moment. Sequence
 * and acknowledgement numbers, IPv4 ids and TCP timestamps progress as a real stack's would;
 * frames run from 54 bytes (a bare ACK) to 1514 (a full segment), and frames the capturing host
 * received shorter than 60 bytes carry Ethernet padding, as a NIC delivers them.
 *
 * Checksums: the IPv4 header checksum is computed; TCP checksums are left zero (teardown,
 * tcptrace and tshark do not verify them by default, and captures taken on a host with
 * checksum offload carry meaningless values there anyway).
 *
 * Everything comes from one seeded PRNG (mulberry32), so a seed and the options name the file:
 * the same arguments write the same bytes. Records are built in place in one reused 4 MiB
 * buffer and written with `writeSync`: a gigabyte takes a few seconds.
 *
 * Usage: node dist/bench/synth-capture.js --out FILE [--bytes 1G] [--seed 1] [--shape mixed|short]
 *          [--connections N] [--concurrency N] [--ipv6 0.2]
 */
import { closeSync, openSync, renameSync, writeFileSync, writeSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

/** Bumped whenever the output for given options changes, so cached files are not reused. */
export const SYNTH_VERSION = 2;

export type SynthShape = "mixed" | "short";

export interface SynthOptions {
  readonly path: string;
  readonly shape: SynthShape;
  /**
   * Size to reach: no connection is opened once the bytes written plus those the open
   * connections are expected to write reach it (the file ends within a few percent of it).
   * Required for `mixed`; for `short`, 0 means no limit but `connections`.
   */
  readonly targetBytes: number;
  readonly seed: number;
  /**
   * mixed: sets the mean connection size to targetBytes / connections (default: about 21 KB a
   * connection, ~50k for 1 GiB). short: how many connections to write (default 1,000,000).
   */
  readonly connections?: number;
  /** Connections open at once (default: mixed min(5000, connections / 10), short 10000). */
  readonly concurrency?: number;
  /** Share of IPv6 connections (default 0.2). */
  readonly ipv6Share?: number;
}

export type CloseKind =
  | "fin-client"
  | "fin-server"
  | "rst-abort"
  | "rst-unread"
  | "rst-inflight"
  | "fin-then-rst"
  | "refused"
  | "unanswered";

export interface SynthStats {
  readonly version: number;
  readonly shape: SynthShape;
  readonly seed: number;
  /** File size, header included. */
  bytes: number;
  packets: number;
  tcpPayloadBytes: number;
  connections: number;
  ipv6Connections: number;
  maxConcurrent: number;
  /** Capture time from the first to the last packet. */
  durationSec: number;
  closes: Record<CloseKind, number>;
  /** Connections that carried payload, by what it is (see `appOf`). */
  apps: Record<SynthApp, number>;
  /**
   * HTTP/1.1 messages written: every request is whole; `responses` are whole final responses,
   * `cutResponses` responses whose header went out but whose body a RST cut short.
   */
  http: { requests: number; responses: number; cutResponses: number };
  /** TLS 1.3 handshakes: ClientHello records, ServerHello records (each once per connection). */
  tls: { clientHellos: number; serverHellos: number };
}

/** What a connection's payload carries: by server port (80, 8080: HTTP; 443: TLS; others: opaque). */
export type SynthApp = "http" | "tls" | "other";

// ---------------------------------------------------------------------------------------------
// Randomness

/** mulberry32 (Tommy Ettinger): 32 bits of state, fast, good enough for traffic shapes. */
class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  uint32(): number {
    return Math.floor(this.next() * 4294967296) >>> 0;
  }
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** Log-uniform in [lo, hi): as many values per decade, as RTTs and delays spread. */
  logUniform(lo: number, hi: number): number {
    return Math.exp(Math.log(lo) + this.next() * (Math.log(hi) - Math.log(lo)));
  }
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }
  /** Log-normal with the given median: transfer sizes are heavy-tailed. */
  logNormal(median: number, sigma: number): number {
    const u = 1 - this.next();
    const v = this.next();
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return median * Math.exp(sigma * z);
  }
}

/** A bijection on 32-bit integers (lowbias32): distinct connection numbers, distinct keys. */
function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

// ---------------------------------------------------------------------------------------------
// Wire constants

const PCAP_MAGIC_USEC = 0xa1b2c3d4;
const PCAP_SNAPLEN = 262_144;
const LINKTYPE_ETHERNET = 1;
const PCAP_FILE_HEADER_LEN = 24;
const PCAP_RECORD_HEADER_LEN = 16;

const ETH_HEADER_LEN = 14;
const ETH_MIN_FRAME = 60;
const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const IPV4_HEADER_LEN = 20;
const IPV6_HEADER_LEN = 40;
const IPPROTO_TCP = 6;
const IPV4_DF = 0x4000;
const TCP_HEADER_LEN = 20;

const FIN = 0x01;
const SYN = 0x02;
const RST = 0x04;
const PSH = 0x08;
const ACK = 0x10;

/** Option bytes: Linux SYN (MSS, SACK-permitted, timestamps, NOP, window scale). */
const SYN_OPTIONS_TS_LEN = 20;
/** Windows SYN without timestamps (MSS, NOP, window scale, NOP, NOP, SACK-permitted). */
const SYN_OPTIONS_NO_TS_LEN = 12;
/** NOP, NOP, timestamps: on every non-SYN segment of a connection that negotiated them. */
const TS_OPTIONS_LEN = 12;
const WINDOW_SCALE = 7;

const MSS_V4 = 1460;
const MSS_V6 = 1440;

/** 2023-11-14T22:13:20Z: an arbitrary, fixed start of capture time. */
const EPOCH_SEC = 1_700_000_000;

/**
 * Server ports and the share of connections to each: HTTP/1.1 on 80 and 8080 (8 in 14), TLS on
 * 443 (3 in 14), opaque bytes on the rest (3 in 14).
 */
const SERVER_PORTS = [80, 80, 80, 80, 80, 80, 8080, 8080, 443, 443, 443, 5432, 6379, 22] as const;
const SERVERS = 48;

const CLIENT_MAC = [0x02, 0x00, 0x5e, 0x10, 0x00, 0x01];
const GATEWAY_MAC = [0x00, 0x1b, 0x21, 0x3a, 0x4c, 0x5e];

// ---------------------------------------------------------------------------------------------
// Connections

/** Plan entry: four numbers in `Conn.plan`. */
const PLAN_CODE = 0; // direction (bit 0: 0 client to server, 1 server to client) | flags << 1
const PLAN_LEN = 1; // payload bytes
const PLAN_DELAY = 2; // microseconds after the connection's previous packet
const PLAN_AUX = 3; // AUX_*
const PLAN_STRIDE = 4;

const AUX_NONE = 0;
/** RST answering a SYN that had no ACK: sequence number 0 (RFC 9293 3.10.7.1). */
const AUX_REFUSE = 1;
/** A retransmission of the previous segment in that direction: same seq, nothing advances. */
const AUX_RETX = 2;

// Payload: each direction sends one message at a time (a request, a response, a TLS flight).
// Its bytes are its head (Latin-1 text or binary: the HTTP header block, the TLS handshake
// records), then a body of noise with, depending on its framing, chunk lines or TLS record
// headers laid over it at fixed intervals.

const APP_HTTP = 0;
const APP_TLS = 1;
const APP_OTHER = 2;
const APP_NAMES: readonly SynthApp[] = ["http", "tls", "other"];

const FRAMING_NONE = 0;
/** `Transfer-Encoding: chunked`: chunks of CHUNK_DATA bytes, a shorter last one, then "0". */
const FRAMING_CHUNKED = 1;
/** TLS application-data records (type 23) of RECORD_DATA bytes, a shorter last one. */
const FRAMING_TLS = 2;

const CHUNK_DATA = 8192;
const CHUNK_HEAD = `${CHUNK_DATA.toString(16)}\r\n`;
const CHUNK_UNIT = CHUNK_HEAD.length + CHUNK_DATA + 2;
const CHUNK_END = "0\r\n\r\n";
/** TLS 1.3's largest ciphertext: 2^14 bytes of plaintext, the content type, a 16-byte tag. */
const RECORD_DATA = 16384 + 1 + 16;
const RECORD_UNIT = 5 + RECORD_DATA;
/** ChangeCipherSpec, sent in clear in TLS 1.3 for middlebox compatibility (RFC 8446 D.4). */
const TLS_CCS = "\x14\x03\x03\x00\x01\x01";
/** The ClientHello record's size: padded to 512 bytes of handshake, as browsers do. */
const CLIENT_HELLO_LEN = 517;
/** Requests up to this size are GETs padded with a cookie; larger ones POST a body. */
const GET_MAX = 1024;

const PATHS = ["/api/v1/items", "/static/app.js", "/img/p.jpg", "/search", "/api/v2/orders"];
const USER_AGENTS = [
  "Mozilla/5.0 (X11; Linux x86_64) Firefox/119.0",
  "curl/8.4.0",
  "okhttp/4.12.0",
];
const STATUS = [
  [200, "OK"],
  [404, "Not Found"],
  [503, "Service Unavailable"],
] as const;

function tlsRecordHead(len: number): string {
  return String.fromCharCode(0x17, 0x03, 0x03, len >>> 8, len & 0xff);
}

const WHOLE_RECORD_HEAD = tlsRecordHead(RECORD_DATA);
const CIPHER_SUITES = [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8];
const SIGNATURE_ALGORITHMS = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601];

/**
 * The Content-Length that makes a message of `fixed` bytes of header (all but the length's
 * digits) plus that many bytes of body come to `size`, or as near above it as digits allow.
 */
function contentLength(size: number, fixed: number): number {
  for (let s = Math.max(size, fixed + 1); ; s++) {
    for (let d = 1; d <= 10; d++) {
      const length = s - fixed - d;
      if (length >= 0 && String(length).length === d) return length;
    }
  }
}

/**
 * Writes `text` (Latin-1), which sits at offset `at` of a message, into the segment holding the
 * message's bytes `[off, off + len)` at `b[p]`: only the part the segment covers.
 */
function put(b: Buffer, p: number, off: number, len: number, at: number, text: string): void {
  const from = Math.max(at, off);
  const to = Math.min(at + text.length, off + len);
  for (let x = from; x < to; x++) b[p + x - off] = text.charCodeAt(x - at);
}

/** Big-endian bytes into a reused buffer, with lengths filled in afterwards. */
class ByteWriter {
  pos = 0;
  private readonly buf: Buffer;
  constructor(size: number) {
    this.buf = Buffer.alloc(size);
  }
  u8(v: number): void {
    this.buf[this.pos++] = v;
  }
  u16(v: number): void {
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
  }
  text(s: string): void {
    this.pos += this.buf.write(s, this.pos, "latin1");
  }
  noise(from: Buffer, at: number, n: number): void {
    from.copy(this.buf, this.pos, at, at + n);
    this.pos += n;
  }
  zeros(n: number): void {
    this.buf.fill(0, this.pos, this.pos + n);
    this.pos += n;
  }
  /** Room for a length of `size` bytes; `close` fills it with the bytes written after it. */
  hole(size: number): number {
    const at = this.pos;
    this.pos += size;
    return at;
  }
  close(at: number, size: number): void {
    this.buf.writeUIntBE(this.pos - at - size, at, size);
  }
  latin1(): string {
    return this.buf.toString("latin1", 0, this.pos);
  }
}

const PHASE_OPEN = 0;
const PHASE_ROUNDS = 1;
const PHASE_CLOSE = 2;
const PHASE_DONE = 3;

function msgOf(c: Conn, dir: number): Message {
  return dir === 0 ? c.msg[0] : c.msg[1];
}

/** The message a direction is sending. */
class Message {
  /** Sequence number of its first byte. */
  start = 0;
  /** Its first bytes, as Latin-1: the HTTP header block, the TLS handshake records. */
  head = "";
  /** FRAMING_*, and the offset in the message where the framed body starts (the head's length). */
  framing = FRAMING_NONE;
  bodyAt = 0;
  /** Whole chunks or records, then the last one's head and data bytes (0: none). */
  units = 0;
  lastHead = "";
  last = 0;
}

class Conn {
  nextTime = 0;
  /** Heap order among equal times. */
  readonly id: number;
  readonly v6: boolean;
  readonly ts: boolean;
  readonly kind: CloseKind;
  /** Client and server addresses: IPv4 in word 3, IPv6 in all four. */
  readonly cAddr: number[];
  readonly sAddr: number[];
  readonly cPort: number;
  readonly sPort: number;
  readonly rttUs: number;
  /** Payload bytes of a full segment. */
  readonly seg: number;
  readonly mss: number;
  /** Per direction (0 client, 1 server). */
  readonly snd: number[];
  readonly lastSeq: number[];
  readonly tsBase: number[];
  readonly lastTsVal: number[];
  readonly ipId: number[];
  readonly window: number[];
  readonly flowLabel: number[];
  /** Request and response sizes, one per round. */
  readonly requests: number[] = [];
  readonly responses: number[] = [];
  round = 0;
  phase = PHASE_OPEN;
  readonly plan: number[] = [];
  head = 0;
  /** Bytes the connection is still expected to write (for the size target). */
  remaining = 0;
  readonly server: number;
  /** APP_*: what the payload carries, by server port. */
  readonly app: number;
  /** Per direction (0 client, 1 server), the message being sent. */
  readonly msg: readonly [Message, Message] = [new Message(), new Message()];

  constructor(id: number, rng: Rng, salt: number, ipv6Share: number, kind: CloseKind) {
    this.id = id;
    this.kind = kind;
    this.v6 = rng.chance(ipv6Share);
    this.ts = rng.chance(0.7);
    // The client side alone is unique per connection: a distinct key gives a distinct
    // address and port, so no two connections of a file share a 4-tuple.
    const key = mix32((id ^ salt) >>> 0);
    const server = rng.int(0, SERVERS - 1);
    this.server = server;
    this.cPort = 32768 + (key & 0xff) * 110 + ((key >>> 8) % 110);
    this.sPort = SERVER_PORTS[rng.int(0, SERVER_PORTS.length - 1)] ?? 443;
    this.app =
      this.sPort === 80 || this.sPort === 8080
        ? APP_HTTP
        : this.sPort === 443
          ? APP_TLS
          : APP_OTHER;
    if (this.v6) {
      this.cAddr = [0xfd000010, 0, 0x00000001, key];
      this.sAddr = [0x20010db8, 0, 0, 0x100 + server];
    } else {
      this.cAddr = [0, 0, 0, (0x0a000000 | (key >>> 8)) >>> 0]; // 10.0.0.0/8
      this.sAddr = [0, 0, 0, (0xc6336400 | server) >>> 0]; // 198.51.100.0/24
    }
    this.rttUs = Math.round(rng.logUniform(150, 150_000));
    this.mss = this.v6 ? MSS_V6 : MSS_V4;
    this.seg = this.ts ? this.mss - TS_OPTIONS_LEN : this.mss;
    this.snd = [rng.uint32(), rng.uint32()];
    this.lastSeq = [this.snd[0] ?? 0, this.snd[1] ?? 0];
    this.tsBase = [rng.uint32(), rng.uint32()];
    this.lastTsVal = [0, 0];
    this.ipId = [rng.int(0, 0xffff), rng.int(0, 0xffff)];
    this.window = [rng.int(500, 2000), rng.int(480, 510)];
    this.flowLabel = [rng.int(1, 0xfffff), rng.int(1, 0xfffff)];
  }
}

/** Binary min-heap of connections by next packet time. */
class ConnHeap {
  private readonly items: Conn[] = [];
  get size(): number {
    return this.items.length;
  }
  peek(): Conn | undefined {
    return this.items[0];
  }
  push(c: Conn): void {
    const items = this.items;
    items.push(c);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent] as Conn;
      if (!before(c, p)) break;
      items[i] = p;
      i = parent;
    }
    items[i] = c;
  }
  /** Removes the top. */
  pop(): void {
    const items = this.items;
    const last = items.pop();
    if (last === undefined || items.length === 0) return;
    items[0] = last;
    this.siftDown(0);
  }
  /** The top's time changed (only ever later): restore the order. */
  updateTop(): void {
    this.siftDown(0);
  }
  private siftDown(start: number): void {
    const items = this.items;
    const n = items.length;
    const c = items[start] as Conn;
    let i = start;
    while (true) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let child = l;
      if (r < n && before(items[r] as Conn, items[l] as Conn)) child = r;
      const cc = items[child] as Conn;
      if (!before(cc, c)) break;
      items[i] = cc;
      i = child;
    }
    items[i] = c;
  }
}

function before(a: Conn, b: Conn): boolean {
  return a.nextTime < b.nextTime || (a.nextTime === b.nextTime && a.id < b.id);
}

function emptyCloses(): Record<CloseKind, number> {
  return {
    "fin-client": 0,
    "fin-server": 0,
    "rst-abort": 0,
    "rst-unread": 0,
    "rst-inflight": 0,
    "fin-then-rst": 0,
    refused: 0,
    unanswered: 0,
  };
}

/** Mean bytes of a mixed-shape request, for sizing responses to a target connection size. */
const MIXED_REQUEST_MEAN = 0.7 * 440 + 0.25 * 1900 + 0.05 * 8000 * Math.exp(0.72);
const MIXED_ROUNDS_MEAN = 3;
const RESPONSE_SIGMA = 1.6;
const MAX_MESSAGE = 64 * 1024 * 1024;
const OUT_BUFFER_BYTES = 4 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// The generator

class Synth {
  private readonly rng: Rng;
  private readonly buf = Buffer.alloc(OUT_BUFFER_BYTES);
  private readonly dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  /** Payload bytes are copied from this block: deterministic, and not all zeros. */
  private readonly noise = Buffer.alloc(64 * 1024);
  /** Cookie and padding text: URL-safe base64 characters. */
  private readonly padding: string;
  /** Where TLS handshake records are built. */
  private readonly hello = new ByteWriter(1024);
  /** The generator's clock (microseconds from the start), for HTTP Date headers. */
  private clockUs = 0;
  private dateSec = -1;
  private date = "";
  private pos = 0;
  private written = 0;
  private outstanding = 0;
  private opened = 0;
  private active = 0;
  private readonly heap = new ConnHeap();
  private readonly salt: number;
  private readonly responseMedian: number;
  private readonly concurrency: number;
  private readonly maxConnections: number;
  private readonly ipv6Share: number;
  readonly stats: SynthStats;

  constructor(
    private readonly fd: number,
    private readonly opts: SynthOptions,
  ) {
    this.rng = new Rng(opts.seed);
    for (let i = 0; i < this.noise.length; i++) this.noise[i] = this.rng.int(0, 255);
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let padding = "";
    for (let i = 0; i < 4096; i++) padding += alphabet[this.noise[i]! & 63];
    this.padding = padding;
    this.salt = this.rng.uint32();
    this.ipv6Share = opts.ipv6Share ?? 0.2;
    if (opts.shape === "short") {
      this.maxConnections = opts.connections ?? 1_000_000;
      this.concurrency = opts.concurrency ?? 10_000;
      this.responseMedian = 0;
    } else {
      const conns = opts.connections ?? Math.max(1, Math.ceil(opts.targetBytes / 21_000));
      const meanConn = opts.targetBytes / conns;
      // Fixed cost of a connection (handshake, close, acks per round) is ~1.3 KB; a message
      // costs ~9% more on the wire than its payload (headers of full segments and the acks).
      const responseMean = Math.max(
        300,
        (meanConn - 1300) / MIXED_ROUNDS_MEAN / 1.09 - MIXED_REQUEST_MEAN,
      );
      this.responseMedian = responseMean / Math.exp((RESPONSE_SIGMA * RESPONSE_SIGMA) / 2);
      this.maxConnections = Number.MAX_SAFE_INTEGER;
      this.concurrency = opts.concurrency ?? Math.max(1, Math.min(5000, Math.ceil(conns / 10)));
    }
    this.stats = {
      version: SYNTH_VERSION,
      shape: opts.shape,
      seed: opts.seed,
      bytes: 0,
      packets: 0,
      tcpPayloadBytes: 0,
      connections: 0,
      ipv6Connections: 0,
      maxConcurrent: 0,
      durationSec: 0,
      closes: emptyCloses(),
      apps: { http: 0, tls: 0, other: 0 },
      http: { requests: 0, responses: 0, cutResponses: 0 },
      tls: { clientHellos: 0, serverHellos: 0 },
    };
  }

  run(): SynthStats {
    this.writeFileHeader();
    const rampUs = this.opts.shape === "short" ? 200_000 : 1_000_000;
    while (this.active < this.concurrency && this.canOpen()) {
      this.open(Math.floor(this.rng.next() * rampUs));
    }
    let now = 0;
    const heap = this.heap;
    while (true) {
      const c = heap.peek();
      if (c === undefined) break;
      now = c.nextTime;
      this.clockUs = now;
      const h = c.head;
      const plan = c.plan;
      this.emit(
        c,
        plan[h + PLAN_CODE] ?? 0,
        plan[h + PLAN_LEN] ?? 0,
        plan[h + PLAN_AUX] ?? AUX_NONE,
        now,
      );
      c.head = h + PLAN_STRIDE;
      if (c.head < plan.length || this.planNext(c)) {
        c.nextTime = now + (plan[c.head + PLAN_DELAY] ?? 0);
        heap.updateTop();
        continue;
      }
      heap.pop();
      this.active--;
      this.outstanding -= c.remaining;
      while (this.active < this.concurrency && this.canOpen()) {
        this.open(now + Math.round(this.rng.exponential(200)));
      }
    }
    this.flush();
    this.stats.durationSec = now / 1e6;
    return this.stats;
  }

  private canOpen(): boolean {
    if (this.opened >= this.maxConnections) return false;
    const target = this.opts.targetBytes;
    return target <= 0 || this.written + this.pos + this.outstanding < target;
  }

  private open(start: number): void {
    const rng = this.rng;
    const kind = this.opts.shape === "short" ? this.shortKind() : this.mixedKind();
    const c = new Conn(this.opened++, rng, this.salt, this.ipv6Share, kind);
    if (this.opts.shape === "short") {
      c.requests.push(rng.int(60, 180));
      c.responses.push(rng.int(40, 260));
      // A TLS connection gets as far as the handshake: ClientHello, the server's first flight.
      if (c.app === APP_TLS) c.requests[0] = CLIENT_HELLO_LEN;
    } else {
      let rounds = 1;
      while (rounds < 40 && rng.chance(1 - 1 / MIXED_ROUNDS_MEAN)) rounds++;
      for (let i = 0; i < rounds; i++) {
        c.requests.push(this.mixedRequest());
        c.responses.push(this.mixedResponse());
      }
      // TLS: the handshake first (ClientHello; ServerHello and the encrypted rest of the
      // server's flight), then the requests and responses in application-data records.
      if (c.app === APP_TLS) {
        c.requests.unshift(CLIENT_HELLO_LEN);
        c.responses.unshift(rng.int(2500, 5500));
      }
    }
    c.remaining = this.estimate(c);
    this.outstanding += c.remaining;
    c.nextTime = start;
    this.planNext(c);
    this.heap.push(c);
    this.active++;
    const s = this.stats;
    s.connections++;
    if (c.v6) s.ipv6Connections++;
    if (kind !== "refused" && kind !== "unanswered") s.apps[APP_NAMES[c.app] ?? "other"]++;
    s.closes[kind]++;
    if (this.active > s.maxConcurrent) s.maxConcurrent = this.active;
  }

  private mixedKind(): CloseKind {
    const u = this.rng.next();
    if (u < 0.02) return "refused";
    if (u < 0.03) return "unanswered";
    if (u < 0.52) return "fin-client";
    if (u < 0.74) return "fin-server";
    if (u < 0.84) return "rst-abort";
    if (u < 0.9) return "rst-unread";
    if (u < 0.96) return "rst-inflight";
    return "fin-then-rst";
  }

  private shortKind(): CloseKind {
    const u = this.rng.next();
    if (u < 0.03) return "refused";
    if (u < 0.73) return "fin-client";
    if (u < 0.88) return "fin-server";
    return "rst-abort";
  }

  private mixedRequest(): number {
    const rng = this.rng;
    const u = rng.next();
    if (u < 0.7) return rng.int(80, 800);
    if (u < 0.95) return rng.int(800, 3000);
    return Math.min(MAX_MESSAGE, Math.round(rng.logNormal(8000, 1.2)));
  }

  private mixedResponse(): number {
    const size = Math.round(this.rng.logNormal(this.responseMedian, RESPONSE_SIGMA));
    return Math.max(60, Math.min(MAX_MESSAGE, size));
  }

  /** Bytes the connection will write, roughly: for the size target only. */
  private estimate(c: Conn): number {
    const hdr =
      PCAP_RECORD_HEADER_LEN +
      ETH_HEADER_LEN +
      (c.v6 ? IPV6_HEADER_LEN : IPV4_HEADER_LEN) +
      TCP_HEADER_LEN +
      (c.ts ? TS_OPTIONS_LEN : 0);
    if (c.kind === "refused") return 2 * hdr;
    if (c.kind === "unanswered") return 3 * hdr;
    let bytes = 7 * hdr + 16;
    const n = c.requests.length;
    for (let i = 0; i < n; i++) {
      const q = c.requests[i] ?? 0;
      const r = c.responses[i] ?? 0;
      const qs = Math.max(1, Math.ceil(q / c.seg));
      const rs = Math.max(1, Math.ceil(r / c.seg));
      bytes += q + r + (qs + rs) * hdr;
      if (this.opts.shape === "mixed") bytes += (Math.ceil(qs / 2) + Math.ceil(rs / 2)) * hdr;
    }
    return bytes;
  }

  // -------------------------------------------------------------------------------------------
  // Plans: each phase appends the packets it will send, with the delay before each.

  private push(c: Conn, dir: number, flags: number, len: number, delay: number, aux = AUX_NONE) {
    c.plan.push(dir | (flags << 1), len, Math.max(0, Math.round(delay)), aux);
  }

  /** Plans the next phase; false when the connection has nothing more to send. */
  private planNext(c: Conn): boolean {
    c.plan.length = 0;
    c.head = 0;
    switch (c.phase) {
      case PHASE_OPEN:
        this.planOpen(c);
        c.phase = c.kind === "refused" || c.kind === "unanswered" ? PHASE_DONE : PHASE_ROUNDS;
        return true;
      case PHASE_ROUNDS:
        if (this.opts.shape === "short") this.planShortRound(c);
        else this.planRound(c);
        c.round++;
        if (c.round >= c.requests.length) c.phase = PHASE_CLOSE;
        return true;
      case PHASE_CLOSE:
        if (this.opts.shape === "short") this.planShortClose(c);
        else this.planClose(c);
        c.phase = PHASE_DONE;
        return true;
      default:
        return false;
    }
  }

  private planOpen(c: Conn): void {
    const rng = this.rng;
    this.push(c, 0, SYN, 0, 0);
    if (c.kind === "refused") {
      // Nothing listens: the server's stack answers RST|ACK (RFC 9293 3.10.7.1).
      this.push(c, 1, RST | ACK, 0, c.rttUs, AUX_REFUSE);
      return;
    }
    if (c.kind === "unanswered") {
      // Filtered: Linux retransmits the SYN after 1 s, then 2 s (tcp_syn_retries backoff).
      this.push(c, 0, SYN, 0, 1_000_000, AUX_RETX);
      this.push(c, 0, SYN, 0, 2_000_000, AUX_RETX);
      return;
    }
    this.push(c, 1, SYN | ACK, 0, c.rttUs);
    this.push(c, 0, ACK, 0, rng.int(15, 80));
  }

  /** Client gap after the handshake or between rounds; the server's think time. */
  private thinkUs(c: Conn): number {
    return c.round === 0 ? this.rng.int(20, 300) : this.rng.exponential(20_000);
  }

  private serverUs(c: Conn): number {
    return c.rttUs + this.rng.logUniform(50, 20_000);
  }

  private planRound(c: Conn): void {
    const q = this.message(c, 0, c.requests[c.round] ?? 0, true);
    const r = this.message(c, 1, c.responses[c.round] ?? 0, true);
    this.planMessage(c, 0, q, this.thinkUs(c));
    this.planMessage(c, 1, r, this.serverUs(c));
  }

  /**
   * One message of `size` bytes from `dir`: full segments sent in slow-start flights, the last
   * one pushed; the receiver acks every second segment and the last. The capture sits at the
   * client, so the client's acks follow the data within microseconds and the server's arrive a
   * round trip after the data it acks.
   */
  private planMessage(c: Conn, dir: number, size: number, firstDelay: number): void {
    const rng = this.rng;
    const n = Math.max(1, Math.ceil(size / c.seg));
    let cwnd = 10;
    let inFlight = 0;
    for (let i = 0; i < n; i++) {
      const len = Math.min(c.seg, size - i * c.seg);
      const last = i === n - 1;
      let delay: number;
      if (i === 0) delay = firstDelay;
      else if (inFlight >= cwnd) {
        delay = c.rttUs;
        inFlight = 0;
        cwnd = Math.min(cwnd * 2, 256);
      } else delay = rng.int(12, 40);
      this.push(c, dir, last ? PSH | ACK : ACK, len, delay);
      inFlight++;
      // A segment now and then is sent twice (a spurious or tail-loss retransmission).
      if (!last && rng.chance(0.002)) this.push(c, dir, ACK, len, rng.int(200, 2000), AUX_RETX);
      const acked = i % 2 === 1 || last;
      // A one-segment request is acked by the response itself (delayed ACK piggybacking).
      if (acked && !(dir === 0 && n === 1)) {
        const ackDelay =
          dir === 1
            ? last && i % 2 === 0
              ? rng.logUniform(40, 40_000) // delayed ACK of a lone last segment
              : rng.int(10, 60)
            : c.rttUs;
        this.push(c, 1 - dir, ACK, 0, ackDelay);
      }
    }
  }

  private planClose(c: Conn): void {
    const rng = this.rng;
    const idle = rng.logUniform(100, 200_000);
    switch (c.kind) {
      case "fin-client":
        this.push(c, 0, FIN | ACK, 0, idle);
        if (rng.chance(0.6)) {
          this.push(c, 1, FIN | ACK, 0, c.rttUs);
        } else {
          this.push(c, 1, ACK, 0, c.rttUs);
          this.push(c, 1, FIN | ACK, 0, rng.logUniform(100, 10_000));
        }
        this.push(c, 0, ACK, 0, rng.int(10, 60));
        return;
      case "fin-server":
        // Keep-alive timeout or the server's own close.
        this.push(c, 1, FIN | ACK, 0, idle);
        this.push(c, 0, ACK, 0, rng.int(10, 60));
        this.push(c, 0, FIN | ACK, 0, rng.logUniform(100, 5000));
        this.push(c, 1, ACK, 0, c.rttUs);
        return;
      case "rst-abort":
        // Client closes with SO_LINGER 0 or is killed: RST|ACK, seq snd.nxt, ack rcv.nxt.
        this.push(c, 0, RST | ACK, 0, idle);
        return;
      case "rst-unread": {
        // Data reaches a server that closes without reading it: Linux sends RST instead of
        // FIN when unread data sits in the receive queue (RFC 2525 2.17).
        this.push(c, 0, PSH | ACK, this.message(c, 0, rng.int(100, 1200), true), idle);
        if (rng.chance(0.5)) this.push(c, 1, ACK, 0, c.rttUs);
        this.push(c, 1, RST | ACK, 0, rng.logUniform(100, 50_000));
        return;
      }
      case "rst-inflight": {
        // The client aborts mid-response: segments already in flight arrive after its RST and
        // each draws a bare RST (no socket left: seq = their ack, no ACK flag).
        this.push(c, 0, PSH | ACK, this.message(c, 0, rng.int(100, 800), true), this.thinkUs(c));
        const before = rng.int(2, 12);
        const after = rng.int(1, 3);
        // The response announces more than ever arrives.
        this.message(c, 1, (before + after + rng.int(2, 40)) * c.seg, false);
        let delay = this.serverUs(c);
        for (let i = 0; i < before; i++) {
          this.push(c, 1, ACK, c.seg, delay);
          delay = rng.int(12, 40);
          if (i % 2 === 1) this.push(c, 0, ACK, 0, rng.int(10, 60));
        }
        this.push(c, 0, RST | ACK, 0, rng.int(20, 2000));
        for (let i = 0; i < after; i++) {
          this.push(c, 1, ACK, c.seg, rng.int(12, 40));
          this.push(c, 0, RST, 0, rng.int(5, 30));
        }
        return;
      }
      case "fin-then-rst":
        // The server closes; the client, not having noticed, writes again and gets a RST.
        this.push(c, 1, FIN | ACK, 0, idle);
        this.push(c, 0, ACK, 0, rng.int(10, 60));
        this.push(
          c,
          0,
          PSH | ACK,
          this.message(c, 0, rng.int(50, 600), true),
          rng.logUniform(100, 20_000),
        );
        this.push(c, 1, RST, 0, c.rttUs);
        return;
      case "refused":
      case "unanswered":
        return;
      default: {
        const never: never = c.kind;
        return never;
      }
    }
  }

  private planShortRound(c: Conn): void {
    const q = this.message(c, 0, c.requests[0] ?? 100, true);
    const r = this.message(c, 1, c.responses[0] ?? 100, true);
    this.push(c, 0, PSH | ACK, q, this.rng.int(20, 300));
    this.push(c, 1, PSH | ACK, r, this.serverUs(c));
  }

  private planShortClose(c: Conn): void {
    const rng = this.rng;
    switch (c.kind) {
      case "fin-server":
        this.push(c, 1, FIN | ACK, 0, rng.int(20, 500));
        this.push(c, 0, FIN | ACK, 0, rng.int(20, 300));
        this.push(c, 1, ACK, 0, c.rttUs);
        return;
      case "rst-abort":
        this.push(c, 0, RST | ACK, 0, rng.int(20, 500));
        return;
      default:
        this.push(c, 0, FIN | ACK, 0, rng.int(20, 300));
        this.push(c, 1, FIN | ACK, 0, c.rttUs);
        this.push(c, 0, ACK, 0, rng.int(10, 60));
        return;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Payload: what each message says. Heads are built once per message, at planning time; the
  // bytes of each segment are then noise with the head and the framing laid over it.

  /**
   * Starts the next message from `dir` (its first byte is the direction's next sequence
   * number), of about `size` bytes; returns its exact size, which its format may have raised
   * (an HTTP header block needs room) or nudged (framing). `complete`: the whole message will be
   * sent; otherwise only a part, `size` being the length it announces.
   */
  private message(c: Conn, dir: number, size: number, complete: boolean): number {
    const m = msgOf(c, dir);
    m.start = c.snd[dir] ?? 0;
    m.framing = FRAMING_NONE;
    m.head = "";
    switch (c.app) {
      case APP_HTTP:
        return dir === 0 ? this.httpRequest(c, size) : this.httpResponse(c, size, complete);
      case APP_TLS:
        if (c.round === 0 && dir === 0) {
          this.stats.tls.clientHellos++;
          c.msg[0].head = this.clientHello(c);
          return CLIENT_HELLO_LEN;
        }
        if (c.round === 0) {
          this.stats.tls.serverHellos++;
          c.msg[1].head = this.serverHello(c) + TLS_CCS;
        } else if (c.round === 1 && dir === 0) {
          // The client's second flight starts with its ChangeCipherSpec too.
          c.msg[0].head = TLS_CCS;
        }
        return this.frameRecords(c, dir, size);
      default:
        // Opaque: a first byte no detector takes for HTTP or TLS, then noise.
        m.head = "\0";
        return Math.max(1, size);
    }
  }

  private httpRequest(c: Conn, size: number): number {
    const id = c.id * 64 + (c.round & 63);
    const path = PATHS[(c.id + c.round) % PATHS.length] ?? "/";
    const ua = USER_AGENTS[c.id % USER_AGENTS.length] ?? "";
    const start = `${size <= GET_MAX ? "GET" : "POST"} ${path}?id=${id} HTTP/1.1\r\nHost: svc${c.server}.example.com\r\nUser-Agent: ${ua}`;
    let head: string;
    if (size <= GET_MAX) {
      // Sized to the planned request with a cookie or, when short of room, the user agent.
      const end = "\r\nAccept: */*\r\n\r\n";
      const cookie = "\r\nCookie: sid=";
      const pad = size - start.length - end.length;
      head =
        pad >= cookie.length + 8
          ? start + cookie + this.pad(pad - cookie.length, id) + end
          : start + (pad >= 2 ? ` ${this.pad(pad - 1, id)}` : pad === 1 ? "+" : "") + end;
    } else {
      const fixed = `${start}\r\nAccept: */*\r\nContent-Type: application/octet-stream\r\nContent-Length: `;
      const length = contentLength(size, fixed.length + 4);
      head = `${fixed}${length}\r\n\r\n`;
      size = head.length + length;
    }
    c.msg[0].head = head;
    this.stats.http.requests++;
    return Math.max(size, head.length);
  }

  private httpResponse(c: Conn, size: number, complete: boolean): number {
    const rng = this.rng;
    const u = rng.next();
    const [status, reason] = STATUS[u < 0.94 ? 0 : u < 0.98 ? 1 : 2];
    const chunked = rng.chance(0.15);
    // A server that closes the connection says so in its last response.
    const close = complete && c.kind === "fin-server" && c.round === c.requests.length - 1;
    const start =
      `HTTP/1.1 ${status} ${reason}\r\nDate: ${this.httpDate()}\r\nServer: nginx/1.24.0\r\n` +
      `Content-Type: application/octet-stream\r\n${close ? "Connection: close\r\n" : ""}`;
    if (complete) this.stats.http.responses++;
    else this.stats.http.cutResponses++;
    if (chunked) {
      const head = `${start}Transfer-Encoding: chunked\r\n\r\n`;
      c.msg[1].head = head;
      return this.frameChunks(c, head.length + Math.max(0, size - head.length));
    }
    const length = contentLength(size, start.length + 20); // "Content-Length: " and 2 CRLFs
    const head = `${start}Content-Length: ${length}\r\n\r\n`;
    c.msg[1].head = head;
    return head.length + length;
  }

  /** `n` characters of cookie text, starting at a place `key` picks. */
  private pad(n: number, key: number): string {
    const from = (key * 131) % (this.padding.length - n);
    return this.padding.slice(from, from + n);
  }

  private httpDate(): string {
    const sec = Math.floor(this.clockUs / 1e6);
    if (sec !== this.dateSec) {
      this.dateSec = sec;
      this.date = new Date((EPOCH_SEC + sec) * 1000).toUTCString();
    }
    return this.date;
  }

  /** The body after the head in chunks; returns the message size, raised to fit the framing. */
  private frameChunks(c: Conn, size: number): number {
    const m = c.msg[1];
    const bodyAt = m.head.length;
    let body = Math.max(size - bodyAt, CHUNK_END.length);
    for (;;) {
      const rest = body - CHUNK_END.length;
      const units = Math.floor(rest / CHUNK_UNIT);
      const rem = rest - units * CHUNK_UNIT;
      let last = rem === 0 ? 0 : -1;
      // The last chunk: its size in hex, CRLF, the data, CRLF.
      for (let h = 1; h <= 4 && last < 0; h++) {
        const m = rem - 4 - h;
        if (m >= 1 && m.toString(16).length === h) last = m;
      }
      if (last >= 0) {
        m.framing = FRAMING_CHUNKED;
        m.bodyAt = bodyAt;
        m.units = units;
        m.last = last;
        m.lastHead = last > 0 ? `${last.toString(16)}\r\n` : "";
        return bodyAt + body;
      }
      body++;
    }
  }

  /** The body after the head in TLS application-data records; returns the message size. */
  private frameRecords(c: Conn, dir: number, size: number): number {
    const m = msgOf(c, dir);
    const bodyAt = m.head.length;
    let body = Math.max(size - bodyAt, 6);
    const units = Math.floor(body / RECORD_UNIT);
    let rem = body - units * RECORD_UNIT;
    if (rem > 0 && rem < 6) {
      body += 6 - rem;
      rem = 6;
    }
    m.framing = FRAMING_TLS;
    m.bodyAt = bodyAt;
    m.units = units;
    m.last = rem > 0 ? rem - 5 : 0;
    m.lastHead = rem > 0 ? tlsRecordHead(rem - 5) : "";
    return bodyAt + body;
  }

  /** Where a connection's handshake takes its random bytes from in the noise block. */
  private helloNoise(c: Conn): number {
    return mix32((c.id ^ this.salt ^ 0x5bd1e995) >>> 0) & 0x7fff;
  }

  /** A TLS 1.3 ClientHello record, padded to CLIENT_HELLO_LEN bytes, as Latin-1. */
  private clientHello(c: Conn): string {
    const w = this.hello;
    const r = this.helloNoise(c);
    w.pos = 0;
    w.u8(0x16);
    w.u16(0x0301);
    const rec = w.hole(2);
    w.u8(0x01); // ClientHello
    const hs = w.hole(3);
    w.u16(0x0303);
    w.noise(this.noise, r, 32); // random
    w.u8(32);
    w.noise(this.noise, r + 32, 32); // legacy_session_id
    w.u16(2 * CIPHER_SUITES.length);
    for (const suite of CIPHER_SUITES) w.u16(suite);
    w.u16(0x0100); // compression: null only
    const exts = w.hole(2);
    const name = `svc${c.server}.example.com`;
    w.u16(0x0000); // server_name
    w.u16(name.length + 5);
    w.u16(name.length + 3);
    w.u8(0); // host_name
    w.u16(name.length);
    w.text(name);
    w.u16(0x000a); // supported_groups: x25519, secp256r1, secp384r1
    w.u16(8);
    w.u16(6);
    w.u16(0x001d);
    w.u16(0x0017);
    w.u16(0x0018);
    w.u16(0x000d); // signature_algorithms
    w.u16(2 + 2 * SIGNATURE_ALGORITHMS.length);
    w.u16(2 * SIGNATURE_ALGORITHMS.length);
    for (const alg of SIGNATURE_ALGORITHMS) w.u16(alg);
    w.u16(0x0010); // ALPN: h2, http/1.1
    w.u16(14);
    w.u16(12);
    w.u8(2);
    w.text("h2");
    w.u8(8);
    w.text("http/1.1");
    w.u16(0x002b); // supported_versions: TLS 1.3, TLS 1.2
    w.u16(5);
    w.u8(4);
    w.u16(0x0304);
    w.u16(0x0303);
    w.u16(0x002d); // psk_key_exchange_modes: psk_dhe_ke
    w.u16(2);
    w.u16(0x0101);
    w.u16(0x0033); // key_share: x25519
    w.u16(38);
    w.u16(36);
    w.u16(0x001d);
    w.u16(32);
    w.noise(this.noise, r + 64, 32);
    const pad = CLIENT_HELLO_LEN - w.pos - 4;
    if (pad >= 0) {
      w.u16(0x0015); // padding
      w.u16(pad);
      w.zeros(pad);
    }
    w.close(exts, 2);
    w.close(hs, 3);
    w.close(rec, 2);
    return w.latin1();
  }

  /** A TLS 1.3 ServerHello record (TLS_AES_128_GCM_SHA256, x25519), as Latin-1. */
  private serverHello(c: Conn): string {
    const w = this.hello;
    const r = this.helloNoise(c);
    w.pos = 0;
    w.u8(0x16);
    w.u16(0x0303);
    const rec = w.hole(2);
    w.u8(0x02); // ServerHello
    const hs = w.hole(3);
    w.u16(0x0303);
    w.noise(this.noise, r + 96, 32); // random
    w.u8(32);
    w.noise(this.noise, r + 32, 32); // the client's legacy_session_id, echoed
    w.u16(0x1301);
    w.u8(0);
    const exts = w.hole(2);
    w.u16(0x002b); // supported_versions: TLS 1.3
    w.u16(2);
    w.u16(0x0304);
    w.u16(0x0033); // key_share
    w.u16(36);
    w.u16(0x001d);
    w.u16(32);
    w.noise(this.noise, r + 128, 32);
    w.close(exts, 2);
    w.close(hs, 3);
    w.close(rec, 2);
    return w.latin1();
  }

  /**
   * The `len` payload bytes at `seq` from `dir`, written at `p`: noise, with the message's head
   * and framing laid over it where the segment covers them.
   */
  private payload(c: Conn, dir: number, seq: number, p: number, len: number): void {
    const b = this.buf;
    const from = seq & 0x7fff;
    this.noise.copy(b, p, from, from + len);
    const m = msgOf(c, dir);
    const off = (seq - m.start) >>> 0;
    const head = m.head;
    if (off < head.length) {
      const n = Math.min(len, head.length - off);
      b.write(off === 0 ? head : head.slice(off), p, n, "latin1");
    }
    const framing = m.framing;
    if (framing === FRAMING_NONE) return;
    const bodyAt = m.bodyAt;
    const end = off + len;
    if (end <= bodyAt) return;
    const chunked = framing === FRAMING_CHUNKED;
    const unit = chunked ? CHUNK_UNIT : RECORD_UNIT;
    const unitHead = chunked ? CHUNK_HEAD : WHOLE_RECORD_HEAD;
    const units = m.units;
    let i = off > bodyAt ? Math.floor((off - bodyAt) / unit) : 0;
    for (; i < units && bodyAt + i * unit < end; i++) {
      const at = bodyAt + i * unit;
      put(b, p, off, len, at, unitHead);
      if (chunked) put(b, p, off, len, at + unit - 2, "\r\n");
    }
    const at = bodyAt + units * unit;
    if (i < units || at >= end) return;
    const last = m.last;
    const lastHead = m.lastHead;
    if (last > 0) put(b, p, off, len, at, lastHead);
    if (chunked) {
      const tail = last > 0 ? at + lastHead.length + last : at;
      if (last > 0) put(b, p, off, len, tail, "\r\n");
      put(b, p, off, len, last > 0 ? tail + 2 : tail, CHUNK_END);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Bytes

  private emit(c: Conn, code: number, len: number, aux: number, now: number): void {
    const dir = code & 1;
    const flags = code >>> 1;
    const peer = 1 - dir;
    const retx = aux === AUX_RETX;
    let seq = retx ? (c.lastSeq[dir] ?? 0) : (c.snd[dir] ?? 0);
    if (aux === AUX_REFUSE) seq = 0;
    const ack = (flags & ACK) !== 0 ? (c.snd[peer] ?? 0) : 0;
    this.writePacket(c, dir, flags, seq, ack, len, now);
    if (!retx) {
      c.lastSeq[dir] = seq;
      const advance = len + ((flags & SYN) !== 0 ? 1 : 0) + ((flags & FIN) !== 0 ? 1 : 0);
      c.snd[dir] = (seq + advance) >>> 0;
    }
  }

  private writePacket(
    c: Conn,
    dir: number,
    flags: number,
    seq: number,
    ack: number,
    len: number,
    now: number,
  ): void {
    let optLen = 0;
    if ((flags & SYN) !== 0) optLen = c.ts ? SYN_OPTIONS_TS_LEN : SYN_OPTIONS_NO_TS_LEN;
    else if ((flags & RST) === 0 && c.ts) optLen = TS_OPTIONS_LEN;
    const tcpLen = TCP_HEADER_LEN + optLen;
    const ipHeaderLen = c.v6 ? IPV6_HEADER_LEN : IPV4_HEADER_LEN;
    const frame = ETH_HEADER_LEN + ipHeaderLen + tcpLen + len;
    // Frames the capturing (client) host receives were padded to the Ethernet minimum.
    const capLen = dir === 1 && frame < ETH_MIN_FRAME ? ETH_MIN_FRAME : frame;
    if (this.pos + PCAP_RECORD_HEADER_LEN + capLen > this.buf.length) this.flush();
    const b = this.buf;
    const dv = this.dv;
    let p = this.pos;

    const sec = Math.floor(now / 1e6);
    dv.setUint32(p, EPOCH_SEC + sec, true);
    dv.setUint32(p + 4, now - sec * 1e6, true);
    dv.setUint32(p + 8, capLen, true);
    dv.setUint32(p + 12, capLen, true);
    p += PCAP_RECORD_HEADER_LEN;

    const dstMac = dir === 0 ? GATEWAY_MAC : CLIENT_MAC;
    const srcMac = dir === 0 ? CLIENT_MAC : GATEWAY_MAC;
    for (let i = 0; i < 6; i++) {
      b[p + i] = dstMac[i] ?? 0;
      b[p + 6 + i] = srcMac[i] ?? 0;
    }
    dv.setUint16(p + 12, c.v6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4);
    p += ETH_HEADER_LEN;

    const src = dir === 0 ? c.cAddr : c.sAddr;
    const dst = dir === 0 ? c.sAddr : c.cAddr;
    if (c.v6) {
      dv.setUint32(p, (0x60000000 | (c.flowLabel[dir] ?? 0)) >>> 0);
      dv.setUint16(p + 4, tcpLen + len);
      b[p + 6] = IPPROTO_TCP;
      b[p + 7] = dir === 0 ? 64 : 52;
      for (let i = 0; i < 4; i++) {
        dv.setUint32(p + 8 + 4 * i, src[i] ?? 0);
        dv.setUint32(p + 24 + 4 * i, dst[i] ?? 0);
      }
    } else {
      const id = c.ipId[dir] ?? 0;
      c.ipId[dir] = (id + 1) & 0xffff;
      dv.setUint32(p, (0x45000000 | (IPV4_HEADER_LEN + tcpLen + len)) >>> 0);
      dv.setUint32(p + 4, ((id << 16) | IPV4_DF) >>> 0);
      dv.setUint32(p + 8, ((dir === 0 ? 64 : 52) << 24) | (IPPROTO_TCP << 16)); // checksum 0 for now
      dv.setUint32(p + 12, src[3] ?? 0);
      dv.setUint32(p + 16, dst[3] ?? 0);
      let sum = 0;
      for (let i = 0; i < IPV4_HEADER_LEN; i += 2) sum += dv.getUint16(p + i);
      while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
      dv.setUint16(p + 10, ~sum & 0xffff);
    }
    p += ipHeaderLen;

    dv.setUint16(p, dir === 0 ? c.cPort : c.sPort);
    dv.setUint16(p + 2, dir === 0 ? c.sPort : c.cPort);
    dv.setUint32(p + 4, seq);
    dv.setUint32(p + 8, ack);
    b[p + 12] = (tcpLen / 4) << 4;
    b[p + 13] = flags;
    let window: number;
    if ((flags & RST) !== 0) window = 0;
    else if ((flags & SYN) !== 0) window = dir === 0 ? 64240 : 65160;
    else window = c.window[dir] ?? 0;
    dv.setUint16(p + 14, window);
    dv.setUint32(p + 16, 0); // checksum (left zero), urgent pointer
    p += TCP_HEADER_LEN;

    if (optLen > 0) {
      const tsVal = (c.tsBase[dir] ?? 0) + Math.floor(now / 1000);
      const tsEcr = (flags & SYN) !== 0 && dir === 0 ? 0 : (c.lastTsVal[1 - dir] ?? 0);
      c.lastTsVal[dir] = tsVal >>> 0;
      if ((flags & SYN) !== 0 && c.ts) {
        dv.setUint32(p, 0x02040000 | c.mss); // MSS
        dv.setUint16(p + 4, 0x0402); // SACK permitted
        dv.setUint16(p + 6, 0x080a); // timestamps
        dv.setUint32(p + 8, tsVal >>> 0);
        dv.setUint32(p + 12, tsEcr);
        dv.setUint32(p + 16, 0x01030300 | WINDOW_SCALE); // NOP, window scale
      } else if ((flags & SYN) !== 0) {
        dv.setUint32(p, 0x02040000 | c.mss); // MSS
        dv.setUint32(p + 4, 0x01030300 | WINDOW_SCALE); // NOP, window scale
        dv.setUint32(p + 8, 0x01010402); // NOP, NOP, SACK permitted
      } else {
        dv.setUint32(p, 0x0101080a); // NOP, NOP, timestamps
        dv.setUint32(p + 4, tsVal >>> 0);
        dv.setUint32(p + 8, tsEcr);
      }
      p += optLen;
    }

    if (len > 0) {
      this.payload(c, dir, seq, p, len);
      p += len;
    }
    if (capLen > frame) {
      b.fill(0, p, p + capLen - frame);
      p += capLen - frame;
    }

    const wrote = PCAP_RECORD_HEADER_LEN + capLen;
    this.pos = p;
    const s = this.stats;
    s.packets++;
    s.bytes += wrote;
    s.tcpPayloadBytes += len;
    const dec = wrote < c.remaining ? wrote : c.remaining;
    c.remaining -= dec;
    this.outstanding -= dec;
  }

  private writeFileHeader(): void {
    const dv = this.dv;
    dv.setUint32(0, PCAP_MAGIC_USEC, true);
    dv.setUint16(4, 2, true);
    dv.setUint16(6, 4, true);
    dv.setUint32(8, 0, true); // thiszone
    dv.setUint32(12, 0, true); // sigfigs
    dv.setUint32(16, PCAP_SNAPLEN, true);
    dv.setUint32(20, LINKTYPE_ETHERNET, true);
    this.pos = PCAP_FILE_HEADER_LEN;
    this.stats.bytes += PCAP_FILE_HEADER_LEN;
  }

  private flush(): void {
    let off = 0;
    while (off < this.pos) off += writeSync(this.fd, this.buf, off, this.pos - off);
    this.written += this.pos;
    this.pos = 0;
  }
}

/**
 * Writes the capture to `options.path` (replacing it) and says what is in it. Deterministic:
 * the same options write the same bytes.
 */
export function generateCapture(options: SynthOptions): SynthStats {
  if (options.shape === "mixed" && !(options.targetBytes > 0)) {
    throw new Error("the mixed shape needs a target size");
  }
  const fd = openSync(options.path, "w");
  try {
    return new Synth(fd, options).run();
  } finally {
    closeSync(fd);
  }
}

const SIZE_UNITS: Record<string, number> = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };

/** "100M", "1G", "1.5G", "4096": binary units (1G = 2^30 bytes). */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([KMG]?)(?:i?B)?$/i.exec(text.trim());
  const unit = SIZE_UNITS[(m?.[2] ?? "").toUpperCase()];
  if (m === null || unit === undefined) throw new Error(`not a size: ${text}`);
  return Math.round(Number(m[1]) * unit);
}

const COUNT_UNITS: Record<string, number> = { "": 1, K: 1e3, M: 1e6 };

/** "50k", "1M", "20000": decimal units. */
export function parseCount(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([KM]?)$/i.exec(text.trim());
  const unit = COUNT_UNITS[(m?.[2] ?? "").toUpperCase()];
  if (m === null || unit === undefined) throw new Error(`not a count: ${text}`);
  return Math.round(Number(m[1]) * unit);
}

/**
 * The generator's command line. Writes to FILE.partial, then renames, and leaves FILE.json with
 * the options and stats, so a cached file is known to be complete.
 */
function main(argv: string[]): void {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: "string" },
      bytes: { type: "string" },
      seed: { type: "string", default: "1" },
      shape: { type: "string", default: "mixed" },
      connections: { type: "string" },
      concurrency: { type: "string" },
      ipv6: { type: "string" },
    },
  });
  if (values.out === undefined) throw new Error("--out FILE is required");
  if (values.shape !== "mixed" && values.shape !== "short") {
    throw new Error(`--shape is mixed or short, not ${values.shape}`);
  }
  const options: SynthOptions = {
    path: `${values.out}.partial`,
    shape: values.shape,
    targetBytes:
      values.bytes !== undefined
        ? parseSize(values.bytes)
        : values.shape === "short"
          ? 0
          : parseSize("1G"),
    seed: Number(values.seed) >>> 0,
    connections: values.connections === undefined ? undefined : parseCount(values.connections),
    concurrency: values.concurrency === undefined ? undefined : parseCount(values.concurrency),
    ipv6Share: values.ipv6 === undefined ? undefined : Number(values.ipv6),
  };
  const t0 = process.hrtime.bigint();
  const stats = generateCapture(options);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  renameSync(options.path, values.out);
  const meta = { options: { ...options, path: values.out }, stats, seconds };
  writeFileSync(`${values.out}.json`, `${JSON.stringify(meta, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(meta)}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2));
}
