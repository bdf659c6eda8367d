// Delivery of one message to many connections: the message is encoded once (message.ts)
// and each recipient only frames it for its own protocol.
import type { HubMember, HubState } from "../state/index.js";
import { OutboundMessage, type Payload } from "./message.js";

/** A hub member that can be sent messages. */
export interface Recipient extends HubMember {
  deliver(msg: OutboundMessage): void;
}

/** Delivers one message to each of `targets`. */
export function deliverAll(targets: Iterable<Recipient>, message: OutboundMessage): void {
  for (const conn of targets) conn.deliver(message);
}

/** Sends a client's message to every member of `group`, the sender included unless `noEcho`. */
export function publishToGroup(
  hub: HubState<Recipient>,
  sender: Recipient,
  group: string,
  payload: Payload,
  noEcho: boolean,
): void {
  const message = new OutboundMessage(payload, { from: "group", group, fromUserId: sender.userId });
  // A snapshot: a delivery may close a member, which leaves the group while we iterate.
  for (const member of [...hub.groupMembers(group).keys()]) {
    if (noEcho && member === sender) continue;
    member.deliver(message);
  }
}
