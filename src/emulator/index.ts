/**
 * An embedded local Azure Web PubSub service for development and tests: REST API, client
 * WebSockets and upstream event handlers on loopback.
 *
 * @packageDocumentation
 */
// Public face of webpubsub-service/emulator.
export { startEmulator } from "./start.js";
export { DEFAULT_ACCESS_KEY } from "./emulator.js";
export type { ConnectionInfo, Emulator, EmulatorOptions } from "./emulator.js";
export type { EventHandlerSettings, HubSettings } from "./upstream/index.js";
export { EmulatorEvents, formatEvent } from "./events.js";
export type {
  ConnectedEvent,
  DetachedEvent,
  DisconnectedEvent,
  EmulatorEvent,
  EmulatorEventInit,
  EmulatorEventOf,
  EmulatorEventType,
  EventBase,
  FrameInEvent,
  FrameOutEvent,
  HandshakeRefusedEvent,
  ListeningEvent,
  LogEvent,
  RecoveredEvent,
  RestEvent,
  TokenClaims,
  UpstreamEvent,
} from "./events.js";
