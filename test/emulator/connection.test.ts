import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import type { WebSocket } from "ws";
import { JSON_SUBPROTOCOL } from "../../src/core/index.js";
import { HubState } from "../../src/emulator/state/index.js";
import { ClientConnection } from "../../src/emulator/ws/connection.js";
import { protocolFor } from "../../src/emulator/ws/protocols.js";
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
      const hub = new HubState<ClientConnection>("h");
      const init = { id: "c1", hub, userId: null, subprotocol: JSON_SUBPROTOCOL, roles: [], origin: "localhost" };
      const conn = new ClientConnection(init, fakeRuntime(lines), protocolFor(JSON_SUBPROTOCOL));
      const ws = new FakeSocket();
      conn.attach(ws as unknown as WebSocket, 1);
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
