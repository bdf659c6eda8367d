// What the emulator's parts share: the key, the hubs, the upstream and the event stream.
import type { EmulatorEventInit, EmulatorEvents } from "./events.js";
import type { HubRegistry } from "./state/index.js";
import type { UpstreamDispatcher } from "./upstream/index.js";
import type { ClientConnection } from "./ws/index.js";

/** The part of the upstream dispatcher the emulator calls; tests may pass a fake. */
export type Upstream = Pick<
  UpstreamDispatcher,
  "connect" | "connected" | "disconnected" | "userEvent" | "hasUserEventHandler" | "close"
>;

/** Shared state of one running emulator. */
export interface Runtime {
  readonly accessKey: string;
  readonly hubs: HubRegistry<ClientConnection>;
  readonly upstream: Upstream;
  /** The typed event stream (events.ts); emit through {@link emit}. */
  readonly events: EmulatorEvents;
  /** Emits one event; callers must not put secrets in it. */
  emit(event: EmulatorEventInit): void;
  /** Emits a `log` event: a line that fits no typed event. */
  log(line: string, level?: "info" | "warn"): void;
  /** True once close() started: drops are then final and no upstream events go out. */
  readonly closing: boolean;
  /** How long a dropped reliable connection waits for recovery (RECOVERY_WINDOW_MS unless tuned). */
  readonly recoveryWindowMs: number;
}
