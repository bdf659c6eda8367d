// The one place a REST response becomes a ServiceError. Messages carry method, path (no query:
// it may hold secrets), status and the service's own message, scrubbed by redactText.
import { ServiceError, WebPubSubError } from "../core/index.js";
import { clip, redactText } from "./policies.js";

/** The parts of an RLC response this module reads. */
export interface ResponseLike {
  status: string;
  headers: Record<string, string>;
  body?: unknown;
  request: { method: string; url: string };
}

interface ErrorDetailLike {
  code?: unknown;
  message?: unknown;
  target?: unknown;
  details?: unknown;
}

function detailOf(body: unknown): ErrorDetailLike | undefined {
  if (typeof body === "string") {
    if (body.trim() === "") return undefined;
    try {
      return detailOf(JSON.parse(body));
    } catch {
      return { message: body };
    }
  }
  if (typeof body !== "object" || body === null) return undefined;
  const wrapped = (body as { error?: unknown }).error;
  return (typeof wrapped === "object" && wrapped !== null ? wrapped : body) as ErrorDetailLike;
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url.split("?", 1)[0]!;
  }
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** Builds the ServiceError for an unexpected response of `operation`. */
export function toServiceError(operation: string, response: ResponseLike): ServiceError {
  const statusCode = Number(response.status);
  const detail = detailOf(response.body);
  const headers = response.headers;
  // Cut: a hostile or broken server can send megabytes here (issue 13).
  const rawCode = str(headers["x-ms-error-code"]) ?? str(detail?.code);
  const serviceCode = rawCode === undefined ? undefined : clip(rawCode, 64);
  const rawMessage = str(detail?.message);
  const serviceMessage = rawMessage === undefined ? undefined : clip(rawMessage.replace(/\s+/g, " ").trim());
  const method = response.request.method.toUpperCase();
  const path = pathOf(response.request.url);
  const hint = statusCode === 401 ? " (check the access key or credential, and the clock)" : "";
  const message = redactText(
    `${operation} failed: ${statusCode} ${method} ${path}${serviceCode ? ` [${serviceCode}]` : ""}${serviceMessage ? `: ${serviceMessage}` : ""}${hint}`,
  );
  return new ServiceError(message, {
    statusCode,
    serviceCode,
    target: str(detail?.target),
    requestId: str(headers["x-ms-request-id"]) ?? str(headers["x-ms-client-request-id"]),
    method,
    path,
    details: detail?.details,
  });
}

/** Thrown by every operation once `close()` has been called. */
export function closedError(operation: string): WebPubSubError {
  return new WebPubSubError("WPS_ERR_CLOSED", `${operation} called after the client was closed`);
}
