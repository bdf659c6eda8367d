// The upstream half of `npm start`: an event handler on node:http that the emulator calls for
// connect, connected, disconnected and user events. It verifies every event's signature with
// the emulator's key, answers user events, and records what reached it.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { HubSettings } from "../src/emulator/index.js";
import { WebPubSubEventHandler, type ConnectionContext } from "../src/handler/index.js";

/** A running demo event handler. */
export interface DemoEventHandler {
  /** The URL template for the emulator's hub settings. */
  readonly urlTemplate: string;
  /** One line per event that reached a callback, in arrival order. */
  readonly received: string[];
  close(): Promise<void>;
}

const who = (context: ConnectionContext): string => context.userId ?? "(anonymous)";

/** Starts the handler on a free loopback port; `accessKey` is the key the service signs with. */
export async function startEventHandler(hub: string, accessKey: string): Promise<DemoEventHandler> {
  const received: string[] = [];
  const handler = new WebPubSubEventHandler(hub, {
    path: "/eventhandler/{event}",
    accessKeys: [accessKey],
    handleConnect: (req, res) => {
      received.push(`connect ${who(req.context)}`);
      res.success(); // keep what the token says
    },
    onConnected: (req) => void received.push(`connected ${who(req.context)}`),
    onDisconnected: (req) => void received.push(`disconnected ${who(req.context)} "${req.reason ?? ""}"`),
    handleUserEvent: (req, res) => {
      received.push(`event ${req.context.eventName} from ${who(req.context)} ${req.dataType} ${JSON.stringify(req.data)}`);
      res.success({ reply: `hello ${who(req.context)}`, youSent: req.data }, "json");
    },
  });
  const server = createServer(handler.getRequestListener());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    urlTemplate: `http://127.0.0.1:${port}/eventhandler/{event}`,
    received,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Emulator hub settings that send every event of `hub` to the demo handler. */
export function demoHubs(hub: string, handler: DemoEventHandler): Record<string, HubSettings> {
  return { [hub]: { eventHandlers: [{ urlTemplate: handler.urlTemplate, userEventPattern: "*", systemEvents: ["connect", "connected", "disconnected"] }] } };
}
