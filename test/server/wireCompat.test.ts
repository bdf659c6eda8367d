// Wire compatibility with @azure/web-pubsub 1.2.0: the same calls (explicit content types)
// produce the same method, path, query and body. Authorization is compared by meaning (aud).
//
// Intentional differences (not exercised as equal below):
//  1. A bare string without contentType: official sends JSON ("\"hi\"", application/json);
//     we send text/plain. Calls here pass contentType or non-string values.
//  2. excludedConnections on closeAllConnections/closeUserConnections/closeGroupConnections:
//     missing from the official typed options; ours sends repeated `excluded`.
//  3. REST JWT lifetime: official exp = 1 h; ours 300 s (restTokenLifetimeSeconds). Both aud = full URL.
//  4. Client tokens: ours adds nbf, URL-encodes the hub in aud/URL, returns expiresOn, supports kid.
//  5. Empty messages and bodies over 1 MiB: official sends them (service 500/413); ours rejects locally.
//  6. listConnections: official returns Promise<iterator> and byPage({maxPageSize}) throws; ours returns the iterator.
//  7. Query order: official puts api-version first, the RLC runtime appends it last. Compared as a
//     multiset; each side's JWT aud equals its own exact request URL.
//  8. Results: official sends resolve to an object with a `body` field; ours resolve to undefined.
//     Only boolean results (exists, hasPermission) are compared.
import assert from "node:assert/strict";
import { WebPubSubServiceClient as Official } from "@azure/web-pubsub";
import { decodeJwt } from "../../src/core/index.js";
import { SUPPORTED_API_VERSIONS, WebPubSubServiceClient } from "../../src/index.js";
import { CONNECTION_STRING, intercept, setupNock, type Captured, type Reply } from "./support.js";

setupNock();

/**
 * The api-version @azure/web-pubsub sends (it pins one). Ours is pinned to it here, so a newer
 * default in spec/ does not break the comparison; the other differences are listed above.
 */
const OFFICIAL_API_VERSION = (new Official(CONNECTION_STRING, "chat") as unknown as { apiVersion: string }).apiVersion;

interface Pair {
  name: string;
  reply: Reply;
  ours: (c: WebPubSubServiceClient) => Promise<unknown>;
  theirs: (c: Official) => Promise<unknown>;
}

const bytes = () => Buffer.from([1, 2, 3, 250]);
const pairs: Pair[] = [
  { name: "sendToAll text", reply: { method: "POST", status: 202 }, ours: (c) => c.sendToAll("hi", { contentType: "text/plain" }), theirs: (c) => c.sendToAll("hi", { contentType: "text/plain" }) },
  { name: "sendToAll JSON object", reply: { method: "POST", status: 202 }, ours: (c) => c.sendToAll({ a: [1, "b"] }), theirs: (c) => c.sendToAll({ a: [1, "b"] }) },
  { name: "sendToAll binary", reply: { method: "POST", status: 202 }, ours: (c) => c.sendToAll(bytes()), theirs: (c) => c.sendToAll(bytes()) },
  {
    name: "sendToAll with excluded, filter, ttl",
    reply: { method: "POST", status: 202 },
    ours: (c) => c.sendToAll({ x: 1 }, { excludedConnections: ["a", "b c"], filter: "userId eq 'u'", messageTtlSeconds: 7 }),
    theirs: (c) => c.sendToAll({ x: 1 }, { excludedConnections: ["a", "b c"], filter: "userId eq 'u'", messageTtlSeconds: 7 }),
  },
  {
    name: "sendToUser text with filter",
    reply: { method: "POST", status: 202 },
    ours: (c) => c.sendToUser("u/1", "t", { contentType: "text/plain", filter: "connectionId ne 'c'" }),
    theirs: (c) => c.sendToUser("u/1", "t", { contentType: "text/plain", filter: "connectionId ne 'c'" }),
  },
  { name: "sendToConnection JSON with ttl", reply: { method: "POST", status: 202 }, ours: (c) => c.sendToConnection("c1", [1, 2], { messageTtlSeconds: 3 }), theirs: (c) => c.sendToConnection("c1", [1, 2], { messageTtlSeconds: 3 }) },
  {
    name: "group send with excluded",
    reply: { method: "POST", status: 202 },
    ours: (c) => c.group("a b").sendToAll("x", { contentType: "text/plain", excludedConnections: ["e"] }),
    theirs: (c) => c.group("a b").sendToAll("x", { contentType: "text/plain", excludedConnections: ["e"] }),
  },
  { name: "connectionExists", reply: { method: "HEAD", status: 200 }, ours: (c) => c.connectionExists("c 1"), theirs: (c) => c.connectionExists("c 1") },
  { name: "userExists", reply: { method: "HEAD", status: 404 }, ours: (c) => c.userExists("u"), theirs: (c) => c.userExists("u") },
  { name: "groupExists", reply: { method: "HEAD", status: 200 }, ours: (c) => c.groupExists("g/1"), theirs: (c) => c.groupExists("g/1") },
  { name: "closeConnection with reason", reply: { method: "DELETE", status: 204 }, ours: (c) => c.closeConnection("c1", { reason: "r r" }), theirs: (c) => c.closeConnection("c1", { reason: "r r" }) },
  { name: "closeAllConnections with reason", reply: { method: "POST", status: 204 }, ours: (c) => c.closeAllConnections({ reason: "bye" }), theirs: (c) => c.closeAllConnections({ reason: "bye" }) },
  { name: "closeUserConnections", reply: { method: "POST", status: 204 }, ours: (c) => c.closeUserConnections("u", { reason: "x" }), theirs: (c) => c.closeUserConnections("u", { reason: "x" }) },
  { name: "group closeAllConnections", reply: { method: "POST", status: 204 }, ours: (c) => c.group("g").closeAllConnections({ reason: "x" }), theirs: (c) => c.group("g").closeAllConnections({ reason: "x" }) },
  { name: "removeUserFromAllGroups", reply: { method: "DELETE", status: 204 }, ours: (c) => c.removeUserFromAllGroups("u"), theirs: (c) => c.removeUserFromAllGroups("u") },
  { name: "removeConnectionFromAllGroups", reply: { method: "DELETE", status: 204 }, ours: (c) => c.removeConnectionFromAllGroups("c"), theirs: (c) => c.removeConnectionFromAllGroups("c") },
  { name: "group addConnection", reply: { method: "PUT", status: 200 }, ours: (c) => c.group("g").addConnection("c"), theirs: (c) => c.group("g").addConnection("c") },
  { name: "group removeConnection", reply: { method: "DELETE", status: 204 }, ours: (c) => c.group("g").removeConnection("c"), theirs: (c) => c.group("g").removeConnection("c") },
  { name: "group addUser", reply: { method: "PUT", status: 200 }, ours: (c) => c.group("g").addUser("u"), theirs: (c) => c.group("g").addUser("u") },
  { name: "group removeUser", reply: { method: "DELETE", status: 204 }, ours: (c) => c.group("g").removeUser("u"), theirs: (c) => c.group("g").removeUser("u") },
  {
    name: "addConnectionsToGroups",
    reply: { method: "POST", status: 200 },
    ours: (c) => c.addConnectionsToGroups(["a", "b"], "userId eq 'x'"),
    theirs: (c) => c.addConnectionsToGroups(["a", "b"], "userId eq 'x'"),
  },
  {
    name: "removeConnectionsFromGroups",
    reply: { method: "POST", status: 200 },
    ours: (c) => c.removeConnectionsFromGroups(["a"], "userId eq 'x'"),
    theirs: (c) => c.removeConnectionsFromGroups(["a"], "userId eq 'x'"),
  },
  {
    name: "grantPermission with targetName",
    reply: { method: "PUT", status: 200 },
    ours: (c) => c.grantPermission("c", "sendToGroup", { targetName: "g" }),
    theirs: (c) => c.grantPermission("c", "sendToGroup", { targetName: "g" }),
  },
  { name: "revokePermission", reply: { method: "DELETE", status: 204 }, ours: (c) => c.revokePermission("c", "joinLeaveGroup"), theirs: (c) => c.revokePermission("c", "joinLeaveGroup") },
  {
    name: "hasPermission",
    reply: { method: "HEAD", status: 404 },
    ours: (c) => c.hasPermission("c", "sendToGroup", { targetName: "g" }),
    theirs: (c) => c.hasPermission("c", "sendToGroup", { targetName: "g" }),
  },
  {
    name: "group listConnections first page",
    reply: { method: "GET", status: 200, body: { value: [{ connectionId: "c" }] }, headers: { "content-type": "application/json" } },
    ours: (c) => c.group("g").listConnections({ maxPageSize: 5, top: 9 }).next(),
    theirs: async (c) => (await c.group("g").listConnections({ maxPageSize: 5, top: 9 })).next(),
  },
];

function comparable(r: Captured) {
  return {
    method: r.method,
    path: r.path,
    query: [...r.query].sort((a, b) => (a[0] + a[1] < b[0] + b[1] ? -1 : 1)),
    contentType: r.headers["content-type"],
    body: r.body,
    audIsRequestUrl: decodeJwt(String(r.headers["authorization"]).slice(7)).claims["aud"] === r.url,
  };
}

describe("wire compatibility with @azure/web-pubsub 1.2.0", () => {
  it("compares at the api-version the official SDK sends, which our spec has", () => {
    assert.match(OFFICIAL_API_VERSION, /^\d{4}-\d{2}-\d{2}$/);
    assert.ok(SUPPORTED_API_VERSIONS.includes(OFFICIAL_API_VERSION));
  });

  for (const pair of pairs) {
    it(`${pair.name}: same request`, async () => {
      const ours = intercept([pair.reply]);
      const ourResult = await pair.ours(new WebPubSubServiceClient(CONNECTION_STRING, "chat", { apiVersion: OFFICIAL_API_VERSION }));
      ours.scope.done();
      const theirs = intercept([pair.reply]);
      const theirResult = await pair.theirs(new Official(CONNECTION_STRING, "chat", { retryOptions: { maxRetries: 0 } }));
      theirs.scope.done();
      assert.deepEqual(comparable(ours.captured[0]!), comparable(theirs.captured[0]!));
      if (typeof theirResult === "boolean") assert.equal(ourResult, theirResult);
      if (pair.reply.method === "GET") assert.deepEqual(ourResult, theirResult);
    });
  }

  it("mints client tokens with the same aud, sub, role and group claims for a plain hub", async () => {
    const options = { userId: "u", roles: ["webpubsub.joinLeaveGroup"], groups: ["g"] };
    const ours = await new WebPubSubServiceClient(CONNECTION_STRING, "chat", { apiVersion: OFFICIAL_API_VERSION }).getClientAccessToken(options);
    const theirs = await new Official(CONNECTION_STRING, "chat").getClientAccessToken(options);
    const pick = (t: string) => {
      const c = decodeJwt(t).claims;
      return { aud: c["aud"], sub: c["sub"], role: c["role"], group: c["webpubsub.group"], lifetime: (c["exp"] as number) - (c["iat"] as number) };
    };
    assert.deepEqual(pick(ours.token), pick(theirs.token));
    assert.equal(ours.baseUrl, theirs.baseUrl);
  });
});
