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

function convert(value: unknown, key: string, baseSec: number): unknown {
  if (key.endsWith("At")) {
    if (typeof value === "number") return value < 0 ? null : seconds(baseSec, value);
    if (value !== null && typeof value === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value))
        out[k] = typeof v === "number" && v >= 0 ? seconds(baseSec, v) : null;
      return out;
    }
  }
  if (key.endsWith("Frame") && typeof value === "number") return value === 0 ? null : value;
  if (Array.isArray(value)) return value.map((v) => convert(v, "", baseSec));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = convert(v, k, baseSec);
    return out;
  }
  return value;
}

/** The context of a flow with epoch times; `baseSec` is the capture's base second. */
export function appResult(app: AppContext, baseSec: number): AppResult {
  return convert(app, "", baseSec) as AppResult;
}
