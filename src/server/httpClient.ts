// A lean HttpClient for the common case: small string/bytes bodies over node:http(s) with a
// per-client keep-alive agent. The generated layer still builds every call; this only moves
// bytes, and hands anything unusual (streams, Blob, multipart, proxies, TLS, progress,
// streamed responses) to the Azure default client. Being node:http, nock intercepts it.
//
// Hostile servers (issue 13): response bodies are capped before and after decompression, an
// error body is cut rather than refused, and nothing here throws from an event handler: every
// failure settles the one promise of the call.
import { RestError, createDefaultHttpClient, createHttpHeaders, type HttpClient, type PipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";
import { WebPubSubError, loadBuiltinModule } from "../core/index.js";

type NodeHttp = typeof import("node:http");
type NodeZlib = typeof import("node:zlib");
type Agent = import("node:http").Agent;
type IncomingMessage = import("node:http").IncomingMessage;

/** Largest successful response body accepted, after decompression. Service answers are a few KiB. */
export const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
/** Error bodies are kept up to this size and cut there: enough for any service error, small enough for a message. */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;

/** An HttpClient whose sockets can be released. */
export interface DisposableHttpClient extends HttpClient {
  dispose(): void;
}

function isSimple(request: PipelineRequest): boolean {
  const body = request.body;
  return (
    (body === undefined || body === null || typeof body === "string" || body instanceof Uint8Array) &&
    request.multipartBody === undefined &&
    request.formData === undefined &&
    request.streamResponseStatusCodes === undefined &&
    request.proxySettings === undefined &&
    request.tlsSettings === undefined &&
    request.agent === undefined &&
    request.onUploadProgress === undefined &&
    request.onDownloadProgress === undefined &&
    !request.disableKeepAlive
  );
}

function abortError(): Error {
  const error = new Error("The operation was aborted.");
  error.name = "AbortError";
  return error;
}

function tooLarge(limit: number, what: string): WebPubSubError {
  return new WebPubSubError("WPS_ERR_RESPONSE_TOO_LARGE", `the service's response ${what} is larger than ${limit} bytes; refused`);
}

/** Host, port and path of a URL, split by hand: `new URL` per request costs more than the rest of this. */
interface Target {
  secure: boolean;
  hostname: string;
  port: string;
  path: string;
}

const origins = new Map<string, Omit<Target, "path">>();
let lastOrigin = "";
let lastParts: Omit<Target, "path"> | undefined;

function splitUrl(url: string): Target {
  const slash = url.indexOf("/", url.indexOf("//") + 2);
  const hash = url.indexOf("#");
  const origin = slash < 0 ? url : url.slice(0, slash);
  const path = slash < 0 ? "/" : hash < 0 ? url.slice(slash) : url.slice(slash, hash);
  // A client talks to one origin: remember the last one, and a bounded few others.
  let parts = origin === lastOrigin ? lastParts : origins.get(origin);
  if (parts === undefined) {
    const parsed = new URL(origin);
    parts = { secure: parsed.protocol === "https:", hostname: parsed.hostname.replace(/^\[|\]$/g, ""), port: parsed.port };
    if (origins.size > 64) origins.clear();
    origins.set(origin, parts);
  }
  lastOrigin = origin;
  lastParts = parts;
  return { secure: parts.secure, hostname: parts.hostname, port: parts.port, path };
}

type ClientRequest = import("node:http").ClientRequest;
type Settle = (response: PipelineResponse | Error) => void;

/**
 * One request/response exchange. A class rather than a nest of closures: a call allocates one
 * object and one bound abort listener, and the event handlers are thin arrows into its methods.
 */
class Exchange {
  #settled = false;
  #req: ClientRequest | undefined;
  #chunks: Buffer[] = [];
  #size = 0;
  #cut = false;
  #limit = MAX_RESPONSE_BYTES;
  #failed = false;
  readonly #onAbort = this.abort.bind(this);

  constructor(
    readonly request: PipelineRequest,
    private readonly done: Settle,
    private readonly decode: (raw: Buffer, encoding: string | undefined, limit: number) => Buffer,
  ) {}

  start(req: ClientRequest, body: string | Uint8Array | undefined): void {
    this.#req = req;
    this.request.abortSignal?.addEventListener("abort", this.#onAbort, { once: true });
    req.on("error", (err: Error & { code?: string }) => {
      this.settle(err.name === "AbortError" ? err : new RestError(err.message, { code: err.code ?? RestError.REQUEST_SEND_ERROR, request: this.request }));
    });
    req.on("response", (res: IncomingMessage) => this.onResponse(res));
    req.end(body);
  }

  /** The abort signal fired. */
  abort(): void {
    this.#req?.destroy();
    this.settle(abortError());
  }

  settle(outcome: PipelineResponse | Error): void {
    if (this.#settled) return;
    this.#settled = true;
    this.request.abortSignal?.removeEventListener("abort", this.#onAbort);
    this.done(outcome);
  }

  onResponse(res: IncomingMessage): void {
    const status = res.statusCode ?? 0;
    this.#failed = status >= 400;
    // An error body is only read for its message: keep the start and cut the rest.
    this.#limit = this.#failed ? MAX_ERROR_BODY_BYTES : MAX_RESPONSE_BYTES;
    res.on("data", (chunk: Buffer) => this.onData(chunk, res));
    res.on("error", (err: Error & { code?: string }) => this.settle(new RestError(err.message, { code: err.code ?? RestError.REQUEST_SEND_ERROR, request: this.request })));
    // A reset mid-body ends as "aborted" + "close" without "end" on some Node versions.
    res.on("close", () => {
      if (!res.complete && !this.#cut) this.settle(new RestError("the connection closed before the response ended", { code: "ECONNRESET", request: this.request }));
    });
    res.on("end", () => {
      if (!this.#cut) this.finish(res);
    });
  }

  onData(chunk: Buffer, res: IncomingMessage): void {
    if (this.#cut) return;
    this.#size += chunk.length;
    if (this.#size <= this.#limit) {
      this.#chunks.push(chunk);
      return;
    }
    if (!this.#failed) {
      this.#req?.destroy();
      this.settle(tooLarge(this.#limit, "body"));
      return;
    }
    // Keep the first `limit` bytes of an error body, answer with them, drop the connection.
    this.#chunks.push(chunk.subarray(0, chunk.length - (this.#size - this.#limit)));
    this.#cut = true;
    this.finish(res);
    this.#req?.destroy();
  }

  finish(res: IncomingMessage): void {
    const request = this.request;
    try {
      const responseHeaders = createHttpHeaders();
      const raw = res.headers;
      for (const name in raw) {
        const value = raw[name];
        if (value !== undefined) responseHeaders.set(name, Array.isArray(value) ? value.join(", ") : value);
      }
      const chunks = this.#chunks;
      let bytes = chunks.length === 0 ? undefined : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      const encoding = raw["content-encoding"];
      if (bytes !== undefined && encoding !== undefined && encoding !== "identity") {
        try {
          bytes = this.decode(bytes, encoding, this.#limit);
        } catch (e) {
          if ((e as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") {
            if (!this.#failed) return this.settle(tooLarge(this.#limit, "body, decompressed,"));
            bytes = undefined; // an error body we cannot read: the status still tells the story
          } else if (!this.#cut) {
            return this.settle(new RestError("could not decompress the response", { code: RestError.PARSE_ERROR, request }));
          } else bytes = undefined;
        }
        responseHeaders.delete("content-encoding");
      }
      const response: PipelineResponse = { request, status: res.statusCode ?? 0, headers: responseHeaders };
      if (bytes !== undefined && bytes.length > 0 && request.method !== "HEAD") response.bodyAsText = bytes.toString("utf8");
      this.settle(response);
    } catch (e) {
      this.settle(new RestError(`could not read the response: ${(e as Error).message}`, { code: RestError.PARSE_ERROR, request }));
    }
  }
}

/** Creates the client, or undefined where node:http is missing (the Azure default is used then). */
export function createLeanHttpClient(): DisposableHttpClient | undefined {
  const maybeHttp = loadBuiltinModule<NodeHttp>("node:http");
  const maybeHttps = loadBuiltinModule<typeof import("node:https")>("node:https");
  const maybeZlib = loadBuiltinModule<NodeZlib>("node:zlib");
  if (!maybeHttp || !maybeHttps || !maybeZlib) return undefined;
  const http = maybeHttp;
  const https = maybeHttps;
  const zlib = maybeZlib;
  let fallback: HttpClient | undefined;
  const agents: { http?: Agent; https?: Agent } = {};

  function decode(raw: Buffer, encoding: string | undefined, limit: number): Buffer {
    // maxOutputLength makes zlib stop (RangeError) instead of inflating a bomb into memory.
    if (encoding === "gzip") return zlib.gunzipSync(raw, { maxOutputLength: limit });
    if (encoding === "deflate") return zlib.inflateSync(raw, { maxOutputLength: limit });
    if (encoding === "br") return zlib.brotliDecompressSync(raw, { maxOutputLength: limit });
    return raw;
  }

  function send(request: PipelineRequest): Promise<PipelineResponse> {
    if (request.abortSignal?.aborted) return Promise.reject(abortError());
    let target: Target;
    try {
      target = splitUrl(request.url);
    } catch {
      return Promise.reject(new RestError("invalid request URL", { code: RestError.REQUEST_SEND_ERROR, request }));
    }
    const agent = target.secure ? (agents.https ??= new https.Agent({ keepAlive: true })) : (agents.http ??= new http.Agent({ keepAlive: true }));
    const headers = request.headers.toJSON({ preserveCase: true });
    const body = (request.body ?? undefined) as string | Uint8Array | undefined;
    if (body !== undefined) headers["content-length"] = String(typeof body === "string" ? Buffer.byteLength(body) : body.byteLength);
    return new Promise<PipelineResponse>((resolve, reject) => {
      const exchange = new Exchange(request, (outcome) => (outcome instanceof Error ? reject(outcome) : resolve(outcome)), decode);
      exchange.start((target.secure ? https : http).request({ hostname: target.hostname, port: target.port, path: target.path, method: request.method, headers, agent }), body);
    });
  }

  return {
    sendRequest(request) {
      if (isSimple(request)) return send(request);
      return (fallback ??= createDefaultHttpClient()).sendRequest(request);
    },
    dispose() {
      agents.http?.destroy();
      agents.https?.destroy();
      delete agents.http;
      delete agents.https;
    },
  };
}
