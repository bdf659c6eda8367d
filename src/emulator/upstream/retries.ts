// Event delivery retries (docs/protocol.md#retries): 408, 5xx and network errors are retried
// after each delay in turn; 4xx (429 included), timeouts and over-large replies are final.
import type { Attempt, ExchangeRequest, HttpExchange } from "./http.js";

/** What to retry and how long each request may take. */
export interface RetryPolicy {
  /** Waits before each retry; its length is the number of retries. */
  delaysMs: readonly number[];
  /** Largest reply body read. */
  maxReplyBytes: number;
  now: () => number;
}

/** True for an attempt worth repeating. */
export function isRetryable(attempt: Attempt): boolean {
  if (attempt.kind === "response") return attempt.status === 408 || attempt.status >= 500;
  return attempt.reason === "network";
}

/** Sends `request` to `url`, retrying per `policy`; logs each attempt as `label -> POST url: outcome`. */
export async function sendWithRetries(
  http: HttpExchange,
  url: string,
  shownUrl: string,
  request: ExchangeRequest,
  timeoutMs: number,
  policy: RetryPolicy,
  log: (line: string) => void,
  label: string,
): Promise<Attempt> {
  const started = policy.now();
  for (let retry = 0; ; retry++) {
    const attempt = await http.send(url, request, timeoutMs, policy.maxReplyBytes);
    const delay = policy.delaysMs[retry];
    const outcome = attempt.kind === "response" ? `${attempt.status}` : `${attempt.reason} error (${attempt.message})`;
    if (!isRetryable(attempt) || delay === undefined) {
      const tries = retry > 0 ? ` after ${retry + 1} attempts` : "";
      log(`${label} -> ${request.method} ${shownUrl}: ${outcome}${tries} (${Math.max(0, policy.now() - started)} ms)`);
      return attempt;
    }
    log(`${label} -> ${request.method} ${shownUrl}: ${outcome}, retrying in ${delay} ms`);
    if (!(await http.sleep(delay))) return { kind: "error", reason: "closed", message: "dispatcher closed" };
  }
}
