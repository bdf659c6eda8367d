// The JSON shapes the dashboard serves (CONTRACTS.md section D). The browser page reads
// them; fields may be added, never renamed.
import type { EmulatorEvent, TokenClaims } from "../events.js";

/** One recorded event with its position in the emulator's traffic log. */
export type TrafficEntry = EmulatorEvent & { seq: number };

/** Says how many frame events of a busy stretch were counted but not sent or kept. */
export interface DroppedEntry {
  type: "dropped";
  count: number;
  seq: number;
  time: number;
}

/** An upstream fault armed from the dashboard. */
export interface FaultView {
  mode: "slow" | "fail";
  remaining: number;
  delayMs?: number;
  status?: number;
}

/** One connection, live or recently closed. */
export interface ConnectionView {
  hub: string;
  connectionId: string;
  userId: string | null;
  subprotocol: string | null;
  roles: string[];
  groups: string[];
  state: "open" | "detached" | "closed";
  connectedAt: number;
  messagesIn: number;
  messagesOut: number;
  closeCode?: number;
  closeReason?: string;
}

/** One hub with its connections and groups. */
export interface HubView {
  name: string;
  upstream: { configured: boolean; fault: FaultView | null };
  connections: ConnectionView[];
  groups: { name: string; members: string[] }[];
}

/** What `GET /_dashboard/api/state` answers and the `snapshot` event carries. */
export interface DashboardState {
  endpoint: string;
  version: string;
  hubs: HubView[];
  traffic: (TrafficEntry | DroppedEntry)[];
}

/** The token claims a connection presented (the event stream's shape); never the token or its signature. */
export type ClaimsView = TokenClaims;

/** One `counters` entry: a connection whose counts changed. */
export interface CounterUpdate {
  hub: string;
  connectionId: string;
  messagesIn: number;
  messagesOut: number;
}
