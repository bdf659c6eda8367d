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
  const size = members.size;
  if (size === 0) return;
  if (size === 1) {
    // The commonest case after an empty group: no snapshot to build.
    const [only] = members.keys();
    if (noEcho && only === sender) return;
    only!.deliver(new OutboundMessage(payloadOf(source), { from: "group", group, fromUserId: sender.userId }));
    return;
  }
  const message = new OutboundMessage(payloadOf(source), { from: "group", group, fromUserId: sender.userId });
  // A snapshot: a delivery may close a member, which leaves the group while we iterate.
  for (const member of [...members.keys()]) {
    if (noEcho && member === sender) continue;
    member.deliver(message);
  }
}
