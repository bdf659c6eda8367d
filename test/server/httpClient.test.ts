// The lean transport: real loopback server on port 0 (no nock), on both transports (undici by
// default, node:http under an interceptor), plus nock for body kinds and for the choice itself.
import assert from "node:assert/strict";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import http, { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import nock from "nock";
import { WebPubSubServiceClient } from "../../src/index.js";
import { KEY, intercept, newClient } from "./support.js";
import { sealNetwork } from "../support/network.js";
import { TRANSPORTS, useTransport } from "./transports.js";
import { setLeanTransportMode } from "../../src/server/httpClient.js";

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; endpoint: string; sockets: Set<Socket> }> {
  const server = createServer(handler);
  const sockets = new Set<Socket>();
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sockets };
}

async function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
}

for (const transport of TRANSPORTS) describe(`lean HTTP transport (${transport})`, () => {
  // Real sockets: take nock out of node:http for these tests, then put it back.
  before(() => nock.restore());
  after(() => nock.activate());
  useTransport(transport);

  it("reuses keep-alive sockets and close() releases them", async () => {
    const { server, endpoint, sockets } = await serve((req, res) => {
      req.resume();
      req.on("end", () => {
        res.statusCode = 202;
        res.end();
      });
    });
    try {
      const client = new WebPubSubServiceClient(`Endpoint=${endpoint};AccessKey=${KEY};`, "chat");
      for (let i = 0; i < 10; i++) await client.sendToAll(`m${i}`);
      // node:http hands the socket back before the call resolves. undici frees it on the next
      // turn of the event loop, so a call made at once opens a second one; after that they alternate.
      if (transport === "node:http") assert.equal(sockets.size, 1);
      else assert.ok(sockets.size >= 1 && sockets.size <= 2, `${sockets.size} sockets for 10 sequential sends`);
      await client.close();
      await new Promise((r) => setTimeout(r, 50)); // let the server see the FIN
      assert.equal(sockets.size, 0);
    } finally {
      await stop(server);
    }
  });

  it("a retry that runs after close() uses a connection of its own and leaves none open", async () => {
    let calls = 0;
    const { server, endpoint, sockets } = await serve((req, res) => {
      req.resume();
      req.on("end", () => {
        calls++;
        res.statusCode = calls === 1 ? 503 : 202;
        if (calls === 1) res.setHeader("retry-after", "0.2");
        res.end();
      });
    });
    try {
      const client = new WebPubSubServiceClient(`Endpoint=${endpoint};AccessKey=${KEY};`, "chat");
      const pending = client.sendToAll("x");
      while (calls === 0) await new Promise((r) => setTimeout(r, 5));
      await client.close(); // while the call waits out Retry-After
      await pending;
      assert.equal(calls, 2, "the retry ran");
      await new Promise((r) => setTimeout(r, 100)); // let the server see the FIN
      assert.equal(sockets.size, 0, "no connection left open after the retry");
    } finally {
      await stop(server);
    }
  });

  it("aborts an in-flight request when the signal fires", async () => {
    const { server, endpoint } = await serve(() => {
      /* never answers */
    });
    try {
      const client = new WebPubSubServiceClient(`Endpoint=${endpoint};AccessKey=${KEY};`, "chat");
      const controller = new AbortController();
      const pending = client.sendToAll("x", { abortSignal: controller.signal });
      setTimeout(() => controller.abort(), 20);
      await assert.rejects(pending, { name: "AbortError" });
      await client.close();
    } finally {
      await stop(server);
    }
  });

  it("decompresses a gzip response body", async () => {
    const body = gzipSync(JSON.stringify({ value: [{ connectionId: "z" }] }));
    const { server, endpoint } = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
      res.end(body);
    });
    try {
      const client = new WebPubSubServiceClient(`Endpoint=${endpoint};AccessKey=${KEY};`, "chat");
      const first = await client.listConnectionsInGroup("g").next();
      assert.deepEqual(first.value, { connectionId: "z" });
      await client.close();
    } finally {
      await stop(server);
    }
  });

  it("reports a refused connection as a RestError after retries, not a hang", async () => {
    const { server, endpoint } = await serve(() => {});
    await stop(server); // port now closed
    const client = new WebPubSubServiceClient(`Endpoint=${endpoint};AccessKey=${KEY};`, "chat", { retryOptions: { maxRetries: 1, retryDelayInMs: 1 } });
    const error = await client.sendToAll("x").then(() => assert.fail("should reject"), (e: unknown) => e);
    assert.equal((error as { name?: string }).name, "RestError");
    assert.equal((error as { code?: string }).code, "ECONNREFUSED");
    // The runtime keeps the request (with its Authorization header) non-enumerable; guard that.
    assert.ok(!JSON.stringify(error).includes("Bearer"));
    assert.ok(!JSON.stringify({ ...(error as object) }).includes("eyJ"));
  });

  it("reports a connection reset before any answer as ECONNRESET, the code core's retry policy retries", async () => {
    const { server, endpoint } = await serve((req) => req.socket.destroy());
    try {
      const client = new WebPubSubServiceClient(`Endpoint=${endpoint};AccessKey=${KEY};`, "chat", { retryOptions: { maxRetries: 0 } });
      const error = await client.sendToAll("x").then(() => assert.fail("should reject"), (e: unknown) => e);
      assert.equal((error as { name?: string }).name, "RestError");
      assert.equal((error as { code?: string }).code, "ECONNRESET");
      await client.close();
    } finally {
      await stop(server);
    }
  });

  it("reads a chunked success body in many pieces", async () => {
    const rows = Array.from({ length: 2000 }, (_, i) => ({ connectionId: `c${i}` }));
    const { server, endpoint } = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      const text = JSON.stringify({ value: rows });
      let at = 0;
      const drip = () => {
        if (at >= text.length) return void res.end();
        res.write(text.slice(at, (at += 4096)));
        setImmediate(drip);
      };
      drip();
    });
    try {
      const client = new WebPubSubServiceClient(`Endpoint=${endpoint};AccessKey=${KEY};`, "chat");
      const seen: string[] = [];
      for await (const c of client.listConnectionsInGroup("g")) seen.push(c.connectionId);
      assert.equal(seen.length, rows.length);
      assert.equal(seen.at(-1), "c1999");
      await client.close();
    } finally {
      await stop(server);
    }
  });
});

describe("lean HTTP transport: which one a call takes", () => {
  // A recorder of both transports' own diagnostics channels: undici publishes each request it
  // creates, node:http each ClientRequest it starts (interceptors included).
  function recordTransports(): { seen: string[]; stop(): void } {
    const seen: string[] = [];
    const onUndici = () => void seen.push("undici");
    const onHttp = () => void seen.push("node:http");
    subscribe("undici:request:create", onUndici);
    subscribe("http.client.request.start", onHttp);
    return { seen, stop: () => (unsubscribe("undici:request:create", onUndici), unsubscribe("http.client.request.start", onHttp)) };
  }
  async function sendOnce(endpoint: string): Promise<void> {
    const client = new WebPubSubServiceClient(`Endpoint=${endpoint};AccessKey=${KEY};`, "chat", { retryOptions: { maxRetries: 0 } });
    try {
      await client.sendToAll("x");
    } finally {
      await client.close();
    }
  }

  it("takes undici when http.request is Node's own", async () => {
    const { server, endpoint } = await serve((req, res) => req.resume().on("end", () => res.writeHead(202).end()));
    nock.restore();
    const recorder = recordTransports();
    try {
      await sendOnce(endpoint);
      assert.deepEqual(recorder.seen, ["undici"]);
    } finally {
      recorder.stop();
      nock.activate();
      await stop(server);
    }
  });

  it("takes node:http while nock is active, so nock answers the call", async () => {
    if (!nock.isActive()) nock.activate();
    const { captured, scope } = intercept([{ method: "POST", status: 202 }], "http://127.0.0.1:1");
    const recorder = recordTransports();
    try {
      await sendOnce("http://127.0.0.1:1");
      scope.done();
      assert.equal(captured.length, 1);
      assert.ok(!recorder.seen.includes("undici"));
    } finally {
      recorder.stop();
      nock.cleanAll();
    }
  });

  it("both transports put the same request on the wire (header order aside)", async () => {
    const seen: { line: string; headers: string[]; body: string }[] = [];
    const { server, endpoint } = await serve((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const headers: string[] = [];
        for (let i = 0; i < req.rawHeaders.length; i += 2) {
          const name = req.rawHeaders[i]!.toLowerCase();
          // The JWT and the request id differ per call by design.
          if (name !== "authorization" && name !== "x-ms-client-request-id") headers.push(`${name}: ${req.rawHeaders[i + 1]}`);
        }
        seen.push({ line: `${req.method} ${req.url}`, headers: headers.sort(), body: Buffer.concat(chunks).toString("hex") });
        res.writeHead(req.method === "PUT" ? 200 : req.method === "HEAD" ? 404 : 202).end();
      });
    });
    nock.restore();
    const previous = setLeanTransportMode("auto");
    try {
      for (const transport of TRANSPORTS) {
        setLeanTransportMode(transport);
        const client = new WebPubSubServiceClient(`Endpoint=${endpoint};AccessKey=${KEY};`, "chat");
        await client.sendToAll("warm"); // the lane is ready from the second call on
        await client.sendToGroup("g 1", { a: "é" }, { excludedConnections: ["x"] });
        await client.group("g 1").addConnection("c1"); // a pipeline call, empty body
        assert.equal(await client.groupExists("g 1"), false); // HEAD, 404 (node:http on both: see below)
        await client.close();
      }
      assert.equal(seen.length, 8);
      for (let i = 0; i < 4; i++) assert.deepEqual(seen[i + 4], seen[i], `call ${i}`);
      // Kept alive, HEAD included (undici would send "connection: close" with every HEAD).
      for (const request of seen) assert.ok(request.headers.includes("connection: keep-alive"), request.line);
    } finally {
      setLeanTransportMode(previous);
      nock.activate();
      await stop(server);
    }
  });

  it("takes node:http when http.request is wrapped by anything else", async () => {
    const { server, endpoint } = await serve((req, res) => req.resume().on("end", () => res.writeHead(202).end()));
    nock.restore();
    const own = http.request;
    let wrapped = 0;
    // A plain wrapper, as a hand-written interceptor would install it.
    http.request = function (this: unknown, ...args: unknown[]) {
      wrapped++;
      return (own as (...a: unknown[]) => http.ClientRequest).apply(this, args);
    } as typeof http.request;
    try {
      await sendOnce(endpoint);
      assert.equal(wrapped, 1);
    } finally {
      http.request = own;
      nock.activate();
      await stop(server);
    }
  });
});

describe("stream and Blob bodies", () => {
  sealNetwork();

  it("sends a Node Readable as application/octet-stream", async () => {
    const { captured, scope } = intercept([{ method: "POST", status: 202 }]);
    await newClient().sendToConnection("c", Readable.from([Buffer.from("ab"), Buffer.from("cd")]));
    scope.done();
    assert.equal(captured[0]!.headers["content-type"], "application/octet-stream");
    assert.equal(captured[0]!.body, "abcd");
  });

  it("sends a Blob as application/octet-stream", async () => {
    const { captured, scope } = intercept([{ method: "POST", status: 202 }]);
    await newClient().sendToUser("u", new Blob(["xyz"]));
    scope.done();
    assert.equal(captured[0]!.headers["content-type"], "application/octet-stream");
    assert.equal(captured[0]!.body, "xyz");
  });
});
