// A lean HttpClient for the common case: small string/bytes bodies with a per-client keep-alive
// pool. The generated layer still builds every call; this only moves bytes, and hands anything
// unusual (streams, Blob, multipart, proxies, TLS, progress, streamed responses) to the Azure
// default client.
//
// Two transports (issue 14, chosen by `npm run bench`): undici's dispatcher by default, and
// node:http whenever `http.request` is not Node's own, i.e. an interceptor such as nock or
// @mswjs/interceptors has replaced it: those see node:http requests only, and users' own tests
// mock this SDK with them. The check is per request, so nock.activate()/restore() take effect at once.
//
// Hostile servers (issue 13): response bodies are capped before and after decompression, an
// error body is cut rather than refused, and nothing here throws from an event handler: every
// failure settles the one promise of the call (responseBody.ts holds what both transports share).
import { RestError, createDefaultHttpClient, type HttpClient, type PipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";
import { loadBuiltinModule } from "../core/index.js";
import { BodyCollector, SettleOnce, abortError, buildResponse, tooLarge, type Decode } from "./responseBody.js";
import { createUndiciTransport, type UndiciTransport } from "./undiciTransport.js";

export { MAX_ERROR_BODY_BYTES, MAX_RESPONSE_BYTES } from "./responseBody.js";

type NodeHttp = typeof import("node:http");
type NodeZlib = typeof import("node:zlib");
type Agent = import("node:http").Agent;
type IncomingMessage = import("node:http").IncomingMessage;
type Undici = typeof import("undici");

/** An HttpClient whose sockets can be released. */
export interface DisposableHttpClient extends HttpClient {
  dispose(): void;
}

/** Which transport the lean client uses: "auto" (undici unless node:http is intercepted), or one forced (tests). */
export type LeanTransportMode = "auto" | "undici" | "node:http";

let mode: LeanTransportMode = "auto";

/** Forces a transport for every lean client in this process (tests run the hostile suites on both); returns the previous mode. */
export function setLeanTransportMode(next: LeanTransportMode): LeanTransportMode {
  const previous = mode;
  mode = next;
  return previous;
}

// undici is loaded on first use, not at import: token minting and code that never sends do not
// pay for it, and a runtime without it (or one whose "undici" is a partial shim) keeps node:http.
let undiciModule: Undici | undefined;
let undiciLoading: Promise<Undici | undefined> | undefined;
let undiciFailed = false;

/** Starts loading undici once; resolves to it, or undefined where it cannot be used. */
function loadUndici(): Promise<Undici | undefined> {
  return (undiciLoading ??= import("undici").then(
    (loaded) => {
      // CJS interop may put the module under `default`.
      const candidate = (typeof loaded.Agent === "function" ? loaded : (loaded as unknown as { default?: Undici }).default) as Undici | undefined;
      if (typeof candidate?.Agent !== "function" || typeof candidate.Agent.prototype.dispatch !== "function") {
        undiciFailed = true;
        return undefined;
      }
      return (undiciModule = candidate);
    },
    () => {
      undiciFailed = true;
      return undefined;
    },
  ));
}

/**
 * True while `fn` is Node's own `http.request`/`https.request`: Node's are plain JavaScript
 * functions that construct a ClientRequest; an interceptor's replacement (a Proxy, or a wrapper)
 * prints as native code or as its own source.
 */
function isNodeOwnRequest(fn: unknown): boolean {
  if (typeof fn !== "function") return false;
  let source: string;
  try {
    source = Function.prototype.toString.call(fn);
  } catch {
    return false;
  }
  return /^function request\(/.test(source) && /\bClientRequest\b/.test(source) && !source.includes("[native code]");
}

// The functions last checked and their verdict: per request the check is two identity
// comparisons, and the source is read again only when something swaps the functions.
let checkedHttp: unknown;
let checkedHttps: unknown;
let checkedVerdict = false;

function notIntercepted(http: NodeHttp, https: typeof import("node:https")): boolean {
  if (http.request !== checkedHttp || https.request !== checkedHttps) {
    checkedHttp = http.request;
    checkedHttps = https.request;
    checkedVerdict = isNodeOwnRequest(checkedHttp) && isNodeOwnRequest(checkedHttps);
  }
  return checkedVerdict;
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

/** Origin, host, port and path of a URL, split by hand: `new URL` per request costs more than the rest of this. */
interface Target {
  /** Scheme, host and port as the URL spells them (undici's `origin`). */
  origin: string;
  secure: boolean;
  hostname: string;
  port: string;
  path: string;
}

type Parts = Omit<Target, "path" | "origin">;
const origins = new Map<string, Parts>();
let lastOrigin = "";
let lastParts: Parts | undefined;

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
  return { origin, secure: parts.secure, hostname: parts.hostname, port: parts.port, path };
}

type ClientRequest = import("node:http").ClientRequest;
/**
 * One request/response exchange. A class rather than a nest of closures: a call allocates one
 * object and one bound abort listener, and the event handlers are thin arrows into its methods.
 */
class Exchange extends SettleOnce {
  #req: ClientRequest | undefined;
  #body: BodyCollector | undefined;

  start(req: ClientRequest, body: string | Uint8Array | undefined): void {
    this.#req = req;
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

  onResponse(res: IncomingMessage): void {
    const body = (this.#body = new BodyCollector(res.statusCode ?? 0));
    res.on("data", (chunk: Buffer) => this.onData(chunk, res));
    res.on("error", (err: Error & { code?: string }) => this.settle(new RestError(err.message, { code: err.code ?? RestError.REQUEST_SEND_ERROR, request: this.request })));
    // A reset mid-body ends as "aborted" + "close" without "end" on some Node versions.
    res.on("close", () => {
      if (!res.complete && !body.cut) this.settle(new RestError("the connection closed before the response ended", { code: "ECONNRESET", request: this.request }));
    });
    res.on("end", () => {
      if (!body.cut) this.finish(res);
    });
  }

  onData(chunk: Buffer, res: IncomingMessage): void {
    const body = this.#body!;
    if (body.cut) return;
    const verdict = body.add(chunk);
    if (verdict === "more") return;
    if (verdict === "refuse") {
      this.#req?.destroy();
      this.settle(tooLarge(body.limit, "body"));
      return;
    }
    // Keep the first `limit` bytes of an error body, answer with them, drop the connection.
    this.finish(res);
    this.#req?.destroy();
  }

  finish(res: IncomingMessage): void {
    this.settle(buildResponse(this.request, res.statusCode ?? 0, res.headers, this.#body!, this.decode));
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
  let undici: UndiciTransport | undefined;
  // After dispose(), a call still in flight may retry: it gets a connection of its own that is
  // closed when it ends, so close() leaves no pool behind for anything to release.
  let disposed = false;
  const loading = loadUndici(); // the first call waits for it (once per process), so every call of a client takes one path

  const decode: Decode = (raw, encoding, limit) => {
    // maxOutputLength makes zlib stop (RangeError) instead of inflating a bomb into memory.
    if (encoding === "gzip") return zlib.gunzipSync(raw, { maxOutputLength: limit });
    if (encoding === "deflate") return zlib.inflateSync(raw, { maxOutputLength: limit });
    if (encoding === "br") return zlib.brotliDecompressSync(raw, { maxOutputLength: limit });
    return raw;
  };

  function useUndici(): boolean {
    return mode === "undici" || (mode === "auto" && notIntercepted(http, https));
  }

  function send(request: PipelineRequest): Promise<PipelineResponse> {
    if (request.abortSignal?.aborted) return Promise.reject(abortError());
    let target: Target;
    try {
      target = splitUrl(request.url);
    } catch {
      return Promise.reject(new RestError("invalid request URL", { code: RestError.REQUEST_SEND_ERROR, request }));
    }
    const body = (request.body ?? undefined) as string | Uint8Array | undefined;
    // HEAD stays on node:http: undici closes the connection after every HEAD (it cannot trust a
    // HEAD response's framing), which would cost a new TCP and TLS handshake per exists() call.
    if (request.method !== "HEAD" && useUndici()) {
      if (undiciModule !== undefined) {
        if (!disposed) return (undici ??= createUndiciTransport(undiciModule, decode)).send(request, target.origin, target.path, body);
        const once = createUndiciTransport(undiciModule, decode);
        return once.send(request, target.origin, target.path, body).finally(() => once.dispose());
      }
      if (undiciLoading !== undefined && !undiciFailed) return loading.then(() => send(request));
    }
    return sendWithNodeHttp(request, target, body);
  }

  function sendWithNodeHttp(request: PipelineRequest, target: Target, body: string | Uint8Array | undefined): Promise<PipelineResponse> {
    // `false`: a one-off connection, closed after the response (see `disposed`).
    const agent = disposed ? false : target.secure ? (agents.https ??= new https.Agent({ keepAlive: true })) : (agents.http ??= new http.Agent({ keepAlive: true }));
    const headers = request.headers.toJSON({ preserveCase: true });
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
      disposed = true;
      agents.http?.destroy();
      agents.https?.destroy();
      delete agents.http;
      delete agents.https;
      undici?.dispose();
      undici = undefined;
    },
  };
}
