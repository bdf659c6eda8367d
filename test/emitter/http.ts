// nock helpers for the request tests: record exactly what a generated call sends.
import nock from "nock";
import { sealNetwork } from "../support/network.js";

/** What one intercepted request looked like on the wire. */
export interface Seen {
  method: string;
  /** Path plus query string, exactly as sent. */
  path: string;
  headers: Record<string, string>;
  /** Raw body text (nock hex-encodes bodies that are not valid UTF-8). */
  body: string;
}

/** The reply a stub sends. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * Answer the next request for `method` on `origin` with `reply`, recording it.
 * `scope.done()` then proves the request really went through nock.
 */
export function stub(origin: string, method: string, reply: Reply, seen: Seen[]): nock.Scope {
  // reply() gets JSON bodies already parsed; the scope's "request" event has the raw text.
  let raw = "";
  const scope = nock(origin)
    .intercept(() => true, method)
    .reply(function (uri) {
      seen.push({ method: this.req.method ?? "", path: uri, headers: { ...this.req.headers }, body: raw });
      const json = reply.body !== undefined && typeof reply.body !== "string";
      const headers = { ...(json && { "content-type": "application/json" }), ...reply.headers };
      return [reply.status, json ? JSON.stringify(reply.body) : ((reply.body as string | undefined) ?? ""), headers];
    });
  scope.on("request", (_req: unknown, _interceptor: unknown, body: string) => {
    raw = body;
  });
  return scope;
}

/** Block real network access for a describe block; clean interceptors after each test. */
export function useNock(): void {
  sealNetwork();
}
