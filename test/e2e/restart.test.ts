// Restarting the emulator under a connected @azure/web-pubsub-client: the client must see a
// clean close, have its recovery refused by the new emulator, and reconnect to it.
import assert from "node:assert/strict";
import { WebPubSubClient } from "@azure/web-pubsub-client";
import type { Emulator } from "../../src/emulator/index.js";
import { clientUrl, eventually, start } from "../emulator/helpers.js";

describe("emulator restart with @azure/web-pubsub-client", function () {
  this.timeout(20_000);
  let emu: Emulator | undefined;
  let client: WebPubSubClient | undefined;

  afterEach(async () => {
    client?.stop();
    await emu?.close();
  });

  it("sees a clean close, is refused recovery and reconnects to the new emulator", async () => {
    emu = await start();
    const port = emu.port;
    const current = (): Emulator => emu!;
    // Each (re)connect asks for a fresh URL, as a real app's negotiate endpoint would.
    client = new WebPubSubClient(
      { getClientAccessUrl: async () => clientUrl(current(), "restart") },
      // Short keepalive: the official client leaves its keepalive delays running after stop().
      { reconnectRetryOptions: { maxRetries: 20, retryDelayInMs: 100, mode: "Fixed" }, keepAliveIntervalInMs: 1000, keepAliveTimeoutInMs: 8000 },
    );
    const connected: string[] = [];
    const disconnected: (string | undefined)[] = [];
    client.on("connected", (e) => void connected.push(e.connectionId));
    client.on("disconnected", (e) => void disconnected.push(e.message?.message));
    await client.start();
    const first = connected[0]!;

    const old = emu;
    await old.close();
    emu = await start({ port });
    await eventually(() => connected.length === 2, 15_000);

    assert.equal(disconnected.length, 1);
    // The old emulator said why it closed; recovery against the new one was refused (1008),
    // not retried for the 30 s the client allows.
    assert.equal(disconnected[0], "The service is shutting down.");
    assert.notEqual(connected[1], first);
    assert.deepEqual(
      emu.connections("restart").map((c) => c.connectionId),
      [connected[1]],
    );
  });
});
