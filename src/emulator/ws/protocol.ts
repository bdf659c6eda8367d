// The one interface every subprotocol implements (plain, json, reliable json), and what a
// protocol may ask of its connection. The connection knows only this interface, and each
// protocol knows only ProtocolHost, so neither imports the other.
import type { Permissions } from "../permissions.js";
import type { Runtime } from "../runtime.js";
import type { HubState } from "../state/index.js";
import type { UpstreamContext } from "../upstream/index.js";
import type { Recipient } from "./fanout.js";
import type { OutboundMessage } from "./message.js";

/** How frames are read and written: plain frames, JSON, or JSON with sequence ids and recovery. */
export type ProtocolKind = "plain" | "json" | "reliable";

/** One connection's subprotocol. */
export interface Protocol {
  readonly kind: ProtocolKind;
  /** Handles one frame the client sent. Must not throw for bad input: it closes or nacks. */
  receive(bytes: Buffer, isBinary: boolean): void;
  /** Sends a message in this protocol's wire format. */
  deliver(msg: OutboundMessage): void;
  /** The first frames of a new connection (the JSON protocols send `connected`). */
  greet(): void;
  /** A socket was attached; after a recovery the reliable protocol replays what is unacked. */
  attached(): void;
  /** The last frame before a service-initiated close (the JSON protocols send `disconnected`). */
  farewell(reason: string): void;
}

/** What a protocol may use of its connection. */
export interface ProtocolHost extends Recipient {
  readonly hub: HubState<Recipient>;
  readonly permissions: Permissions;
  readonly runtime: Runtime;
  /** The reliable protocol's recovery secret; undefined for other protocols. */
  readonly reconnectionToken: string | undefined;
  /** Raw clients in sendToGroup mode publish every frame to this group. */
  readonly rawPublish: RawPublish | undefined;
  readonly state: "open" | "detached" | "closed";
  connectionState: string | undefined;
  /** The upstream context of this connection. */
  context(): UpstreamContext;
  /** Writes one frame to the socket, within the outbound bound; dropped while detached. */
  send(frame: string | Buffer): void;
  /** Service-initiated close: farewell frame, close frame, end of session. */
  close(code: number, reason: string): void;
  /** True when no earlier frame's work is waiting, so a frame's own may run at once. */
  readonly inboundIdle: boolean;
  /** Runs a frame's work in order; see InboundQueue.run. */
  enqueue(task: () => Promise<void> | void, size: number, waitsForUpstream: boolean): void;
  /** True when this ackId was already processed on this connection. */
  hasAcked(ackId: number): boolean;
  /** Records a processed ackId. */
  rememberAck(ackId: number): void;
}

/** Where a raw client in sendToGroup mode publishes. */
export interface RawPublish {
  group: string;
  noEcho: boolean;
}
