import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Socket } from "node:net";
import { AbuseProtectionHeader, encodeFrame, type ClientFrame } from "../../src/core/index.js";
import { InboundQueue, MAX_WAITING_FRAMES } from "../../src/emulator/ws/inboundQueue.js";
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

  // One socket read can bring any number of frames, so the hard bound is exercised here
  // directly: on a loaded machine a read may split and the socket pause first.
  describe("InboundQueue", () => {
    const never = () => new Promise<void>(() => undefined);
    function recorder() {
      const calls: string[] = [];
      const queue = new InboundQueue({
        pause: () => calls.push("pause"),
        resume: () => calls.push("resume"),
        overflow: (frames) => calls.push(`overflow ${frames}`),
        failed: (err) => calls.push(`failed ${String(err)}`),
      });
      return { calls, queue };
    }

    it("overflows at the 1001st frame waiting for an upstream, after pausing at 100", () => {
      const { calls, queue } = recorder();
      for (let i = 0; i <= MAX_WAITING_FRAMES; i++) queue.run(never, 10, true);
      assert.deepEqual(calls, ["pause", `overflow ${MAX_WAITING_FRAMES}`]);
      assert.equal(queue.waitingFrames, MAX_WAITING_FRAMES);
    });

    it("pauses once 1 MiB waits, and resumes once the queue has drained to half", async () => {
      const { calls, queue } = recorder();
      const release: (() => void)[] = [];
      const held = () => new Promise<void>((resolve) => release.push(resolve));
      for (let i = 0; i < 3; i++) queue.run(held, 400 * 1024, true);
      assert.deepEqual(calls, ["pause"]);
      assert.ok(queue.isPaused);
      const tick = () => new Promise((r) => setImmediate(r));
      // Tasks start one at a time: release the first, then the second once it has started.
      await tick();
      release.shift()!();
      await tick();
      assert.deepEqual(calls, ["pause"], "800 KiB still wait: more than half");
      release.shift()!();
      await tick();
      assert.deepEqual(calls, ["pause", "resume"]);
      assert.equal(queue.isPaused, false);
      await tick();
      release.shift()!();
    });

    it("runs a frame that needs no upstream at once when nothing waits, and in turn when something does", async () => {
      const { queue } = recorder();
      const order: string[] = [];
      queue.run(() => void order.push("a"), 0, false);
      assert.deepEqual(order, ["a"]);
      let release!: () => void;
      queue.run(() => new Promise<void>((resolve) => (release = () => (order.push("b"), resolve()))), 0, true);
      queue.run(() => void order.push("c"), 0, false);
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(order, ["a"]);
      assert.equal(queue.waitingFrames, 2);
      release();
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(order, ["a", "b", "c"]);
      assert.equal(queue.waitingFrames, 0);
    });
  });
});
