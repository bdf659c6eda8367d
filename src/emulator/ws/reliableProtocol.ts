// json.reliable.webpubsub.azure.v1 (docs/protocol.md#reliable-protocol): the JSON protocol
// plus a sequence id on every message, kept until the client acks it and replayed in order
// after a recovery. The bookkeeping is the protocol core's SequenceSender.
import { CloseCode, SequenceSender, type SequenceAckFrame } from "../../core/index.js";
import { reportFrameOut } from "./frameEvents.js";
import { JsonProtocol } from "./jsonProtocol.js";
import type { OutboundMessage } from "./message.js";

/** Unacked messages allowed before the connection is dropped with no recovery. */
export const MAX_UNACKED_MESSAGES = 1000;
/** Unacked bytes allowed before the connection is dropped with no recovery. */
export const MAX_UNACKED_BYTES = 16 * 1024 * 1024;
/** How long a dropped reliable connection waits for its client to recover. */
export const RECOVERY_WINDOW_MS = 30_000;

/** The reliable JSON protocol of one connection. */
export class ReliableProtocol extends JsonProtocol {
  override readonly kind = "reliable";
  private readonly unacked = new SequenceSender<OutboundMessage>();

  override deliver(msg: OutboundMessage): void {
    const id = this.unacked.push(msg, msg.byteLength);
    if (this.unacked.size > MAX_UNACKED_MESSAGES || this.unacked.weight > MAX_UNACKED_BYTES) {
      this.conn.close(CloseCode.PolicyViolation, "Too many unacknowledged messages; the connection cannot be recovered.");
      return;
    }
    this.conn.send(msg.frame.withSequenceId(id));
    reportFrameOut(this.conn, { type: "message", sequenceId: id });
  }

  /** Replays every unacked message, oldest first (empty on the first attach). */
  override attached(): void {
    for (const [id, msg] of this.unacked.unacked()) {
      this.conn.send(msg.frame.withSequenceId(id));
      reportFrameOut(this.conn, { type: "message", sequenceId: id });
    }
  }

  // An ack above the last id sent is a lie that would release nothing real and let the
  // client claim it keeps up: a protocol error (docs/protocol.md#reliable-protocol).
  protected override acknowledge(frame: SequenceAckFrame): void {
    if (!this.unacked.ack(frame.sequenceId)) {
      this.conn.close(CloseCode.ProtocolError, `'sequenceId' ${frame.sequenceId} is above the last id sent (${this.unacked.lastId}).`);
    }
  }
}
