import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Socket } from "node:net";
import { AbuseProtectionHeader, CloseCode, encodeFrame, type ClientFrame } from "../../src/core/index.js";
import type { Emulator } from "../../src/emulator/index.js";
import { clientsClosedAfterEach, connectJson, connectRaw, rest, start, type TestClient } from "./helpers.js";

/** Sends every frame in one socket write, so the emulator reads them in one go. */
function sendInOneWrite(c: TestClient, frames: (string | ClientFrame)[]): void {
  const socket = (c.ws as unknown as { _socket: Socket })._socket;
  socket.cork();
  for (const f of frames) c.ws.send(typeof f === "string" ? f : encodeFrame(f));
  socket.uncork();
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("emulator inbound backpressure", () => {
  describe("behind a slow event handler", () => {
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

    it("closes a raw client with 1008 when one socket read brings over 1000 frames for the handler, and keeps serving others", async () => {
      const c = await connectRaw(emu, "slow", { userId: "flood" });
      clients.push(c);
      sendInOneWrite(c, Array.from({ length: 1001 }, (_, i) => `m${i}`));
      const closed = await c.closed;
      assert.equal(closed.code, CloseCode.PolicyViolation);
      assert.match(closed.reason, /waiting for the event handler/);
      assert.equal((await rest(emu, "HEAD", "/api/hubs/slow/users/flood")).status, 404);
    });

    it("pauses reading, instead of closing, when frames for the handler keep coming over many reads", async () => {
      const c = await connectRaw(emu, "slow", { userId: "steady" });
      clients.push(c);
      // 1100 frames for a stuck handler, in batches: before backpressure the 1001st closed the client.
      for (let batch = 0; batch < 11; batch++) {
        sendInOneWrite(c, Array.from({ length: 100 }, (_, i) => `b${batch}m${i}`));
        await pause(20);
      }
      await pause(100);
      assert.equal((await rest(emu, "HEAD", "/api/hubs/slow/users/steady")).status, 200);
    });

    it("pauses reading a JSON client whose waiting events pass 1 MiB, so the rest stays in the client's buffer", async () => {
      const c = await connectJson(emu, "slow", { userId: "big" });
      clients.push(c);
      const data = "x".repeat(900 * 1024);
      for (let i = 0; i < 20; i++) c.send(encodeFrame({ type: "event", event: "e", dataType: "text", data }));
      // Wait until the emulator stops reading: the client's unsent bytes stay put. Before
      // backpressure it read all 18 MiB (leaving 0 here) and closed the client at 16 MiB.
      let previous = -1;
      for (let i = 0; i < 50 && c.ws.bufferedAmount !== previous; i++) {
        previous = c.ws.bufferedAmount;
        await pause(150);
      }
      assert.ok(c.ws.bufferedAmount > 0, "the emulator stopped reading");
      assert.equal((await rest(emu, "HEAD", "/api/hubs/slow/users/big")).status, 200);
    });

    it("lets a client with fewer waiting frames stay connected", async () => {
      const c = await connectRaw(emu, "slow", { userId: "patient" });
      clients.push(c);
      for (let i = 0; i < 50; i++) c.ws.send(`m${i}`);
      await pause(100);
      assert.equal((await rest(emu, "HEAD", "/api/hubs/slow/users/patient")).status, 200);
    });
  });

  describe("with no event handler", () => {
    let emu: Emulator;
    const clients = clientsClosedAfterEach();
    before(async () => (emu = await start()));
    after(() => emu.close());

    it("acks 1500 joinGroup requests that arrive in one socket read, none of which waits for an upstream", async () => {
      const c = await connectJson(emu, "busy", { roles: ["webpubsub.joinLeaveGroup"] });
      clients.push(c);
      const frames: ClientFrame[] = Array.from({ length: 1500 }, (_, i) => ({ type: "joinGroup", group: `g${i}`, ackId: i + 1 }));
      sendInOneWrite(c, frames);
      for (let i = 1; i <= 1500; i++) {
        const ack = await c.nextJson();
        assert.deepEqual(ack, { type: "ack", ackId: i, success: true });
      }
      assert.equal(emu.connections("busy")[0]?.groups.length, 1500);
    });

    it("nacks 1500 events in one read at once when no handler takes them, without closing", async () => {
      const c = await connectJson(emu, "busy");
      clients.push(c);
      sendInOneWrite(c, Array.from({ length: 1500 }, (_, i): ClientFrame => ({ type: "event", event: "e", ackId: i + 1, dataType: "text", data: "x" })));
      for (let i = 1; i <= 1500; i++) {
        const ack = await c.nextJson();
        assert.equal(ack.ackId, i);
        assert.equal(ack.error.name, "InternalServerError");
      }
    });
  });
});
