// The emulator's live dashboard (served under /_dashboard).
export { Dashboard, DASHBOARD_PREFIX, type DashboardInit } from "./dashboard.js";
export type { ClaimsView, ConnectionView, CounterUpdate, DashboardState, DroppedEntry, FaultView, HubView, TrafficEntry } from "./types.js";
