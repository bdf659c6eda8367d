// generated/ (Web PubSub) sends exactly the requests the service expects.
import assert from "node:assert/strict";
import createWebPubSubServiceClient, { apiVersions, defaultApiVersion, isUnexpected, paginate } from "../../generated/index.js";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { stub, useNock, type Seen } from "./http.js";
import { repoRoot } from "./support.js";

const ORIGIN = "https://wps.example.com";
const API = `api-version=${defaultApiVersion}`;
/** The versions the OpenAPI emitter wrote documents for: an independent reading of spec/. */
const specVersions = readdirSync(join(repoRoot, "spec/openapi"))
  .map((f) => /^webpubsub\.(.+)\.json$/.exec(f)?.[1])
  .filter((v): v is string => v !== undefined)
  .sort();

describe("generated Web PubSub client: requests", () => {
  useNock();
  const client = createWebPubSubServiceClient(ORIGIN, undefined, { retryOptions: { maxRetries: 0 } });
  let seen: Seen[];
  beforeEach(() => {
    seen = [];
  });

  it("lists every spec version and defaults to the newest", () => {
    assert.ok(specVersions.length >= 5, "spec/openapi holds a document per version");
    assert.deepEqual([...apiVersions], specVersions);
    assert.equal(defaultApiVersion, specVersions.at(-1));
  });

  it("sendToAll: text body, repeated `excluded`, filter, api-version", async () => {
    const scope = stub(ORIGIN, "POST", { status: 202 }, seen);
    const response = await client.path("/api/hubs/{hub}/:send", "chat").post({
      contentType: "text/plain",
      body: "hi",
      queryParameters: { excluded: { value: ["a", "b"], explode: true }, filter: "userId eq 'x'", messageTtlSeconds: 30 },
    });
    scope.done();
    assert.equal(seen[0]!.method, "POST");
    assert.equal(seen[0]!.path, `/api/hubs/chat/:send?excluded=a&excluded=b&filter=userId%20eq%20%27x%27&messageTtlSeconds=30&${API}`);
    assert.equal(seen[0]!.headers["content-type"], "text/plain");
    assert.equal(seen[0]!.body, "hi");
    assert.equal(response.status, "202");
    assert.equal(isUnexpected(response), false);
  });

  it("sendToAll: JSON passed as bytes is sent verbatim; binary as is", async () => {
    stub(ORIGIN, "POST", { status: 202 }, seen);
    stub(ORIGIN, "POST", { status: 202 }, seen);
    await client.path("/api/hubs/{hub}/:send", "chat").post({ contentType: "application/json", body: new TextEncoder().encode('{"x":1}') });
    await client.path("/api/hubs/{hub}/:send", "chat").post({ contentType: "application/octet-stream", body: new Uint8Array([0xff, 0x00, 0xfe]) });
    assert.match(seen[0]!.headers["content-type"]!, /^application\/json/);
    assert.equal(seen[0]!.body, '{"x":1}');
    assert.equal(seen[1]!.headers["content-type"], "application/octet-stream");
    assert.equal(seen[1]!.body, "ff00fe", "nock hex-encodes binary bodies");
  });

  it("note for callers: core-client JSON-encodes a *string* body sent as application/json", async () => {
    stub(ORIGIN, "POST", { status: 202 }, seen);
    await client.path("/api/hubs/{hub}/:send", "chat").post({ contentType: "application/json", body: '{"x":1}' });
    assert.equal(seen[0]!.body, JSON.stringify('{"x":1}'));
  });

  it("an error reply is unexpected and exposes the error body and x-ms-error-code", async () => {
    const scope = stub(ORIGIN, "POST", { status: 400, body: { code: "InvalidHub", message: "bad hub" }, headers: { "x-ms-error-code": "InvalidHub" } }, seen);
    const response = await client.path("/api/hubs/{hub}/:send", "chat").post({ contentType: "text/plain", body: "hi" });
    scope.done();
    assert.equal(isUnexpected(response), true);
    if (!isUnexpected(response)) return;
    assert.equal(response.body.message, "bad hub");
    assert.equal(response.headers["x-ms-error-code"], "InvalidHub");
  });

  it("path arguments follow the template order and are encoded", async () => {
    const scope = stub(ORIGIN, "PUT", { status: 200 }, seen);
    const response = await client.path("/api/hubs/{hub}/users/{userId}/groups/{group}", "chat", "u@x", "a b/c").put();
    scope.done();
    assert.equal(seen[0]!.path, `/api/hubs/chat/users/u%40x/groups/a%20b%2Fc?${API}`);
    assert.equal(isUnexpected(response), false);
  });

  it("generateClientToken: repeated role and group, clientType", async () => {
    const scope = stub(ORIGIN, "POST", { status: 200, body: { token: "jwt" } }, seen);
    const response = await client.path("/api/hubs/{hub}/:generateToken", "chat").post({
      queryParameters: {
        userId: "u1",
        role: { value: ["webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"], explode: true },
        group: { value: ["g1", "g2"], explode: true },
        minutesToExpire: 5,
        clientType: "MQTT",
      },
    });
    scope.done();
    assert.equal(
      seen[0]!.path,
      `/api/hubs/chat/:generateToken?userId=u1&role=webpubsub.joinLeaveGroup&role=webpubsub.sendToGroup&group=g1&group=g2&minutesToExpire=5&clientType=MQTT&${API}`,
    );
    if (isUnexpected(response)) assert.fail("unexpected");
    assert.equal(response.body.token, "jwt");
  });

  it("exists checks: 200 and 404 are both expected answers; other statuses are not", async () => {
    const statuses: [number, boolean][] = [[200, false], [404, false], [403, true]];
    for (const [status, unexpected] of statuses) {
      const scope = stub(ORIGIN, "HEAD", { status }, seen);
      const response = await client.path("/api/hubs/{hub}/connections/{connectionId}", "chat", "c1").head();
      scope.done();
      assert.equal(isUnexpected(response), unexpected, `HEAD ${status}`);
    }
    assert.equal(seen[0]!.path, `/api/hubs/chat/connections/c1?${API}`);
  });

  it("the health probe's 503 is unexpected", async () => {
    const scope = stub(ORIGIN, "HEAD", { status: 503 }, seen);
    const response = await client.path("/api/health").head();
    scope.done();
    assert.equal(seen[0]!.path, `/api/health?${API}`);
    assert.equal(isUnexpected(response), true);
  });

  it("listConnectionsInGroup pages through nextLink", async () => {
    const next = `${ORIGIN}/api/hubs/chat/groups/g/connections?continuationToken=t2&${API}`;
    stub(ORIGIN, "GET", { status: 200, body: { value: [{ connectionId: "c1", userId: "u1" }], nextLink: next } }, seen);
    stub(ORIGIN, "GET", { status: 200, body: { value: [{ connectionId: "c2" }] } }, seen);
    const first = await client.path("/api/hubs/{hub}/groups/{group}/connections", "chat", "g").get({ queryParameters: { maxpagesize: 1 } });
    if (isUnexpected(first)) assert.fail("unexpected");
    const ids: string[] = [];
    for await (const member of paginate(client, first)) ids.push(member.connectionId);
    assert.deepEqual(ids, ["c1", "c2"]);
    assert.deepEqual(seen.map((s) => s.path), [
      `/api/hubs/chat/groups/g/connections?maxpagesize=1&${API}`,
      `/api/hubs/chat/groups/g/connections?continuationToken=t2&${API}`,
    ]);
  });
});
