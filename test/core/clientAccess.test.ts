import assert from "node:assert/strict";
import {
  audienceMatcher,
  buildClientTokenClaims,
  clientPath,
  clientTokenAudiences,
  generateTokenClientType,
  parseClientPath,
  readClientTokenClaims,
  restTokenAudiences,
  toWebSocketUrl,
  mediaTypeOf,
  parseMediaType,
} from "../../src/core/index.js";

describe("core/clientAccess", () => {
  it("builds the client path of each protocol with the hub escaped", () => {
    assert.equal(clientPath("chat"), "/client/hubs/chat");
    assert.equal(clientPath("a[1]", "mqtt"), "/clients/mqtt/hubs/a%5B1%5D");
    assert.equal(clientPath("chat", "socketio"), "/clients/socketio/hubs/chat");
    assert.equal(toWebSocketUrl("HTTPS://x"), "wss://x");
  });

  it("parses client paths back to protocol and hub segment, and nothing else", () => {
    assert.deepEqual(parseClientPath("/client/hubs/chat/"), { protocol: "default", hubSegment: "chat" });
    assert.deepEqual(parseClientPath("/clients/mqtt/hubs/a%5B1%5D"), { protocol: "mqtt", hubSegment: "a%5B1%5D" });
    for (const p of ["/client/hubs/", "/client/hubs/a/b", "/client/hubs/a//", "/clients/other/hubs/a", "/api/hubs/a"]) {
      assert.equal(parseClientPath(p), undefined, p);
    }
  });

  it("maps protocols to the :generateToken clientType", () => {
    assert.equal(generateTokenClientType("mqtt"), "MQTT");
    assert.equal(generateTokenClientType("socketio"), "Default");
  });

  it("builds claims as the official SDKs do, leaving empty values out", () => {
    assert.deepEqual(buildClientTokenClaims({ audience: "http://x/client/hubs/h", nowSeconds: 100, expiresInMinutes: 2, notBefore: true, userId: "u", roles: ["r"], groups: ["g"] }), {
      aud: "http://x/client/hubs/h",
      iat: 100,
      nbf: 100,
      exp: 220,
      sub: "u",
      role: ["r"],
      "webpubsub.group": ["g"],
    });
    assert.deepEqual(buildClientTokenClaims({ audience: "a", nowSeconds: 0, expiresInMinutes: 1, userId: "", roles: [], groups: [] }), { aud: "a", iat: 0, exp: 60 });
  });

  it("reads user, roles and groups from strings or arrays and refuses bad claims", () => {
    assert.deepEqual(readClientTokenClaims({ nameid: "n", role: "r", "webpubsub.group": ["g"] }), { ok: true, userId: "n", roles: ["r"], groups: ["g"] });
    assert.deepEqual(readClientTokenClaims({}), { ok: true, userId: null, roles: [], groups: [] });
    assert.equal((readClientTokenClaims({ role: [1] }) as { claim?: string }).claim, "role");
    assert.equal((readClientTokenClaims({ "webpubsub.group": ["  "] }) as { claim?: string }).claim, "webpubsub.group");
  });

  it("accepts client audiences in any scheme and case, raw or escaped, with a trailing slash", () => {
    const ok = audienceMatcher(clientTokenAudiences("localhost:8080", "a[1]"));
    assert.equal(ok("HTTP://LOCALHOST:8080/client/hubs/a[1]"), true);
    assert.equal(ok("wss://localhost:8080/client/hubs/a%5B1%5D/"), true);
    assert.equal(ok("http://localhost:8080/client/hubs/other"), false);
    assert.equal(ok("http://evil:8080/client/hubs/a[1]"), false);
  });

  it("accepts REST audiences with or without the query", () => {
    const ok = audienceMatcher(restTokenAudiences("h:1", "/api/hubs/x/:send?api-version=1"));
    assert.equal(ok("http://h:1/api/hubs/x/:send?api-version=1"), true);
    assert.equal(ok("https://h:1/api/hubs/x/:send"), true);
    assert.equal(ok("http://h:1/api/hubs/y/:send"), false);
  });
});

describe("core/mediaType", () => {
  it("lower-cases the essence and reads parameters, quotes removed", () => {
    assert.deepEqual(parseMediaType(' Text/Plain ; Charset="UTF-8"; x=1'), { essence: "text/plain", parameters: { charset: "UTF-8", x: "1" } });
    assert.equal(mediaTypeOf(undefined), "");
    assert.equal(mediaTypeOf("application/json;"), "application/json");
  });
});
