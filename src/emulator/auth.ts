// Access-key JWT checks for REST calls and client connections. Audiences and claim names come
// from core (docs/protocol.md#rest-authentication, docs/protocol.md#client-access-tokens).
import type { IncomingMessage } from "node:http";
import {
  audienceMatcher,
  clientTokenAudiences,
  decodeJwt,
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
  /** The rule that refused the token in a sentence, for tools: e.g. `token expired at …`. Never the token. */
  readonly why: string;
  constructor(status: number, reason: string, options: { expired?: boolean; cause?: unknown; why?: string } = {}) {
    super(options.expired ? "WPS_ERR_TOKEN_EXPIRED" : "WPS_ERR_TOKEN_INVALID", reason, { cause: options.cause });
    this.name = "AuthError";
    this.status = status;
    this.reason = reason;
    this.why = options.why ?? reason;
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
  if (!token) throw new AuthError(401, "no bearer token", { why: "no Authorization: Bearer header" });
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
  if (!grant.ok) throw new AuthError(grant.claim === "role" ? 401 : 400, grant.message, { why: grant.message });
  return { userId: grant.userId, roles: grant.roles, groups: grant.groups, claims };
}

function verify(token: string, accessKey: string, expected: readonly string[]): JwtClaims {
  try {
    return verifyJwt(token, accessKey, { audience: audienceMatcher(expected), requireExp: true, clockToleranceSeconds: 300 });
  } catch (err) {
    if (err instanceof JwtVerifyError) {
      throw new AuthError(401, `token rejected: ${err.reason}`, { expired: err.reason === "expired", cause: err, why: explain(err, token, expected) });
    }
    throw new AuthError(401, "token rejected");
  }
}

// A sentence naming the failed rule with the values involved (claims only: they are not
// secret, unlike the token's signature). Values from the token are cut short.
function explain(err: JwtVerifyError, token: string, expected: readonly string[]): string {
  let claims: JwtClaims = {};
  let header: JwtClaims = {};
  try {
    ({ claims, header } = decodeJwt(token));
  } catch {
    // malformed: nothing to quote
  }
  switch (err.reason) {
    case "malformed":
      return "token is not a JWT (three base64url parts with JSON header and claims)";
    case "algorithm":
      return `token algorithm is ${short(header["alg"])}, expected HS256`;
    case "signature":
      return "signature does not match (the token was not signed with this emulator's access key)";
    case "missing-exp":
      return "token has no exp claim";
    case "expired":
      return `token expired at ${isoTime(claims["exp"])} (now ${new Date().toISOString()}, 300 s tolerance)`;
    case "not-yet-valid":
      return `token is not valid before ${isoTime(claims["nbf"])}`;
    case "audience":
      return `token audience is ${short(claims["aud"])}, expected ${expected[0] ?? "(none)"}`;
  }
}

function isoTime(seconds: unknown): string {
  return typeof seconds === "number" && Number.isFinite(seconds) && Math.abs(seconds) < 8.64e12 ? new Date(seconds * 1000).toISOString() : short(seconds);
}

function short(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value) ?? "(absent)";
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
