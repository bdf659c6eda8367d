import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import type { WebSocket } from "ws";
import { ClientConnection, JSON_PROTOCOL } from "../../src/emulator/connection.js";
import { HubState } from "../../src/emulator/hubState.js";
import { fakeRuntime } from "./helpers.js";

/** Just enough of a ws socket to watch what the connection sends and how it closes. */
class FakeSocket extends EventEmitter {
  readyState = 1; // OPEN
  bufferedAmount = 0;
  readonly sent: string[] = [];
  closedWith: number | undefined;
  send(data: string): void {
    this.sent.push(data);
  }
  close(code: number): void {
    this.closedWith = code;
    this.readyState = 3;
  }
  terminate(): void {
    this.readyState = 3;
  }
}

describe("emulator ClientConnection", () => {
  for (const [label, task] of [
    ["throws", () => {
      throw new Error("bug");
    }],
    ["rejects", () => Promise.reject(new Error("bug"))],
  ] as const) {
    it(`closes with 1011 and logs when a queued frame task ${label}, so no request waits forever`, async () => {
      const lines: string[] = [];
      const hub = new HubState("h");
      const conn = new ClientConnection({ id: "c1", hub, userId: null, subprotocol: JSON_PROTOCOL, roles: [], origin: "localhost" }, fakeRuntime(lines));
      const ws = new FakeSocket();
      conn.attach(ws as unknown as WebSocket);
      hub.add(conn);
      conn.enqueue(task);
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(ws.closedWith, 1011);
      assert.equal(conn.state, "closed");
      assert.equal(hub.connections.size, 0);
      assert.ok(lines.some((l) => l.includes("frame handler failed: bug")), lines.join("\n"));
    });
  }
});
