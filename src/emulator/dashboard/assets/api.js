// The dashboard's HTTP API (contract D): JSON in, JSON out, `{ code, message }` on a 4xx.

/** Everything lives under this prefix (absolute paths: the page itself is at /_dashboard). */
export const BASE = "/_dashboard";

/** A non-2xx answer; `message` is the server's own sentence when it sent one. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
  }
}

let unauthorized = () => {};

/** Called on every 401 (the emulator is bound off loopback and wants its access key). */
export function onUnauthorized(handler) {
  unauthorized = handler;
}

async function parse(res, what) {
  const text = await res.text();
  let body;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (res.ok) return body;
  if (res.status === 401) unauthorized();
  const code = body && typeof body.code === "string" ? body.code : `HTTP_${res.status}`;
  const message = body && typeof body.message === "string" ? body.message : `${what}: HTTP ${res.status} ${res.statusText}`.trim();
  throw new ApiError(res.status, code, message);
}

/** GET `BASE + path` as JSON. */
export async function getJson(path) {
  const res = await fetch(BASE + path, { headers: { accept: "application/json" }, credentials: "same-origin" });
  return parse(res, `GET ${path}`);
}

/** POST `body` as JSON to `BASE + path` (the actions refuse anything but application/json). */
export async function postJson(path, body) {
  const res = await fetch(BASE + path, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    credentials: "same-origin",
    body: JSON.stringify(body),
  });
  return parse(res, `POST ${path}`);
}
