// Which of two sockets the server accepted first. The HTTP server numbers every socket it
// accepts; recovery uses the numbers to tell the newer of two upgrades for one connection
// (see ClientConnection.recover in ws/connection.ts).
const acceptOrder = new WeakMap<object, number>();
let acceptedSoFar = 0;

/**
 * The accept order of a socket: higher means accepted later. A socket this server did not
 * accept (a test's stand-in) is numbered when first asked.
 */
export function acceptedOrder(socket: object): number {
  let order = acceptOrder.get(socket);
  if (order === undefined) acceptOrder.set(socket, (order = ++acceptedSoFar));
  return order;
}
