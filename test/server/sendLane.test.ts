// The send lane (issue 14) must put on the wire exactly what the pipeline puts there, and hand
// every call that needs more (per-call headers, onResponse, custom policies) to the pipeline.
// A real loopback server records raw requests; one client takes the lane, the other is forced
// onto the pipeline by a no-op custom policy. Both run on each transport (undici, node:http).
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { WebPubSubServiceClient, odata, type WebPubSubServiceClientOptions } from "../../src/index.js";
import { verifyJwt } from "../../src/core/index.js";
import { TRANSPORTS, useTransport } from "./transports.js";

const KEY = "LANE-KEY-0123456789abcdefghijklmnopqrstuvwxyz";

interface Seen {
  method: string;
  url: string;
  headers: [string, string][];
  body: string;
}

for (const transport of TRANSPORTS) describe(`send lane (${transport})`, () => {
  useTransport(transport);
  let server: Server;
  let endpoint: string;
  const seen: Seen[] = [];
  const clients: WebPubSubServiceClient[] = [];

  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const headers: [string, string][] = [];
        for (let i = 0; i < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i]!.toLowerCase(), req.rawHeaders[i + 1]!]);
        seen.push({ method: req.method ?? "", url: req.url ?? "", headers, body: Buffer.concat(chunks).toString("hex") });
        res.statusCode = 202;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    seen.length = 0;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  function client(options: WebPubSubServiceClientOptions = {}): WebPubSubServiceClient {
    const c = new WebPubSubServiceClient(`Endpoint=${endpoint};AccessKey=${KEY};Version=1.0;`, "lane`hub[1]", options);
    clients.push(c);
    return c;
  }
  const pipelineOnly: WebPubSubServiceClientOptions = {
    additionalPolicies: [{ position: "perCall", policy: { name: "noop", sendRequest: (request, next) => next(request) } }],
  };

  const calls: [string, (c: WebPubSubServiceClient) => Promise<void>][] = [
    ["sendToAll text", (c) => c.sendToAll("hello")],
    ["sendToAll with a filter", (c) => c.sendToAll("vip", { filter: odata`${"vip's"} in groups` })],
    ["sendToGroup JSON, excluded, ttl", (c) => c.sendToGroup("g 1/ü'x", { a: 1, b: ["é"] }, { excludedConnections: ["x", "y'z"], messageTtlSeconds: 5 })],
    ["sendToUser bytes with a filter", (c) => c.sendToUser("user 'q'", new Uint8Array([0, 1, 255]), { filter: "userId eq 'a b'" })],
    ["sendToConnection a Buffer", (c) => c.sendToConnection("c+1", Buffer.from("raw"))],
  ];

  for (const [name, call] of calls) {
    it(`${name}: the same request as the pipeline's`, async () => {
      // A first call lets the lane's User-Agent be computed; only the second one is compared.
      const lane = client();
      await lane.sendToAll("warm");
      const pipeline = client(pipelineOnly);
      seen.length = 0;
      await call(lane);
      await call(pipeline);
      assert.equal(seen.length, 2);
      const [a, b] = seen as [Seen, Seen];
      assert.equal(a.method, b.method);
      assert.equal(a.url, b.url);
      assert.equal(a.body, b.body);
      const names = (s: Seen) => s.headers.map(([n]) => n);
      assert.deepEqual(names(a), names(b));
      for (const [header, value] of a.headers) {
        if (header === "authorization") {
          const claims = verifyJwt(value.slice(7), KEY, { audience: (aud) => aud === `${endpoint}${a.url}` });
          assert.equal((claims["exp"] as number) - (claims["iat"] as number), 300);
        } else if (header === "x-ms-client-request-id") {
          assert.match(value, /^[0-9a-f-]{36}$/);
          assert.notEqual(value, b.headers.find(([n]) => n === header)?.[1]);
        } else assert.equal(value, b.headers.find(([n]) => n === header)?.[1], header);
      }
    });
  }

  it("hands a call with its own request headers to the pipeline", async () => {
    const c = client();
    await c.sendToAll("warm");
    await c.sendToAll("x", { requestOptions: { headers: { "x-custom": "1" } } });
    assert.equal(seen[1]!.headers.find(([n]) => n === "x-custom")?.[1], "1");
  });

  it("hands a call with onResponse to the pipeline", async () => {
    const c = client();
    await c.sendToAll("warm");
    const statuses: number[] = [];
    await c.sendToAll("x", { onResponse: (response) => void statuses.push(response.status) });
    assert.deepEqual(statuses, [202]);
  });

  it("keeps custom policies on every send", async () => {
    const names: string[] = [];
    const c = client({ additionalPolicies: [{ position: "perRetry", policy: { name: "spy", sendRequest: (request, next) => (names.push(request.method), next(request)) } }] });
    await c.sendToAll("a");
    await c.sendToAll("b");
    assert.deepEqual(names, ["POST", "POST"]);
  });
});
