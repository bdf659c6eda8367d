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

/**
 * Sends a client's message to every member of `group`, the sender included unless `noEcho`.
 * The payload is built by `payloadOf(source)` only when someone will receive it: a message to
 * an empty group costs nothing beyond the lookup.
 */
export function publishToGroup<S>(
  hub: HubState<Recipient>,
  sender: Recipient,
  group: string,
  noEcho: boolean,
  source: S,
  payloadOf: (source: S) => Payload,
): void {
  const members = hub.groupMembers(group);
  // Nobody to receive it (an empty group, or only the sender with noEcho): no payload built.
  if (members.size === 0 || (noEcho && members.size === 1 && members.has(sender))) return;
  const message = new OutboundMessage(payloadOf(source), { from: "group", group, fromUserId: sender.userId });
  // A snapshot when there are several: a delivery may close a member, which leaves the group
  // while we iterate. A lone member needs none (the commonest case after an empty group).
  for (const member of members.size === 1 ? members.keys() : [...members.keys()]) {
    if (noEcho && member === sender) continue;
    member.deliver(message);
  }
}
