import assert from "node:assert/strict";
import { request, type IncomingMessage } from "node:http";
import { PassThrough } from "node:stream";
import { ClientEndpoint } from "../../src/emulator/ws/index.js";
import type { Emulator } from "../../src/emulator/index.js";
import {
  CE,
  clientToken,
  clientUrl,
  connectJson,
  HandshakeRefused,
  JSON_PROTOCOL,
  RELIABLE_PROTOCOL,
  rest,
  start,
  startHandler,
  TestClient,
  type HandlerServer,
  clientsClosedAfterEach,
  fakeRuntime,
} from "./helpers.js";

/** Opens a client and returns the handshake status (101 when it upgraded). */
async function handshakeStatus(url: string, protocols?: string | string[], headers?: Record<string, string>): Promise<number> {
  const c = new TestClient(url, protocols, headers);
  try {
    await c.opened();
    return 101;
  } catch (err) {
    if (err instanceof HandshakeRefused) return err.status;
    throw err;
  } finally {
    c.close();
  }
}

describe("emulator client handshake", () => {
  let emu: Emulator;
  const clients = clientsClosedAfterEach();
  before(async () => {
    emu = await start();
  });
  after(() => emu.close());

  const ws = (path: string) => `ws://127.0.0.1:${emu.port}${path}`;

  it("upgrades with a valid access_token and sends system/connected with the user id", async () => {
    const c = new TestClient(clientUrl(emu, "chat", { userId: "u1" }), JSON_PROTOCOL);
    clients.push(c);
    await c.opened();
    assert.equal(c.ws.protocol, JSON_PROTOCOL);
    const m = await c.nextJson();
    assert.equal(m.type, "system");
    assert.equal(m.event, "connected");
    assert.equal(m.userId, "u1");
    assert.equal(typeof m.connectionId, "string");
    assert.equal(m.reconnectionToken, undefined);
  });

  it("sends userId null for an anonymous token", async () => {
    const c = await connectJson(emu, "chat");
    clients.push(c);
    assert.equal(emu.connections("chat").find((x) => x.connectionId === c.connectionId)!.userId, null);
  });

  it("includes a reconnectionToken only for the reliable protocol", async () => {
    const c = await connectJson(emu, "chat", {}, RELIABLE_PROTOCOL);
    clients.push(c);
    assert.equal(typeof c.reconnectionToken, "string");
  });

  it("picks the first offered protocol it supports", async () => {
    const c = new TestClient(clientUrl(emu, "chat"), ["protobuf.webpubsub.azure.v1", RELIABLE_PROTOCOL, JSON_PROTOCOL]);
    clients.push(c);
    await c.opened();
    assert.equal(c.ws.protocol, RELIABLE_PROTOCOL);
  });

  it("accepts the token as an Authorization bearer header", async () => {
    const status = await handshakeStatus(ws("/client/hubs/chat"), undefined, { authorization: `Bearer ${clientToken(emu, "chat")}` });
    assert.equal(status, 101);
  });

  it("accepts /client/?hub= with the token", async () => {
    const status = await handshakeStatus(ws(`/client/?hub=chat&access_token=${clientToken(emu, "chat")}`));
    assert.equal(status, 101);
  });

  it("accepts ws:// and https:// audiences and any case", async () => {
    for (const aud of [
      `ws://127.0.0.1:${emu.port}/client/hubs/chat`,
      `HTTPS://127.0.0.1:${emu.port}/CLIENT/HUBS/CHAT`,
    ]) {
      assert.equal(await handshakeStatus(ws(`/client/hubs/chat?access_token=${clientToken(emu, "chat", { aud })}`)), 101, aud);
    }
  });

  it("accepts an escaped or a raw hub in the aud", async () => {
    const hub = "a,b";
    const escaped = `http://127.0.0.1:${emu.port}/client/hubs/${encodeURIComponent(hub)}`;
    const raw = `http://127.0.0.1:${emu.port}/client/hubs/${hub}`;
    for (const aud of [escaped, raw]) {
      const url = ws(`/client/hubs/${encodeURIComponent(hub)}?access_token=${clientToken(emu, hub, { aud })}`);
      assert.equal(await handshakeStatus(url), 101, aud);
    }
  });

  it("refuses with 401 and no upgrade: missing, bad signature, wrong hub, expired, not yet valid", async () => {
    const now = Math.floor(Date.now() / 1000);
    const cases: [string, string][] = [
      ["missing", ws("/client/hubs/locked")],
      ["bad key", ws(`/client/hubs/locked?access_token=${clientToken(emu, "locked", { key: "k".repeat(40) })}`)],
      ["other hub", ws(`/client/hubs/locked?access_token=${clientToken(emu, "other")}`)],
      ["expired", ws(`/client/hubs/locked?access_token=${clientToken(emu, "locked", { expiresIn: -400 })}`)],
      ["nbf", ws(`/client/hubs/locked?access_token=${clientToken(emu, "locked", { extra: { nbf: now + 3600 } })}`)],
      ["garbage", ws("/client/hubs/locked?access_token=abc.def.ghi")],
    ];
    for (const [name, url] of cases) assert.equal(await handshakeStatus(url), 401, name);
    assert.equal(emu.connections("locked").length, 0);
  });

  it("accepts a token expired within the 5-minute skew", async () => {
    assert.equal(await handshakeStatus(ws(`/client/hubs/chat?access_token=${clientToken(emu, "chat", { expiresIn: -60 })}`)), 101);
  });

  it("refuses an invalid webpubsub.group claim with 400", async () => {
    assert.equal(await handshakeStatus(clientUrl(emu, "chat", { groups: ["ok", "   "] })), 400);
  });

  it("accepts role and group claims as plain strings", async () => {
    const c = await connectJson(emu, "chat", { roles: "webpubsub.joinLeaveGroup", groups: "solo" });
    clients.push(c);
    assert.deepEqual(emu.connections("chat").find((x) => x.connectionId === c.connectionId)!.groups, ["solo"]);
    assert.equal((await c.request({ type: "joinGroup", group: "other", ackId: 1 })).success, true);
  });

  it("refuses an invalid hub with 400 and an unknown path with 404", async () => {
    assert.equal(await handshakeStatus(ws(`/client/hubs/9bad?access_token=x`)), 400);
    assert.equal(await handshakeStatus(ws(`/nowhere?access_token=x`)), 404);
  });

  it("refuses MQTT and Socket.IO client paths with 404, as :generateToken refuses their tokens", async () => {
    const token = clientToken(emu, "chat");
    assert.equal(await handshakeStatus(ws(`/clients/mqtt/hubs/chat?access_token=${token}`), "mqtt"), 404);
    assert.equal(await handshakeStatus(ws(`/clients/socketio/hubs/chat?access_token=${token}`)), 404);
    assert.equal(await handshakeStatus(ws(`/client/hubs/chat?access_token=${token}`)), 101);
  });

  it("answers a non-WebSocket upgrade request with 400", async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port: emu.port, path: "/client/hubs/chat", headers: { connection: "upgrade", upgrade: "h2c" } });
      req.on("response", (res) => resolve(res.statusCode ?? 0));
      req.on("upgrade", () => resolve(101));
      req.on("error", reject);
      req.end();
    });
    assert.equal(status, 400);
  });

  describe("refuses a malformed WebSocket handshake with a JSON error before ws sees it (issue 13)", () => {
    const valid = {
      connection: "Upgrade",
      upgrade: "websocket",
      "sec-websocket-version": "13",
      "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
      "sec-websocket-protocol": JSON_PROTOCOL,
    };
    interface Answer {
      status: number;
      headers: IncomingMessage["headers"];
      body: string;
    }
    // One upgrade request with `valid` headers changed by `change` (undefined removes one).
    function upgrade(change: Record<string, string | undefined>, method = "GET"): Promise<Answer> {
      const url = new URL(clientUrl(emu, "chat"));
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries({ ...valid, ...change })) if (value !== undefined) headers[name] = value;
      return new Promise((resolve, reject) => {
        const req = request({ host: "127.0.0.1", port: emu.port, method, path: `${url.pathname}${url.search}`, headers });
        req.on("response", (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => (body += chunk));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        });
        req.on("upgrade", (res, socket) => {
          socket.destroy();
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: "" });
        });
        req.on("error", reject);
        req.end();
      });
    }

    const cases: [string, Record<string, string | undefined>, number, string?][] = [
      ["Sec-WebSocket-Version 12", { "sec-websocket-version": "12" }, 400],
      ["no Sec-WebSocket-Version", { "sec-websocket-version": undefined }, 400],
      ["Sec-WebSocket-Version 13.0", { "sec-websocket-version": "13.0" }, 400],
      ["a short Sec-WebSocket-Key", { "sec-websocket-key": "abc" }, 400],
      ["no Sec-WebSocket-Key", { "sec-websocket-key": undefined }, 400],
      ["a Sec-WebSocket-Key that is not 16 bytes", { "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ=" }, 400],
      ["Upgrade: h2c", { upgrade: "h2c" }, 400],
      ["a subprotocol that is not a token", { "sec-websocket-protocol": "json webpubsub" }, 400],
      ["an empty subprotocol in the list", { "sec-websocket-protocol": `${JSON_PROTOCOL},,x` }, 400],
      ["a repeated subprotocol", { "sec-websocket-protocol": `${JSON_PROTOCOL}, ${JSON_PROTOCOL}` }, 400],
      ["POST", {}, 405, "POST"],
    ];
    for (const [name, change, status, method] of cases) {
      it(`answers ${status} with a JSON body for ${name}`, async () => {
        const answer = await upgrade(change, method);
        assert.equal(answer.status, status);
        assert.match(answer.headers["content-type"] ?? "", /^application\/json/);
        const body = JSON.parse(answer.body);
        assert.deepEqual(Object.keys(body).sort(), ["code", "message"]);
        assert.equal(body.code, status === 405 ? "Error.MethodNotAllowed" : "Error.BadRequest");
        assert.equal(answer.headers["x-ms-error-code"], body.code);
        if (name.startsWith("Sec-WebSocket-Version")) assert.equal(answer.headers["sec-websocket-version"], "13, 8");
      });
    }

    it("still upgrades the same request with valid headers, version 8 included", async () => {
      assert.equal((await upgrade({})).status, 101);
      assert.equal((await upgrade({ "sec-websocket-version": "8", "sec-websocket-protocol": ` ${JSON_PROTOCOL} , other ` })).status, 101);
    });
  });

  describe("with a connect handler", () => {
    let handler: HandlerServer;
    let hemu: Emulator;
    let answer: (body: any) => { status?: number; body?: string; headers?: Record<string, string> } | undefined;

    before(async () => {
      handler = await startHandler((r) => (r.headers[CE.eventName] === "connect" ? answer(JSON.parse(r.body.toString())) : undefined));
      hemu = await start({
        hubs: { Chat: { eventHandlers: [{ urlTemplate: handler.url, systemEvents: ["connect", "connected", "disconnected"] }] } },
      });
    });
    after(async () => {
      await hemu.close();
      await handler.close();
    });

    it("sends claims, query (without access_token), headers (without Authorization) and subprotocols", async () => {
      let seen: any;
      answer = (body) => {
        seen = body;
        return undefined;
      };
      const c = new TestClient(`${clientUrl(hemu, "chat", { userId: "u1", roles: ["r1"] })}&foo=bar`, JSON_PROTOCOL, { "x-extra": "1" });
      clients.push(c);
      await c.opened();
      assert.deepEqual(seen.claims.sub, ["u1"]);
      assert.deepEqual(seen.claims.role, ["r1"]);
      assert.deepEqual(seen.query, { foo: ["bar"] });
      assert.deepEqual(seen.subprotocols, [JSON_PROTOCOL]);
      const headerNames = Object.keys(seen.headers).map((h) => h.toLowerCase());
      assert.ok(headerNames.includes("x-extra"));
      assert.ok(!headerNames.includes("authorization"));
    });

    it("applies userId, groups and roles from the connect response", async () => {
      answer = () => ({
        status: 200,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ userId: "override", groups: ["fromHandler"], roles: ["webpubsub.sendToGroup.fromHandler"] }),
      });
      const c = await connectJson(hemu, "chat", { userId: "token-user", groups: ["fromToken"] });
      clients.push(c);
      const info = hemu.connections("chat").find((x) => x.connectionId === c.connectionId)!;
      assert.equal(info.userId, "override");
      assert.deepEqual(info.groups, ["fromHandler"]);
      assert.equal((await c.request({ type: "sendToGroup", group: "fromHandler", ackId: 1, dataType: "json", data: 1 })).success, true);
      assert.equal((await c.request({ type: "sendToGroup", group: "else", ackId: 2, dataType: "json", data: 1 })).error.name, "Forbidden");
    });

    it("passes the handler's 4xx status to the client and upgrades nothing", async () => {
      answer = () => ({ status: 403 });
      assert.equal(await handshakeStatus(clientUrl(hemu, "chat"), JSON_PROTOCOL), 403);
      assert.equal(hemu.connections("chat").length, 0);
    });

    it("lets the handler choose the subprotocol", async () => {
      answer = () => ({ status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ subprotocol: "custom.v1" }) });
      const c = new TestClient(clientUrl(hemu, "chat"), ["custom.v1", JSON_PROTOCOL]);
      clients.push(c);
      await c.opened();
      assert.equal(c.ws.protocol, "custom.v1");
      // A custom protocol is simple mode: no connected message.
      const id = hemu.connections("chat").find((x) => x.subprotocol === "custom.v1")!.connectionId;
      await rest(hemu, "POST", `/api/hubs/chat/connections/${id}/:send`, { body: "raw" });
      assert.equal(await c.next(), "raw");
    });

    it("fires connected after the upgrade and disconnected with a reason when the client leaves", async () => {
      answer = () => undefined;
      const c = await connectJson(hemu, "chat", { userId: "life" });
      let connected = await handler.event("connected");
      while (connected.headers[CE.connectionId] !== c.connectionId) connected = await handler.event("connected");
      assert.equal(connected.headers[CE.userId], "life");
      c.close();
      let disconnected = await handler.event("disconnected");
      while (disconnected.headers[CE.connectionId] !== c.connectionId) disconnected = await handler.event("disconnected");
      assert.equal(typeof JSON.parse(disconnected.body.toString()).reason, "string");
    });
  });

  describe("refused upgrades", () => {
    it("leave no hub state behind for a hub name a refused request made up", async () => {
      const runtime = fakeRuntime();
      const endpoint = new ClientEndpoint(runtime, { maxPayload: 1024 });
      const headers = { host: "localhost", upgrade: "websocket", connection: "Upgrade", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==", "sec-websocket-version": "13" };
      const queries = ["", "?access_token=not-a-jwt", "?webpubsub_mode=bogus"];
      for (const [i, query] of queries.entries()) {
        const req = { method: "GET", url: `/client/hubs/made_up_${i}${query}`, headers, rawHeaders: [] } as unknown as IncomingMessage;
        const socket = new PassThrough();
        let answer = "";
        socket.on("data", (chunk: Buffer) => (answer += chunk.toString()));
        await endpoint.upgrade(req, socket, Buffer.alloc(0));
        assert.match(answer, /^HTTP\/1\.1 40[01] /, query);
      }
      assert.deepEqual([...runtime.hubs.all()].map((h) => h.name), []);
      endpoint.close();
    });
  });
});
