// Type-level tests of generated/ (Web PubSub). Never run: type-checked by
// test/emitter/typecheck.test.ts (and `npm run typecheck`). Each
// `@ts-expect-error TSxxxx` must be needed, and fail with exactly that code.
import createWebPubSubServiceClient, { isUnexpected, paginate } from "../../../generated/index.js";
import type {
  AddConnectionsToGroups200Response,
  AddConnectionsToGroupsDefaultResponse,
  ConnectionExists200Response,
  ConnectionExists404Response,
  ConnectionExistsDefaultResponse,
  GetServiceStatus200Response,
  GetServiceStatusDefaultResponse,
  SendToAll202Response,
  SendToAllDefaultResponse,
} from "../../../generated/index.js";

/** true when A and B are the same type (not merely assignable). */
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function exactly<T extends true>(): T | undefined {
  return undefined;
}

const client = createWebPubSubServiceClient("https://wps.example.com");

export async function wellTyped(): Promise<void> {
  const sent = await client.path("/api/hubs/{hub}/:send", "chat").post({
    contentType: "text/plain",
    body: "hi",
    queryParameters: { excluded: { value: ["a", "b"], explode: true }, filter: "userId eq 'x'", messageTtlSeconds: 10 },
  });
  if (isUnexpected(sent)) throw new Error(sent.body.message ?? sent.headers["x-ms-error-code"]);
  const status: "202" = sent.status;
  const exists = await client.path("/api/hubs/{hub}/connections/{connectionId}", "chat", "c1").head();
  if (!isUnexpected(exists)) {
    const found: "200" | "404" = exists.status;
    void found;
  }
  const page = await client.path("/api/hubs/{hub}/groups/{group}/connections", "chat", "g").get({ queryParameters: { maxpagesize: 10 } });
  if (isUnexpected(page)) throw new Error(page.body.code);
  for await (const member of paginate(client, page)) {
    const id: string = member.connectionId;
    void id;
  }
  void status;
}

/** isUnexpected() splits each operation's responses into exactly its errors and its successes. */
export async function narrowing(): Promise<void> {
  const sent = await client.path("/api/hubs/{hub}/:send", "chat").post({ contentType: "text/plain", body: "hi" });
  if (isUnexpected(sent)) exactly<Equals<typeof sent, SendToAllDefaultResponse>>();
  else exactly<Equals<typeof sent, SendToAll202Response>>();
  const exists = await client.path("/api/hubs/{hub}/connections/{connectionId}", "chat", "c1").head();
  if (isUnexpected(exists)) exactly<Equals<typeof exists, ConnectionExistsDefaultResponse>>();
  else exactly<Equals<typeof exists, ConnectionExists200Response | ConnectionExists404Response>>();
  const health = await client.path("/api/health").head();
  if (isUnexpected(health)) exactly<Equals<typeof health, GetServiceStatusDefaultResponse>>();
  else exactly<Equals<typeof health, GetServiceStatus200Response>>();
  const added = await client.path("/api/hubs/{hub}/:addToGroups", "chat").post({ body: { groups: ["g"] } });
  if (isUnexpected(added)) exactly<Equals<typeof added, AddConnectionsToGroupsDefaultResponse>>();
  else exactly<Equals<typeof added, AddConnectionsToGroups200Response>>();
}

export async function illTyped(): Promise<void> {
  // @ts-expect-error TS2322 messageTtlSeconds is a number
  await client.path("/api/hubs/{hub}/:send", "chat").post({ contentType: "text/plain", body: "hi", queryParameters: { messageTtlSeconds: "x" } });
  // @ts-expect-error TS2739 excluded is exploded: it takes the { value, explode } wrapper
  await client.path("/api/hubs/{hub}/:send", "chat").post({ contentType: "text/plain", body: "hi", queryParameters: { excluded: ["a"] } });
  // @ts-expect-error TS2322 only JSON, octet-stream and text bodies are accepted
  await client.path("/api/hubs/{hub}/:send", "chat").post({ contentType: "text/html", body: "hi" });
  // @ts-expect-error TS2345 sending needs a body and a content type
  await client.path("/api/hubs/{hub}/:send", "chat").post({});
  // @ts-expect-error TS2769 the route has two path parameters
  client.path("/api/hubs/{hub}/users/{userId}/:send", "chat");
  // @ts-expect-error TS2769 unknown route
  client.path("/api/hubs/{hub}/:nope", "chat");
  // @ts-expect-error TS2339 HEAD routes have no get()
  await client.path("/api/hubs/{hub}/users/{userId}", "chat", "u").get();
}
