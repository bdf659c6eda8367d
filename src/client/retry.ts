// Retry delays for sends and reconnects, with the official client's options and defaults.
import { VERBOSE } from "../core/index.js";
import { COUNT, withDefaults, type Rule } from "./validate.js";

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

const DELAY: Rule = [(v) => Number.isFinite(v) && v >= 0, VERBOSE ? "a number >= 0" : "", 1];
const RULES: Record<keyof ResolvedRetryOptions, Rule> = {
  maxRetries: [(v) => v === Infinity || COUNT[0](v), VERBOSE ? "an integer >= 0 or Infinity" : "", 1],
  retryDelayInMs: DELAY,
  maxRetryDelayInMs: DELAY,
  mode: [(v) => v === "Fixed" || v === "Exponential", VERBOSE ? '"Fixed" or "Exponential"' : "", 1],
};

/** Fills in defaults and checks ranges; `name` goes into the error message. */
export function resolveRetryOptions(name: string, given: WebPubSubRetryOptions | undefined, defaults: ResolvedRetryOptions): ResolvedRetryOptions {
  return withDefaults(`${name}.`, given, defaults, RULES);
}

/** The delay before retry number `retry` (1-based), or undefined when retries are used up. */
export function retryDelay(options: ResolvedRetryOptions, retry: number): number | undefined {
  if (retry > options.maxRetries) return undefined;
  if (options.mode === "Fixed") return options.retryDelayInMs;
  // 2^(retry-1) grows past any cap long before it overflows; min() keeps the cap exact.
  return Math.min(options.retryDelayInMs * 2 ** Math.min(retry - 1, 52), options.maxRetryDelayInMs);
}
