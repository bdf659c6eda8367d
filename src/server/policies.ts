// Pipeline policies: REST auth with the access key, the reverse-proxy host swap, and
// request logging with every secret redacted. Each is small and stateless per request.
import type { KeyCredential } from "@azure/core-auth";
import type { TracingClient } from "@azure/core-tracing";
import type { PipelinePolicy, PipelineRequest, PipelineResponse } from "@azure/core-rest-pipeline";
import { canSignSync, redactHeaders, redactText, redactUrl, signJwt, signJwtSync } from "../core/index.js";

/** Name of the key-credential (REST JWT) policy, for `beforePolicies`/`afterPolicies`. */
export const KEY_POLICY_NAME = "webPubSubKeyCredentialPolicy";
/** Name of the reverse-proxy policy. */
export const REVERSE_PROXY_POLICY_NAME = "webPubSubReverseProxyPolicy";
/** Name of the HTTP span policy. */
export const TRACING_POLICY_NAME = "webPubSubTracingPolicy";
/** Name of the redacting request-logging policy. */
export const LOGGING_POLICY_NAME = "webPubSubRequestLoggingPolicy";

/** Default lifetime of the per-request REST JWT: long enough for 5 min of clock skew plus retries, short if leaked. */
export const DEFAULT_REST_TOKEN_SECONDS = 300;

/**
 * Signs each request (each retry too) with `Authorization: Bearer <HS256 JWT>`, `aud` = the full
 * request URL including the query (what @azure/web-pubsub does; the service and emulator accept it).
 * The key is read from the credential on every call, so `credential.update(newKey)` applies at once.
 */
export function keyCredentialPolicy(credential: KeyCredential, lifetimeSeconds = DEFAULT_REST_TOKEN_SECONDS): PipelinePolicy {
  // One-entry memo: within the same second, the same URL and key give the same token, so a
  // burst of sends to one hub signs once per second instead of once per request.
  let last = { url: "", key: "", now: 0, header: "" };
  return {
    name: KEY_POLICY_NAME,
    sendRequest(request, next) {
      const now = Math.floor(Date.now() / 1000);
      const key = credential.key;
      if (last.now === now && last.url === request.url && last.key === key) {
        request.headers.set("Authorization", last.header);
        return next(request);
      }
      const claims = { aud: request.url, iat: now, exp: now + lifetimeSeconds };
      if (canSignSync) {
        last = { url: request.url, key, now, header: `Bearer ${signJwtSync(claims, key)}` };
        request.headers.set("Authorization", last.header);
        return next(request);
      }
      return signJwt(claims, key).then((token) => {
        request.headers.set("Authorization", `Bearer ${token}`);
        return next(request);
      });
    },
  };
}

/**
 * Sends requests to a reverse proxy (e.g. API Management) instead of the service. It runs after
 * signing, so the JWT audience keeps naming the real service URL, which is what the service checks.
 * A base path on the proxy URL (`https://apim.example.net/pubsub`) is prefixed to the request path.
 */
export function reverseProxyPolicy(endpoint: string, proxyEndpoint: string): PipelinePolicy {
  const from = new URL(endpoint);
  const to = new URL(proxyEndpoint);
  const fromBase = `${from.origin}${from.pathname.replace(/\/+$/, "")}`;
  const toBase = `${to.origin}${to.pathname.replace(/\/+$/, "")}`;
  return {
    name: REVERSE_PROXY_POLICY_NAME,
    sendRequest(request, next) {
      if (request.url.startsWith(fromBase)) {
        request.url = toBase + request.url.slice(fromBase.length);
      } else {
        // e.g. a nextLink naming another host: keep its path, swap the origin.
        const url = new URL(request.url);
        request.url = `${toBase}${url.pathname}${url.search}`;
      }
      return next(request);
    },
  };
}

// ---- redaction ----------------------------------------------------------------

// One redaction for the whole package (src/core/redact.ts); re-exported as part of the public API.
export { redactHeaders, redactText, redactUrl };

// ---- logging ------------------------------------------------------------------

/** Receives one redacted line per request and per response. */
export type LogSink = (line: string) => void;

/** Header a call sets to ask for logging of just that call; removed before sending. */
export const LOG_MARKER_HEADER = "x-wps-sdk-log";

/**
 * Logs method, redacted URL, status and redacted headers of every attempt when the client has
 * `loggingEnabled`, or for calls that set it per call (carried by a marker header that this
 * policy strips, so it never reaches the wire).
 */
export function requestLoggingPolicy(sink: LogSink, always: boolean): PipelinePolicy {
  const marked = new WeakSet<PipelineRequest>();
  return {
    name: LOGGING_POLICY_NAME,
    sendRequest(request, next) {
      if (request.headers.has(LOG_MARKER_HEADER)) {
        request.headers.delete(LOG_MARKER_HEADER);
        marked.add(request);
      }
      // Plain return (no async wrapper) keeps the common, unlogged path allocation-free.
      if (!always && !marked.has(request)) return next(request);
      return logged(request, next);
    },
  };

  async function logged(request: PipelineRequest, next: (r: PipelineRequest) => Promise<PipelineResponse>): Promise<PipelineResponse> {
    sink(`--> ${request.method} ${redactUrl(request.url)} ${JSON.stringify(redactHeaders(request.headers))}`);
    let response: PipelineResponse;
    try {
      response = await next(request);
    } catch (error) {
      sink(`<-- ${request.method} ${redactUrl(request.url)} failed: ${redactText(error instanceof Error ? error.message : String(error))}`);
      throw error;
    }
    sink(`<-- ${response.status} ${request.method} ${redactUrl(request.url)} ${JSON.stringify(redactHeaders(response.headers))}`);
    return response;
  }
}

// ---- tracing ------------------------------------------------------------------

/**
 * One client span per HTTP attempt (`HTTP POST`…), like core's tracingPolicy, but it asks
 * whether the span records before building attributes: with no tracer installed (the usual
 * case) it costs one no-op span instead of URL sanitizing and an extra await per request.
 * `http.url` carries no query (it may hold secrets) and `traceparent` is propagated.
 */
export function httpTracingPolicy(tracing: TracingClient): PipelinePolicy {
  return {
    name: TRACING_POLICY_NAME,
    sendRequest(request, next) {
      const { span, updatedOptions } = tracing.startSpan(`HTTP ${request.method}`, request.tracingOptions ? { tracingOptions: request.tracingOptions } : {}, { spanKind: "client" });
      const context = updatedOptions.tracingOptions?.tracingContext;
      if (!span.isRecording() || context === undefined) {
        span.end();
        return next(request);
      }
      span.setAttribute("http.url", request.url.split("?", 1)[0]);
      span.setAttribute("http.method", request.method);
      span.setAttribute("requestId", request.requestId);
      for (const [name, value] of Object.entries(tracing.createRequestHeaders(context))) request.headers.set(name, value);
      return tracing.withContext(context, next, request).then(
        (response) => {
          span.setAttribute("http.status_code", response.status);
          const serviceRequestId = response.headers.get("x-ms-request-id");
          if (serviceRequestId) span.setAttribute("serviceRequestId", serviceRequestId);
          if (response.status >= 400) span.setStatus({ status: "error" });
          span.end();
          return response;
        },
        (error: unknown) => {
          span.setStatus({ status: "error", ...(error instanceof Error && { error }) });
          span.end();
          throw error;
        },
      );
    },
  };
}
