// What @azure/web-pubsub code relies on beyond the method names (the aliases themselves are
// type-checked by the README's "Switching from @azure/web-pubsub" example).
import assert from "node:assert/strict";
import { DEFAULT_API_VERSION } from "../../src/index.js";
import { ENDPOINT, intercept, newClient, setupNock } from "./support.js";

setupNock();

const emptyPage = { method: "GET" as const, status: 200, headers: { "content-type": "application/json" }, body: { value: [{ connectionId: "c" }] } };

describe("@azure/web-pubsub compatibility", () => {
  it("group.listConnections({ continuationToken }) sends the service's raw token on the first request", async () => {
    const { captured, scope } = intercept([emptyPage]);
    const first = await newClient().group("room").listConnections({ continuationToken: "abc+1", maxPageSize: 10 }).next();
    scope.done();
    assert.deepEqual(first.value, { connectionId: "c" });
    assert.equal(captured[0]!.path, "/api/hubs/chat/groups/room/connections");
    assert.deepEqual(captured[0]!.query, [["maxpagesize", "10"], ["continuationToken", "abc+1"], ["api-version", DEFAULT_API_VERSION]]);
  });

  it("resumes item iteration from one of our pages' continuationToken (a nextLink)", async () => {
    const link = `${ENDPOINT}/api/hubs/chat/groups/room/connections?continuationToken=xyz&api-version=${DEFAULT_API_VERSION}`;
    const { captured, scope } = intercept([emptyPage]);
    const items = [];
    for await (const m of newClient().listConnectionsInGroup("room", { continuationToken: link })) items.push(m.connectionId);
    scope.done();
    assert.deepEqual(items, ["c"]);
    assert.equal(captured[0]!.url, link);
  });

  it("refuses a continuationToken that links to another host, so no signed request goes there", () => {
    assert.throws(() => newClient().listConnectionsInGroup("room", { continuationToken: "https://evil.example/api/hubs/chat/groups/room/connections" }), {
      code: "WPS_ERR_INVALID_ARGUMENT",
      message: /another host/,
    });
  });
});
