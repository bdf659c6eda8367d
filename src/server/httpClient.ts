// A lean HttpClient for the common case: small string/bytes bodies over node:http(s) with a
// per-client keep-alive agent. The generated layer still builds every call; this only moves
// bytes, and hands anything unusual (streams, Blob, multipart, proxies, TLS, progress,
// streamed responses) to the Azure default client. Being node:http, nock intercepts it.
import { RestError, createDefaultHttpClient, createHttpHeaders, type HttpClient, type PipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";
import { loadBuiltinModule } from "../core/index.js";

type NodeHttp = typeof import("node:http");
type NodeZlib = typeof import("node:zlib");
type Agent = import("node:http").Agent;

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

  function send(request: PipelineRequest): Promise<PipelineResponse> {
    const signal = request.abortSignal;
    if (signal?.aborted) return Promise.reject(abortError());
    const secure = request.url.startsWith("https:");
    const agent = secure ? (agents.https ??= new https.Agent({ keepAlive: true })) : (agents.http ??= new http.Agent({ keepAlive: true }));
    const headers: Record<string, string> = {};
    for (const [name, value] of request.headers) headers[name] = value;
    const body = request.body as string | Uint8Array | undefined | null;
    if (body !== undefined && body !== null) headers["content-length"] = String(typeof body === "string" ? Buffer.byteLength(body) : body.byteLength);

    return new Promise<PipelineResponse>((resolve, reject) => {
      // Pre-split URL: cheaper than letting http.request parse it again.
      const url = new URL(request.url);
      const req = (secure ? https : http).request({
        protocol: url.protocol,
        hostname: url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: request.method,
        headers,
        agent,
      });
      const onAbort = () => req.destroy(abortError());
      signal?.addEventListener("abort", onAbort, { once: true });
      const done = () => signal?.removeEventListener("abort", onAbort);
      if (request.timeout > 0) {
        req.setTimeout(request.timeout, () => req.destroy(Object.assign(new Error(`request timed out after ${request.timeout} ms`), { code: "ETIMEDOUT" })));
      }
      req.on("error", (err: Error & { code?: string }) => {
        done();
        reject(err.name === "AbortError" ? err : new RestError(err.message, { code: err.code ?? RestError.REQUEST_SEND_ERROR, request }));
      });
      req.on("response", (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", (err) => {
          done();
          reject(new RestError(err.message, { code: RestError.REQUEST_SEND_ERROR, request }));
        });
        res.on("end", () => {
          done();
          const responseHeaders = createHttpHeaders();
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined) responseHeaders.set(name, Array.isArray(value) ? value.join(", ") : value);
          }
          let raw = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
          try {
            const encoding = res.headers["content-encoding"];
            if (encoding === "gzip") raw = zlib.gunzipSync(raw);
            else if (encoding === "deflate") raw = zlib.inflateSync(raw);
            else if (encoding === "br") raw = zlib.brotliDecompressSync(raw);
          } catch (e) {
            reject(new RestError(`could not decompress the response: ${(e as Error).message}`, { request }));
            return;
          }
          const response: PipelineResponse = { request, status: res.statusCode ?? 0, headers: responseHeaders };
          if (raw.length > 0) response.bodyAsText = raw.toString("utf8");
          resolve(response);
        });
      });
      req.end(body ?? undefined);
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
