// Upstream event handlers: hub settings, abuse protection, CloudEvents encoding, retries.
export { UpstreamDispatcher, type UpstreamDispatcherOptions } from "./dispatcher.js";
export { validateHubSettings, resolveTemplate, type EventHandlerSettings, type HubSettings } from "./hubSettings.js";
export type { ConnectEventBody, ConnectOutcome, UpstreamContext, UserEventDataType, UserEventOutcome } from "./types.js";
export { UpstreamFaults, type UpstreamFault } from "./faults.js";
