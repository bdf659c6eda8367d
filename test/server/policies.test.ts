import assert from "node:assert/strict";
import { AzureLogger, getLogLevel, setLogLevel } from "@azure/logger";
import { CloudEventHeader } from "../../src/core/index.js";
import { AzureKeyCredential, WebPubSubServiceClient, redactHeaders, redactText, redactUrl, DEFAULT_API_VERSION } from "../../src/index.js";
import { ENDPOINT, FAST_RETRY, KEY, assertRestAuth, intercept, newClient, setupNock } from "./support.js";

setupNock();

describe("REST authentication with the key", () => {
  it("signs aud = the full request URL including the query", async () => {
    const { captured, scope } = intercept([{ method: "POST", status: 204 }]);
    await newClient().closeAllConnections({ excludedConnections: ["a", "b"], reason: "r" });
    scope.done();
    assertRestAuth(captured[0]!, KEY, `${ENDPOINT}/api/hubs/chat/:closeConnections?excluded=a&excluded=b&reason=r&api-version=${DEFAULT_API_VERSION}`);
  });

  it("uses a rotated AzureKeyCredential on the next call", async () => {
    const credential = new AzureKeyCredential(KEY);
    const client = new WebPubSubServiceClient(ENDPOINT, credential, "chat", FAST_RETRY);
    const { captured, scope } = intercept([
      { method: "HEAD", status: 200 },
      { method: "HEAD", status: 200 },
    ]);
    await client.userExists("u");
    credential.update("SECOND-KEY-abcdefghijklmnopqrstuvwxyz0123");
    await client.userExists("u");
    scope.done();
    assertRestAuth(captured[0]!, KEY);
    assertRestAuth(captured[1]!, "SECOND-KEY-abcdefghijklmnopqrstuvwxyz0123");
    assert.throws(() => assertRestAuth(captured[1]!, KEY), { reason: "signature" });
  });

  it("honours restTokenLifetimeSeconds", async () => {
    const { captured, scope } = intercept([{ method: "HEAD", status: 200 }]);
    await newClient("chat", { restTokenLifetimeSeconds: 60 }).userExists("u");
    scope.done();
    const token = String(captured[0]!.headers["authorization"]).slice(7);
    const claims = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as { exp: number; iat: number };
    assert.equal(claims.exp - claims.iat, 60);
  });
});

describe("reverse proxy", () => {
  it("sends REST calls to the proxy host while aud keeps naming the service URL", async () => {
    const { captured, scope } = intercept([{ method: "POST", status: 202 }], "https://apim.example.net");
    await newClient("chat", { reverseProxyEndpoint: "https://apim.example.net" }).sendToGroup("g 1", "x");
    scope.done();
    assert.equal(captured[0]!.path, "/api/hubs/chat/groups/g%201/:send");
    assertRestAuth(captured[0]!, KEY, `${ENDPOINT}/api/hubs/chat/groups/g%201/:send?api-version=${DEFAULT_API_VERSION}`);
  });

  it("prefixes a base path of the proxy URL", async () => {
    const { captured, scope } = intercept([{ method: "HEAD", status: 200 }], "https://apim.example.net");
    await newClient("chat", { reverseProxyEndpoint: "https://apim.example.net/pubsub/" }).groupExists("g");
    scope.done();
    assert.equal(captured[0]!.path, "/pubsub/api/hubs/chat/groups/g");
  });
});

describe("insecure endpoints", () => {
  for (const endpoint of ["http://localhost:8080", "http://127.0.0.1:1234", "http://127.8.9.10", "http://[::1]:8080"]) {
    it(`allows plain http on loopback ${endpoint}`, () => {
      assert.equal(new WebPubSubServiceClient(`Endpoint=${endpoint};AccessKey=${KEY};`, "chat").endpoint, endpoint);
    });
  }

  it("refuses plain http elsewhere with WPS_ERR_INSECURE_ENDPOINT", () => {
    assert.throws(() => new WebPubSubServiceClient(`Endpoint=http://pubsub.example.com;AccessKey=${KEY};`, "chat"), {
      code: "WPS_ERR_INSECURE_ENDPOINT",
      message: /http:\/\/pubsub\.example\.com uses plain http:\/\/ on a non-loopback host; use https:\/\/ or set allowInsecureConnection: true/,
    });
  });

  it("refuses a plain http reverse proxy off loopback", () => {
    assert.throws(() => newClient("chat", { reverseProxyEndpoint: "http://apim.example.net" }), { code: "WPS_ERR_INSECURE_ENDPOINT" });
  });

  it("allows it with allowInsecureConnection and sends over http", async () => {
    const client = new WebPubSubServiceClient(`Endpoint=http://pubsub.example.com;AccessKey=${KEY};`, "chat", { allowInsecureConnection: true });
    const { captured, scope } = intercept([{ method: "HEAD", status: 404 }], "http://pubsub.example.com");
    assert.equal(await client.connectionExists("c"), false);
    scope.done();
    assertRestAuth(captured[0]!, KEY, `http://pubsub.example.com/api/hubs/chat/connections/c?api-version=${DEFAULT_API_VERSION}`);
  });
});

describe("logging", () => {
  it("logs one redacted line per call when loggingEnabled: method, URL, status, time, request id", async () => {
    const lines: string[] = [];
    const { captured, scope } = intercept([{ method: "POST", status: 202, headers: { "x-ms-request-id": "rid" } }]);
    await newClient("chat", { loggingEnabled: true, logger: (l) => lines.push(l) }).sendToAll("x");
    scope.done();
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, new RegExp(`^POST https://fake\\.webpubsub\\.azure\\.com/api/hubs/chat/:send\\?api-version=${DEFAULT_API_VERSION} 202 in \\d+ ms request-id rid$`));
    const token = String(captured[0]!.headers["authorization"]).slice(7);
    assert.ok(lines.every((l) => !l.includes(token) && !l.includes(KEY)));
  });

  it("logs a retried call once, with the final status and the service's reason", async () => {
    const lines: string[] = [];
    const { scope } = intercept([
      { method: "POST", status: 503 },
      { method: "POST", status: 403, headers: { "x-ms-error-code": "Forbidden", "x-ms-request-id": "r2" } },
    ]);
    await assert.rejects(newClient("chat", { loggingEnabled: true, logger: (l) => lines.push(l) }).sendToAll("x"), { statusCode: 403 });
    scope.done();
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, / 403 in \d+ ms request-id r2: Forbidden$/);
  });

  it("logs a single call that asks for it, and the marker header never reaches the wire", async () => {
    const lines: string[] = [];
    const { captured, scope } = intercept([
      { method: "HEAD", status: 200 },
      { method: "HEAD", status: 200 },
    ]);
    const client = newClient("chat", { logger: (l) => lines.push(l) });
    await client.userExists("quiet");
    await client.userExists("loud", { loggingEnabled: true });
    scope.done();
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /\/users\/loud/);
    assert.ok(captured.every((r) => !Object.keys(r.headers).some((h) => h.startsWith("x-wps"))));
  });

  it("prints with loggingEnabled alone (no logger, no AZURE_LOG_LEVEL), once per call", async () => {
    const printed: string[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void printed.push(args.join(" "));
    try {
      const { scope } = intercept([{ method: "HEAD", status: 200 }]);
      await newClient("chat", { loggingEnabled: true }).userExists("alice");
      scope.done();
    } finally {
      console.error = original;
    }
    assert.equal(printed.length, 1);
    assert.ok(printed[0]!.startsWith(`webpubsub-service: HEAD https://fake.webpubsub.azure.com/api/hubs/chat/users/alice?api-version=${DEFAULT_API_VERSION} 200`), printed[0]);
  });

  it("with AZURE_LOG_LEVEL=info too, each call is logged once (core's own request log is off)", async () => {
    const logged: string[] = [];
    const originalLog = AzureLogger.log;
    const level = getLogLevel();
    AzureLogger.log = (...args: unknown[]) => void logged.push(args.join(" "));
    setLogLevel("info");
    try {
      const { scope } = intercept([{ method: "HEAD", status: 200 }]);
      await newClient("chat", { loggingEnabled: true }).userExists("alice");
      scope.done();
    } finally {
      setLogLevel(level);
      AzureLogger.log = originalLog;
    }
    assert.equal(logged.filter((l) => l.includes("users/alice") || /Request: \{/.test(l)).length, 1);
    assert.ok(logged.every((l) => !l.includes(KEY)));
  });
});

describe("redaction helpers", () => {
  it("redacts access_token and reconnection tokens in URLs", () => {
    assert.equal(
      redactUrl("wss://h/client/hubs/c?access_token=eyJa.b.c&awps_reconnection_token=xyz&x=1"),
      "wss://h/client/hubs/c?access_token=REDACTED&awps_reconnection_token=REDACTED&x=1",
    );
  });

  it("redacts Authorization, ce-signature and AccessKey headers whatever their case", () => {
    assert.deepEqual(redactHeaders([["Authorization", "Bearer t"], [CloudEventHeader.signature, "sha256=ab"], ["AccessKey", "k"], ["content-type", "text/plain"]]), {
      Authorization: "REDACTED",
      [CloudEventHeader.signature]: "REDACTED",
      AccessKey: "REDACTED",
      "content-type": "text/plain",
    });
  });

  it("redacts connection-string keys, bearer tokens and bare JWTs in text", () => {
    const text = `Endpoint=https://x;AccessKey=${KEY};Version=1.0; Bearer abc.def token eyJhbGciOi.eyJzdWIi.c2ln`;
    assert.equal(redactText(text), "Endpoint=https://x;AccessKey=REDACTED;Version=1.0; Bearer REDACTED token REDACTED");
  });
});
