// What both lean transports (node:http and undici) do with a response once its bytes are in:
// the size caps before and after decompression, the error-body cut, and the PipelineResponse.
// Kept in one place so the two transports cannot drift apart on a hostile server.
import { RestError, createHttpHeaders, type PipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";
import { WebPubSubError } from "../core/index.js";

/** Largest successful response body accepted, after decompression. Service answers are a few KiB. */
export const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
/** Error bodies are kept up to this size and cut there: enough for any service error, small enough for a message. */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;

/** Decompresses `raw` per `encoding`, throwing ERR_BUFFER_TOO_LARGE past `limit` bytes. */
export type Decode = (raw: Buffer, encoding: string, limit: number) => Buffer;

/** The error a call rejects with when its abort signal fires (the name core's policies look for). */
export function abortError(): Error {
  const error = new Error("The operation was aborted.");
  error.name = "AbortError";
  return error;
}

/** The error for a body over its cap. */
export function tooLarge(limit: number, what: string): WebPubSubError {
  return new WebPubSubError("WPS_ERR_RESPONSE_TOO_LARGE", `the service's response ${what} is larger than ${limit} bytes; refused`);
}

/** Collects a response body up to its cap: a success over the cap is refused, an error body is cut. */
export class BodyCollector {
  readonly chunks: Buffer[] = [];
  size = 0;
  /** True once an error body reached its cap: the rest is dropped and the connection with it. */
  cut = false;
  readonly failed: boolean;
  readonly limit: number;

  constructor(status: number) {
    this.failed = status >= 400;
    // An error body is only read for its message: keep the start and cut the rest.
    this.limit = this.failed ? MAX_ERROR_BODY_BYTES : MAX_RESPONSE_BYTES;
  }

  /** Takes a chunk: "more" to keep reading, "cut" when an error body is complete at its cap, "refuse" for a success over it. */
  add(chunk: Buffer): "more" | "cut" | "refuse" {
    if (this.cut) return "cut";
    this.size += chunk.length;
    if (this.size <= this.limit) {
      this.chunks.push(chunk);
      return "more";
    }
    if (!this.failed) return "refuse";
    this.chunks.push(chunk.subarray(0, chunk.length - (this.size - this.limit)));
    this.cut = true;
    return "cut";
  }
}

/**
 * The PipelineResponse for a complete (or cut) body, decompressed within the cap, or the error
 * that ends the call. `raw` is the response's header object (lower-case names).
 */
export function buildResponse(
  request: PipelineRequest,
  status: number,
  raw: Record<string, string | string[] | undefined>,
  body: BodyCollector,
  decode: Decode,
): PipelineResponse | Error {
  try {
    const headers = createHttpHeaders();
    for (const name in raw) {
      const value = raw[name];
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
    }
    const chunks = body.chunks;
    let bytes = chunks.length === 0 ? undefined : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    const encoding = raw["content-encoding"];
    if (bytes !== undefined && typeof encoding === "string" && encoding !== "identity") {
      try {
        bytes = decode(bytes, encoding, body.limit);
      } catch (e) {
        if ((e as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") {
          if (!body.failed) return tooLarge(body.limit, "body, decompressed,");
          bytes = undefined; // an error body we cannot read: the status still tells the story
        } else if (!body.cut) {
          return new RestError("could not decompress the response", { code: RestError.PARSE_ERROR, request });
        } else bytes = undefined;
      }
      headers.delete("content-encoding");
    }
    const response: PipelineResponse = { request, status, headers };
    if (bytes !== undefined && bytes.length > 0 && request.method !== "HEAD") response.bodyAsText = bytes.toString("utf8");
    return response;
  } catch (e) {
    return new RestError(`could not read the response: ${(e as Error).message}`, { code: RestError.PARSE_ERROR, request });
  }
}

/** How an exchange hands back its one outcome. */
export type Settle = (outcome: PipelineResponse | Error) => void;

/**
 * What both transports' exchanges share: the outcome is delivered once, and the caller's abort
 * signal ends the call (each transport then ends its request in `abort()`).
 */
export abstract class SettleOnce {
  #settled = false;
  readonly #onAbort = this.abort.bind(this);

  constructor(
    readonly request: PipelineRequest,
    private readonly done: Settle,
    protected readonly decode: Decode,
  ) {
    request.abortSignal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  /** True once the outcome was delivered. */
  protected get settled(): boolean {
    return this.#settled;
  }

  /** The abort signal fired: settle with an AbortError and end the request. */
  abstract abort(): void;

  /** Delivers `outcome` unless one was delivered already. */
  settle(outcome: PipelineResponse | Error): void {
    if (this.#settled) return;
    this.#settled = true;
    this.request.abortSignal?.removeEventListener("abort", this.#onAbort);
    this.done(outcome);
  }
}
