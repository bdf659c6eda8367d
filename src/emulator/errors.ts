// HTTP errors of the emulator. The body is flat `{code, message, target}` as the service's
// emulator sends it, plus `x-ms-error-code` (docs/protocol.md#rest-errors).
import { WebPubSubError } from "../core/index.js";

/**
 * An HTTP failure that maps to one response: it knows its status, headers and JSON body.
 * Code `WPS_ERR_REQUEST_REJECTED`. Messages never hold a key or token.
 */
export class RestError extends WebPubSubError {
  /** HTTP status of the response. */
  readonly status: number;
  /** The service-style error code of the body and of `x-ms-error-code`, e.g. `Error.BadRequest`. */
  readonly errorCode: string;
  /** The bad parameter or header, if one is to blame. */
  readonly target: string | undefined;
  /** Extra response headers, e.g. `www-authenticate`. */
  readonly headers: Record<string, string>;
  /** Why the call failed, for the log only (e.g. which auth check failed); never sent to the caller. */
  logReason: string | undefined;
  /** For 401 and 403: the rule that refused the call, for the event stream (never the token). */
  why: string | undefined;

  constructor(status: number, errorCode: string, message: string, target?: string, headers: Record<string, string> = {}) {
    super("WPS_ERR_REQUEST_REJECTED", message);
    this.name = "RestError";
    this.status = status;
    this.errorCode = errorCode;
    this.target = target;
    this.headers = headers;
  }

  /** The JSON body the service sends. */
  toBody(): { code: string; message: string; target?: string } {
    return this.target === undefined
      ? { code: this.errorCode, message: this.message }
      : { code: this.errorCode, message: this.message, target: this.target };
  }
}

/** 400 with `target` naming the bad parameter. */
export function badRequest(message: string, target?: string): RestError {
  return new RestError(400, "Error.BadRequest", message, target);
}

/** 404 for a missing target (connection, user) or an unknown route. */
export function notFound(message: string, target?: string): RestError {
  return new RestError(404, "Error.NotFound", message, target);
}

/** 401 that says nothing about why: the reason goes to the log only. */
export function unauthorized(): RestError {
  return new RestError(401, "Error.Unauthorized", "The request is not authorized.", undefined, {
    "www-authenticate": "Bearer",
  });
}
