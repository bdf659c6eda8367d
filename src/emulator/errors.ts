// REST errors of the emulator. The body is flat `{code, message, target}` as the
// [emu] sends it (protocol-emulator.md §1.6), plus `x-ms-error-code`.

/** A REST failure that maps to one HTTP response. Messages never hold a key or token. */
export class RestError extends Error {
  readonly status: number;
  readonly errorCode: string;
  readonly target: string | undefined;
  readonly headers: Record<string, string>;
  /** Why the call failed, for the log only (e.g. which auth check failed); never sent to the caller. */
  logReason: string | undefined;

  constructor(status: number, errorCode: string, message: string, target?: string, headers: Record<string, string> = {}) {
    super(message);
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
