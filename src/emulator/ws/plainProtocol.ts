// Plain WebSocket mode: no subprotocol, or one the emulator does not speak
// (docs/protocol.md#plain-websocket). Every frame is the user event `message`; the handler's
// reply goes back as a bare frame. No acks, no system messages.
import { CloseCode } from "../../core/index.js";
import { publishToGroup } from "./fanout.js";
import { reportFrameOut, reportPlainFrameIn } from "./frameEvents.js";
import type { OutboundMessage, Payload } from "./message.js";
import type { Protocol, ProtocolHost, RawPublish } from "./protocol.js";
import { applyReply, callUserEvent } from "./userEvents.js";

/** The plain protocol of one connection. */
export class PlainProtocol implements Protocol {
  readonly kind = "plain";

  constructor(private readonly conn: ProtocolHost) {}

  receive(bytes: Buffer, isBinary: boolean): void {
    const conn = this.conn;
    reportPlainFrameIn(conn, bytes.length);
    if (conn.rawPublish) {
      // Publishing needs no upstream call, so it runs at once when nothing waits ahead of it.
      const target = conn.rawPublish;
      conn.enqueue(() => this.publish(target, bytes, isBinary), bytes.length, false);
      return;
    }
    conn.enqueue(() => this.sendEvent(bytes, isBinary), bytes.length, true);
  }

  deliver(msg: OutboundMessage): void {
    this.conn.send(msg.raw);
    reportFrameOut(this.conn, { type: "message" });
  }

  greet(): void {}

  attached(): void {}

  farewell(): void {}

  private async sendEvent(bytes: Buffer, isBinary: boolean): Promise<void> {
    const conn = this.conn;
    if (conn.state === "closed") return;
    const outcome = await callUserEvent(conn, "message", bytes, isBinary ? "binary" : "text");
    if (outcome.kind !== "ok") {
      // No handler or a failed one drops a plain client, as the service does.
      const why = outcome.kind === "none" ? "No event handler for 'message'." : `The event handler failed${outcome.reason ? `: ${outcome.reason}` : ""}.`;
      conn.close(CloseCode.InternalError, why);
      return;
    }
    applyReply(conn, outcome);
  }

  // Undocumented raw mode (docs/protocol.md#plain-websocket): each frame goes to one group.
  private publish(target: RawPublish, bytes: Buffer, isBinary: boolean): void {
    const conn = this.conn;
    if (conn.state === "closed") return;
    if (!conn.permissions.allows("sendToGroup", target.group)) {
      // A plain client has no ack to carry the refusal, so the refusal is the close itself.
      conn.close(CloseCode.PolicyViolation, `The connection has no permission to send to group '${target.group}'.`);
      return;
    }
    publishToGroup(conn.hub, conn, target.group, target.noEcho, { dataType: isBinary ? "binary" : "text", data: bytes } as Payload, itself);
  }
}

// The raw payload is built already.
const itself = (payload: Payload): Payload => payload;
