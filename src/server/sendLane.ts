// The send lane (issue 14): the four sends, when nothing optional is asked for, skip the
// generated layer and the general pipeline and run a fixed chain of the same policies: total
// deadline, core's own retry (Retry-After, 5xx, network errors) and redirect policies, the origin
// guard, the memoized JWT, then the lean transport, whose answer gets the response guard and the
// Retry-After bound.
// What it sends is byte-for-byte what the pipeline sends (test/server/sendLane.test.ts compares
// them); anything it does not cover (custom policies or httpClient, proxies, logging, a recording
// tracer, onResponse…) takes the pipeline, decided per client and per call.
import {
  createHttpHeaders,
  createPipelineRequest,
  defaultRetryPolicy,
  redirectPolicy,
  userAgentPolicy,
  type HttpClient,
  type PipelinePolicy,
  type PipelineRequest,
  type PipelineResponse,
  type PipelineRetryOptions,
  type SendRequest,
} from "@azure/core-rest-pipeline";
import { capRetryAfter, deadlinePolicy, guardResponse, originGuardPolicy } from "./policies.js";

type AbortSignalLike = NonNullable<PipelineRequest["abortSignal"]>;

/** One POST through the lane. */
export type LanePost = (url: string, contentType: string, body: string | Uint8Array, abortSignal: AbortSignalLike | undefined, timeout: number) => Promise<PipelineResponse>;

/** What the lane needs from the client. */
export interface SendLaneOptions {
  /** The service endpoint (no trailing slash): nothing else is ever sent to. */
  endpoint: string;
  transport: HttpClient;
  /** The key policy of the client (same memo, same key rotation). */
  sign: PipelinePolicy;
  /** The access key, for scrubbing error responses. */
  secret: () => string | undefined;
  retryOptions: PipelineRetryOptions | undefined;
  maxRetryDelayMs: number;
  userAgentPrefix: string;
}

/** User-Agent per prefix, as core's own policy sets it (asked of that policy, so both paths agree). */
const userAgents = new Map<string, string | Promise<string>>();

function userAgentOf(prefix: string): string | Promise<string> {
  let known = userAgents.get(prefix);
  if (known === undefined) {
    const request = createPipelineRequest({ url: "http://localhost/" });
    known = userAgentPolicy({ userAgentPrefix: prefix })
      .sendRequest(request, async (r) => ({ request: r, status: 200, headers: createHttpHeaders() }))
      .then(() => {
        const value = request.headers.get("user-agent") ?? prefix;
        userAgents.set(prefix, value);
        return value;
      });
    if (userAgents.size > 16) userAgents.clear(); // prefixes are per application: a handful at most
    userAgents.set(prefix, known);
  }
  return known;
}

/**
 * Builds the lane: at once when this User-Agent prefix was seen before, else once core has
 * computed it (the pipeline serves until then).
 */
export function createSendLane(options: SendLaneOptions): LanePost | Promise<LanePost> {
  const userAgent = userAgentOf(options.userAgentPrefix);
  return typeof userAgent === "string" ? buildLane(options, userAgent) : userAgent.then((ua) => buildLane(options, ua));
}

/** An outcome of the first attempt, replayed to the retry policy as its attempt 0. */
type Outcome = { response: PipelineResponse } | { error: unknown };

function buildLane(options: SendLaneOptions, userAgent: string): LanePost {
  const { secret, maxRetryDelayMs } = options;
  // The response guard and the Retry-After bound run on the transport's answer (the guard's checks
  // hold inside the retry loop too: it rejects nothing core would retry), one step instead of two.
  const inspect = (response: PipelineResponse) => (response.status === 202 ? response : capRetryAfter(guardResponse(response, secret), maxRetryDelayMs));
  const transport: SendRequest = (request) => options.transport.sendRequest(request).then(inspect);
  const compose = (policies: PipelinePolicy[], last: SendRequest) =>
    policies.reduceRight<SendRequest>((next, policy) => (request: PipelineRequest) => policy.sendRequest(request, next), last);
  const guard = originGuardPolicy(options.endpoint);
  // The first attempt: guard, JWT, transport. Only when it did not succeed does the call enter
  // core's retry and redirect policies, which then see that attempt as their own first one, so
  // attempts, waits (Retry-After) and errors are exactly the pipeline's; a success pays for none.
  const first = compose([guard, options.sign], transport);
  const retried = (outcome: Outcome) => {
    let replayed = false;
    const replayThenSend: SendRequest = (request) => {
      if (replayed) return transport(request);
      replayed = true;
      return "response" in outcome ? Promise.resolve(outcome.response) : Promise.reject(outcome.error);
    };
    return compose([defaultRetryPolicy(options.retryOptions), redirectPolicy(), guard, options.sign], replayThenSend);
  };
  const withDeadline = deadlinePolicy();
  const attempt: SendRequest = (request) =>
    first(request).then(
      (response) => (response.status < 300 ? response : retried({ response })(request)),
      (error: unknown) => retried({ error })(request),
    );
  return (url, contentType, body, abortSignal, timeout) => {
    const request = createPipelineRequest({ url, method: "POST", body, timeout, ...(abortSignal && { abortSignal }) });
    // Same names, values and order as the pipeline's policies write them.
    request.headers.set("accept", "application/json");
    request.headers.set("content-type", contentType);
    request.headers.set("User-Agent", userAgent);
    request.headers.set("x-ms-client-request-id", request.requestId);
    return timeout > 0 ? withDeadline.sendRequest(request, attempt) : attempt(request);
  };
}

/** Characters `new URL()` leaves alone in a path or query; anything else goes through it, as the runtime does. */
const URL_SAFE = /^[A-Za-z0-9\-._~%/:?=&!$()*+,;@]*$/;

/**
 * The URL the generated layer builds for `path` (already encoded) and `query` (the client's
 * query object: `{ value, explode }` for arrays), with `api-version` last.
 */
export function laneUrl(endpoint: string, path: string, query: Record<string, unknown> | undefined, apiVersion: string): string {
  let search = "";
  if (query !== undefined) {
    for (const key in query) {
      const entry = query[key];
      const values = typeof entry === "object" && entry !== null && "value" in entry ? ((entry as { value: unknown[] }).value) : [entry];
      for (const value of values) search += `${search ? "&" : "?"}${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`;
    }
  }
  let url = endpoint + path + search;
  if (!URL_SAFE.test(path + search)) url = new URL(url).toString();
  return `${url}${search ? "&" : "?"}api-version=${apiVersion}`;
}

/** Client options the lane reproduces; any other pipeline option (custom policies, httpClient, proxy, TLS…) keeps the pipeline. */
const LANE_OPTIONS = new Set(["retryOptions", "userAgentOptions", "allowInsecureConnection"]);

/** True when a client with these pipeline options may use the lane (and no proxy comes from the environment). */
export function laneFits(pipelineOptions: Record<string, unknown>): boolean {
  for (const key in pipelineOptions) if (pipelineOptions[key] !== undefined && !LANE_OPTIONS.has(key)) return false;
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
  // core's proxy policy reads these on every request; leave proxied setups to it.
  return !["HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "https_proxy", "http_proxy", "all_proxy"].some((name) => env[name]);
}

/** The lane's response in the shape errors.ts reads, with the body parsed as the generated layer would. */
export function laneResponse(response: PipelineResponse): { status: string; headers: Record<string, string>; body: unknown; request: { method: string; url: string } } {
  const text = response.bodyAsText ?? "";
  let body: unknown = text;
  if (text && !(response.headers.get("content-type") ?? "").startsWith("text/plain")) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  return { status: String(response.status), headers: response.headers.toJSON(), body, request: { method: response.request.method, url: response.request.url } };
}
