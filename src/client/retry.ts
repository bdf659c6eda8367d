// Retry delays for sends and reconnects, with the official client's options and defaults.
import { outOfRange } from "../core/index.js";

/** How delays grow between attempts. */
export type RetryMode = "Exponential" | "Fixed";

/** Retry options of sends (`messageRetryOptions`) and reconnects (`reconnectRetryOptions`). */
export interface WebPubSubRetryOptions {
  /** Retries after the first attempt. Default 3 for sends, unlimited for reconnects. */
  maxRetries?: number;
  /** Delay before a retry (the first one, for `Exponential`). Default 1000. */
  retryDelayInMs?: number;
  /** Upper bound of an exponential delay. Default 30000. */
  maxRetryDelayInMs?: number;
  /** `Fixed` (default) or `Exponential`. */
  mode?: RetryMode;
}

/** Retry options with every field set. */
export type ResolvedRetryOptions = Required<WebPubSubRetryOptions>;

/** Fills in defaults and checks ranges; `name` goes into the error message. */
export function resolveRetryOptions(
  name: string,
  given: WebPubSubRetryOptions | undefined,
  defaults: ResolvedRetryOptions,
): ResolvedRetryOptions {
  const out = { ...defaults };
  for (const [key, value] of Object.entries(given ?? {})) if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  const check = (ok: boolean, field: keyof ResolvedRetryOptions, rule: string): void => {
    if (!ok) throw outOfRange(`${name}.${field} must be ${rule}, got ${String(out[field])}`);
  };
  check(out.maxRetries === Infinity || (Number.isInteger(out.maxRetries) && out.maxRetries >= 0), "maxRetries", "a non-negative integer");
  check(Number.isFinite(out.retryDelayInMs) && out.retryDelayInMs >= 0, "retryDelayInMs", "a non-negative number");
  check(Number.isFinite(out.maxRetryDelayInMs) && out.maxRetryDelayInMs >= 0, "maxRetryDelayInMs", "a non-negative number");
  check(out.mode === "Fixed" || out.mode === "Exponential", "mode", '"Fixed" or "Exponential"');
  return out;
}

/** The delay before retry number `retry` (1-based), or undefined when retries are used up. */
export function retryDelay(options: ResolvedRetryOptions, retry: number): number | undefined {
  if (retry > options.maxRetries) return undefined;
  if (options.mode === "Fixed") return options.retryDelayInMs;
  // 2^(retry-1) grows past any cap long before it overflows; min() keeps the cap exact.
  return Math.min(options.retryDelayInMs * 2 ** Math.min(retry - 1, 52), options.maxRetryDelayInMs);
}
