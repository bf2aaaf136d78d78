/**
 * The payload parsers teardown runs by default: HTTP/1.x (http-session.ts), the TLS handshake
 * (tls-session.ts), and h2c, of which only the connection preface is read.
 */
import type { AppSessionFactories } from "./app-context.js";
import { PrefaceSession } from "./app-sniffer.js";
import { HttpSession } from "./http-session.js";
import { TlsSession } from "./tls-session.js";

export const APP_SESSIONS: AppSessionFactories = {
  http: () => new HttpSession(),
  tls: () => new TlsSession(),
  h2c: () => new PrefaceSession(),
};
