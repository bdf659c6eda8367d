// A scenario written for @azure/web-pubsub-client 1.1.0, as its README teaches. The interop
// test runs it as is, then with only the import line changed to webpubsub-service/client.
import { SendMessageError, WebPubSubClient, WebPubSubJsonReliableProtocol } from "../../../src/client/index.js";

/** Runs the scenario against `url` (a user with join/send roles) and returns what it saw. */
export async function run(url: string): Promise<string[]> {
  const log: string[] = [];
  const client = new WebPubSubClient(
    { getClientAccessUrl: async () => url },
    { protocol: WebPubSubJsonReliableProtocol(), messageRetryOptions: { maxRetries: 0 } },
  );
  // Whether the echo or the ack comes first is not part of the contract: log it after the ack.
  const groupMessage = new Promise<string>((resolve) => {
    client.on("group-message", (e) => resolve(`group-message ${e.message.group} ${e.message.dataType} ${JSON.stringify(e.message.data)}`));
  });
  const serverMessage = new Promise<void>((resolve) => {
    client.on("server-message", (e) => {
      log.push(`server-message ${e.message.dataType} ${JSON.stringify(e.message.data)}`);
      resolve();
    });
  });
  client.on("connected", (e) => log.push(`connected ${typeof e.connectionId} ${e.userId}`));
  client.on("disconnected", (e) => log.push(`disconnected ${typeof e.connectionId}`));
  const stopped = new Promise<void>((resolve) => client.on("stopped", () => resolve()));

  await client.start();
  const joined = await client.joinGroup("interop");
  log.push(`joined isDuplicated=${joined.isDuplicated}`);
  const sent = await client.sendToGroup("interop", { hello: "world" }, "json");
  log.push(`sent ackId=${typeof sent.ackId} isDuplicated=${sent.isDuplicated}`);
  log.push(await groupMessage);
  await client.sendEvent("echo", "ping", "text");
  await serverMessage;
  const fired = await client.sendToGroup("interop", "x", "text", { fireAndForget: true, noEcho: true });
  log.push(`fireAndForget ackId=${fired.ackId}`);
  try {
    await client.joinGroup("forbidden.room", { ackId: 9001 });
  } catch (err) {
    if (err instanceof SendMessageError) log.push(`SendMessageError ackId=${err.ackId} ${err.errorDetail?.name}`);
    else log.push(`unexpected ${String(err)}`);
  }
  client.stop();
  await stopped;
  log.push("stopped");
  return log;
}
