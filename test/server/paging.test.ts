import assert from "node:assert/strict";
import { DEFAULT_API_VERSION } from "../../src/index.js";
import { ENDPOINT, assertRestAuth, intercept, newClient, setupNock } from "./support.js";

setupNock();

const page = (ids: string[], nextLink?: string) => ({
  method: "GET" as const,
  status: 200,
  headers: { "content-type": "application/json" },
  body: { value: ids.map((id) => (id.startsWith("u:") ? { connectionId: id.slice(2), userId: `user-${id.slice(2)}` } : { connectionId: id })), ...(nextLink && { nextLink }) },
});
const next = `${ENDPOINT}/api/hubs/chat/groups/g%201/connections?maxpagesize=2&continuationToken=abc%2B1&api-version=${DEFAULT_API_VERSION}`;

describe("listConnectionsInGroup", () => {
  it("is returned directly and iterates items across pages, following nextLink", async () => {
    const { captured, scope } = intercept([page(["a", "u:b"], next), page(["c"])]);
    const items = [];
    for await (const m of newClient().listConnectionsInGroup("g 1", { maxPageSize: 2 })) items.push(m);
    scope.done();
    assert.deepEqual(items, [{ connectionId: "a" }, { connectionId: "b", userId: "user-b" }, { connectionId: "c" }]);
    assert.equal(captured[0]!.path, "/api/hubs/chat/groups/g%201/connections");
    assert.deepEqual(captured[0]!.query, [["maxpagesize", "2"], ["api-version", DEFAULT_API_VERSION]]);
    assert.equal(captured[1]!.url, next);
    assertRestAuth(captured[1]!);
  });

  it("passes top", async () => {
    const { captured, scope } = intercept([page(["a"])]);
    await newClient().listConnectionsInGroup("g", { top: 5 }).next();
    scope.done();
    assert.deepEqual(captured[0]!.query, [["top", "5"], ["api-version", DEFAULT_API_VERSION]]);
  });

  it("stops after top items even if the service returns more", async () => {
    const { scope } = intercept([page(["a", "b", "c"], next)]);
    const items = [];
    for await (const m of newClient().listConnectionsInGroup("g", { top: 2 })) items.push(m.connectionId);
    scope.done();
    assert.deepEqual(items, ["a", "b"]);
  });

  it("byPage yields pages carrying continuationToken, and honours maxPageSize", async () => {
    const { captured, scope } = intercept([page(["a", "b"], next), page(["c"])]);
    const pages = [];
    for await (const p of newClient().listConnectionsInGroup("g 1").byPage({ maxPageSize: 2 })) pages.push(p);
    scope.done();
    assert.deepEqual(pages.map((p) => p.map((m) => m.connectionId)), [["a", "b"], ["c"]]);
    assert.equal(pages[0]!.continuationToken, next);
    assert.equal(pages[1]!.continuationToken, undefined);
    assert.deepEqual(captured[0]!.query, [["maxpagesize", "2"], ["api-version", DEFAULT_API_VERSION]]);
  });

  it("resumes from a continuationToken and applies a new maxPageSize to it", async () => {
    const { captured, scope } = intercept([page(["c"])]);
    const pages = newClient().listConnectionsInGroup("g 1").byPage({ continuationToken: next, maxPageSize: 7 });
    const first = await pages.next();
    scope.done();
    assert.deepEqual(first.value, [{ connectionId: "c" }]);
    assert.equal(captured[0]!.url, next.replace("maxpagesize=2", "maxpagesize=7"));
    assert.equal(captured[0]!.rawQuery.includes("continuationToken=abc%2B1"), true);
  });

  it("throws a ServiceError when a page fails", async () => {
    const { scope } = intercept([{ method: "GET", status: 400, body: { code: "BadRequest", message: "bad token" }, headers: { "content-type": "application/json" } }]);
    await assert.rejects(newClient().listConnectionsInGroup("g").next(), { name: "ServiceError", statusCode: 400, message: /listConnectionsInGroup failed: 400 GET \/api\/hubs\/chat\/groups\/g\/connections/ });
    scope.done();
  });

  it("group(name).listConnections lists the group", async () => {
    const { captured, scope } = intercept([page(["a"])]);
    const r = await newClient().group("room").listConnections().next();
    scope.done();
    assert.deepEqual(r.value, { connectionId: "a" });
    assert.equal(captured[0]!.path, "/api/hubs/chat/groups/room/connections");
  });
});
