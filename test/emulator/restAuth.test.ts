import assert from "node:assert/strict";
import { signJwtSync } from "../../src/core/index.js";
import type { Emulator } from "../../src/emulator/index.js";
import { routeTable } from "../../generated/routeTable.js";
import { apiUrl, base, KEY, rest, restToken, restUrl, start } from "./helpers.js";

describe("emulator REST auth and envelope", () => {
  let emu: Emulator;
  before(async () => {
    emu = await start();
  });
  after(() => emu.close());

  const sendPath = "/api/hubs/chat/:send";

  it("accepts a token whose aud is the full URL with the query (JS SDK style)", async () => {
    const r = await rest(emu, "POST", sendPath, { body: "hi" });
    assert.equal(r.status, 202);
  });

  it("accepts an aud without the query, in another case", async () => {
    const url = apiUrl(emu, sendPath);
    const aud = url.split("?")[0]!.toUpperCase().replace("HTTP://", "http://");
    const r = await restUrl("POST", url, { body: "hi", token: restToken(aud) });
    assert.equal(r.status, 202);
  });

  it("accepts an aud that is the URL-decoded request URL", async () => {
    const url = apiUrl(emu, "/api/hubs/chat/users/a%20b/:send");
    const r = await restUrl("POST", url, { body: "hi", token: restToken(decodeURIComponent(url)) });
    assert.equal(r.status, 202);
  });

  it("rejects a missing token with 401 and a body that names no reason", async () => {
    const r = await rest(emu, "POST", sendPath, { body: "hi", token: null });
    assert.equal(r.status, 401);
    assert.equal(r.json.code, "Error.Unauthorized");
    assert.doesNotMatch(r.text, /aud|exp|signature|expired/i);
  });

  it("rejects a token signed with another key", async () => {
    const r = await rest(emu, "POST", sendPath, { body: "hi", key: "another-key-that-is-long-enough-1234567890" });
    assert.equal(r.status, 401);
  });

  it("rejects a token for another URL", async () => {
    const url = apiUrl(emu, sendPath);
    const r = await restUrl("POST", url, { body: "hi", token: restToken(`${base(emu)}/api/hubs/other/:send`) });
    assert.equal(r.status, 401);
  });

  it("rejects a token whose aud uses another host than the Host header", async () => {
    const url = apiUrl(emu, sendPath);
    const r = await restUrl("POST", url, { body: "hi", token: restToken(url.replace("127.0.0.1", "example.com")) });
    assert.equal(r.status, 401);
  });

  it("rejects an expired token beyond the 5-minute skew but accepts one within it", async () => {
    const url = apiUrl(emu, sendPath);
    const now = Math.floor(Date.now() / 1000);
    const stale = await restUrl("POST", url, { body: "x", claims: { exp: now - 400 } });
    assert.equal(stale.status, 401);
    const skewed = await restUrl("POST", url, { body: "x", claims: { exp: now - 200 } });
    assert.equal(skewed.status, 202);
  });

  it("rejects a token without exp", async () => {
    const url = apiUrl(emu, sendPath);
    const r = await restUrl("POST", url, { body: "x", token: signJwtSync({ aud: url }, KEY) });
    assert.equal(r.status, 401);
  });

  it("rejects a non-HS256 token", async () => {
    const url = apiUrl(emu, sendPath);
    const good = restToken(url);
    const [, payload, sig] = good.split(".");
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString("base64url")}.${payload}.${sig}`;
    const r = await restUrl("POST", url, { body: "x", token: none });
    assert.equal(r.status, 401);
  });

  it("answers HEAD /api/health with 200 and no auth", async () => {
    const r = await fetch(`${base(emu)}/api/health`, { method: "HEAD" });
    assert.equal(r.status, 200);
  });

  it("treats a missing api-version as the latest", async () => {
    const url = `${base(emu)}${sendPath}`;
    const r = await restUrl("POST", url, { body: "x" });
    assert.equal(r.status, 202);
  });

  it("accepts an older GA api-version", async () => {
    const r = await rest(emu, "POST", sendPath, { body: "x", query: { "api-version": "2021-10-01" } });
    assert.equal(r.status, 202);
  });

  it("rejects an unknown api-version with the service's error body and lists the supported ones", async () => {
    const r = await rest(emu, "POST", sendPath, { body: "x", query: { "api-version": "2099-01-01" } });
    assert.equal(r.status, 400);
    assert.deepEqual(r.json, {
      code: "Error.BadRequest",
      message: "The specified API version is not supported.",
      target: "api-version",
    });
    assert.equal(r.headers.get("api-supported-versions"), routeTable.versions.join(", "));
    assert.equal(r.headers.get("x-ms-error-code"), "Error.BadRequest");
  });

  it("answers an unknown route with a 404 JSON error", async () => {
    const r = await rest(emu, "POST", "/api/hubs/chat/:nope");
    assert.equal(r.status, 404);
    assert.equal(r.json.code, "Error.NotFound");
  });

  it("answers paths outside /api and /client with 404 JSON", async () => {
    const r = await fetch(`${base(emu)}/elsewhere`);
    assert.equal(r.status, 404);
    assert.equal(((await r.json()) as { code: string }).code, "Error.NotFound");
  });

  it("rejects an invalid hub name with target 'hub'", async () => {
    const r = await rest(emu, "POST", "/api/hubs/1chat/:send", { body: "x" });
    assert.equal(r.status, 400);
    assert.equal(r.json.target, "hub");
  });

  it("answers a plain GET on the client endpoint with 400 (not a WebSocket request)", async () => {
    const r = await fetch(`${base(emu)}/client/hubs/chat`);
    assert.equal(r.status, 400);
  });
});
