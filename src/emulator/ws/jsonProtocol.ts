// json.webpubsub.azure.v1 (docs/protocol.md#json-subprotocol): requests decoded by the
// protocol core, answered with acks; messages go out as JSON frames.
import {
  CloseCode,
  decodeClientFrame,
  encodeFrame,
  JsonText,
  type AckErrorName,
  type ClientFrame,
  type InvokeFrame,
  type ProtocolError,
  type SendEventFrame,
  type SendToGroupFrame,
  type SequenceAckFrame,
  type ServiceFrame,
} from "../../core/index.js";
import { publishToGroup } from "./fanout.js";
import { reportFrameIn, reportFrameOut } from "./frameEvents.js";
import type { OutboundMessage, Payload } from "./message.js";
import type { Protocol, ProtocolHost } from "./protocol.js";
import type { UserEventOutcome } from "../upstream/index.js";
import { applyReply, callUserEvent, replyPayload } from "./userEvents.js";

/** The outcome of one request; failures become a negative ack (or a close without ackId). */
type Result = { ok: true } | { ok: false; name: AckErrorName; message: string; why?: string };

const OK: Result = { ok: true };
// json data stays text: it is passed on, never looked into.
const DECODE_OPTIONS = { jsonDataAsText: true } as const;

/** The JSON protocol of one connection; the reliable protocol extends it. */
export class JsonProtocol implements Protocol {
  readonly kind: "json" | "reliable" = "json";

  constructor(protected readonly conn: ProtocolHost) {}

  receive(bytes: Buffer, isBinary: boolean): void {
    const conn = this.conn;
    if (isBinary) {
      conn.close(CloseCode.UnsupportedData, "Binary frames are not supported by the JSON protocol.");
      return;
    }
    const decoded = decodeClientFrame(bytes.toString("utf8"), DECODE_OPTIONS);
    if (!decoded.ok) {
      reportFrameIn(conn, bytes.length, undefined, decoded.error);
      return this.rejected(decoded.error);
    }
    const frame = decoded.frame;
    reportFrameIn(conn, bytes.length, frame);
    switch (frame.type) {
      case "ping":
        this.sendControl({ type: "pong" });
        return;
      case "sequenceAck":
        this.acknowledge(frame);
        return;
      case "invoke":
      case "event": {
        const upstream = conn.runtime.upstream.hasUserEventHandler(conn.hub.name, frame.event);
        const task = frame.type === "invoke" ? () => this.invoke(frame, upstream) : () => this.request(frame, upstream);
        conn.enqueue(task, bytes.length, upstream);
        return;
      }
      default:
        // With nothing queued ahead, run at once: no task closure per frame (the emulator's
        // commonest path). These requests never wait for the upstream.
        if (conn.inboundIdle) this.request(frame, false);
        else conn.enqueue(() => this.request(frame, false), bytes.length, false);
    }
  }

  deliver(msg: OutboundMessage): void {
    this.conn.send(msg.frame.text);
    reportFrameOut(this.conn, { type: "message" });
  }

  greet(): void {
    const conn = this.conn;
    const frame: ServiceFrame = { type: "system", event: "connected", connectionId: conn.id, userId: conn.userId };
    if (conn.reconnectionToken !== undefined) frame.reconnectionToken = conn.reconnectionToken;
    this.sendControl(frame);
  }

  attached(): void {}

  farewell(reason: string): void {
    this.sendControl({ type: "system", event: "disconnected", message: reason });
  }

  /**
   * Sends a frame that is not sequenced (ack, pong, system); `text` when it is already encoded,
   * `why` for tools when it refuses something.
   */
  protected sendControl(frame: ServiceFrame, text?: string, why?: string): void {
    if (this.conn.state === "closed") return;
    this.conn.send(text ?? encodeFrame(frame));
    reportFrameOut(this.conn, frame, why);
  }

  /** A sequenceAck on the plain JSON protocol has nothing to release. */
  protected acknowledge(_frame: SequenceAckFrame): void {}

  // A readable request with an ackId is refused with a BadRequest ack, in order with the
  // acks before it; anything else malformed declines the client (docs/protocol.md#malformed-frames).
  private rejected(error: ProtocolError): void {
    const conn = this.conn;
    if (error.ackId === undefined) {
      // A request that is readable but wrong closes in its turn, after the acks before it.
      const inTurn = error.frameType !== undefined && error.reason !== "invalid-ack-id" && error.frameType !== "sequenceAck";
      if (inTurn) conn.enqueue(() => conn.close(error.closeCode, error.message), 0, false);
      else conn.close(error.closeCode, error.message);
      return;
    }
    const message =
      error.reason === "unsupported-type" ? `Message type '${error.frameType}' is not supported by this emulator.` : error.message;
    const ackId = error.ackId;
    conn.enqueue(() => this.finish({ ok: false, name: "BadRequest", message }, ackId), 0, false);
  }

  // Returns a promise only when it really calls the upstream, so other requests run at once.
  private request(frame: Exclude<ClientFrame, { type: "ping" | "sequenceAck" | "invoke" }>, upstream: boolean): Promise<void> | void {
    const conn = this.conn;
    if (conn.state === "closed") return;
    const ackId = frame.ackId;
    if (ackId !== undefined && conn.hasAcked(ackId)) {
      // A retried request is answered, not re-run; the JS client counts this as success.
      this.sendControl({
        type: "ack",
        ackId,
        success: false,
        error: { name: "Duplicate", message: `Message with ack-id: ${ackId} has been processed` },
      });
      return;
    }
    if (frame.type === "event") {
      if (!upstream) return this.finish(noHandler(frame.event), ackId);
      return this.sendEvent(frame).then((result) => this.finish(result, ackId));
    }
    const result = frame.type === "sendToGroup" ? this.sendToGroup(frame) : this.joinOrLeave(frame.group, frame.type === "joinGroup");
    this.finish(result, ackId);
  }

  // invoke: the user event's handler answers with an invokeResponse instead of an ack and a
  // server message (docs/protocol.md#user-events). Not remembered: invocation ids are the client's.
  private invoke(frame: InvokeFrame, upstream: boolean): Promise<void> | void {
    const conn = this.conn;
    if (conn.state === "closed") return;
    const invocationId = frame.invocationId;
    const fail = (result: Result & { ok: false }): void =>
      this.sendControl({ type: "invokeResponse", invocationId, success: false, error: { name: result.name, message: result.message } });
    if (!upstream) return fail(noHandler(frame.event));
    const payload = frame.data === undefined ? { dataType: "json" as const, data: Buffer.alloc(0) } : payloadOf(frame);
    return callUserEvent(conn, frame.event, payload.data, payload.dataType).then((outcome) => {
      if (outcome.kind !== "ok") return fail(handlerFailed(frame.event, outcome));
      if (outcome.connectionState !== undefined) conn.connectionState = outcome.connectionState;
      const reply = replyPayload(outcome);
      const response: ServiceFrame = { type: "invokeResponse", invocationId, success: true };
      if (reply) {
        response.dataType = reply.dataType;
        response.data = reply.dataType === "text" ? reply.data.toString("utf8") : reply.dataType === "json" ? JsonText.from(reply.data.toString("utf8")) : reply.data;
      }
      this.sendControl(response);
    });
  }

  private finish(result: Result, ackId: number | undefined): void {
    const conn = this.conn;
    if (ackId === undefined) {
      // Without an ackId there is no way to report a bad request: decline the client.
      if (!result.ok && result.name === "BadRequest") conn.close(CloseCode.InvalidPayload, result.message);
      return;
    }
    if (result.ok) {
      conn.rememberAck(ackId);
      // The commonest frame the emulator writes: built directly (ackId is a checked integer).
      this.sendControl({ type: "ack", ackId, success: true }, `{"type":"ack","ackId":${ackId},"success":true}`);
    } else {
      // Failures are not remembered, so the client may retry with the same ackId.
      this.sendControl({ type: "ack", ackId, success: false, error: { name: result.name, message: result.message } }, undefined, result.why);
    }
  }

  private joinOrLeave(group: string, join: boolean): Result {
    const conn = this.conn;
    if (!conn.permissions.allows("joinLeaveGroup", group)) {
      return {
        ok: false,
        name: "Forbidden",
        message: `The connection has no permission to ${join ? "join" : "leave"} group '${group}'.`,
        why: conn.permissions.whyDenied("joinLeaveGroup", group),
      };
    }
    if (join) conn.hub.join(conn, group);
    else conn.hub.leave(conn, group);
    return OK;
  }

  // ttlSeconds was checked by the decoder, but messages go out at once, as the emulator always did.
  private sendToGroup(frame: SendToGroupFrame): Result {
    const conn = this.conn;
    if (!conn.permissions.allows("sendToGroup", frame.group)) {
      return {
        ok: false,
        name: "Forbidden",
        message: `The connection has no permission to send to group '${frame.group}'.`,
        why: conn.permissions.whyDenied("sendToGroup", frame.group),
      };
    }
    publishToGroup(conn.hub, conn, frame.group, frame.noEcho ?? false, frame, payloadOf);
    return OK;
  }

  private async sendEvent(frame: SendEventFrame): Promise<Result> {
    const conn = this.conn;
    const payload = payloadOf(frame);
    const outcome = await callUserEvent(conn, frame.event, payload.data, payload.dataType);
    if (outcome.kind === "ok") {
      // The reply goes out before the ack (docs/protocol.md#acks).
      applyReply(conn, outcome);
      return OK;
    }
    return handlerFailed(frame.event, outcome);
  }
}

function handlerFailed(event: string, outcome: Exclude<UserEventOutcome, { kind: "ok" }>): Result & { ok: false } {
  if (outcome.kind === "none") return noHandler(event);
  const status = outcome.status ? ` with status ${outcome.status}` : "";
  const reason = outcome.reason ? `: ${outcome.reason}` : "";
  return { ok: false, name: "InternalServerError", message: `The event handler for '${event}' failed${status}${reason}.` };
}

function noHandler(event: string): Result & { ok: false } {
  return { ok: false, name: "InternalServerError", message: `No event handler is registered for event '${event}'.` };
}

// The decoder checked the data against its type; here it becomes the bytes the upstream gets.
function payloadOf(frame: SendToGroupFrame | SendEventFrame | InvokeFrame): Payload {
  switch (frame.dataType) {
    case "text":
      return { dataType: "text", data: Buffer.from(frame.data as string, "utf8") };
    case "binary":
      return { dataType: "binary", data: Buffer.from(frame.data as string, "base64") };
    case "json":
      // Decoded with jsonDataAsText: the text as the client sent it, when that was compact.
      return new JsonPayload(frame.data instanceof JsonText ? frame.data.text : JSON.stringify(frame.data));
  }
}

// A json payload from a client frame. Its bytes are made only if something asks for them
// (an upstream call, a plain client, the reliable protocol's byte count): JSON clients are
// sent the text.
class JsonPayload implements Payload {
  readonly dataType = "json";
  readonly json: JsonText;
  private bytes: Buffer | undefined;

  constructor(private readonly text: string) {
    this.json = JsonText.stringified(text);
  }

  get data(): Buffer {
    return (this.bytes ??= Buffer.from(this.text, "utf8"));
  }
}
