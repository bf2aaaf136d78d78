/**
 * A flow's payload context (flow/app-context.ts) as the public result gives it (`app` of a flow
 * in the teardown/1 JSON): the same fields in the same order, with times as epoch seconds
 * (rounded to the nanosecond, like every flow time) and "not seen" as null instead of -1 or
 * frame 0. One rule converts every field by its name, so a field added to the context reaches
 * the JSON without a second list to keep in step:
 * - a key ending in `At` is a relative time (-1: not seen), or an object of them by side;
 * - a key ending in `Frame` is a frame number (0: not seen).
 */
import type { AppContext, HttpContext, HttpExchange, TlsContext } from "../flow/index.js";
import { seconds } from "./seconds.js";

/** `T` with its times and frames nullable (see the module comment). */
type Resulting<T> = {
  readonly [K in keyof T]: K extends `${string}At`
    ? T[K] extends number
      ? number | null
      : { readonly [S in keyof T[K]]: number | null }
    : K extends `${string}Frame`
      ? number | null
      : T[K];
};

export type HttpExchangeResult = Resulting<HttpExchange>;
export type TlsResult = Resulting<TlsContext>;
export interface HttpResult extends Omit<HttpContext, "exchanges"> {
  readonly exchanges: readonly HttpExchangeResult[];
}
export interface AppResult {
  readonly protocol: AppContext["protocol"];
  readonly http?: HttpResult;
  readonly tls?: TlsResult;
}

/** How a context field's value is given: as it is, as an epoch time, or as a frame number. */
export const APP_PLAIN = 0;
export const APP_TIME = 1;
export const APP_FRAME = 2;
export type AppFieldKind = typeof APP_PLAIN | typeof APP_TIME | typeof APP_FRAME;

const fieldKinds = new Map<string, AppFieldKind>();

/** The kind of a context field by its name (see the module comment); memoised, as names repeat. */
export function appFieldKind(key: string): AppFieldKind {
  let kind = fieldKinds.get(key);
  if (kind === undefined) {
    kind = key.endsWith("At") ? APP_TIME : key.endsWith("Frame") ? APP_FRAME : APP_PLAIN;
    fieldKinds.set(key, kind);
  }
  return kind;
}

/**
 * A number of a context field of `kind` (or in an object of times under an `At` key) as the
 * result gives it: null for "not seen".
 */
export function appNumber(value: number, kind: AppFieldKind, baseSec: number): number | null {
  if (kind === APP_TIME) return value < 0 ? null : seconds(baseSec, value);
  if (kind === APP_FRAME) return value === 0 ? null : value;
  return value;
}

function convert(value: unknown, kind: AppFieldKind, baseSec: number): unknown {
  if (typeof value === "number") return appNumber(value, kind, baseSec);
  if (kind === APP_TIME && value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      out[k] = typeof v === "number" ? appNumber(v, APP_TIME, baseSec) : null;
    return out;
  }
  if (Array.isArray(value)) return value.map((v) => convert(v, APP_PLAIN, baseSec));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = convert(v, appFieldKind(k), baseSec);
    return out;
  }
  return value;
}

/** The context of a flow with epoch times; `baseSec` is the capture's base second. */
export function appResult(app: AppContext, baseSec: number): AppResult {
  return convert(app, APP_PLAIN, baseSec) as AppResult;
}
