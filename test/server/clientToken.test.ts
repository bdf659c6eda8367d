import assert from "node:assert/strict";
import { verifyJwt, decodeJwt } from "../../src/core/index.js";
import { AzureKeyCredential, WebPubSubServiceClient, DEFAULT_API_VERSION } from "../../src/index.js";
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { mintClientAccessToken } from "../../src/server/clientToken.js";
import { CONNECTION_STRING, ENDPOINT, KEY, intercept, newClient, setupNock } from "./support.js";

setupNock();

const NOW = Date.UTC(2030, 0, 1, 12, 0, 0);
const NOW_S = NOW / 1000;

function verified(token: string, aud: string): Record<string, unknown> {
  return verifyJwt(token, KEY, { nowSeconds: NOW_S, audience: (a) => a === aud });
}

describe("client access tokens with the access key", () => {
  for (const [protocol, path] of [
    ["default", "/client/hubs/chat"],
    ["mqtt", "/clients/mqtt/hubs/chat"],
    ["socketio", "/clients/socketio/hubs/chat"],
  ] as const) {
    it(`mints a ${protocol} token whose aud is the https URL of ${path}`, async () => {
      const t = await mintClientAccessToken(ENDPOINT, "chat", KEY, { clientProtocol: protocol }, NOW);
      verified(t.token, `${ENDPOINT}${path}`);
      assert.equal(t.baseUrl, `wss://fake.webpubsub.azure.com${path}`);
      assert.equal(t.url, `${t.baseUrl}?access_token=${t.token}`);
    });
  }

  it("sets iat and nbf to now and exp to now + 60 minutes by default, and expiresOn to exp", async () => {
    const t = await mintClientAccessToken(ENDPOINT, "chat", KEY, {}, NOW);
    const claims = verified(t.token, `${ENDPOINT}/client/hubs/chat`);
    assert.equal(claims["iat"], NOW_S);
    assert.equal(claims["nbf"], NOW_S);
    assert.equal(claims["exp"], NOW_S + 3600);
    assert.equal(t.expiresOn.getTime(), (NOW_S + 3600) * 1000);
  });

  it("honours expirationTimeInMinutes", async () => {
    const t = await mintClientAccessToken(ENDPOINT, "chat", KEY, { expirationTimeInMinutes: 5 }, NOW);
    assert.equal(decodeJwt(t.token).claims["exp"], NOW_S + 300);
    assert.equal(t.expiresOn.toISOString(), "2030-01-01T12:05:00.000Z");
  });

  it("puts userId in sub, roles in role and groups in webpubsub.group", async () => {
    const t = await mintClientAccessToken(ENDPOINT, "chat", KEY, { userId: "alice", roles: ["webpubsub.sendToGroup.g1", "webpubsub.joinLeaveGroup"], groups: ["g1", "g 2"] }, NOW);
    const claims = verified(t.token, `${ENDPOINT}/client/hubs/chat`);
    assert.equal(claims["sub"], "alice");
    assert.deepEqual(claims["role"], ["webpubsub.sendToGroup.g1", "webpubsub.joinLeaveGroup"]);
    assert.deepEqual(claims["webpubsub.group"], ["g1", "g 2"]);
  });

  it("leaves out sub, role and webpubsub.group when not given", async () => {
    const t = await mintClientAccessToken(ENDPOINT, "chat", KEY, { roles: [], groups: [] }, NOW);
    assert.deepEqual(Object.keys(decodeJwt(t.token).claims).sort(), ["aud", "exp", "iat", "nbf"]);
  });

  it("adds jwtHeaders such as kid to the JOSE header", async () => {
    const t = await mintClientAccessToken(ENDPOINT, "chat", KEY, { jwtHeaders: { kid: "key-1" } }, NOW);
    assert.deepEqual(decodeJwt(t.token).header, { kid: "key-1", alg: "HS256", typ: "JWT" });
    verified(t.token, `${ENDPOINT}/client/hubs/chat`);
  });

  it("refuses the access key as a header value and alg overrides", async () => {
    await assert.rejects(mintClientAccessToken(ENDPOINT, "chat", KEY, { jwtHeaders: { kid: KEY } }), { code: "WPS_ERR_INVALID_ARGUMENT", message: /must not contain the access key/ });
    await assert.rejects(mintClientAccessToken(ENDPOINT, "chat", KEY, { jwtHeaders: { alg: "none" } }), /jwtHeaders.alg cannot be set/);
  });

  it("URL-encodes the hub in the aud and the URLs", async () => {
    const t = await mintClientAccessToken(ENDPOINT, "h[1],x", KEY, {}, NOW);
    verified(t.token, `${ENDPOINT}/client/hubs/h%5B1%5D%2Cx`);
    assert.equal(t.baseUrl, "wss://fake.webpubsub.azure.com/client/hubs/h%5B1%5D%2Cx");
  });

  it("maps http to ws and keeps the port for a local endpoint", async () => {
    const t = await mintClientAccessToken("http://localhost:8080", "chat", KEY, {}, NOW);
    verified(t.token, "http://localhost:8080/client/hubs/chat");
    assert.equal(t.baseUrl, "ws://localhost:8080/client/hubs/chat");
  });

  it("uses the real endpoint, not the reverse proxy, for aud and URLs", async () => {
    const client = newClient("chat", { reverseProxyEndpoint: "https://apim.example.net" });
    const t = await client.getClientAccessToken();
    assert.equal(decodeJwt(t.token).claims["aud"], `${ENDPOINT}/client/hubs/chat`);
    assert.equal(t.baseUrl, "wss://fake.webpubsub.azure.com/client/hubs/chat");
  });

  it("uses the current key of a rotated AzureKeyCredential", async () => {
    const credential = new AzureKeyCredential(KEY);
    const client = new WebPubSubServiceClient(ENDPOINT, credential, "chat");
    credential.update("ROTATED-KEY-0123456789abcdefghijklmnop");
    const t = await client.getClientAccessToken();
    assert.throws(() => verifyJwt(t.token, KEY), { reason: "signature" });
    verifyJwt(t.token, "ROTATED-KEY-0123456789abcdefghijklmnop");
  });

  it("sends no request when minting with the key", async () => {
    // setupNock disables the network and no interceptor exists: a request would fail.
    const t = await new WebPubSubServiceClient(CONNECTION_STRING, "chat").getClientAccessToken({ userId: "u" });
    assert.equal(decodeJwt(t.token).claims["sub"], "u");
  });
});

describe("client access tokens with a TokenCredential", () => {
  const scopes: string[][] = [];
  const credential: TokenCredential = {
    async getToken(s: string | string[]): Promise<AccessToken> {
      scopes.push([s].flat());
      return { token: "entra-token", expiresOnTimestamp: Date.now() + 3600_000 };
    },
  };
  // What the fake service returns: only its exp (2030-01-01) matters to the client.
  const serviceToken = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjE4OTM0OTkyMDB9.sig";

  it("calls :generateToken with repeated role and group, minutesToExpire and clientType", async () => {
    const { captured, scope } = intercept([{ method: "POST", status: 200, body: { token: serviceToken }, headers: { "content-type": "application/json" } }]);
    const client = new WebPubSubServiceClient(ENDPOINT, credential, "chat");
    const t = await client.getClientAccessToken({ userId: "u 1", roles: ["r1", "r2"], groups: ["g1", "g2"], expirationTimeInMinutes: 10, clientProtocol: "mqtt" });
    scope.done();
    const req = captured[0]!;
    assert.equal(req.path, "/api/hubs/chat/:generateToken");
    assert.deepEqual(req.query, [
      ["userId", "u 1"],
      ["role", "r1"],
      ["role", "r2"],
      ["minutesToExpire", "10"],
      ["group", "g1"],
      ["group", "g2"],
      ["clientType", "MQTT"],
      ["api-version", DEFAULT_API_VERSION],
    ]);
    assert.equal(req.headers["authorization"], "Bearer entra-token");
    assert.deepEqual(scopes.at(-1), ["https://webpubsub.azure.com/.default"]);
    assert.equal(t.token, serviceToken);
    assert.equal(t.baseUrl, "wss://fake.webpubsub.azure.com/clients/mqtt/hubs/chat");
    assert.equal(t.expiresOn.getTime(), 1893499200_000);
  });

  it("maps socketio to clientType Default on the Socket.IO path", async () => {
    const { captured, scope } = intercept([{ method: "POST", status: 200, body: { token: serviceToken }, headers: { "content-type": "application/json" } }]);
    const t = await new WebPubSubServiceClient(ENDPOINT, credential, "chat").getClientAccessToken({ clientProtocol: "socketio" });
    scope.done();
    assert.deepEqual(captured[0]!.query, [["clientType", "Default"], ["api-version", DEFAULT_API_VERSION]]);
    assert.equal(t.baseUrl, "wss://fake.webpubsub.azure.com/clients/socketio/hubs/chat");
  });

  it("reads the token from a text/plain answer too", async () => {
    const { scope } = intercept([{ method: "POST", status: 200, body: JSON.stringify({ token: serviceToken }), headers: { "content-type": "text/plain" } }]);
    const t = await new WebPubSubServiceClient(ENDPOINT, credential, "chat").getClientAccessToken();
    scope.done();
    assert.equal(t.token, serviceToken);
  });

  it("fails with WPS_ERR_TOKEN when the answer has no token", async () => {
    const { scope } = intercept([{ method: "POST", status: 200, body: {}, headers: { "content-type": "application/json" } }]);
    await assert.rejects(new WebPubSubServiceClient(ENDPOINT, credential, "chat").getClientAccessToken(), { code: "WPS_ERR_TOKEN" });
    scope.done();
  });

  it("refuses jwtHeaders, which only the key path can honour", async () => {
    await assert.rejects(new WebPubSubServiceClient(ENDPOINT, credential, "chat").getClientAccessToken({ jwtHeaders: { kid: "k" } }), /jwtHeaders can only be used with an access key/);
  });

  it("signs other REST calls with the Entra token", async () => {
    const { captured, scope } = intercept([{ method: "HEAD", status: 200 }]);
    assert.equal(await new WebPubSubServiceClient(ENDPOINT, credential, "chat").userExists("u"), true);
    scope.done();
    assert.equal(captured[0]!.headers["authorization"], "Bearer entra-token");
  });
});
