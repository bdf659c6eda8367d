// The default lean transport (issue 14): undici's Agent, driven through its low-level
// `dispatch()` handler, so a call builds no streams, no Response object and no header copies it
// does not need. Measured against bare `undici.request()` and bare `node:http` in `npm run bench`.
// The caps, the error-body cut and decompression are responseBody.ts's, shared with the
// node:http transport; errors carry the codes node:http would give, so core's retry policy
// treats a reset or a refused connection the same on either transport.
import { RestError, type PipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";
import type { Dispatcher } from "undici";
import { BodyCollector, SettleOnce, abortError, buildResponse, tooLarge, type Decode } from "./responseBody.js";

type Undici = typeof import("undici");

/** undici's error codes, as the node:http code for the same event (the retry policy reads these). */
const NODE_CODES: Record<string, string> = {
  UND_ERR_SOCKET: "ECONNRESET",
  UND_ERR_CONNECT_TIMEOUT: "ETIMEDOUT",
  UND_ERR_CLOSED: "ECONNRESET",
  UND_ERR_DESTROYED: "ECONNRESET",
};

/** One exchange as an undici dispatch handler: one object per call, no closures per event. */
// The handler uses undici's classic callbacks (onConnect/onHeaders/onData/onComplete/onError):
// undici 6 knows only these and undici 7 still accepts them, so the dependency range can stay on
// the line that supports every Node 20 release.
class UndiciExchange extends SettleOnce implements Dispatcher.DispatchHandlers {
  #abortRequest: ((err?: Error) => void) | undefined;
  #status = 0;
  #headers: Record<string, string | string[] | undefined> = {};
  #body: BodyCollector | undefined;

  /** The abort signal fired: end the call now, and the request as soon as undici hands it over. */
  abort(): void {
    this.settle(abortError());
    this.#abortRequest?.(abortError());
  }

  onConnect(abort: (err?: Error) => void): void {
    this.#abortRequest = abort;
    if (this.settled) abort(abortError()); // aborted while queued
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    if (statusCode < 200) return true; // 1xx: the real answer follows
    this.#status = statusCode;
    this.#headers = headerRecord(rawHeaders);
    this.#body = new BodyCollector(statusCode);
    return true;
  }

  onData(chunk: Buffer): boolean {
    const body = this.#body;
    if (body === undefined || this.settled) return true;
    const verdict = body.add(chunk);
    if (verdict === "more") return true;
    if (verdict === "refuse") {
      this.settle(tooLarge(body.limit, "body"));
    } else {
      // Keep the first `limit` bytes of an error body, answer with them, drop the connection.
      this.settle(buildResponse(this.request, this.#status, this.#headers, body, this.decode));
    }
    this.#abortRequest?.(abortError());
    return false;
  }

  onComplete(): void {
    if (this.#body === undefined) this.#body = new BodyCollector(this.#status);
    this.settle(buildResponse(this.request, this.#status, this.#headers, this.#body, this.decode));
  }

  onError(error: Error & { code?: string }): void {
    if (this.settled) return;
    if (error.name === "AbortError") return this.settle(error);
    const code = (error.code !== undefined && NODE_CODES[error.code]) || error.code || RestError.REQUEST_SEND_ERROR;
    this.settle(new RestError(error.message, { code, request: this.request }));
  }
}

// undici hands the classic handler raw [name, value, name, value, …] buffers: names lower-cased,
// a repeated header (set-cookie) becomes an array, as node:http and undici 7 report them.
function headerRecord(raw: Buffer[]): Record<string, string | string[] | undefined> {
  const headers: Record<string, string | string[] | undefined> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toString("latin1").toLowerCase();
    const value = raw[i + 1]!.toString("latin1");
    const seen = headers[name];
    headers[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return headers;
}

/** A transport over one undici Agent (per service client, so close() releases its sockets). */
export interface UndiciTransport {
  /** Sends `request` to `origin` (scheme, host and port) + `path`. */
  send(request: PipelineRequest, origin: string, path: string, body: string | Uint8Array | undefined): Promise<PipelineResponse>;
  dispose(): void;
}

/** Creates the transport over a loaded undici module. */
export function createUndiciTransport(undici: Undici, decode: Decode): UndiciTransport {
  // No header or body timeout of undici's own: like the node:http transport, a call is bounded by
  // its abort signal and requestOptions.timeout (a total deadline, deadlinePolicy), nothing else.
  let agent: Dispatcher | undefined;
  return {
    send(request, origin, path, body) {
      if (request.abortSignal?.aborted) return Promise.reject(abortError());
      const headers = request.headers.toJSON({ preserveCase: true });
      return new Promise<PipelineResponse>((resolve, reject) => {
        const exchange = new UndiciExchange(request, (outcome) => (outcome instanceof Error ? reject(outcome) : resolve(outcome)), decode);
        try {
          (agent ??= new undici.Agent({ headersTimeout: 0, bodyTimeout: 0 })).dispatch({ origin, path, method: request.method as Dispatcher.HttpMethod, headers, body: body ?? null }, exchange);
        } catch (error) {
          exchange.settle(error as Error);
        }
      });
    },
    dispose() {
      const closing = agent;
      agent = undefined;
      closing?.destroy().catch(() => {});
    },
  };
}
