// What the rest of the emulator hands the upstream dispatcher, and what it gets back.
import type { ConnectEventRequestBody, EventDataType } from "../../core/index.js";

/** The connection an event is about. */
export interface UpstreamContext {
  hub: string;
  connectionId: string;
  userId: string | null;
  subprotocol: string | null;
  /** Host of the client request; sent as `WebHook-Request-Origin`. */
  origin: string;
  /** Opaque `ce-connectionState`, as the handler last set it. */
  connectionState?: string;
}

/** Body of the `connect` event: every map value is an array (core's typed shape). */
export type ConnectEventBody = ConnectEventRequestBody;

/** What the `connect` handler decided. */
export type ConnectOutcome =
  | { kind: "accept"; userId?: string | null; groups?: string[]; roles?: string[]; subprotocol?: string; connectionState?: string }
  | { kind: "reject"; status: number }
  | { kind: "none" };

/**
 * What a user-event handler answered. Absent or empty `data` means nothing goes back to the
 * client. A failure carries the status the handler answered, or a `reason` when there was no
 * usable answer (timeout, network error, a reply over the message limit).
 */
export type UserEventOutcome =
  | { kind: "ok"; data?: Uint8Array; contentType?: string; connectionState?: string }
  | { kind: "failed"; status?: number; reason?: string }
  | { kind: "none" };

/** Data types of user events, as the JSON protocols name them. */
export type UserEventDataType = EventDataType;
