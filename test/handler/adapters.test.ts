// The node:http listener and the Express middleware on real servers (port 0), with and without
// body parsers in front.
import assert from "node:assert/strict";
import { createServer, request as httpRequest, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { WebPubSubEventHandler, type UserEventRequest, type WebPubSubEventHandlerOptions } from "../../src/handler/index.js";
import { eventParts, HUB, KEY, PATH, type EventSpec } from "./support.js";
import { CloudEventHeader, EVENT_TYPE_PREFIX } from "../../src/core/index.js";

interface Served {
  base: string;
  close(): Promise<void>;
}

async function serve(listener: RequestListener): Promise<Served> {
  const server: Server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

async function post(base: string, spec: EventSpec): Promise<Response> {
  const { headers, body } = await eventParts(spec);
  return fetch(new URL(spec.path ?? PATH, base), { method: "POST", headers, body: body as BodyInit });
}

/** Echoes user events as JSON describing what the callback saw; accepts connects as userId "u-<connectionId>". */
function echoHandler(hub = HUB, extra: WebPubSubEventHandlerOptions = {}): WebPubSubEventHandler {
  return new WebPubSubEventHandler(hub, {
    accessKeys: [KEY],
    handleConnect: (req, res) => res.success({ userId: `u-${req.context.connectionId}`, groups: req.queries?.["room"] ?? [] }),
    handleUserEvent: (req: UserEventRequest, res) => {
      const data = req.dataType === "binary" ? [...new Uint8Array(req.data)] : req.data;
      res.success(JSON.stringify({ hub, dataType: req.dataType, data }), "json");
    },
    ...extra,
  });
}

const connectBody = { claims: {}, query: { room: ["lobby"] }, headers: {}, subprotocols: [], clientCertificates: [] };

describe("handler adapters", () => {
  const servers: Served[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  const start = async (listener: RequestListener) => {
    const s = await serve(listener);
    servers.push(s);
    return s.base;
  };

  describe("node:http listener", () => {
    it("answers connect and user events", async () => {
      const base = await start(echoHandler().getRequestListener());
      const connect = await post(base, { event: "connect", body: connectBody, connectionId: "c1" });
      assert.deepEqual(await connect.json(), { userId: "u-c1", groups: ["lobby"] });
      const user = await post(base, { event: "message", body: "hi", contentType: "text/plain" });
      assert.deepEqual(await user.json(), { hub: HUB, dataType: "text", data: "hi" });
    });

    it("answers 404 with a JSON body for other paths when standalone", async () => {
      const base = await start(echoHandler().getRequestListener());
      const res = await post(base, { event: "connected", path: "/elsewhere" });
      assert.equal(res.status, 404);
      assert.equal(((await res.json()) as { code: string }).code, "WPS_ERR_EVENT_PATH");
    });

    it("hands requests that are not its own to next, Connect style", async () => {
      const listener = echoHandler().getRequestListener();
      const base = await start((req, res) => listener(req, res, () => res.writeHead(418).end("next")));
      const res = await post(base, { event: "connected", hub: "otherhub" });
      assert.equal(res.status, 418);
    });

    it("answers 413 to an oversized streamed body and closes the connection, without calling back", async () => {
      let called = false;
      const base = await start(
        echoHandler(HUB, { maxBodyBytes: 1024, handleUserEvent: () => void (called = true) }).getRequestListener(),
      );
      const { headers } = await eventParts({ event: "message", contentType: "application/octet-stream" });
      const status = await new Promise<number>((resolve, reject) => {
        // Chunked, so the size is only known while reading.
        const req = httpRequest(new URL(PATH, base), { method: "POST", headers: { ...headers, "Transfer-Encoding": "chunked" } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on("error", reject);
        const chunk = Buffer.alloc(512, 1);
        for (let i = 0; i < 8; i++) req.write(chunk);
        req.end();
      });
      assert.equal(status, 413);
      assert.equal(called, false);
    });
  });

  describe("Express middleware", () => {
    const app = (...before: express.RequestHandler[]) => {
      const a = express();
      for (const mw of before) a.use(mw);
      return a;
    };

    it("reads the body itself when no parser ran", async () => {
      const a = app();
      a.use(echoHandler().getMiddleware());
      const base = await start(a);
      const res = await post(base, { event: "message", body: '{"n":1}', contentType: "application/json" });
      assert.deepEqual(await res.json(), { hub: HUB, dataType: "json", data: { n: 1 } });
    });

    it("uses req.body after express.json() drained the stream (connect and JSON user events)", async () => {
      const a = app(express.json());
      a.use(echoHandler().getMiddleware());
      const base = await start(a);
      const connect = await post(base, { event: "connect", body: connectBody, connectionId: "c7" });
      assert.deepEqual(await connect.json(), { userId: "u-c7", groups: ["lobby"] });
      const user = await post(base, { event: "message", body: '{"n":[1,2]}', contentType: "application/json; charset=utf-8" });
      assert.deepEqual(await user.json(), { hub: HUB, dataType: "json", data: { n: [1, 2] } });
    });

    it("uses req.body after express.text() and express.raw()", async () => {
      const text = app(express.text());
      text.use(echoHandler().getMiddleware());
      const textBase = await start(text);
      assert.deepEqual(await (await post(textBase, { event: "message", body: "héllo", contentType: "text/plain; charset=utf-8" })).json(), {
        hub: HUB,
        dataType: "text",
        data: "héllo",
      });
      const raw = app(express.raw());
      raw.use(echoHandler().getMiddleware());
      const rawBase = await start(raw);
      const res = await post(rawBase, { event: "message", body: new Uint8Array([7, 8, 9]), contentType: "application/octet-stream" });
      assert.deepEqual(await res.json(), { hub: HUB, dataType: "binary", data: [7, 8, 9] });
    });

    it("refuses a forged signature with 401 even after a body parser", async () => {
      const a = app(express.json());
      a.use(echoHandler().getMiddleware());
      const base = await start(a);
      const res = await post(base, { event: "connect", body: connectBody, signWith: ["forged-key-forged-key-forged-key-0000"] });
      assert.equal(res.status, 401);
    });

    it("passes another hub's events to the next handler on the same path", async () => {
      const a = app();
      a.use(echoHandler("hubA", { path: "/events" }).getMiddleware());
      a.use(echoHandler("hubB", { path: "/events" }).getMiddleware());
      const base = await start(a);
      const res = await post(base, { event: "message", hub: "hubB", body: "x", path: "/events" });
      assert.deepEqual(await res.json(), { hub: "hubB", dataType: "text", data: "x" });
    });

    it("matches the full path when mounted under a prefix, and not a longer path", async () => {
      const a = app();
      a.use("/api", echoHandler(HUB, { path: "/api/events" }).getMiddleware());
      a.use((_req, res) => void res.status(404).send("fell through"));
      const base = await start(a);
      assert.equal((await post(base, { event: "message", body: "x", path: "/api/events" })).status, 200);
      const longer = await post(base, { event: "message", body: "x", path: "/api/events/extra" });
      assert.equal(longer.status, 404);
      assert.equal(await longer.text(), "fell through");
    });

    it("passes unknown event types and content types to next()", async () => {
      const a = app();
      a.use(echoHandler().getMiddleware());
      a.use((_req, res) => void res.status(404).send("fell through"));
      const base = await start(a);
      for (const spec of [
        { event: "message", body: "<x/>", contentType: "application/xml" },
        { event: "connected", headers: { [CloudEventHeader.type]: `${EVENT_TYPE_PREFIX}sys.unknown` } },
      ]) {
        const res = await post(base, spec);
        assert.equal(await res.text(), "fell through", JSON.stringify(spec));
      }
    });
  });
});
