// REST dispatch: route match, auth, api-version, hub check, then the operation (§1.2–1.7).
import type { IncomingMessage, ServerResponse } from "node:http";
import { AuthError, verifyRestRequest } from "./auth.js";
import { badRequest, notFound, RestError, unauthorized } from "./errors.js";
import type { HubState } from "./state/index.js";
import type { ClientConnection } from "./ws/index.js";
import { readBody, SUPPORTED_API_VERSIONS, writeError, writeResponse } from "./httpIo.js";
import { ROUTES } from "./restOperations.js";
import type { Runtime } from "./runtime.js";
import { decodeSegment, isValidHub, normalizeHub } from "./validation.js";

/** Everything an operation needs about its call. */
export interface RestCall {
  readonly runtime: Runtime;
  readonly req: IncomingMessage;
  /** Decoded path parameters (§1.7). */
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

/** One REST operation: method, path pattern below /api (`{name}` segments are parameters). */
export interface Route {
  method: string;
  pattern: string;
  handler: (call: RestCall) => RestReply | Promise<RestReply>;
}

interface CompiledRoute extends Route {
  segments: string[];
}

const compiled: CompiledRoute[] = ROUTES.map((r) => ({ ...r, segments: r.pattern.split("/") }));

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
    runtime.emit({ type: "rest", method, path, status: restError.status, errorCode: restError.errorCode, reason, requestId });
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
  // The real service's health probe is anonymous, and so is this one (Aspire polls it).
  if (path === "/api/health" && (method === "HEAD" || method === "GET")) return { status: 200 };
  const raw = path.split("/").slice(2); // drop "" and "api"
  const match = findRoute(method, raw);
  if (!match) throw notFound(`No operation matches ${method} ${path}.`);

  try {
    verifyRestRequest(req, runtime.accessKey);
  } catch (err) {
    if (err instanceof AuthError) {
      const refused = unauthorized();
      refused.logReason = err.reason;
      throw refused;
    }
    throw err;
  }
  const apiVersion = query.get("api-version") ?? SUPPORTED_API_VERSIONS[SUPPORTED_API_VERSIONS.length - 1]!;
  if (!(SUPPORTED_API_VERSIONS as readonly string[]).includes(apiVersion)) {
    throw badRequest("The specified API version is not supported.", "api-version");
  }
  const hubName = match.params["hub"] ?? "";
  if (!isValidHub(hubName)) throw badRequest(`Invalid hub name '${hubName}'.`, "hub");
  let bodyPromise: Promise<Buffer> | undefined;
  const call: RestCall = {
    runtime,
    req,
    params: match.params,
    rawHub: raw[1] ?? "",
    query,
    hub: runtime.hubs.get(normalizeHub(hubName)),
    host: req.headers.host ?? "localhost",
    apiVersion,
    body: () => (bodyPromise ??= readBody(req)),
  };
  return match.route.handler(call);
}

function findRoute(method: string, raw: string[]): { route: CompiledRoute; params: Record<string, string> } | undefined {
  for (const r of compiled) {
    if (r.method !== method || r.segments.length !== raw.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < raw.length && ok; i++) {
      const seg = r.segments[i]!;
      const value = raw[i]!;
      if (seg.startsWith("{")) {
        const decoded = decodeSegment(value);
        if (decoded === undefined || decoded === "") ok = false;
        else params[seg.slice(1, -1)] = decoded;
      } else {
        ok = seg === value;
      }
    }
    if (ok) return { route: r, params };
  }
  return undefined;
}
