// Pending requests waiting for the service's answer (acks by ackId, invocations by id).
import { VERBOSE, type WebPubSubErrorCode } from "../core/index.js";

// Every entry ends exactly once: answered, timed out, aborted, or settled in bulk when the
// connection is lost or the client stops, so no caller is ever left waiting.

/** The subset of AbortSignal this package reads (works with any AbortController). */
export interface AbortSignalLike {
  /** True once aborted. */
  readonly aborted: boolean;
  /** Registers the abort listener. */
  addEventListener(type: "abort", listener: () => void, options?: { once?: boolean }): void;
  /** Removes the abort listener. */
  removeEventListener(type: "abort", listener: () => void): void;
}

// `_` members are internal: the browser build shortens their names (scripts/browserBundle.mjs).
interface Entry<V> {
  _resolve(value: V): void;
  _reject(error: Error): void;
  _signal: AbortSignalLike | undefined;
  _onAbort: (() => void) | undefined;
  /** When the armed answer timeout ends (performance.now() ms); 0 when not armed. */
  _deadline: number;
  _timeoutMs: number;
}

/**
 * Builds the error request `key` fails with; `why` ends a sentence about the request
 * ("was aborted"). One function per tracker, so a request needs no closures of its own.
 */
export type RequestFailure<K> = (key: K, code: WebPubSubErrorCode, why: string, cause?: unknown) => Error;

/**
 * Requests keyed by id, each settled once. Answer timeouts share one timer, set for the
 * earliest deadline: with thousands of sends a second, a timer per send cost more than the
 * send. When it fires it fails what is due and sets itself for the next deadline; answers
 * arrive long before their deadline, so it rarely fires at all.
 */
export class PendingRequests<K, V> {
  readonly #entries = new Map<K, Entry<V>>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = 0;
  readonly #failure: RequestFailure<K>;

  /** @param failure - Builds the error of a request that is aborted, times out or is failed by {@link fail}. */
  constructor(failure: RequestFailure<K>) {
    this.#failure = failure;
  }

  /** Number of requests waiting. */
  get size(): number {
    return this.#entries.size;
  }

  /** True when `key` waits for an answer. */
  has(key: K): boolean {
    return this.#entries.has(key);
  }

  /**
   * Registers `key`; the promise settles on {@link resolve}, {@link reject}, {@link fail},
   * {@link rejectAll}, the timeout armed by {@link arm}, or `signal` (`WPS_ERR_ABORTED`).
   */
  add(key: K, signal?: AbortSignalLike): Promise<V> {
    return new Promise<V>((resolve, reject) => {
      const entry: Entry<V> = { _resolve: resolve, _reject: reject, _signal: signal, _onAbort: undefined, _deadline: 0, _timeoutMs: 0 };
      if (signal) {
        entry._onAbort = () => this.fail(key, "WPS_ERR_ABORTED", VERBOSE ? "was aborted" : "");
        signal.addEventListener("abort", entry._onAbort, { once: true });
      }
      this.#entries.set(key, entry);
    });
  }

  /** Starts (or restarts) the answer timeout of `key` (`WPS_ERR_ACK_TIMEOUT`), once its request is on the wire. */
  arm(key: K, timeoutMs: number): void {
    const entry = this.#entries.get(key);
    if (!entry || timeoutMs <= 0 || timeoutMs === Infinity) return;
    entry._deadline = performance.now() + timeoutMs;
    entry._timeoutMs = timeoutMs;
    if (this.#timer === undefined || entry._deadline < this.#timerAt) this.#schedule(entry._deadline);
  }

  /** Answers `key`; false when nothing waits for it (late or unknown answer). */
  resolve(key: K, value: V): boolean {
    const entry = this.#take(key);
    if (!entry) return false;
    entry._resolve(value);
    return true;
  }

  /** Fails `key`; false when nothing waits for it. */
  reject(key: K, error: Error): boolean {
    const entry = this.#take(key);
    if (!entry) return false;
    entry._reject(error);
    return true;
  }

  /** Fails `key` with the tracker's error for `code`; false when nothing waits for it. */
  fail(key: K, code: WebPubSubErrorCode, why: string, cause?: unknown): boolean {
    return this.#entries.has(key) && this.reject(key, this.#failure(key, code, why, cause));
  }

  /** Fails every waiting request, e.g. on connection loss or stop. */
  rejectAll(code: WebPubSubErrorCode, why: string): void {
    for (const key of [...this.#entries.keys()]) this.fail(key, code, why);
    this.#schedule(0);
  }

  #take(key: K): Entry<V> | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    if (entry._onAbort) entry._signal?.removeEventListener("abort", entry._onAbort);
    // The timer stays set when the last answer empties the tracker: sends come in waves, and
    // setting it again for every wave cost more than one firing that finds nothing due.
    return entry;
  }

  /** Sets the timer for `at` (performance.now() ms), or clears it for 0. */
  #schedule(at: number): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!at) return;
    this.#timerAt = at;
    this.#timer = setTimeout(() => this.#expire(), at - performance.now());
    // The socket keeps a process alive while it matters; a lone timer must not.
    (this.#timer as { unref?: () => void }).unref?.();
  }

  // Fails what is due (within a millisecond: timers may fire that much early) and sets the
  // timer for the next deadline, at least 10 ms on: each firing reads every entry, so
  // deadlines close together are failed together rather than in a firing each.
  #expire(): void {
    this.#timer = undefined;
    const now = performance.now() + 1;
    let next = Infinity;
    for (const [key, entry] of [...this.#entries]) {
      if (!entry._deadline) continue;
      if (entry._deadline <= now) this.fail(key, "WPS_ERR_ACK_TIMEOUT", VERBOSE ? `got no answer within ${entry._timeoutMs} ms` : "");
      else next = Math.min(next, entry._deadline);
    }
    if (next < Infinity && this.#entries.size) this.#schedule(Math.max(next, now + 10));
  }
}

/** Resolves after `ms`, or rejects with `onAbort()` as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignalLike | undefined, onAbort: () => Error): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(onAbort());
    const done = (): void => {
      signal?.removeEventListener("abort", aborted);
      resolve();
    };
    const aborted = (): void => {
      clearTimeout(timer);
      reject(onAbort());
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", aborted, { once: true });
  });
}
