// Shared test helpers: a fake endpoint, a capturing nock interceptor, and JWT checks.
import assert from "node:assert/strict";
import nock from "nock";
import { verifyJwt, decodeJwt } from "../../src/core/index.js";
import { WebPubSubServiceClient, type WebPubSubServiceClientOptions } from "../../src/index.js";
import { sealNetwork } from "../support/network.js";

export const ENDPOINT = "https://fake.webpubsub.azure.com";
export const KEY = "TESTKEY0123456789abcdefghijklmnopqrstuvwxyz";
export const CONNECTION_STRING = `Endpoint=${ENDPOINT};AccessKey=${KEY};Version=1.0;`;

/** Small retry delays so retry tests stay fast. */
export const FAST_RETRY = { retryOptions: { maxRetries: 2, retryDelayInMs: 1, maxRetryDelayInMs: 5 } };

export function newClient(hub = "chat", options: WebPubSubServiceClientOptions = {}): WebPubSubServiceClient {
  return new WebPubSubServiceClient(CONNECTION_STRING, hub, { ...FAST_RETRY, ...options });
}

/** One request as the server saw it. */
export interface Captured {
  method: string;
  /** Path exactly as sent (percent-encoding kept), without the query. */
  path: string;
  /** Raw query string without `?`. */
  rawQuery: string;
  /** Decoded query pairs in order. */
  query: [string, string][];
  headers: Record<string, string | string[] | undefined>;
  /** Body as nock gives it (text; hex for binary). */
  body: string;
  /** Full URL the request was sent to. */
  url: string;
}

export interface Reply {
  method: "GET" | "POST" | "PUT" | "DELETE" | "HEAD";
  status: number;
  body?: string | Record<string, unknown>;
  headers?: Record<string, string>;
}

/**
 * Intercepts the next `replies.length` requests to `origin` (each reply names its method; any path),
 * records them, and answers with the given replies in order.
 */
export function intercept(replies: Reply[], origin = ENDPOINT): { captured: Captured[]; scope: nock.Scope } {
  const captured: Captured[] = [];
  let scope = nock(origin);
  for (const reply of replies) {
    scope = scope
      .intercept(() => true, reply.method)
      .reply(function (uri, body) {
        const q = uri.indexOf("?");
        const rawQuery = q < 0 ? "" : uri.slice(q + 1);
        captured.push({
          method: this.req.method,
          path: q < 0 ? uri : uri.slice(0, q),
          rawQuery,
          query: [...new URLSearchParams(rawQuery)],
          headers: this.req.headers,
          body: typeof body === "string" ? body : JSON.stringify(body),
          url: `${origin}${uri}`,
        });
        return [reply.status, reply.body ?? "", reply.headers ?? {}];
      });
  }
  return { captured, scope };
}

/** Asserts the Authorization header is a JWT signed with KEY whose aud is the request URL and whose lifetime is 300 s. */
export function assertRestAuth(request: Captured, key = KEY, audience = request.url): void {
  const header = request.headers["authorization"];
  assert.equal(typeof header, "string");
  const match = /^Bearer (.+)$/.exec(header as string);
  assert.ok(match, "Authorization is a Bearer token");
  const claims = verifyJwt(match[1]!, key, { audience: (aud) => aud === audience });
  assert.equal((claims["exp"] as number) - (claims["iat"] as number), 300);
  assert.ok(Math.abs((claims["iat"] as number) - Date.now() / 1000) < 60);
}

export function claimsOf(token: string): Record<string, unknown> {
  return decodeJwt(token).claims;
}

export function setupNock(): void {
  sealNetwork();
}
