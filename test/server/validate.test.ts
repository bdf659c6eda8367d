// Every spec limit is checked locally: clear message, stable code, and no request
// (nock has no interceptor and net connect is disabled, so a request would fail differently).
import assert from "node:assert/strict";
import nock from "nock";
import { WebPubSubServiceClient } from "../../src/index.js";
import { CONNECTION_STRING, ENDPOINT, intercept, newClient, setupNock } from "./support.js";

setupNock();

type Call = (c: WebPubSubServiceClient) => Promise<unknown> | unknown;

const rejected: [string, Call, RegExp][] = [
  ["an empty group", (c) => c.sendToGroup("", "x"), /group must be 1-1024 characters long \(got 0\)/],
  ["a 1025-character group", (c) => c.addConnectionToGroup("g".repeat(1025), "c"), /group must be 1-1024 characters long \(got 1025\)/],
  ["a whitespace-only group", (c) => c.groupExists("   "), /group must not be only whitespace/],
  ["a non-string group", (c) => c.removeUserFromGroup(42 as unknown as string, "u"), /group must be a string/],
  ["an empty userId", (c) => c.sendToUser("", "x"), /userId must be a non-empty string/],
  ["an empty connectionId", (c) => c.closeConnection(""), /connectionId must be a non-empty string/],
  ["an empty connectionId in exists", (c) => c.connectionExists(""), /connectionId must be a non-empty string/],
  ["messageTtlSeconds 301", (c) => c.sendToAll("x", { messageTtlSeconds: 301 }), /messageTtlSeconds must be an integer 0-300 \(got 301\)/],
  ["messageTtlSeconds -1", (c) => c.sendToConnection("c", "x", { messageTtlSeconds: -1 }), /messageTtlSeconds must be an integer 0-300/],
  ["a fractional messageTtlSeconds", (c) => c.sendToUser("u", "x", { messageTtlSeconds: 1.5 }), /messageTtlSeconds must be an integer 0-300 \(got 1.5\)/],
  ["an empty filter", (c) => c.sendToAll("x", { filter: " " }), /filter must be a non-empty OData filter string/],
  ["an empty filter on addConnectionsToGroups", (c) => c.addConnectionsToGroups(["g"], ""), /filter must be a non-empty OData filter string/],
  ["an empty groups list", (c) => c.removeConnectionsFromGroups([], "userId eq 'a'"), /groups must be a non-empty array/],
  ["a bad group inside groups", (c) => c.addConnectionsToGroups(["ok", ""], "userId eq 'a'"), /groups\[1\] must be 1-1024 characters/],
  ["an empty excluded connection id", (c) => c.closeAllConnections({ excludedConnections: ["a", ""] }), /excludedConnections\[1\] must be a non-empty string/],
  ["an unknown permission", (c) => c.grantPermission("c", "admin" as never), /permission must be one of joinLeaveGroup, sendToGroup \(got admin\)/],
  ["a whitespace targetName", (c) => c.checkPermission("c", "sendToGroup", { targetName: " " }), /targetName must not be only whitespace/],
  ["maxPageSize 0", (c) => c.listConnectionsInGroup("g", { maxPageSize: 0 }), /maxPageSize must be an integer 1-200 \(got 0\)/],
  ["maxPageSize 201", (c) => c.listConnectionsInGroup("g", { maxPageSize: 201 }), /maxPageSize must be an integer 1-200 \(got 201\)/],
  ["top 0", (c) => c.listConnectionsInGroup("g", { top: 0 }), /top must be an integer >= 1 \(got 0\)/],
  ["expirationTimeInMinutes 0", (c) => c.getClientAccessToken({ expirationTimeInMinutes: 0 }), /expirationTimeInMinutes must be an integer >= 1 \(got 0\)/],
  ["an unknown clientProtocol", (c) => c.getClientAccessToken({ clientProtocol: "signalr" as never }), /clientProtocol must be one of default, mqtt, socketio/],
  ["an empty role", (c) => c.getClientAccessToken({ roles: [""] }), /roles\[0\] must be a non-empty string/],
  ["a bad token group", (c) => c.getClientAccessToken({ groups: [" "] }), /groups\[0\] must not be only whitespace/],
  ["an unsupported contentType", (c) => c.sendToAll("x", { contentType: "text/html" }), /contentType 'text\/html' is not supported/],
  ["an empty message", (c) => c.sendToAll(""), /message must not be empty/],
  ["a message over 1 MiB", (c) => c.sendToAll(new Uint8Array(1024 * 1024 + 1)), /message is 1048577 bytes; the limit is 1048576 bytes/],
];

describe("argument validation", () => {
  // A catch-all interceptor counts any request that slips past validation.
  let requests = 0;
  beforeEach(() => {
    requests = 0;
    for (const method of ["GET", "POST", "PUT", "DELETE", "HEAD"]) {
      nock(ENDPOINT)
        .persist()
        .intercept(/.*/, method)
        .reply(() => {
          requests++;
          return [500, ""];
        });
    }
  });
  afterEach(() => {
    nock.cleanAll();
    assert.equal(requests, 0, "a request was sent");
  });

  for (const [what, call, message] of rejected) {
    it(`rejects ${what} before any request`, async () => {
      await assert.rejects(async () => call(newClient()), (e: Error & { code?: string }) => {
        assert.equal(e.code, "WPS_ERR_INVALID_ARGUMENT");
        assert.ok(e instanceof TypeError || e instanceof RangeError);
        assert.match(e.message, message);
        return true;
      });
    });
  }

  it("rejects byPage({ maxPageSize: 500 }) before any request", async () => {
    const pages = newClient().listConnectionsInGroup("g").byPage({ maxPageSize: 500 });
    await assert.rejects(pages.next(), /maxPageSize must be an integer 1-200 \(got 500\)/);
  });

  for (const hub of ["", "1hub", "hub-name", "h".repeat(129), "hub name", "hüb"]) {
    it(`rejects the hub name ${JSON.stringify(hub.length > 20 ? `${hub.slice(0, 5)}…(${hub.length})` : hub)}`, () => {
      assert.throws(() => new WebPubSubServiceClient(CONNECTION_STRING, hub), { code: "WPS_ERR_INVALID_ARGUMENT", message: /hubName .* must start with a letter and contain 1-128 characters/ });
    });
  }

  for (const hub of ["a", "Hub_1", "h`,.[]", "h".repeat(128)]) {
    it(`accepts the hub name ${hub.length > 20 ? `of ${hub.length} chars` : hub}`, () => {
      assert.equal(new WebPubSubServiceClient(CONNECTION_STRING, hub).hubName, hub);
    });
  }

  it("accepts boundary values 0 and 300 for messageTtlSeconds, 1 and 200 for maxPageSize, and sends them", async () => {
    nock.cleanAll();
    const c = newClient();
    const { captured, scope } = intercept([
      { method: "POST", status: 202 },
      { method: "POST", status: 202 },
      { method: "GET", status: 200, body: { value: [] } },
      { method: "GET", status: 200, body: { value: [] } },
    ]);
    await c.sendToAll("x", { messageTtlSeconds: 0 });
    await c.sendToAll("x", { messageTtlSeconds: 300 });
    assert.deepEqual(await c.listConnectionsInGroup("g", { maxPageSize: 200 }).next(), { done: true, value: undefined });
    assert.deepEqual(await c.listConnectionsInGroup("g", { maxPageSize: 1 }).next(), { done: true, value: undefined });
    scope.done();
    const param = (i: number, name: string) => captured[i]!.query.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
    assert.deepEqual([param(0, "messageTtlSeconds"), param(1, "messageTtlSeconds"), param(2, "maxpagesize"), param(3, "maxpagesize")], ["0", "300", "200", "1"]);
  });
});
