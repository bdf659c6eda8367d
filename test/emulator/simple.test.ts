import assert from "node:assert/strict";
import type { Emulator } from "../../src/emulator/index.js";
import { clientUrl, connectRaw, rest, start, startHandler, TestClient, type HandlerServer } from "./helpers.js";

describe("emulator simple (raw) WebSocket mode", () => {
  let emu: Emulator;
  let handler: HandlerServer;
  const clients: TestClient[] = [];

  before(async () => {
    handler = await startHandler((r) => {
      const body = r.body.toString();
      if (body === "fail") return { status: 400 };
      if (body === "silent") return { status: 204 };
      if (r.headers["content-type"] === "application/octet-stream") {
        return { status: 200, headers: { "content-type": "application/octet-stream" }, body: Buffer.concat([r.body, Buffer.from([255])]) };
      }
      return { status: 200, headers: { "content-type": "text/plain", "ce-connectionState": "seen" }, body: `echo:${body}` };
    });
    emu = await start({ hubs: { echo: { eventHandlers: [{ urlTemplate: handler.url, userEventPattern: "*" }] } } });
  });
  after(async () => {
    await emu.close();
    await handler.close();
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
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
    const req = handler.requests.find((r) => r.headers["ce-connectionid"] === c.connectionId)!;
    assert.equal(req.headers["ce-type"], "azure.webpubsub.user.message");
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
    const reqs = handler.requests.filter((r) => r.headers["ce-connectionid"] === c.connectionId);
    assert.equal(reqs[0]!.headers["ce-connectionstate"], undefined);
    assert.equal(reqs[1]!.headers["ce-connectionstate"], "seen");
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
});
