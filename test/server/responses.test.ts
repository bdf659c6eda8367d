// How responses become results and errors: success statuses, ErrorDetail, retries, secrets.
import assert from "node:assert/strict";
import { ServiceError, isWebPubSubError } from "../../src/index.js";
import { KEY, intercept, newClient, setupNock } from "./support.js";

setupNock();

describe("response handling", () => {
  it("turns a 400 ErrorDetail into a ServiceError with code, target, request id and a path without query", async () => {
    const { scope } = intercept([
      {
        method: "POST",
        status: 400,
        body: { code: "InvalidFilter", message: "Invalid syntax for 'userId eq'", target: "filter", details: [{ code: "Inner" }] },
        headers: { "content-type": "application/json", "x-ms-request-id": "req-42" },
      },
    ]);
    const error = await newClient()
      .sendToAll("x", { filter: "userId eq" })
      .then(() => assert.fail("should reject"), (e: unknown) => e);
    scope.done();
    assert.ok(error instanceof ServiceError);
    assert.equal(error.code, "WPS_ERR_SERVICE");
    assert.equal(error.statusCode, 400);
    assert.equal(error.serviceCode, "InvalidFilter");
    assert.equal(error.target, "filter");
    assert.equal(error.requestId, "req-42");
    assert.deepEqual(error.details, [{ code: "Inner" }]);
    assert.equal(error.message, "sendToAll failed: 400 POST /api/hubs/chat/:send [InvalidFilter]: Invalid syntax for 'userId eq'");
  });

  it("prefers the x-ms-error-code header and reads a wrapped {error:{…}} body", async () => {
    const { scope } = intercept([
      { method: "PUT", status: 404, body: { error: { code: "Body", message: "Connection not found" } }, headers: { "content-type": "application/json", "x-ms-error-code": "Header" } },
    ]);
    await assert.rejects(newClient().addConnectionToGroup("g", "c1"), (e: ServiceError) => {
      assert.equal(e.serviceCode, "Header");
      assert.equal(e.statusCode, 404);
      assert.match(e.message, /^addConnectionToGroup failed: 404 PUT \/api\/hubs\/chat\/groups\/g\/connections\/c1 \[Header\]: Connection not found$/);
      return true;
    });
    scope.done();
  });

  it("reports a 401 with a hint and without the key or token", async () => {
    const { captured, scope } = intercept([{ method: "HEAD", status: 401, headers: { "www-authenticate": "Bearer" } }]);
    const error = (await newClient().userExists("u").catch((e: unknown) => e)) as ServiceError;
    scope.done();
    assert.equal(error.statusCode, 401);
    assert.match(error.message, /^userExists failed: 401 HEAD \/api\/hubs\/chat\/users\/u \(check the access key/);
    const token = String(captured[0]!.headers["authorization"]).slice("Bearer ".length);
    const text = JSON.stringify({ ...error, message: error.message, stack: error.stack });
    assert.ok(!text.includes(KEY) && !text.includes(token));
  });

  it("throws for a HEAD status other than 200/404 instead of returning false", async () => {
    const { scope } = intercept([{ method: "HEAD", status: 403 }]);
    await assert.rejects(newClient().groupExists("g"), { name: "ServiceError", statusCode: 403 });
    scope.done();
  });

  it("retries a 429 honouring Retry-After, then succeeds", async () => {
    const { captured, scope } = intercept([
      { method: "POST", status: 429, headers: { "retry-after": "0" } },
      { method: "POST", status: 202 },
    ]);
    await newClient().sendToAll("x");
    scope.done();
    assert.equal(captured.length, 2);
  });

  it("retries a 500 then fails with the last status", async () => {
    const { captured, scope } = intercept([
      { method: "DELETE", status: 500 },
      { method: "DELETE", status: 500 },
      { method: "DELETE", status: 500, body: { code: "InternalError", message: "boom" }, headers: { "content-type": "application/json" } },
    ]);
    await assert.rejects(newClient().closeConnection("c1"), (e: ServiceError) => e.statusCode === 500 && e.serviceCode === "InternalError");
    scope.done();
    assert.equal(captured.length, 3); // first try + maxRetries 2
  });

  it("getServiceStatus resolves false on a 5xx after retries", async () => {
    const { scope } = intercept([
      { method: "HEAD", status: 503 },
      { method: "HEAD", status: 503 },
      { method: "HEAD", status: 503 },
    ]);
    assert.equal(await newClient().getServiceStatus(), false);
    scope.done();
  });

  it("treats an unexpected 2xx as an error (sendToAll expects 202)", async () => {
    const { scope } = intercept([{ method: "POST", status: 200 }]);
    await assert.rejects(newClient().sendToAll("x"), (e: unknown) => isWebPubSubError(e) && (e as ServiceError).statusCode === 200);
    scope.done();
  });

  it("passes abortSignal through: an aborted call rejects without reaching the server", async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(newClient().sendToAll("x", { abortSignal: controller.signal }), { name: "AbortError" });
  });

  it("sends requestOptions.headers with the request", async () => {
    const { captured, scope } = intercept([{ method: "DELETE", status: 204 }]);
    await newClient().removeUserFromAllGroups("u", { requestOptions: { headers: { "x-trace-me": "yes" } } });
    scope.done();
    assert.equal(captured[0]!.headers["x-trace-me"], "yes");
  });

  it("puts the caller's userAgentPrefix before this package in User-Agent", async () => {
    const { captured, scope } = intercept([{ method: "HEAD", status: 200 }]);
    await newClient("chat", { userAgentOptions: { userAgentPrefix: "myapp/2.0" } }).groupExists("g");
    scope.done();
    assert.match(String(captured[0]!.headers["user-agent"]), /^myapp\/2\.0 webpubsub-service\/0\.1\.0 /);
  });

  it("calls onResponse with the raw response", async () => {
    const { scope } = intercept([{ method: "POST", status: 202 }]);
    let seen = 0;
    await newClient().sendToAll("x", { onResponse: (r) => (seen = r.status) });
    scope.done();
    assert.equal(seen, 202);
  });
});
