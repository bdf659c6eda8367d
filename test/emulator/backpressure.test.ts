import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Emulator } from "../../src/emulator/index.js";
import { clientsClosedAfterEach, connectJson, connectRaw, rest, start } from "./helpers.js";
import { AbuseProtectionHeader } from "../../src/core/index.js";

describe("emulator inbound backpressure behind a slow event handler", () => {
  let emu: Emulator;
  const held: ServerResponse[] = [];
  const handler = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    if (req.method === "OPTIONS") {
      res.writeHead(200, { [AbuseProtectionHeader.allowedOrigin]: "*" }).end();
      return;
    }
    held.push(res); // never answered: the handler is stuck
  });
  const clients = clientsClosedAfterEach();

  before(async () => {
    await new Promise<void>((resolve) => handler.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(handler.address() as AddressInfo).port}/{event}`;
    emu = await start({ hubs: { slow: { eventHandlers: [{ urlTemplate: url, userEventPattern: "*" }] } } });
  });
  after(async () => {
    await emu.close();
    handler.closeAllConnections();
    await new Promise((resolve) => handler.close(resolve));
  });

  it("closes a raw client with 1008 once 1000 frames wait, and keeps serving others", async () => {
    const c = await connectRaw(emu, "slow", { userId: "flood" });
    clients.push(c);
    for (let i = 0; i < 1001; i++) c.ws.send(`m${i}`);
    const closed = await c.closed;
    assert.equal(closed.code, 1008);
    assert.match(closed.reason, /waiting for the event handler/);
    assert.equal((await rest(emu, "HEAD", "/api/hubs/slow/users/flood")).status, 404);
  });

  it("closes a JSON client whose queued events pass 16 MiB", async () => {
    const c = await connectJson(emu, "slow", { userId: "big" });
    clients.push(c);
    const data = "x".repeat(900 * 1024);
    for (let i = 0; i < 20; i++) c.ws.send(JSON.stringify({ type: "event", event: "e", dataType: "text", data }));
    const closed = await c.closed;
    assert.equal(closed.code, 1008);
  });

  it("lets a client with fewer waiting frames stay connected", async () => {
    const c = await connectRaw(emu, "slow", { userId: "patient" });
    clients.push(c);
    for (let i = 0; i < 50; i++) c.ws.send(`m${i}`);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await rest(emu, "HEAD", "/api/hubs/slow/users/patient")).status, 200);
  });
});
