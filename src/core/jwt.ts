import { loadBuiltinModule } from "./builtin.js";
import { WebPubSubError } from "./errors.js";
import { base64UrlToBytes, bytesToBase64Url, textToBase64Url } from "./base64url.js";

type NodeCrypto = typeof import("node:crypto");

// Loaded without a static import, so this module still loads on edge runtimes and in
// browsers, where WebCrypto is used instead.
const nodeCrypto: NodeCrypto | undefined = loadBuiltinModule<NodeCrypto>("node:crypto");

const encoder = new TextEncoder();

/** JWT claims: a JSON object. */
export type JwtClaims = Record<string, unknown>;

/** Extra JOSE header fields, e.g. `kid`. `alg` and `typ` are always HS256/JWT. */
export type JwtHeaders = Record<string, string | number | boolean>;

// The header almost every token has, encoded once (tokens are minted thousands of times a second).
const DEFAULT_HEADER = textToBase64Url(JSON.stringify({ alg: "HS256", typ: "JWT" }));

function encodeHead(claims: JwtClaims, headers: JwtHeaders | undefined): string {
  const header = headers ? textToBase64Url(JSON.stringify({ ...headers, alg: "HS256", typ: "JWT" })) : DEFAULT_HEADER;
  return `${header}.${textToBase64Url(JSON.stringify(claims))}`;
}

/** True when HS256 can be computed synchronously (Node's crypto is present). */
export const canSignSync = nodeCrypto !== undefined;

/** Signs an HS256 JWT synchronously with node:crypto. The key is the UTF-8 bytes of `key`. */
export function signJwtSync(claims: JwtClaims, key: string, headers?: JwtHeaders): string {
  if (!nodeCrypto) throw new Error("synchronous HS256 needs node:crypto; use signJwt()");
  const head = encodeHead(claims, headers);
  const sig = nodeCrypto.createHmac("sha256", key).update(head).digest("base64url");
  return `${head}.${sig}`;
}

/**
 * Signs an HS256 JWT whose claims are already serialized (`claimsJson`, a JSON object), with the
 * default header, synchronously with node:crypto. For hot paths that build the JSON themselves.
 */
export function signJwtJsonSync(claimsJson: string, key: string): string {
  if (!nodeCrypto) throw new Error("synchronous HS256 needs node:crypto; use signJwt()");
  const head = `${DEFAULT_HEADER}.${textToBase64Url(claimsJson)}`;
  return `${head}.${nodeCrypto.createHmac("sha256", key).update(head).digest("base64url")}`;
}

/** Signs an HS256 JWT, with node:crypto where present and WebCrypto elsewhere. */
export async function signJwt(claims: JwtClaims, key: string, headers?: JwtHeaders): Promise<string> {
  if (nodeCrypto) return signJwtSync(claims, key, headers);
  const head = encodeHead(claims, headers);
  const sig = await webCryptoHmac(key, head);
  return `${head}.${bytesToBase64Url(sig)}`;
}

async function webCryptoHmac(key: string, message: string): Promise<Uint8Array> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new Error("neither node:crypto nor WebCrypto is available for HS256");
  const k = await subtle.importKey("raw", encoder.encode(key), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await subtle.sign("HMAC", k, encoder.encode(message)));
}

/** Hex HMAC-SHA256 of `message` with the UTF-8 bytes of `key` (CloudEvents `ce-signature`). */
export async function hmacSha256Hex(key: string, message: string): Promise<string> {
  if (nodeCrypto) return nodeCrypto.createHmac("sha256", key).update(message).digest("hex");
  return Array.from(await webCryptoHmac(key, message), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Compares two strings in time that does not depend on where they differ. */
export function timingSafeEqualText(a: string, b: string): boolean {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  if (nodeCrypto) {
    // Length leaks anyway (signatures have fixed length); keep the compare constant-time.
    if (x.length !== y.length) return false;
    return nodeCrypto.timingSafeEqual(x, y);
  }
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/** Why a token was rejected. Never includes the token or the key. */
export type JwtRejection = "malformed" | "algorithm" | "signature" | "expired" | "not-yet-valid" | "missing-exp" | "audience";

/**
 * Thrown by {@link verifyJwt}; `reason` is safe to log. Code `WPS_ERR_TOKEN_EXPIRED` for an
 * expired token, `WPS_ERR_TOKEN_INVALID` for every other rejection.
 */
export class JwtVerifyError extends WebPubSubError {
  /** Which check failed. */
  readonly reason: JwtRejection;
  constructor(reason: JwtRejection, message: string) {
    super(reason === "expired" ? "WPS_ERR_TOKEN_EXPIRED" : "WPS_ERR_TOKEN_INVALID", message);
    this.name = "JwtVerifyError";
    this.reason = reason;
  }
}

/** Options for {@link verifyJwt}. */
export interface VerifyJwtOptions {
  /** Accepts or rejects the `aud` claim (each value when it is an array). */
  audience?: (aud: string) => boolean;
  /** Current time in seconds since the epoch; defaults to the clock. */
  nowSeconds?: number;
  /** Allowed clock skew for `exp`/`nbf`, in seconds. Default 300 (5 minutes). */
  clockToleranceSeconds?: number;
  /** Reject tokens without `exp`. Default true. */
  requireExp?: boolean;
}

/** Splits a JWT and parses its header and claims without checking anything. */
export function decodeJwt(token: string): { header: JwtClaims; claims: JwtClaims } {
  const parts = token.split(".");
  if (parts.length !== 3) throw new JwtVerifyError("malformed", "token is not a JWS compact string");
  try {
    const header = JSON.parse(new TextDecoder().decode(base64UrlToBytes(parts[0]!))) as unknown;
    const claims = JSON.parse(new TextDecoder().decode(base64UrlToBytes(parts[1]!))) as unknown;
    if (!isObject(header) || !isObject(claims)) throw new Error("not objects");
    return { header, claims };
  } catch {
    throw new JwtVerifyError("malformed", "token header or claims are not base64url JSON objects");
  }
}

function isObject(v: unknown): v is JwtClaims {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Verifies an HS256 JWT (signature in constant time, then time and audience) and returns its claims. Node only. */
export function verifyJwt(token: string, key: string, options: VerifyJwtOptions = {}): JwtClaims {
  if (!nodeCrypto) throw new Error("verifyJwt needs node:crypto");
  const { header, claims } = decodeJwt(token);
  if (header["alg"] !== "HS256") throw new JwtVerifyError("algorithm", "only HS256 tokens are accepted");
  const dot = token.lastIndexOf(".");
  const expected = nodeCrypto.createHmac("sha256", key).update(token.slice(0, dot)).digest("base64url");
  if (!timingSafeEqualText(expected, token.slice(dot + 1))) {
    throw new JwtVerifyError("signature", "signature does not match the access key");
  }
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  const skew = options.clockToleranceSeconds ?? 300;
  const exp = claims["exp"];
  if (exp === undefined) {
    if (options.requireExp ?? true) throw new JwtVerifyError("missing-exp", "token has no exp claim");
  } else if (typeof exp !== "number" || now - skew >= exp) {
    throw new JwtVerifyError("expired", "token has expired");
  }
  const nbf = claims["nbf"];
  if (nbf !== undefined && (typeof nbf !== "number" || now + skew < nbf)) {
    throw new JwtVerifyError("not-yet-valid", "token is not valid yet (nbf)");
  }
  if (options.audience) {
    const aud = claims["aud"];
    const auds = Array.isArray(aud) ? aud : [aud];
    if (!auds.some((a) => typeof a === "string" && options.audience!(a))) {
      throw new JwtVerifyError("audience", "token audience does not match");
    }
  }
  return claims;
}
