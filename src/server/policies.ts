// Pipeline policies: REST auth with the access key, the reverse-proxy host swap, and
// request logging with every secret redacted. Each is small and stateless per request.
import type { KeyCredential } from "@azure/core-auth";
import type { TracingClient } from "@azure/core-tracing";
import { RestError, type PipelinePolicy, type PipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";
import { azureLogger } from "./logger.js";
import { WebPubSubError, canSignSync, redactHeaders, redactText, redactUrl, signJwt, signJwtSync } from "../core/index.js";

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

/** Receives one redacted line per request. */
export type LogSink = (line: string) => void;

/** Header a call sets to ask for logging of just that call; removed before sending. */
export const LOG_MARKER_HEADER = "x-wps-sdk-log";

/** Bound on a server-requested retry wait when `retryOptions.maxRetryDelayInMs` is not set (core's default). */
export const DEFAULT_MAX_RETRY_DELAY_MS = 64_000;

/**
 * Where `loggingEnabled` lines go without a `logger` option: the `webpubsub-service` Azure logger
 * when `AZURE_LOG_LEVEL` enables it, else stderr, so the option works on its own.
 */
export function defaultLogSink(line: string): void {
  if (azureLogger.info.enabled) azureLogger.info(line);
  else console.error(`webpubsub-service: ${line}`);
}

/** Longest service error text quoted in a log line or error message. */
export const MAX_QUOTED_CHARS = 512;

/** Cuts `text` to `max` characters, saying how much was left out. */
export function clip(text: string, max = MAX_QUOTED_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

/**
 * Logs one redacted line per call (outside the retry loop, so a retried call is one line):
 * method, URL without secrets, status, time, `x-ms-request-id`, and for a failure its reason.
 * `enabled()` is asked per call, so the common unlogged path costs one call and no allocation.
 * A call can ask for logging itself with a marker header that this policy strips.
 */
export function requestLoggingPolicy(sink: LogSink, enabled: () => boolean): PipelinePolicy {
  return {
    name: LOGGING_POLICY_NAME,
    sendRequest(request, next) {
      let marked = false;
      if (request.headers.has(LOG_MARKER_HEADER)) {
        request.headers.delete(LOG_MARKER_HEADER);
        marked = true;
      }
      if (!marked && !enabled()) return next(request);
      return logged(request, next);
    },
  };

  async function logged(request: PipelineRequest, next: (r: PipelineRequest) => Promise<PipelineResponse>): Promise<PipelineResponse> {
    const started = Date.now();
    const what = `${request.method} ${redactUrl(request.url)}`;
    let response: PipelineResponse;
    try {
      response = await next(request);
    } catch (error) {
      sink(`${what} failed after ${Date.now() - started} ms: ${clip(redactText(error instanceof Error ? error.message : String(error)))}`);
      throw error;
    }
    const requestId = response.headers.get("x-ms-request-id");
    let line = `${what} ${response.status} in ${Date.now() - started} ms${requestId ? ` request-id ${requestId}` : ""}`;
    if (response.status >= 400) {
      const reason = response.headers.get("x-ms-error-code") ?? response.bodyAsText ?? "";
      if (reason) line += `: ${clip(redactText(reason.replace(/\s+/g, " ")), 200)}`;
    }
    sink(line);
    return response;
  }
}

// ---- hostile servers and foreign URLs (issue 13) ------------------------------------

/** Name of the policy that refuses requests leaving the client's endpoint. */
export const ORIGIN_GUARD_POLICY_NAME = "webPubSubOriginGuardPolicy";
/** Name of the total-deadline policy. */
export const DEADLINE_POLICY_NAME = "webPubSubDeadlinePolicy";
/** Name of the policy that bounds `Retry-After`. */
export const RETRY_AFTER_CAP_POLICY_NAME = "webPubSubRetryAfterCapPolicy";
/** Name of the policy that scrubs the access key from responses and checks JSON bodies. */
export const RESPONSE_GUARD_POLICY_NAME = "webPubSubResponseGuardPolicy";

/**
 * Refuses any request whose URL is not under `base` (the endpoint, with its path) before it is
 * signed or sent: a nextLink, a custom policy or a redirect can then never carry the key's JWT or
 * an Entra token to another origin. Runs at the start of the Sign phase.
 */
export function originGuardPolicy(base: string): PipelinePolicy {
  const prefix = `${base}/`;
  return {
    name: ORIGIN_GUARD_POLICY_NAME,
    sendRequest(request, next) {
      if (request.url.startsWith(prefix)) return next(request);
      let origin = "an invalid URL";
      try {
        origin = new URL(request.url).origin;
      } catch {
        // keep the placeholder
      }
      return Promise.reject(new WebPubSubError("WPS_ERR_FOREIGN_URL", `refused to send a request to ${origin}: this client only talks to ${base}`));
    },
  };
}

/**
 * Makes `requestOptions.timeout` a total deadline for the call, retries and their waits included
 * (the transport would otherwise apply it per attempt, or as an idle timeout). Sits outside the
 * retry policy; when the time is up the call rejects with `WPS_ERR_TIMEOUT`.
 */
export function deadlinePolicy(): PipelinePolicy {
  return {
    name: DEADLINE_POLICY_NAME,
    sendRequest(request, next) {
      const ms = request.timeout;
      if (!(ms > 0)) return next(request);
      const outer = request.abortSignal;
      if (outer?.aborted) return next(request);
      const controller = new AbortController();
      let expired = false;
      const timer = setTimeout(() => {
        expired = true;
        controller.abort();
      }, ms);
      const onOuterAbort = () => controller.abort();
      outer?.addEventListener("abort", onOuterAbort, { once: true });
      request.abortSignal = controller.signal;
      const cleanup = () => {
        clearTimeout(timer);
        outer?.removeEventListener("abort", onOuterAbort);
        if (outer === undefined) delete request.abortSignal;
        else request.abortSignal = outer;
      };
      return next(request).then(
        (response) => {
          cleanup();
          return response;
        },
        (error: unknown) => {
          cleanup();
          if (expired) throw new WebPubSubError("WPS_ERR_TIMEOUT", `${request.method} ${redactUrl(request.url.split("?", 1)[0]!)} did not complete within ${ms} ms (requestOptions.timeout, retries included)`, { cause: error });
          throw error;
        },
      );
    },
  };
}

/**
 * Bounds the wait a 429/503 asks for (`Retry-After`, `retry-after-ms`, `x-ms-retry-after-ms`) to
 * `maxMs`: core honours any value, so a hostile or confused server could park a call for hours.
 * Runs inside the retry loop, rewriting the header before the retry strategy reads it.
 */
export function retryAfterCapPolicy(maxMs: number): PipelinePolicy {
  return {
    name: RETRY_AFTER_CAP_POLICY_NAME,
    sendRequest: (request, next) => next(request).then((response) => capRetryAfter(response, maxMs)),
  };
}

/** The work of {@link retryAfterCapPolicy} on one response (shared with the send lane). */
export function capRetryAfter(response: PipelineResponse, maxMs: number): PipelineResponse {
  if (response.status !== 429 && response.status !== 503) return response;
  // Same precedence as core's throttling strategy: the first header present decides.
  const headers = response.headers;
  let wait: number | undefined;
  const ms = headers.get("retry-after-ms") ?? headers.get("x-ms-retry-after-ms");
  const retryAfter = headers.get("retry-after");
  if (ms !== undefined) wait = Number(ms);
  else if (retryAfter !== undefined) wait = /^\s*\d+(\.\d+)?\s*$/.test(retryAfter) ? Number(retryAfter) * 1000 : Date.parse(retryAfter) - Date.now();
  // retry-after-ms is read first, so setting it is enough to bound the wait.
  if (wait !== undefined && wait > maxMs) headers.set("retry-after-ms", String(maxMs));
  return response;
}

function declaresJson(response: PipelineResponse): boolean {
  const type = response.headers.get("content-type");
  return type !== undefined && /^\s*application\/([\w.+-]*\+)?json\b/i.test(type);
}

/**
 * Keeps hostile response content out of errors and logs. On a failed status: removes the access
 * key itself (a server may echo it) from the body and headers, and lets a body that claims JSON but
 * is not reach the error as text (the runtime would quote it whole in a parse error). On a
 * success: refuses a body that claims JSON but is not, without quoting it.
 */
export function responseGuardPolicy(secret: () => string | undefined): PipelinePolicy {
  return {
    name: RESPONSE_GUARD_POLICY_NAME,
    sendRequest: (request, next) => next(request).then((response) => guardResponse(response, secret)),
  };
}

/** The work of {@link responseGuardPolicy} on one response (shared with the send lane); throws for a bad success body. */
export function guardResponse(response: PipelineResponse, secret: () => string | undefined): PipelineResponse {
  const text = response.bodyAsText;
  if (response.status < 400) {
    if (text && declaresJson(response)) {
      try {
        JSON.parse(text);
      } catch {
        const request = response.request;
        throw new RestError(`the response to ${request.method} ${redactUrl(request.url.split("?", 1)[0]!)} claims JSON but is not valid JSON`, {
          code: RestError.PARSE_ERROR,
          statusCode: response.status,
        });
      }
    }
    return response;
  }
  const key = secret();
  if (key !== undefined && key.length >= 8) {
    if (text?.includes(key)) response.bodyAsText = text.split(key).join("REDACTED");
    for (const [name, value] of response.headers) if (value.includes(key)) response.headers.set(name, value.split(key).join("REDACTED"));
  }
  if (response.bodyAsText && declaresJson(response)) {
    try {
      JSON.parse(response.bodyAsText);
    } catch {
      response.headers.set("content-type", "text/plain");
    }
  }
  return response;
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
