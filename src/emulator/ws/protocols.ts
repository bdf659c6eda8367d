// Picks a connection's protocol from its negotiated subprotocol.
import { JSON_SUBPROTOCOL, RELIABLE_JSON_SUBPROTOCOL } from "../../core/index.js";
import { JsonProtocol } from "./jsonProtocol.js";
import { PlainProtocol } from "./plainProtocol.js";
import type { Protocol, ProtocolHost } from "./protocol.js";
import { ReliableProtocol } from "./reliableProtocol.js";

/** Subprotocols the emulator speaks itself; any other one means a plain WebSocket. */
export const SPOKEN_SUBPROTOCOLS: ReadonlySet<string> = new Set([JSON_SUBPROTOCOL, RELIABLE_JSON_SUBPROTOCOL]);

/** The protocol factory for a negotiated subprotocol (null: none). */
export function protocolFor(subprotocol: string | null): (host: ProtocolHost) => Protocol {
  if (subprotocol === JSON_SUBPROTOCOL) return (host) => new JsonProtocol(host);
  if (subprotocol === RELIABLE_JSON_SUBPROTOCOL) return (host) => new ReliableProtocol(host);
  return (host) => new PlainProtocol(host);
}
