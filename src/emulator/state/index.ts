// Hub state: connections, groups and users per hub. Knows nothing of sockets or protocols.
export { HubRegistry, HubState, type HubMember } from "./hubState.js";
