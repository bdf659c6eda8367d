import assert from "node:assert/strict";
import type { Emulator } from "../../src/emulator/index.js";
import { CE, clientUrl, connectJson, connectRaw, rest, start, startHandler, TestClient, type HandlerServer, clientsClosedAfterEach } from "./helpers.js";
import { CloudEventHeader, buildEventType } from "../../src/core/index.js";

describe("emulator simple (raw) WebSocket mode", () => {
  let emu: Emulator;
  let handler: HandlerServer;
  const clients = clientsClosedAfterEach();

  before(async () => {
    handler = await startHandler((r) => {
      const body = r.body.toString();
      if (body === "fail") return { status: 400 };
      if (body === "silent") return { status: 204 };
      if (r.headers["content-type"] === "application/octet-stream") {
        return { status: 200, headers: { "content-type": "application/octet-stream" }, body: Buffer.concat([r.body, Buffer.from([255])]) };
      }
      return { status: 200, headers: { "content-type": "text/plain", [CloudEventHeader.connectionState]: "seen" }, body: `echo:${body}` };
    });
    emu = await start({ hubs: { echo: { eventHandlers: [{ urlTemplate: handler.url, userEventPattern: "*" }] } } });
  });
  after(async () => {
    await emu.close();
    await handler.close();
  });

  async function raw(hub = "echo"): Promise<TestClient> {
    const c = await connectRaw(emu, hub, { userId: "raw" });
    clients.push(c);
    return c;
  }

  it("sends no connected message", async () => {
    const c = await raw();
    await rest(emu, "POST", `/api/hubs/echo/connections/${c.connectionId}/:send`, { body: "first" });
    assert.equal(await c.next(), "first");
  });

  it("turns a text frame into user event 'message' and returns the reply as a text frame", async () => {
    const c = await raw();
    c.send("hi");
    assert.equal(await c.next(), "echo:hi");
    const req = handler.requests.find((r) => r.headers[CE.connectionId] === c.connectionId)!;
    assert.equal(req.headers[CE.type], buildEventType("user", "message"));
    assert.match(String(req.headers["content-type"]), /^text\/plain/);
  });

  it("turns a binary frame into an octet-stream event and a binary reply into a binary frame", async () => {
    const c = await raw();
    c.send(Buffer.from([1, 2]));
    assert.deepEqual(await c.next(), Buffer.from([1, 2, 255]));
  });

  it("keeps the connection state the handler set for later events", async () => {
    const c = await raw();
    c.send("one");
    await c.next();
    c.send("two");
    await c.next();
    const reqs = handler.requests.filter((r) => r.headers[CE.connectionId] === c.connectionId);
    assert.equal(reqs[0]!.headers[CE.connectionState], undefined);
    assert.equal(reqs[1]!.headers[CE.connectionState], "seen");
  });

  it("sends nothing back for a 204", async () => {
    const c = await raw();
    c.send("silent");
    c.send("after");
    assert.equal(await c.next(), "echo:after");
  });

  it("closes with 1011 when the handler fails", async () => {
    const c = await raw();
    c.send("fail");
    assert.equal((await c.closed).code, 1011);
  });

  it("closes with 1011 when no handler is configured", async () => {
    const c = await raw("nohandler");
    c.send("anyone?");
    assert.equal((await c.closed).code, 1011);
  });

  it("closes with 1009 on a frame over 1 MiB", async () => {
    const c = new TestClient(clientUrl(emu, "echo"));
    clients.push(c);
    await c.opened();
    c.send(Buffer.alloc(1024 * 1024 + 1));
    assert.equal((await c.closed).code, 1009);
  });

  describe("raw sendToGroup mode (webpubsub_mode=sendToGroup)", () => {
    const modeUrl = (query: string, roles: string[] = ["webpubsub.sendToGroup"]) =>
      `${clientUrl(emu, "rawmode", { roles, groups: ["room"] })}&${query}`;

    it("publishes each frame to the group as a group message, echoing unless noEcho", async () => {
      const listener = await connectJson(emu, "rawmode", { groups: ["room"] });
      clients.push(listener);
      const pub = new TestClient(modeUrl("webpubsub_mode=sendToGroup&group=room"));
      clients.push(pub);
      await pub.opened();
      pub.send("hello room");
      assert.deepEqual(await listener.nextJson(), {
        type: "message",
        from: "group",
        group: "room",
        fromUserId: null,
        dataType: "text",
        data: "hello room",
      });
      assert.equal(await pub.next(), "hello room");
      pub.send(Buffer.from([7]));
      assert.equal((await listener.nextJson()).dataType, "binary");
      assert.deepEqual(await pub.next(), Buffer.from([7]));

      const quiet = new TestClient(modeUrl("webpubsub_mode=sendToGroup&group=room&noEcho=true"));
      clients.push(quiet);
      await quiet.opened();
      quiet.send("no echo");
      assert.equal((await listener.nextJson()).data, "no echo");
      assert.equal(await pub.next(), "no echo");
      assert.equal(quiet.pending, 0);
    });

    it("closes with 1008 without the sendToGroup permission", async () => {
      const pub = new TestClient(modeUrl("webpubsub_mode=sendToGroup&group=room", []));
      clients.push(pub);
      await pub.opened();
      pub.send("x");
      assert.equal((await pub.closed).code, 1008);
    });

    it("refuses a bad raw-mode query with 400", async () => {
      for (const q of ["webpubsub_mode=sendToGroup", "webpubsub_mode=sendToGroup&group=%20", "webpubsub_mode=teleport"]) {
        const c = new TestClient(modeUrl(q));
        clients.push(c);
        await assert.rejects(c.opened(), (err: { status?: number }) => err.status === 400, q);
      }
    });
  });
});
