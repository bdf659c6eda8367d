// Access-key JWT checks for REST calls (§1.2) and client connections (§2.1).
import type { IncomingMessage } from "node:http";
import { JwtVerifyError, verifyJwt, type JwtClaims } from "../core/index.js";
import { isValidGroup } from "./validation.js";

/** A token rejection: `status` for the response, `reason` safe to log (no token, no key). */
export class AuthError extends Error {
  readonly status: number;
  readonly reason: string;
  constructor(status: number, reason: string) {
    super(reason);
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
  const host = req.headers.host ?? "";
  const url = req.url ?? "/";
  const path = url.split("?")[0]!;
  const expected: string[] = [];
  for (const scheme of ["http", "https"]) expected.push(`${scheme}://${host}${url}`, `${scheme}://${host}${path}`);
  verify(token, accessKey, expected);
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
  const expected: string[] = [];
  for (const scheme of ["http", "https", "ws", "wss"]) {
    for (const h of new Set([hub, encodeURIComponent(hub)])) expected.push(`${scheme}://${host}/client/hubs/${h}`);
  }
  const claims = verify(token, accessKey, expected);
  const sub = claims["sub"] ?? claims["nameid"];
  const roles = stringList(claims["role"]);
  const groups = stringList(claims["webpubsub.group"]);
  if (roles === undefined) throw new AuthError(401, "the role claim is not a string or a string array");
  if (groups === undefined || !groups.every(isValidGroup)) {
    throw new AuthError(400, "the webpubsub.group claim holds an invalid group name");
  }
  return { userId: typeof sub === "string" ? sub : null, roles, groups, claims };
}

function verify(token: string, accessKey: string, expected: readonly string[]): JwtClaims {
  const wanted = new Set<string>();
  for (const e of expected) {
    wanted.add(e.toLowerCase());
    wanted.add(decodeOnce(e).toLowerCase());
  }
  const audience = (aud: string): boolean => {
    const a = aud.toLowerCase();
    // Tolerate a trailing slash: some SDKs build the aud from an endpoint that ends in one.
    const candidates = [a, decodeOnce(a), a.replace(/\/$/, "")];
    return candidates.some((c) => wanted.has(c));
  };
  try {
    return verifyJwt(token, accessKey, { audience, requireExp: true, clockToleranceSeconds: 300 });
  } catch (err) {
    if (err instanceof JwtVerifyError) throw new AuthError(401, `token rejected: ${err.reason}`);
    throw new AuthError(401, "token rejected");
  }
}

function decodeOnce(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

// A claim that may be absent, one string, or a string array (other SDKs emit single values as strings).
function stringList(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return [];
  if (typeof value === "string") return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value as string[];
  return undefined;
}
