// The lean transport: real loopback server on port 0 (no nock), plus nock for body kinds.
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import nock from "nock";
import { WebPubSubServiceClient } from "../../src/index.js";
import { KEY, intercept, newClient } from "./support.js";
import { sealNetwork } from "../support/network.js";

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

describe("lean HTTP transport", () => {
  // Real sockets: take nock out of node:http for these tests, then put it back.
  before(() => nock.restore());
  after(() => nock.activate());

  it("reuses one keep-alive socket and close() releases it", async () => {
    const { server, endpoint, sockets } = await serve((req, res) => {
      req.resume();
      req.on("end", () => {
        res.statusCode = 202;
        res.end();
      });
    });
    try {
      const client = new WebPubSubServiceClient(`Endpoint=${endpoint};AccessKey=${KEY};`, "chat");
      await client.sendToAll("a");
      await client.sendToAll("b");
      assert.equal(sockets.size, 1);
      await client.close();
      await new Promise((r) => setTimeout(r, 50)); // let the server see the FIN
      assert.equal(sockets.size, 0);
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
