// The reply objects handed to blocking callbacks. Each turns the first success/fail call into an
// EventOutput; later calls are ignored, so a callback cannot answer twice.
import { CloudEventHeader, contentTypeOfDataType, encodeConnectionState } from "../core/index.js";
import type { EventOutput } from "./exchange.js";
import { mqttCodeOfStatus, statusOfMqttCode } from "./mqtt.js";
import type {
  ConnectErrorResponse,
  ConnectResponse,
  ConnectResponseHandler,
  ConnectionContext,
  MqttConnectErrorResponse,
  MqttConnectResponse,
  UserEventReplyData,
  UserEventResponseHandler,
} from "./types.js";

// Content types and header names are the core's (docs/protocol.md#user-events).
const JSON_TYPE = contentTypeOfDataType("json");
const CONTENT_TYPES = { json: JSON_TYPE, text: contentTypeOfDataType("text"), binary: contentTypeOfDataType("binary") } as const;
const STATE_HEADER = CloudEventHeader.connectionState;

/** Settles once with the reply a callback chose. */
export class ReplySlot {
  private settle!: (output: EventOutput) => void;
  /** Resolves with the first reply. */
  readonly reply: Promise<EventOutput> = new Promise((resolve) => (this.settle = resolve));
  /** True once a reply was given. */
  done = false;

  /** Keeps the first reply only. */
  give(output: EventOutput): void {
    if (this.done) return;
    this.done = true;
    this.settle(output);
  }
}

/** Tracks setState calls on the shared `context.states`. */
class StateTracker {
  modified = false;
  constructor(private readonly context: ConnectionContext) {}

  set(name: string, value: unknown): void {
    this.context.states[name] = value;
    this.modified = true;
  }

  /** Adds the state header when the callback changed the state. */
  apply(headers: Record<string, string>): Record<string, string> {
    if (this.modified) headers[STATE_HEADER] = encodeConnectionState(this.context.states);
    return headers;
  }
}

function checkFailCode(code: number): void {
  if (!Number.isInteger(code) || code < 400 || code > 599) {
    throw Object.assign(new RangeError(`fail(): code must be an HTTP error status 400-599, got ${String(code)}`), { code: "WPS_ERR_INVALID_ARGUMENT" as const });
  }
}

function failOutput(code: number, detail: string | undefined): EventOutput {
  checkFailCode(code);
  // No Content-Type, as the official handler: the service only logs the detail.
  return { status: code, headers: {}, body: detail ?? "" };
}

/** The ConnectResponseHandler for one `connect` event (a class: no closures per event). */
class ConnectReply implements ConnectResponseHandler {
  private readonly state: StateTracker;
  constructor(
    context: ConnectionContext,
    private readonly slot: ReplySlot,
    private readonly mqttProtocolVersion: number | undefined,
  ) {
    this.state = new StateTracker(context);
    // Detached calls (`const { success } = res`) work with the official handler's closures; keep them working.
    this.setState = this.setState.bind(this);
    this.success = this.success.bind(this);
    this.fail = this.fail.bind(this);
    this.failWith = this.failWith.bind(this);
  }

  setState(name: string, value: unknown): void {
    this.state.set(name, value);
  }

  success(response?: ConnectResponse | MqttConnectResponse): void {
    if (this.slot.done) return;
    const headers = this.state.apply({});
    if (response === undefined) return this.slot.give({ status: 204, headers });
    headers["Content-Type"] = JSON_TYPE;
    this.slot.give({ status: 200, headers, body: JSON.stringify(response) });
  }

  fail(code: 400 | 401 | 500, detail?: string): void {
    if (this.mqttProtocolVersion === undefined) return this.slot.give(failOutput(code, detail));
    checkFailCode(code);
    // MQTT clients get a CONNACK code; the service reads it from the body.
    const mqtt: Record<string, unknown> = { code: mqttCodeOfStatus(code, this.mqttProtocolVersion) };
    if (detail !== undefined) mqtt["reason"] = detail;
    this.slot.give({ status: code, headers: { "Content-Type": JSON_TYPE }, body: JSON.stringify({ mqtt }) });
  }

  failWith(response: ConnectErrorResponse | MqttConnectErrorResponse): void {
    if ("mqtt" in response) {
      this.slot.give({ status: statusOfMqttCode(response.mqtt.code), headers: { "Content-Type": JSON_TYPE }, body: JSON.stringify(response) });
    } else {
      this.fail(response.code, response.detail);
    }
  }
}

/** The ConnectResponseHandler for one `connect` event. */
export function connectReply(context: ConnectionContext, slot: ReplySlot, mqttProtocolVersion: number | undefined): ConnectResponseHandler {
  return new ConnectReply(context, slot, mqttProtocolVersion);
}

const encoder = new TextEncoder();

function replyBody(data: unknown, dataType: "binary" | "text" | "json" | undefined): string | Uint8Array {
  if (data === undefined || data === null) return "";
  if (typeof data === "string") return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  // Only JSON replies may carry other values; anything else is a programming error.
  if (dataType === "json") return JSON.stringify(data);
  throw Object.assign(new TypeError(`success(): a ${dataType ?? "binary"} reply takes a string, ArrayBuffer or typed array, got ${typeof data}`), {
    code: "WPS_ERR_INVALID_ARGUMENT" as const,
  });
}

/** The UserEventResponseHandler for one user event (a class: no closures per event). */
class UserEventReply implements UserEventResponseHandler {
  private readonly state: StateTracker;
  constructor(
    context: ConnectionContext,
    private readonly slot: ReplySlot,
  ) {
    this.state = new StateTracker(context);
    // Detached calls (`const { success } = res`) work with the official handler's closures; keep them working.
    this.setState = this.setState.bind(this);
    this.success = this.success.bind(this);
    this.fail = this.fail.bind(this);
  }

  setState(name: string, value: unknown): void {
    this.state.set(name, value);
  }

  success(data?: UserEventReplyData | unknown, dataType?: "binary" | "text" | "json"): void {
    if (this.slot.done) return;
    const body = replyBody(data, dataType);
    const headers = this.state.apply({ "Content-Type": CONTENT_TYPES[dataType ?? "binary"] ?? CONTENT_TYPES.binary });
    this.slot.give({ status: 200, headers, body });
  }

  fail(code: 400 | 401 | 500, detail?: string): void {
    this.slot.give(failOutput(code, detail));
  }
}

/** The UserEventResponseHandler for one user event. */
export function userEventReply(context: ConnectionContext, slot: ReplySlot): UserEventResponseHandler {
  return new UserEventReply(context, slot);
}

/** Encodes a string body once, so adapters can send bytes. */
export function bodyBytes(body: string | Uint8Array | undefined): Uint8Array | undefined {
  if (body === undefined) return undefined;
  return typeof body === "string" ? encoder.encode(body) : body;
}
