// Version-aware calls: an operation or option that the client's apiVersion lacks fails locally
// with WPS_ERR_API_VERSION, naming the version that has it; what the version has goes out as usual.
import assert from "node:assert/strict";
import nock from "nock";
import { routeTable, type RouteTableOperation } from "../../generated/index.js";
import { DEFAULT_API_VERSION, isWebPubSubError, SUPPORTED_API_VERSIONS, WebPubSubServiceClient, type TokenCredential } from "../../src/index.js";
import { ENDPOINT, intercept, newClient, setupNock } from "./support.js";

setupNock();

const operations: readonly RouteTableOperation[] = routeTable.operations;
const op = (name: string): RouteTableOperation => operations.find((o) => o.name === name)!;
/** The versions just before and at the one that added `added`. */
const around = (added: string): [string, string] => {
  const at = SUPPORTED_API_VERSIONS.indexOf(added);
  return [SUPPORTED_API_VERSIONS[at - 1]!, added];
};

const credential: TokenCredential = { getToken: async () => ({ token: "entra-token", expiresOnTimestamp: Date.now() + 3_600_000 }) };

describe("version-aware calls (WPS_ERR_API_VERSION)", () => {
  afterEach(() => nock.cleanAll());

  it("refuses an operation the apiVersion lacks, before any request, naming the version that added it", async () => {
    const added = op("listConnectionsInGroup").added!;
    const [before] = around(added);
    // No interceptor: a request would fail with a network error instead.
    const iterator = newClient("chat", { apiVersion: before }).listConnectionsInGroup("room");
    await assert.rejects(iterator.next(), (e: unknown) => {
      assert.ok(isWebPubSubError(e));
      assert.equal(e.code, "WPS_ERR_API_VERSION");
      assert.equal(
        e.message,
        `listConnectionsInGroup (GET /api/hubs/{hub}/groups/{group}/connections) is not in apiVersion ${before}; it needs ${added} or later`,
      );
      return true;
    });
  });

  it("sends that operation at the version that added it", async () => {
    const [, added] = around(op("addConnectionsToGroups").added!);
    const { captured, scope } = intercept([{ method: "POST", status: 200 }]);
    await newClient("chat", { apiVersion: added }).addConnectionsToGroups(["a"], "userId eq 'u'");
    scope.done();
    assert.deepEqual(captured[0]!.query, [["api-version", added]]);
  });

  it("refuses an option the apiVersion lacks (filter on sendToAll), naming the option and the version", async () => {
    const filter = op("sendToAll").parameters.find((p) => p.name === "filter")!;
    const [before] = around(filter.added!);
    await assert.rejects(newClient("chat", { apiVersion: before }).sendToAll("x", { filter: "userId eq 'u'" }), {
      code: "WPS_ERR_API_VERSION",
      message: `the 'filter' option of sendToAll is not in apiVersion ${before}; it needs ${filter.added} or later`,
    });
  });

  it("sends the same call without that option at the older version, and with it at the version that added it", async () => {
    const filter = op("sendToAll").parameters.find((p) => p.name === "filter")!;
    const [before, added] = around(filter.added!);
    const { captured, scope } = intercept([{ method: "POST", status: 202 }, { method: "POST", status: 202 }]);
    await newClient("chat", { apiVersion: before }).sendToAll("x", { excludedConnections: ["c1"] });
    await newClient("chat", { apiVersion: added }).sendToAll("x", { filter: "userId eq 'u'" });
    scope.done();
    assert.deepEqual(captured.map((c) => c.query), [
      [["excluded", "c1"], ["api-version", before]],
      [["filter", "userId eq 'u'"], ["api-version", added]],
    ]);
  });

  it("refuses messageTtlSeconds and an MQTT token where the version lacks them; a default token needs no clientType", async () => {
    const ttl = op("sendToConnection").parameters.find((p) => p.name === "messageTtlSeconds")!;
    await assert.rejects(newClient("chat", { apiVersion: around(ttl.added!)[0] }).sendToConnection("c1", "x", { messageTtlSeconds: 5 }), {
      code: "WPS_ERR_API_VERSION",
      message: new RegExp(`'messageTtlSeconds' option of sendToConnection .* needs ${ttl.added} or later`),
    });
    const clientType = op("generateClientToken").parameters.find((p) => p.name === "clientType")!;
    const [before] = around(clientType.added!);
    const entra = new WebPubSubServiceClient(ENDPOINT, credential, "chat", { apiVersion: before });
    await assert.rejects(entra.getClientAccessToken({ clientProtocol: "mqtt" }), { code: "WPS_ERR_API_VERSION", message: /'clientType' option of generateClientToken/ });
    const { captured, scope } = intercept([{ method: "POST", status: 200, body: { token: "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjE4OTM0OTkyMDB9.sig" }, headers: { "content-type": "application/json" } }]);
    await entra.getClientAccessToken({ userId: "u" });
    scope.done();
    assert.deepEqual(captured[0]!.query, [["userId", "u"], ["api-version", before]]);
  });

  it("defaults to the newest version, which removes nothing: a client left at the default is never refused", () => {
    assert.equal(DEFAULT_API_VERSION, SUPPORTED_API_VERSIONS.at(-1));
    for (const o of operations) {
      assert.equal(o.removed, undefined, `${o.name} is removed in the newest version`);
      for (const p of o.parameters) assert.equal(p.removed, undefined, `${o.name} ${p.name}`);
    }
  });
});
