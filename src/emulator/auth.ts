// Access-key JWT checks for REST calls and client connections. Audiences and claim names come
// from core (docs/protocol.md#rest-authentication, docs/protocol.md#client-access-tokens).
import type { IncomingMessage } from "node:http";
import {
  audienceMatcher,
  clientTokenAudiences,
  JwtVerifyError,
  readClientTokenClaims,
  restTokenAudiences,
  verifyJwt,
  WebPubSubError,
  type JwtClaims,
} from "../core/index.js";

/**
 * A token rejection: `status` for the response, `reason` safe to log (no token, no key).
 * Code `WPS_ERR_TOKEN_EXPIRED` for an expired token, else `WPS_ERR_TOKEN_INVALID`.
 */
export class AuthError extends WebPubSubError {
  /** HTTP status of the refusal: 401, or 400 for unusable claims. */
  readonly status: number;
  /** Which check failed, for the log. */
  readonly reason: string;
  constructor(status: number, reason: string, options: { expired?: boolean; cause?: unknown } = {}) {
    super(options.expired ? "WPS_ERR_TOKEN_EXPIRED" : "WPS_ERR_TOKEN_INVALID", reason, { cause: options.cause });
    this.name = "AuthError";
    this.status = status;
    this.reason = reason;
  }
}

/** The bearer token of a request, if any. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

/**
 * Checks a REST call's token. The aud may be the request URL rebuilt from `Host`, with or
 * without the query (the JS SDK signs the full URL), any case, raw or URL-decoded once.
 */
export function verifyRestRequest(req: IncomingMessage, accessKey: string): void {
  const token = bearerToken(req);
  if (!token) throw new AuthError(401, "no bearer token");
  verify(token, accessKey, restTokenAudiences(req.headers.host ?? "", req.url ?? "/"));
}

/** What a client token grants. */
export interface ClientGrant {
  userId: string | null;
  roles: string[];
  groups: string[];
  claims: JwtClaims;
}

/**
 * Checks a client access token for `hub` (as written in the URL) reached through `host`.
 * The aud is `{http|https|ws|wss}://{host}/client/hubs/{hub}`, hub raw or escaped.
 */
export function verifyClientToken(token: string, accessKey: string, host: string, hub: string): ClientGrant {
  const claims = verify(token, accessKey, clientTokenAudiences(host, hub));
  const grant = readClientTokenClaims(claims);
  if (!grant.ok) throw new AuthError(grant.claim === "role" ? 401 : 400, grant.message);
  return { userId: grant.userId, roles: grant.roles, groups: grant.groups, claims };
}

function verify(token: string, accessKey: string, expected: readonly string[]): JwtClaims {
  try {
    return verifyJwt(token, accessKey, { audience: audienceMatcher(expected), requireExp: true, clockToleranceSeconds: 300 });
  } catch (err) {
    if (err instanceof JwtVerifyError) throw new AuthError(401, `token rejected: ${err.reason}`, { expired: err.reason === "expired", cause: err });
    throw new AuthError(401, "token rejected");
  }
}
