// One HTTP exchange with an upstream handler: bounded in time (per attempt and by close())
// and in size (a reply larger than the message limit is cut off unread, issue 13 item 8).
import { WebPubSubError } from "../../core/index.js";

/** The result of one exchange; never thrown. */
export type Attempt =
  | { kind: "response"; status: number; headers: Headers; body: Uint8Array }
  | { kind: "error"; reason: AttemptFailure; message: string };

/** Why an exchange produced no usable answer. */
export type AttemptFailure = "network" | "timeout" | "closed" | "invalid" | "too-large";

/** A request to send: body as text or bytes. */
export interface ExchangeRequest {
  method: string;
  headers: Record<string, string>;
  body?: Uint8Array<ArrayBuffer> | string;
}

/** Sends requests with one fetch, all of them aborted by {@link HttpExchange.close}. */
export class HttpExchange {
  private readonly closing = new AbortController();

  constructor(private readonly fetchImpl: typeof fetch) {}

  /** True once close() ran: later requests fail at once with `closed`. */
  get closed(): boolean {
    return this.closing.signal.aborted;
  }

  /** Aborts in-flight requests and waits. */
  close(): void {
    this.closing.abort();
  }

  /**
   * One exchange, body included, bounded by `timeoutMs` and by close(). A body over
   * `maxBodyBytes` is abandoned as soon as it is known to be too large (from Content-Length,
   * or while streaming), so a huge reply costs at most the limit in memory.
   */
  async send(url: string, request: ExchangeRequest, timeoutMs: number, maxBodyBytes: number): Promise<Attempt> {
    if (this.closed) return closedAttempt();
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = AbortSignal.any([this.closing.signal, timeout]);
    try {
      const response = await this.fetchImpl(url, { ...request, signal });
      const body = await readCapped(response, maxBodyBytes);
      if (body === undefined) {
        return { kind: "error", reason: "too-large", message: `the reply is larger than the ${maxBodyBytes}-byte message limit` };
      }
      return { kind: "response", status: response.status, headers: response.headers, body };
    } catch (err) {
      if (this.closed) return closedAttempt();
      if (timeout.aborted) return { kind: "error", reason: "timeout", message: `no answer within ${timeoutMs} ms` };
      return { kind: "error", reason: "network", message: describeNetworkError(err) };
    }
  }

  /** Waits `ms`; resolves false when close() interrupts the wait. */
  sleep(ms: number): Promise<boolean> {
    const signal = this.closing.signal;
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = (): void => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        signal.removeEventListener("abort", onAbort);
        resolve(true);
      }, ms);
      timer.unref?.();
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }
}

function closedAttempt(): Attempt {
  return { kind: "error", reason: "closed", message: "dispatcher closed" };
}

/** The body, or undefined once it exceeds `limit` bytes (the rest is never read). */
async function readCapped(response: Response, limit: number): Promise<Uint8Array | undefined> {
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit) {
    await response.body?.cancel().catch(() => undefined);
    return undefined;
  }
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** Node's fetch only takes Latin-1 header values: send UTF-8 bytes, as a UTF-8 service would. */
export function toHeaderValue(name: string, value: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(value)) {
    throw new InvalidHeaderError(`${name} contains control characters and cannot be sent as a header`);
  }
  return Buffer.from(value, "utf8").toString("latin1");
}

/** A header value that cannot go on the wire; the event is not sent. Code `WPS_ERR_UPSTREAM`. */
export class InvalidHeaderError extends WebPubSubError {
  constructor(message: string) {
    super("WPS_ERR_UPSTREAM", message);
    this.name = "InvalidHeaderError";
  }
}

function describeNetworkError(err: unknown): string {
  // fetch wraps the socket error ("fetch failed"); its cause says what happened, e.g. ECONNREFUSED.
  const cause = err instanceof Error ? (err.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (cause && typeof cause.code === "string") return cause.code;
  if (cause && typeof cause.message === "string") return cause.message;
  return err instanceof Error ? err.message : String(err);
}
