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
    const signal = request.abortSignal;
    if (signal?.aborted) return Promise.reject(abortError());
    let target: Target;
    try {
      target = splitUrl(request.url);
    } catch {
      return Promise.reject(new RestError("invalid request URL", { code: RestError.REQUEST_SEND_ERROR, request }));
    }
    const agent = target.secure ? (agents.https ??= new https.Agent({ keepAlive: true })) : (agents.http ??= new http.Agent({ keepAlive: true }));
    const headers = request.headers.toJSON({ preserveCase: true });
    const body = request.body as string | Uint8Array | undefined | null;
    if (body !== undefined && body !== null) headers["content-length"] = String(typeof body === "string" ? Buffer.byteLength(body) : body.byteLength);

    return new Promise<PipelineResponse>((resolve, reject) => {
      let settled = false;
      const settle = (error: Error | undefined, response?: PipelineResponse) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener("abort", onAbort);
        if (error) reject(error);
        else resolve(response!);
      };
      const req = (target.secure ? https : http).request({
        hostname: target.hostname,
        port: target.port,
        path: target.path,
        method: request.method,
        headers,
        agent,
      });
      const onAbort = () => {
        req.destroy();
        settle(abortError());
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      req.on("error", (err: Error & { code?: string }) => {
        settle(err.name === "AbortError" ? err : new RestError(err.message, { code: err.code ?? RestError.REQUEST_SEND_ERROR, request }));
      });
      req.on("response", (res) => onResponse(request, res, req, settle));
      req.end(body ?? undefined);
    });
  }

  function onResponse(request: PipelineRequest, res: IncomingMessage, req: import("node:http").ClientRequest, settle: (e: Error | undefined, r?: PipelineResponse) => void): void {
    const status = res.statusCode ?? 0;
    const failed = status >= 400;
    // An error body is only read for its message: keep the start and cut the rest.
    const limit = failed ? MAX_ERROR_BODY_BYTES : MAX_RESPONSE_BYTES;
    const encoding = res.headers["content-encoding"];
    const chunks: Buffer[] = [];
    let size = 0;
    let cut = false;
    const finish = () => {
      try {
        const responseHeaders = createHttpHeaders();
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined) responseHeaders.set(name, Array.isArray(value) ? value.join(", ") : value);
        }
        let raw = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
        if (raw.length > 0 && encoding !== undefined && encoding !== "identity") {
          try {
            raw = decode(raw, encoding, limit);
          } catch (e) {
            if ((e as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") {
              if (!failed) return settle(tooLarge(limit, "body, decompressed,"));
              raw = Buffer.alloc(0); // an error body we cannot read: the status still tells the story
            } else if (!cut) {
              return settle(new RestError("could not decompress the response", { code: RestError.PARSE_ERROR, request }));
            } else raw = Buffer.alloc(0);
          }
          responseHeaders.delete("content-encoding");
        }
        const response: PipelineResponse = { request, status, headers: responseHeaders };
        if (raw.length > 0 && request.method !== "HEAD") response.bodyAsText = raw.toString("utf8");
        settle(undefined, response);
      } catch (e) {
        settle(new RestError(`could not read the response: ${(e as Error).message}`, { code: RestError.PARSE_ERROR, request }));
      }
    };
    res.on("data", (chunk: Buffer) => {
      if (cut) return;
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      if (!failed) {
        req.destroy();
        settle(tooLarge(limit, "body"));
        return;
      }
      // Keep the first `limit` bytes of an error body, answer with them, drop the connection.
      chunks.push(chunk.subarray(0, chunk.length - (size - limit)));
      cut = true;
      finish();
      req.destroy();
    });
    res.on("error", (err: Error & { code?: string }) => settle(new RestError(err.message, { code: err.code ?? RestError.REQUEST_SEND_ERROR, request })));
    // A reset mid-body ends as "aborted" + "close" without "end" on some Node versions.
    res.on("close", () => {
      if (!res.complete && !cut) settle(new RestError("the connection closed before the response ended", { code: "ECONNRESET", request }));
    });
    res.on("end", () => {
      if (!cut) finish();
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
