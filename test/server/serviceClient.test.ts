import assert from "node:assert/strict";
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { AzureKeyCredential, WebPubSubServiceClient, SUPPORTED_API_VERSIONS, DEFAULT_API_VERSION } from "../../src/index.js";
import { CONNECTION_STRING, ENDPOINT, KEY, intercept, newClient, setupNock } from "./support.js";

setupNock();

const fakeEntra: TokenCredential = { getToken: async (): Promise<AccessToken> => ({ token: "t", expiresOnTimestamp: Date.now() + 60_000 }) };

describe("WebPubSubServiceClient construction", () => {
  it("takes a connection string and exposes hubName, endpoint and apiVersion", () => {
    const c = new WebPubSubServiceClient(`Endpoint=${ENDPOINT}/;AccessKey=${KEY};Version=1.0;`, "chat");
    assert.equal(c.hubName, "chat");
    assert.equal(c.endpoint, ENDPOINT);
    assert.equal(c.apiVersion, DEFAULT_API_VERSION);
  });

  it("applies Port= from the connection string", () => {
    assert.equal(new WebPubSubServiceClient(`Endpoint=http://localhost;Port=8080;AccessKey=${KEY};`, "chat").endpoint, "http://localhost:8080");
  });

  it("takes an endpoint and an AzureKeyCredential or a TokenCredential", () => {
    assert.equal(new WebPubSubServiceClient(`${ENDPOINT}/`, new AzureKeyCredential(KEY), "chat").endpoint, ENDPOINT);
    assert.equal(new WebPubSubServiceClient(ENDPOINT, fakeEntra, "chat").hubName, "chat");
  });

  it("fromConnectionString is the connection-string constructor", () => {
    const c = WebPubSubServiceClient.fromConnectionString(CONNECTION_STRING, "chat", { apiVersion: "2023-07-01" });
    assert.equal(c.apiVersion, "2023-07-01");
  });

  it("rejects a bad connection string without echoing the key", () => {
    assert.throws(() => new WebPubSubServiceClient(`AccessKey=${KEY}`, "chat"), (e: Error & { code?: string }) => e.code === "WPS_ERR_CONNECTION_STRING" && !e.message.includes(KEY));
  });

  it("rejects a connection string given as the endpoint, proxy or hub without echoing the key", () => {
    const credential = new AzureKeyCredential(KEY);
    const scrubbed = (e: Error & { code?: string }) => e.code === "WPS_ERR_INVALID_ARGUMENT" && !e.message.includes(KEY);
    assert.throws(() => new WebPubSubServiceClient(CONNECTION_STRING, credential, "chat"), scrubbed);
    assert.throws(() => new WebPubSubServiceClient(ENDPOINT, credential, "chat", { reverseProxyEndpoint: CONNECTION_STRING }), scrubbed);
    assert.throws(() => new WebPubSubServiceClient(ENDPOINT, credential, CONNECTION_STRING), scrubbed);
  });

  it("rejects something that is not a credential", () => {
    assert.throws(() => new WebPubSubServiceClient(ENDPOINT, {} as never, "chat"), { code: "WPS_ERR_INVALID_ARGUMENT", message: /AzureKeyCredential or a TokenCredential/ });
  });

  it("rejects an unknown apiVersion and lists the known ones", () => {
    assert.throws(() => newClient("chat", { apiVersion: "2099-01-01" }), { message: new RegExp(`apiVersion '2099-01-01' is not supported; use one of ${SUPPORTED_API_VERSIONS.join(", ")}`) });
  });

  it("refuses a TokenCredential with a plain http endpoint, even on loopback", () => {
    assert.throws(() => new WebPubSubServiceClient("http://localhost:8080", fakeEntra, "chat"), { code: "WPS_ERR_INSECURE_ENDPOINT", message: /TokenCredential \(Microsoft Entra ID\) needs an https:\/\/ endpoint/ });
  });

  it("rejects an endpoint with a query", () => {
    assert.throws(() => new WebPubSubServiceClient(`${ENDPOINT}?x=1`, new AzureKeyCredential(KEY), "chat"), /must not contain a query/);
  });
});

describe("WebPubSubServiceClient constructor", () => {
  it("says the hub is missing when only a connection string is given", () => {
    const ctor = WebPubSubServiceClient as unknown as new (...args: unknown[]) => unknown;
    assert.throws(() => new ctor(CONNECTION_STRING), (err: Error & { code?: string }) => {
      assert.equal(err.code, "WPS_ERR_INVALID_ARGUMENT");
      assert.equal(err.message, "hubName is missing: new WebPubSubServiceClient(connectionString, hubName)");
      return true;
    });
  });

  it("says the credential is missing when an endpoint URL and a hub are given", () => {
    assert.throws(() => new WebPubSubServiceClient("https://x.webpubsub.azure.com", "chat"), {
      code: "WPS_ERR_INVALID_ARGUMENT",
      message: /^the credential is missing: the first argument is an endpoint URL, not a connection string/,
    });
    const ctor = WebPubSubServiceClient as unknown as new (...args: unknown[]) => unknown;
    assert.throws(() => new ctor("https://x.webpubsub.azure.com"), { code: "WPS_ERR_INVALID_ARGUMENT", message: /^the credential and hubName are missing/ });
  });

  it("still reports a malformed connection string as one", () => {
    assert.throws(() => new WebPubSubServiceClient("Endpoint=;nonsense", "chat"), { code: "WPS_ERR_CONNECTION_STRING" });
  });
});

describe("WebPubSubServiceClient.fromEnvironment", () => {
  it("names every missing variable at once", () => {
    assert.throws(() => WebPubSubServiceClient.fromEnvironment({ env: {} }), {
      code: "WPS_ERR_CONFIGURATION",
      message: /^environment variables AZURE_WEBPUBSUB_HUB and AZURE_WEBPUBSUB_CONNECTION_STRING are not set \(AZURE_WEBPUBSUB_HUB: or pass the hub option; AZURE_WEBPUBSUB_CONNECTION_STRING: /,
    });
    assert.throws(() => WebPubSubServiceClient.fromEnvironment({ credential: fakeEntra, env: {} }), {
      message: /^environment variables AZURE_WEBPUBSUB_HUB and AZURE_WEBPUBSUB_ENDPOINT are not set/,
    });
  });

  it("reads AZURE_WEBPUBSUB_CONNECTION_STRING and AZURE_WEBPUBSUB_HUB", () => {
    const c = WebPubSubServiceClient.fromEnvironment({ env: { AZURE_WEBPUBSUB_CONNECTION_STRING: CONNECTION_STRING, AZURE_WEBPUBSUB_HUB: "envHub" } });
    assert.equal(c.hubName, "envHub");
    assert.equal(c.endpoint, ENDPOINT);
  });

  it("reads AZURE_WEBPUBSUB_ENDPOINT with a caller-supplied credential", () => {
    const c = WebPubSubServiceClient.fromEnvironment({ credential: fakeEntra, hub: "h", env: { AZURE_WEBPUBSUB_ENDPOINT: "https://e.webpubsub.azure.com" } });
    assert.equal(c.endpoint, "https://e.webpubsub.azure.com");
  });

  it("names the missing hub variable", () => {
    assert.throws(() => WebPubSubServiceClient.fromEnvironment({ env: { AZURE_WEBPUBSUB_CONNECTION_STRING: CONNECTION_STRING } }), {
      code: "WPS_ERR_CONFIGURATION",
      message: /AZURE_WEBPUBSUB_HUB is not set/,
    });
  });

  it("names the missing connection string variable", () => {
    assert.throws(() => WebPubSubServiceClient.fromEnvironment({ env: { AZURE_WEBPUBSUB_HUB: "h" } }), { code: "WPS_ERR_CONFIGURATION", message: /AZURE_WEBPUBSUB_CONNECTION_STRING is not set/ });
  });

  it("names the missing endpoint variable when a credential is given", () => {
    assert.throws(() => WebPubSubServiceClient.fromEnvironment({ credential: fakeEntra, env: { AZURE_WEBPUBSUB_HUB: "h" } }), { code: "WPS_ERR_CONFIGURATION", message: /AZURE_WEBPUBSUB_ENDPOINT is not set/ });
  });
});

describe("WebPubSubServiceClient lifecycle", () => {
  it("rejects every call after close() with WPS_ERR_CLOSED and no request", async () => {
    const c = newClient();
    await c.close();
    await assert.rejects(c.sendToAll("x"), { code: "WPS_ERR_CLOSED", message: "sendToAll called after the client was closed" });
    await assert.rejects(c.userExists("u"), { code: "WPS_ERR_CLOSED" });
    await assert.rejects(c.getClientAccessToken(), { code: "WPS_ERR_CLOSED" });
    await assert.rejects(c.listConnectionsInGroup("g").next(), { code: "WPS_ERR_CLOSED" });
    await assert.rejects(c.getServiceStatus(), { code: "WPS_ERR_CLOSED" });
  });

  it("checks arguments before the closed state, for tokens as for every other call", async () => {
    const c = newClient();
    await c.close();
    await assert.rejects(c.sendToAll("x", { messageTtlSeconds: 301 }), { code: "WPS_ERR_INVALID_ARGUMENT" });
    await assert.rejects(c.getClientAccessToken({ expirationTimeInMinutes: 0 }), { code: "WPS_ERR_INVALID_ARGUMENT" });
  });

  it("closes through await using", async () => {
    let escaped: WebPubSubServiceClient;
    {
      await using c = newClient();
      escaped = c;
    }
    await assert.rejects(escaped.closeAllConnections(), { code: "WPS_ERR_CLOSED" });
  });

  it("works until closed", async () => {
    const c = newClient();
    const { scope } = intercept([{ method: "HEAD", status: 200 }]);
    assert.equal(await c.groupExists("g"), true);
    scope.done();
    await c.close();
    await c.close(); // idempotent
  });
});

describe("group(name)", () => {
  it("carries groupName, hubName, endpoint and apiVersion", () => {
    const g = newClient().group("room");
    assert.deepEqual([g.groupName, g.hubName, g.endpoint, g.apiVersion], ["room", "chat", ENDPOINT, DEFAULT_API_VERSION]);
  });

  it("validates the group name", () => {
    assert.throws(() => newClient().group(" "), { code: "WPS_ERR_INVALID_ARGUMENT", message: /groupName must not be only whitespace/ });
  });
});
