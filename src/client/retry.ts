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
  const out = { ...defaults, ...definedOnly(given ?? {}) };
  const maxRetriesOk = out.maxRetries === Infinity || (Number.isInteger(out.maxRetries) && out.maxRetries >= 0);
  if (!maxRetriesOk) throw outOfRange(`${name}.maxRetries must be a non-negative integer, got ${out.maxRetries}`);
  for (const key of ["retryDelayInMs", "maxRetryDelayInMs"] as const) {
    if (!Number.isFinite(out[key]) || out[key] < 0) throw outOfRange(`${name}.${key} must be a non-negative number, got ${out[key]}`);
  }
  if (out.mode !== "Fixed" && out.mode !== "Exponential") throw outOfRange(`${name}.mode must be "Fixed" or "Exponential", got ${String(out.mode)}`);
  return out;
}

/** The delay before retry number `retry` (1-based), or undefined when retries are used up. */
export function retryDelay(options: ResolvedRetryOptions, retry: number): number | undefined {
  if (retry > options.maxRetries) return undefined;
  if (options.mode === "Fixed") return options.retryDelayInMs;
  // 2^(retry-1) grows past any cap long before it overflows; min() keeps the cap exact.
  return Math.min(options.retryDelayInMs * 2 ** Math.min(retry - 1, 52), options.maxRetryDelayInMs);
}

function definedOnly<T extends object>(value: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
