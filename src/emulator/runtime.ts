// What the emulator's parts share: the key, the hubs, the upstream and the log.
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
  /** One readable line; callers must not pass secrets, but the sink redacts anyway. */
  log(line: string): void;
  /** True once close() started: drops are then final and no upstream events go out. */
  readonly closing: boolean;
  /** How long a dropped reliable connection waits for recovery (RECOVERY_WINDOW_MS unless tuned). */
  readonly recoveryWindowMs: number;
}
