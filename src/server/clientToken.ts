// Client access tokens minted locally with the access key (HS256, synchronous HMAC when
// node:crypto is present), and the URL builders shared with the Entra (REST) path.
import {
  buildClientTokenClaims,
  canSignSync,
  clientPath,
  invalidArgument,
  signJwt,
  signJwtJsonSync,
  signJwtSync,
  TOKEN_MINUTES,
  toWebSocketUrl,
  type JwtHeaders,
} from "../core/index.js";
import type { WebPubSubOperationOptions } from "./options.js";
import { checkGroups, checkId, checkIds, checkInt, checkProtocol, type ClientProtocol } from "./validate.js";

/** Options of {@link WebPubSubServiceClient.getClientAccessToken}. */
export interface GetClientAccessTokenOptions extends WebPubSubOperationOptions {
  /** User id of the connection (`sub` claim). */
  userId?: string;
  /** Roles of the connection, e.g. `webpubsub.joinLeaveGroup.chat`, `webpubsub.sendToGroup` (`role` claim). */
  roles?: string[];
  /** Groups the connection joins on connect (`webpubsub.group` claim). */
  groups?: string[];
  /** Token lifetime in minutes, at least 1. Default 60. The token is only checked when the client connects. */
  expirationTimeInMinutes?: number;
  /** Endpoint kind: `default` (`/client/hubs/{hub}`), `mqtt` (`/clients/mqtt/hubs/{hub}`) or `socketio` (`/clients/socketio/hubs/{hub}`). */
  clientProtocol?: ClientProtocol;
  /**
   * Extra JOSE header fields, e.g. `{ kid: "key-2025-01" }` to say which key signed it. Key credential
   * only; `alg`/`typ` cannot be overridden and a value equal to the access key is refused.
   */
  jwtHeaders?: JwtHeaders;
}

/** A client access token and the URLs that carry it. */
export interface ClientAccessToken {
  /** The JWT. */
  token: string;
  /** `ws(s)://host/client/hubs/{hub}` without the token. */
  baseUrl: string;
  /** `baseUrl?access_token=…`: what a WebSocket client connects to. */
  url: string;
  /** When the token stops being accepted for new connections (its `exp`). */
  expiresOn: Date;
}

/** Default token lifetime in minutes, matching the official SDKs. */
export const DEFAULT_TOKEN_MINUTES = TOKEN_MINUTES.default;

/** Builds the result shape from a token, its `exp` and the endpoint. */
export function clientAccess(endpoint: string, hub: string, protocol: ClientProtocol, token: string, expSeconds: number): ClientAccessToken {
  const baseUrl = baseUrlOf(endpoint, hub, protocol);
  return { token, baseUrl, url: `${baseUrl}?access_token=${encodeURIComponent(token)}`, expiresOn: new Date(expSeconds * 1000) };
}

// One-entry memo: a client mints for one endpoint, hub and protocol, so the URL is built once (issue 14).
let lastBase = { endpoint: "", hub: "", protocol: "" as ClientProtocol, url: "", audienceJson: "" };

function memo(endpoint: string, hub: string, protocol: ClientProtocol): typeof lastBase {
  if (lastBase.endpoint !== endpoint || lastBase.hub !== hub || lastBase.protocol !== protocol) {
    const audience = endpoint + clientPath(hub, protocol);
    lastBase = { endpoint, hub, protocol, url: toWebSocketUrl(endpoint) + clientPath(hub, protocol), audienceJson: JSON.stringify(audience) };
  }
  return lastBase;
}

function baseUrlOf(endpoint: string, hub: string, protocol: ClientProtocol): string {
  return memo(endpoint, hub, protocol).url;
}

function audienceJsonOf(endpoint: string, hub: string, protocol: ClientProtocol): string {
  return memo(endpoint, hub, protocol).audienceJson;
}

/** Checks the token options; shared by the key and Entra paths. */
export function checkTokenOptions(options: GetClientAccessTokenOptions): void {
  if (options.userId !== undefined) checkId(options.userId, "userId");
  if (options.roles !== undefined) checkIds(options.roles, "roles");
  if (options.groups !== undefined && options.groups.length > 0) checkGroups(options.groups);
  if (options.expirationTimeInMinutes !== undefined) checkInt(options.expirationTimeInMinutes, "expirationTimeInMinutes", TOKEN_MINUTES.min);
  if (options.clientProtocol !== undefined) checkProtocol(options.clientProtocol);
}

function claimsFor(endpoint: string, hub: string, options: GetClientAccessTokenOptions, now: number): Record<string, unknown> {
  return buildClientTokenClaims({
    audience: endpoint + clientPath(hub, options.clientProtocol),
    userId: options.userId,
    roles: options.roles,
    groups: options.groups,
    nowSeconds: now,
    expiresInMinutes: options.expirationTimeInMinutes ?? DEFAULT_TOKEN_MINUTES,
    notBefore: true,
  });
}

function checkHeaders(headers: JwtHeaders | undefined, key: string): void {
  if (headers === undefined) return;
  for (const [name, value] of Object.entries(headers)) {
    if (name === "alg" || name === "typ") throw invalidArgument(`jwtHeaders.${name} cannot be set; tokens are always HS256 JWTs`);
    // azure-webpubsub#94: an SDK once put the access key in `kid`.
    if (value === key) throw invalidArgument(`jwtHeaders.${name} must not contain the access key`);
  }
}

/**
 * Mints a client token with the access key. `endpoint` is the real service endpoint
 * (not a reverse proxy): the service checks `aud` against its own URL.
 */
export async function mintClientAccessToken(
  endpoint: string,
  hub: string,
  key: string,
  options: GetClientAccessTokenOptions = {},
  nowMs = Date.now(),
): Promise<ClientAccessToken> {
  checkTokenOptions(options);
  if (canSignSync) return signClientAccessTokenSync(endpoint, hub, key, options, nowMs);
  checkHeaders(options.jwtHeaders, key);
  const claims = claimsFor(endpoint, hub, options, Math.floor(nowMs / 1000));
  const token = await signJwt(claims, key, options.jwtHeaders);
  return clientAccess(endpoint, hub, options.clientProtocol ?? "default", token, claims["exp"] as number);
}

/**
 * The synchronous mint (node:crypto present, see `canSignSync`) for options already checked with
 * {@link checkTokenOptions}: the service client's hot path, without a second check or a Promise.
 */
export function signClientAccessTokenSync(endpoint: string, hub: string, key: string, options: GetClientAccessTokenOptions, nowMs = Date.now()): ClientAccessToken {
  if (options.jwtHeaders === undefined) {
    // Hot path (issue 14): the claims JSON written directly, in buildClientTokenClaims' order, and
    // no URL-encoding of a token whose characters (base64url and dots) never need it.
    const protocol = options.clientProtocol ?? "default";
    const now = Math.floor(nowMs / 1000);
    const exp = now + (options.expirationTimeInMinutes ?? DEFAULT_TOKEN_MINUTES) * 60;
    let json = `{"aud":${audienceJsonOf(endpoint, hub, protocol)},"iat":${now},"nbf":${now},"exp":${exp}`;
    if (options.userId !== undefined && options.userId !== "") json += `,"sub":${JSON.stringify(options.userId)}`;
    if (options.roles !== undefined && options.roles.length > 0) json += `,"role":${JSON.stringify(options.roles)}`;
    if (options.groups !== undefined && options.groups.length > 0) json += `,"webpubsub.group":${JSON.stringify(options.groups)}`;
    const token = signJwtJsonSync(`${json}}`, key);
    const baseUrl = baseUrlOf(endpoint, hub, protocol);
    return { token, baseUrl, url: `${baseUrl}?access_token=${token}`, expiresOn: new Date(exp * 1000) };
  }
  checkHeaders(options.jwtHeaders, key);
  const claims = claimsFor(endpoint, hub, options, Math.floor(nowMs / 1000));
  const token = signJwtSync(claims, key, options.jwtHeaders);
  return clientAccess(endpoint, hub, options.clientProtocol ?? "default", token, claims["exp"] as number);
}
