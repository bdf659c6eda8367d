// How clients reach a hub: the WebSocket paths per client protocol, the claims of a client
// access token and the audiences a token may name. Shared by the service client (which mints
// tokens), the emulator (which checks them) and the client SDK. Facts:
// docs/protocol.md#client-access-tokens.
import { isValidGroup } from "./rules.js";

/** Kinds of client a token is minted for; each has its own WebSocket path. */
export type ClientProtocol = "default" | "mqtt" | "socketio";

/** Every {@link ClientProtocol}. */
export const CLIENT_PROTOCOLS: readonly ClientProtocol[] = ["default", "mqtt", "socketio"];

const PATH_PREFIX: Readonly<Record<ClientProtocol, string>> = {
  default: "/client/hubs/",
  mqtt: "/clients/mqtt/hubs/",
  socketio: "/clients/socketio/hubs/",
};

/** Query parameter carrying the client access token. */
export const ACCESS_TOKEN_QUERY = "access_token";

/** Query parameters of a reliable-protocol recovery (no access token then). */
export const RECOVERY_QUERY = { connectionId: "awps_connection_id", reconnectionToken: "awps_reconnection_token" } as const;

/** Claim names of a client access token. */
export const ClientTokenClaim = {
  /** The user id. */
  userId: "sub",
  /** Older tokens carry the user id here instead. */
  userIdFallback: "nameid",
  /** Roles: a string or a string array. */
  roles: "role",
  /** Groups joined on connect: a string or a string array. */
  groups: "webpubsub.group",
} as const;

/** The `clientType` query value of `:generateToken` for a protocol (Socket.IO clients use Default tokens). */
export function generateTokenClientType(protocol: ClientProtocol): "Default" | "MQTT" {
  return protocol === "mqtt" ? "MQTT" : "Default";
}

/** The path before the hub segment: `/client/hubs/`, `/clients/mqtt/hubs/`, `/clients/socketio/hubs/`. */
export function clientPathPrefix(protocol: ClientProtocol = "default"): string {
  return PATH_PREFIX[protocol];
}

/** The client path of a hub for a protocol, the hub URL-encoded: `/client/hubs/chat`. */
export function clientPath(hub: string, protocol: ClientProtocol = "default"): string {
  return PATH_PREFIX[protocol] + encodeURIComponent(hub);
}

/** The protocol and raw (still escaped) hub segment of a client path; undefined for other paths. */
export function parseClientPath(pathname: string): { protocol: ClientProtocol; hubSegment: string } | undefined {
  for (const protocol of CLIENT_PROTOCOLS) {
    const prefix = PATH_PREFIX[protocol];
    if (!pathname.startsWith(prefix)) continue;
    const rest = pathname.slice(prefix.length).replace(/\/$/, "");
    if (rest === "" || rest.includes("/")) return undefined;
    return { protocol, hubSegment: rest };
  }
  return undefined;
}

/** `http(s)://…` → `ws(s)://…`. */
export function toWebSocketUrl(httpUrl: string): string {
  return httpUrl.replace(/^http(s?):/i, (_, s: string) => `ws${s.toLowerCase()}:`);
}

/** Inputs of {@link buildClientTokenClaims}. */
export interface ClientTokenClaimsInit {
  /** The token's `aud`: the http(s) endpoint plus {@link clientPath}. */
  audience: string;
  userId?: string | undefined;
  roles?: readonly string[] | undefined;
  groups?: readonly string[] | undefined;
  /** Now, in seconds since the epoch. */
  nowSeconds: number;
  /** Lifetime; at least 1 minute. */
  expiresInMinutes: number;
  /** Also set `nbf` (the service client does; `:generateToken` does not). */
  notBefore?: boolean;
}

/** The claims of a client access token, in the shape the official SDKs sign (`role` and `webpubsub.group` as arrays). */
export function buildClientTokenClaims(init: ClientTokenClaimsInit): Record<string, unknown> {
  const claims: Record<string, unknown> = { aud: init.audience, iat: init.nowSeconds };
  if (init.notBefore) claims["nbf"] = init.nowSeconds;
  claims["exp"] = init.nowSeconds + init.expiresInMinutes * 60;
  if (init.userId !== undefined && init.userId !== "") claims[ClientTokenClaim.userId] = init.userId;
  if (init.roles !== undefined && init.roles.length > 0) claims[ClientTokenClaim.roles] = [...init.roles];
  if (init.groups !== undefined && init.groups.length > 0) claims[ClientTokenClaim.groups] = [...init.groups];
  return claims;
}

/** What a verified client token grants, or why its claims are unusable. */
export type ClientGrantResult =
  | { ok: true; userId: string | null; roles: string[]; groups: string[] }
  | { ok: false; claim: "role" | "webpubsub.group"; message: string };

/** Reads user, roles and groups from verified claims. Roles and groups may be one string or an array (other SDKs). */
export function readClientTokenClaims(claims: Readonly<Record<string, unknown>>): ClientGrantResult {
  const sub = claims[ClientTokenClaim.userId] ?? claims[ClientTokenClaim.userIdFallback];
  const roles = stringList(claims[ClientTokenClaim.roles]);
  if (roles === undefined) return { ok: false, claim: "role", message: "the role claim is not a string or a string array" };
  const groups = stringList(claims[ClientTokenClaim.groups]);
  if (groups === undefined || !groups.every(isValidGroup)) {
    return { ok: false, claim: "webpubsub.group", message: "the webpubsub.group claim holds an invalid group name" };
  }
  return { ok: true, userId: typeof sub === "string" ? sub : null, roles, groups };
}

function stringList(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return [];
  if (typeof value === "string") return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value as string[];
  return undefined;
}

/**
 * Audiences a client token for `hub` reached through `host` may name: any of http, https,
 * ws, wss, with the hub as written in the URL or escaped.
 */
export function clientTokenAudiences(host: string, hub: string, protocol: ClientProtocol = "default"): string[] {
  const out: string[] = [];
  const prefix = PATH_PREFIX[protocol];
  for (const scheme of ["http", "https", "ws", "wss"]) {
    for (const h of new Set([hub, encodeURIComponent(hub)])) out.push(`${scheme}://${host}${prefix}${h}`);
  }
  return out;
}

/**
 * Audiences a REST call's token may name: the request URL rebuilt from `Host`, http or
 * https, with or without the query (the JS SDK signs the full URL).
 */
export function restTokenAudiences(host: string, requestTarget: string): string[] {
  const path = requestTarget.split("?")[0]!;
  const out: string[] = [];
  for (const scheme of ["http", "https"]) out.push(`${scheme}://${host}${requestTarget}`, `${scheme}://${host}${path}`);
  return out;
}

/**
 * A predicate accepting an `aud` that equals one of `expected` case-insensitively, raw or
 * URL-decoded once, with or without a trailing slash (some SDKs build it from an endpoint
 * ending in one).
 */
export function audienceMatcher(expected: readonly string[]): (aud: string) => boolean {
  const wanted = new Set<string>();
  for (const e of expected) {
    wanted.add(e.toLowerCase());
    wanted.add(decodeOnce(e).toLowerCase());
  }
  return (aud) => {
    const a = aud.toLowerCase();
    return [a, decodeOnce(a), a.replace(/\/$/, "")].some((c) => wanted.has(c));
  };
}

function decodeOnce(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
