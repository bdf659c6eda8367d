// REST dispatch: route match, auth, api-version (and what that version has), hub check,
// then the operation (docs/protocol.md#rest-and-tokens). Routes and versions come from the generated route table.
import type { IncomingMessage, ServerResponse } from "node:http";
import { AuthError, verifyRestRequest } from "../auth.js";
import { badRequest, notFound, RestError, unauthorized } from "../errors.js";
import type { HubState } from "../state/index.js";
import type { ClientConnection } from "../ws/index.js";
import type { Runtime } from "../runtime.js";
import type { RestEvent } from "../events.js";
import { decodeSegment, isValidHub, normalizeHub } from "../validation.js";
import { readBody, writeError, writeResponse } from "./httpIo.js";
import { HANDLERS } from "./operations.js";
import { API_VERSION_PARAMETER, describeSpan, findRoute, LATEST_API_VERSION, SUPPORTED_API_VERSIONS } from "./routes.js";

/** Everything an operation needs about its call. */
export interface RestCall {
  readonly runtime: Runtime;
  readonly req: IncomingMessage;
  /** Decoded path parameters (docs/protocol.md#naming-rules-and-limits). */
  readonly params: Readonly<Record<string, string>>;
  /** The hub segment as written in the URL (still encoded), for building links. */
  readonly rawHub: string;
  readonly query: URLSearchParams;
  readonly hub: HubState<ClientConnection>;
  /** The Host header: links and token audiences use what the caller used. */
  readonly host: string;
  readonly apiVersion: string;
  body(): Promise<Buffer>;
}

/** What an operation answers: a status and an optional JSON body. */
export interface RestReply {
  status: number;
  body?: unknown;
}

/** Serves one REST operation. */
export type Handler = (call: RestCall) => RestReply | Promise<RestReply>;

/**
 * Handles one request under /api. Never throws. `requestId` is the response's
 * `x-ms-request-id`; a failed call logs it with the reason, so a user holding a
 * ServiceError's `requestId` can find the line.
 */
export async function handleRest(req: IncomingMessage, res: ServerResponse, runtime: Runtime, requestId: string): Promise<void> {
  const method = req.method ?? "GET";
  const url = req.url ?? "/";
  const queryAt = url.indexOf("?");
  const path = queryAt < 0 ? url : url.slice(0, queryAt);
  try {
    const reply = await route(req, method, path, new URLSearchParams(queryAt < 0 ? "" : url.slice(queryAt + 1)), runtime);
    writeResponse(res, reply.status, reply.body);
    runtime.emit({ type: "rest", method, path, status: reply.status, requestId });
  } catch (err) {
    const restError =
      err instanceof RestError
        ? err
        : new RestError(500, "Error.InternalServerError", "The emulator failed to handle the request.");
    const reason = err instanceof RestError ? (restError.logReason ?? restError.message) : describeFailure(err);
    writeError(res, restError);
    const event: Omit<RestEvent, "time"> = { type: "rest", method, path, status: restError.status, errorCode: restError.errorCode, reason, requestId };
    if (restError.why !== undefined) event.why = restError.why;
    runtime.emit(event);
  }
}

function describeFailure(err: unknown): string {
  return `${err instanceof Error ? err.message : String(err)} (emulator bug)`;
}

async function route(
  req: IncomingMessage,
  method: string,
  path: string,
  query: URLSearchParams,
  runtime: Runtime,
): Promise<RestReply> {
  const raw = path.split("/").slice(2); // drop "" and "api"
  // Aspire polls the health probe with GET, which the spec does not list: treat it as the HEAD.
  const match = findRoute(method === "GET" && path === "/api/health" ? "HEAD" : method, raw);
  if (!match) throw notFound(`No operation matches ${method} ${path}.`);

  const { route: matched, params } = match;
  const operation = matched.operation;
  const name = matched.name;
  // The real service's health probe is anonymous and hub-less, and so is this one.
  if (name === "getServiceStatus") return { status: 200 };
  try {
    verifyRestRequest(req, runtime.accessKey);
  } catch (err) {
    if (err instanceof AuthError) {
      const refused = unauthorized();
      refused.logReason = err.reason;
      refused.why = err.why;
      throw refused;
    }
    throw err;
  }
  const apiVersion = query.get(API_VERSION_PARAMETER) ?? LATEST_API_VERSION;
  if (!SUPPORTED_API_VERSIONS.includes(apiVersion)) {
    throw badRequest("The specified API version is not supported.", API_VERSION_PARAMETER);
  }
  // What the chosen version lacks is refused, not served or silently ignored: code that
  // relies on it would misbehave against the service at that version.
  const missing = matched.missingQuery.get(apiVersion);
  if (missing === undefined) {
    throw badRequest(`'${operation.name}' is not in API version ${apiVersion}; it exists ${describeSpan(operation)}.`, API_VERSION_PARAMETER);
  }
  for (const p of missing) {
    if (query.has(p.name)) throw badRequest(`'${p.name}' of '${operation.name}' is not in API version ${apiVersion}; it exists ${describeSpan(p)}.`, p.name);
  }
  const hubName = params["hub"] ?? "";
  if (!isValidHub(hubName)) throw badRequest(`Invalid hub name '${hubName}'.`, "hub");
  let bodyPromise: Promise<Buffer> | undefined;
  const call: RestCall = {
    runtime,
    req,
    params,
    rawHub: raw[1] ?? "",
    query,
    hub: runtime.hubs.get(normalizeHub(hubName)),
    host: req.headers.host ?? "localhost",
    apiVersion,
    body: () => (bodyPromise ??= readBody(req)),
  };
  return HANDLERS[name](call);
}
