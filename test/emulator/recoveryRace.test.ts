// Two upgrades racing to recover one reliable connection (issue 13, soak run B): a client
// that gave up on a slow recovery opened another, and the abandoned upgrade, accepted
// later, took the session from the live socket. Raw TCP sockets let the tests decide when
// each upgrade request completes.
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import type { Emulator } from "../../src/emulator/index.js";
import { clientsClosedAfterEach, connectJson, eventually, RELIABLE_PROTOCOL, rest, start, TestClient } from "./helpers.js";

interface Frame {
  opcode: number;
  payload: Buffer;
}

/** A raw TCP client: everything it reads, and a promise of its close. */
class RawClient {
  readonly received: Buffer[] = [];
  readonly closed: Promise<void>;
  private constructor(readonly socket: Socket) {
    socket.on("data", (chunk) => this.received.push(chunk));
    socket.on("error", () => undefined);
    this.closed = new Promise((resolve) => socket.once("close", () => resolve()));
  }

  static open(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, "127.0.0.1", () => resolve(new RawClient(socket)));
      socket.once("error", reject);
    });
  }

  /** The HTTP status line and the server's (unmasked) WebSocket frames after it. */
  parse(): { statusLine: string; frames: Frame[] } {
    const all = Buffer.concat(this.received);
    const end = all.indexOf("\r\n\r\n");
    const statusLine = all.subarray(0, all.indexOf("\r\n")).toString("latin1");
    const frames: Frame[] = [];
    let at = end < 0 ? all.length : end + 4;
    while (at + 2 <= all.length) {
      let length = all[at + 1]! & 0x7f;
      let header = 2;
      if (length === 126) [length, header] = [all.readUInt16BE(at + 2), 4];
      else if (length === 127) [length, header] = [Number(all.readBigUInt64BE(at + 2)), 10];
      frames.push({ opcode: all[at]! & 0x0f, payload: all.subarray(at + header, at + header + length) });
      at += header + length;
    }
    return { statusLine, frames };
  }
}

function upgradeRequest(port: number, path: string): string {
  return (
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: ${RELIABLE_PROTOCOL}\r\n`
  );
}

describe("emulator reliable recovery races", () => {
  let emu: Emulator;
  const clients = clientsClosedAfterEach();
  const raws: RawClient[] = [];
  let seq = 0;
  let hub = "";

  before(async () => {
    emu = await start();
  });
  after(() => emu.close());
  beforeEach(() => {
    hub = `race${++seq}`;
  });
  afterEach(() => {
    for (const r of raws.splice(0)) r.socket.destroy();
  });

  const send = (id: string, body: string) => rest(emu, "POST", `/api/hubs/${hub}/connections/${id}/:send`, { body });
  const recoveryPath = (c: TestClient) =>
    `/client/hubs/${hub}?${new URLSearchParams({ awps_connection_id: c.connectionId, awps_reconnection_token: c.reconnectionToken! })}`;

  async function rawClient(): Promise<RawClient> {
    const r = await RawClient.open(emu.port);
    raws.push(r);
    return r;
  }

  it("refuses an older upgrade that completes after a newer recovery took over", async () => {
    const c = await connectJson(emu, hub, {}, RELIABLE_PROTOCOL);
    clients.push(c);
    await send(c.connectionId, "one");
    assert.equal((await c.nextJson()).sequenceId, 1);

    // The older attempt: its connection is accepted first, its request completes last.
    const older = await rawClient();
    older.socket.write(upgradeRequest(emu.port, recoveryPath(c)));

    const newer = new TestClient(`ws://127.0.0.1:${emu.port}${recoveryPath(c)}`, RELIABLE_PROTOCOL);
    clients.push(newer);
    await newer.opened();
    assert.equal((await c.closed).code, 1006, "the newer recovery replaced the first socket");
    assert.equal((await newer.nextJson()).sequenceId, 1, "the unacked message is replayed on the newer socket");

    older.socket.write("\r\n");
    // The emulator then waits for the client's close frame, which this raw client never sends.
    await eventually(() => older.parse().frames.some((f) => f.opcode === 0x8) || older.socket.destroyed);
    const { statusLine, frames } = older.parse();
    assert.equal(statusLine, "HTTP/1.1 101 Switching Protocols");
    const close = frames.find((f) => f.opcode === 0x8);
    assert.ok(close, "the older socket gets a close frame");
    assert.equal(close.payload.readUInt16BE(0), 1008);
    assert.equal(frames.filter((f) => f.opcode === 0x1).length, 0, "no message goes to the older socket");

    await send(c.connectionId, "two");
    assert.deepEqual(await newer.nextJson(), { sequenceId: 2, type: "message", from: "server", dataType: "text", data: "two" });
    assert.equal(emu.connections(hub)[0]?.state, "open");
  });

  it("does not let an abandoned upgrade take the session from the live socket", async () => {
    const c = await connectJson(emu, hub, {}, RELIABLE_PROTOCOL);
    clients.push(c);
    // The client sends a whole recovery request and gives up on it at once.
    const abandoned = await rawClient();
    abandoned.socket.end(`${upgradeRequest(emu.port, recoveryPath(c))}\r\n`);
    await abandoned.closed;
    assert.equal(abandoned.parse().statusLine, "HTTP/1.1 101 Switching Protocols", "the emulator did accept the upgrade");

    await send(c.connectionId, "still here");
    assert.deepEqual(await c.nextJson(), { sequenceId: 1, type: "message", from: "server", dataType: "text", data: "still here" });
    assert.equal(emu.connections(hub)[0]?.state, "open");
  });

  it("lets the later of two live recoveries carry the session, whichever answers first", async () => {
    const c = await connectJson(emu, hub, {}, RELIABLE_PROTOCOL);
    clients.push(c);
    const first = new TestClient(`ws://127.0.0.1:${emu.port}${recoveryPath(c)}`, RELIABLE_PROTOCOL);
    clients.push(first);
    await first.opened();
    const second = new TestClient(`ws://127.0.0.1:${emu.port}${recoveryPath(c)}`, RELIABLE_PROTOCOL);
    clients.push(second);
    await second.opened();
    await send(c.connectionId, "to the newest");
    assert.equal((await second.nextJson()).data, "to the newest");
    const firstEnd = await first.closed;
    // Either refused while pending (1008) or replaced once attached (no close frame).
    assert.ok(firstEnd.code === 1008 || firstEnd.code === 1006, `first socket ended with ${firstEnd.code}`);
    await send(c.connectionId, "still the newest");
    assert.equal((await second.until((m) => m.data === "still the newest")).sequenceId, 2);
  });
});
