// The /client WebSocket endpoint of one emulator: owns its WebSocketServer, and remembers
// per request which subprotocol the handshake chose, for ws's handleProtocols to answer.
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import type { Runtime } from "../runtime.js";
import { handleClientUpgrade, refuse } from "./handshake.js";

/** Options of a {@link ClientEndpoint}. */
export interface ClientEndpointOptions {
  /** Frames above this many bytes close the client with 1009. */
  maxPayload: number;
}

/** Accepts client WebSockets for every hub. */
export class ClientEndpoint {
  private readonly wss: WebSocketServer;
  // Set just before handleUpgrade, read back by handleProtocols during it; per instance.
  private readonly chosen = new WeakMap<IncomingMessage, string | null>();

  constructor(
    private readonly runtime: Runtime,
    options: ClientEndpointOptions,
  ) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxPayload,
      perMessageDeflate: false,
      clientTracking: false,
      handleProtocols: (_offered, req) => this.chosen.get(req) ?? false,
    });
  }

  /** Handles an upgrade request on /client. Never throws; a failure answers 500. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const accept = (r: IncomingMessage, s: Duplex, h: Buffer, subprotocol: string | null, onOpen: (ws: WebSocket) => void) => {
      this.chosen.set(r, subprotocol);
      this.wss.handleUpgrade(r, s, h, onOpen);
    };
    return handleClientUpgrade(req, socket, head, accept, this.runtime).catch(() => refuse(socket, 500, "Internal error."));
  }

  /** Stops accepting; open connections are closed by their owner. */
  close(): void {
    this.wss.close();
  }
}
