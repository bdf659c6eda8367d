// The public entry point: an emulator whose upstream calls real HTTP event handlers.
import { launchEmulator, type Emulator, type EmulatorOptions } from "./emulator.js";
import { UpstreamDispatcher } from "./upstream/index.js";

/**
 * Starts a local Web PubSub service on loopback: the data-plane REST API, the client
 * WebSocket endpoint and upstream event handlers. `await emu.close()` when done.
 */
export function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  return launchEmulator(options, (settings) => new UpstreamDispatcher(settings));
}
