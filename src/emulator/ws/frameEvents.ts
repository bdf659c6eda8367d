// frameIn / frameOut events for one connection. Built only when someone listens: a fan-out
// to thousands of sockets must not pay for events nobody reads.
import type { ClientFrame, ProtocolError, ServiceFrame } from "../../core/index.js";
import type { FrameInEvent, FrameOutEvent } from "../events.js";
import type { ProtocolHost } from "./protocol.js";

/** Reports a decoded (or rejected) client frame. */
export function reportFrameIn(conn: ProtocolHost, size: number, frame: ClientFrame | undefined, error?: ProtocolError): void {
  if (!conn.runtime.events.wants("frameIn")) return;
  const e: Omit<FrameInEvent, "time"> = {
    type: "frameIn",
    hub: conn.hub.name,
    connectionId: conn.id,
    frameType: frame?.type ?? error?.frameType ?? "unreadable",
    size,
  };
  if (frame) {
    if ("ackId" in frame && frame.ackId !== undefined) e.ackId = frame.ackId;
    if ("group" in frame) e.group = frame.group;
    if ("event" in frame) e.event = frame.event;
  }
  if (error) {
    if (error.ackId !== undefined) e.ackId = error.ackId;
    e.error = `${error.reason}: ${error.message}`;
  }
  conn.runtime.emit(e);
}

/** Reports a plain WebSocket frame from a client. */
export function reportPlainFrameIn(conn: ProtocolHost, size: number): void {
  if (conn.runtime.events.wants("frameIn")) {
    conn.runtime.emit({ type: "frameIn", hub: conn.hub.name, connectionId: conn.id, frameType: "message", size });
  }
}

/** Reports a frame sent to the client; pass the typed frame for control frames, and for a refusal the rule behind it. */
export function reportFrameOut(conn: ProtocolHost, frame: ServiceFrame | { type: "message"; sequenceId?: number }, why?: string): void {
  if (!conn.runtime.events.wants("frameOut")) return;
  const e: Omit<FrameOutEvent, "time"> = { type: "frameOut", hub: conn.hub.name, connectionId: conn.id, frameType: frame.type };
  if (frame.type === "ack") {
    e.ackId = frame.ackId;
    e.success = frame.success;
    if (frame.error) e.error = frame.error;
    if (why !== undefined) e.why = why;
  } else if (frame.type === "invokeResponse") {
    if (frame.success !== undefined) e.success = frame.success;
    if (frame.error) e.error = frame.error;
  } else if (frame.type === "message" && frame.sequenceId !== undefined) {
    e.sequenceId = frame.sequenceId;
  }
  conn.runtime.emit(e);
}
