// Type-level tests of the generated petstore client. Never run: type-checked by
// test/emitter/typecheck.test.ts (and `npm run typecheck`). Each
// `@ts-expect-error TSxxxx` must be needed, and fail with exactly that code.
import createPetStoreClient, { isUnexpected, paginate } from "../../fixtures/petstore/golden/2025-01-01/index.js";
import createPetStoreClientV1 from "../../fixtures/petstore/golden/2024-01-01/index.js";
import type {
  CreatePet200Response,
  CreatePet201Response,
  CreatePetDefaultResponse,
  FeedPet204Response,
  FeedPetDefaultResponse,
  GetPet200Response,
  GetPet404Response,
  GetPetDefaultResponse,
  PetExists200Response,
  PetExists404Response,
  PetExistsDefaultResponse,
} from "../../fixtures/petstore/golden/2025-01-01/index.js";

/** true when A and B are the same type (not merely assignable). */
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function exactly<T extends true>(): T | undefined {
  return undefined;
}

const client = createPetStoreClient("https://pets.example.com", { key: "k" });
const v1 = createPetStoreClientV1("https://pets.example.com");

export async function wellTyped(): Promise<void> {
  const got = await client.path("/pets/{petId}", 1).get({ queryParameters: { include: ["owner"] }, headers: { "x-request-id": "r" } });
  if (!isUnexpected(got)) {
    const etag: string = got.headers.etag;
    const id: number = got.body.id;
    void [etag, id];
  } else {
    const code: string | undefined = got.body.code;
    void code;
  }
  await client.path("/pets").post({ body: { name: "Rex", kind: "dog", birthday: new Date() }, headers: { "x-client-request-id": "c", "x-priority": 1 } });
  await client.path("/pets/{petId}/notes/{noteId}", 1, "n").put({ contentType: "application/octet-stream", body: new Uint8Array([1]) });
  await client.path("/pets/{petId}:feed", 1).post({ contentType: "text/plain", body: "kibble" });
  const list = await client.path("/pets").get({ queryParameters: { tags: { value: ["a", "b"], explode: true }, kind: "bird" } });
  if (isUnexpected(list)) throw new Error(list.body.message);
  for await (const pet of paginate(client, list)) {
    const name: string = pet.name;
    void name;
  }
  await client.path("/pets/{petId}", 1).delete();
}

/** isUnexpected() splits each operation's responses into exactly its errors and its successes. */
export async function narrowing(): Promise<void> {
  const got = await client.path("/pets/{petId}", 1).get();
  if (isUnexpected(got)) exactly<Equals<typeof got, GetPet404Response | GetPetDefaultResponse>>();
  else exactly<Equals<typeof got, GetPet200Response>>();
  const exists = await client.path("/pets/{petId}", 1).head();
  if (isUnexpected(exists)) exactly<Equals<typeof exists, PetExistsDefaultResponse>>();
  else exactly<Equals<typeof exists, PetExists200Response | PetExists404Response>>();
  const created = await client.path("/pets").post({ body: { name: "Rex", kind: "dog" }, headers: { "x-client-request-id": "c" } });
  if (isUnexpected(created)) exactly<Equals<typeof created, CreatePetDefaultResponse>>();
  else exactly<Equals<typeof created, CreatePet201Response | CreatePet200Response>>();
  const fed = await client.path("/pets/{petId}:feed", 1).post({ contentType: "text/plain", body: "x" });
  if (isUnexpected(fed)) exactly<Equals<typeof fed, FeedPetDefaultResponse>>();
  else exactly<Equals<typeof fed, FeedPet204Response>>();
}

export async function illTyped(): Promise<void> {
  // @ts-expect-error TS2769 petId is a number
  client.path("/pets/{petId}", "one");
  // @ts-expect-error TS2322 include is an array, not a string
  await client.path("/pets/{petId}", 1).get({ queryParameters: { include: "owner" } });
  // @ts-expect-error TS2739 an exploded array must use the { value, explode } wrapper
  await client.path("/pets").get({ queryParameters: { tags: ["a"] } });
  // @ts-expect-error TS2322 "fish" is not a PetKind
  await client.path("/pets").post({ body: { name: "Nemo", kind: "fish" }, headers: { "x-client-request-id": "c" } });
  // @ts-expect-error TS2345 the x-client-request-id header is required
  await client.path("/pets").post({ body: { name: "Rex", kind: "dog" } });
  // @ts-expect-error TS2322 the content type must be one the operation accepts
  await client.path("/pets/{petId}/notes/{noteId}", 1, "n").put({ contentType: "image/png", body: "x" });
  // @ts-expect-error TS2345 the body is required
  await client.path("/pets/{petId}:feed", 1).post({ contentType: "text/plain" });
  // @ts-expect-error TS2353 id is read-only, so not part of the input model
  await client.path("/pets").post({ body: { id: 1, name: "Rex", kind: "dog" }, headers: { "x-client-request-id": "c" } });
  // @ts-expect-error TS2339 deletePet was added in 2025-01-01
  await v1.path("/pets/{petId}", 1).delete();
  // @ts-expect-error TS2322 bird was added in 2025-01-01
  await v1.path("/pets").get({ queryParameters: { kind: "bird" } });
  const got = await client.path("/pets/{petId}", 1).get();
  if (!isUnexpected(got)) {
    // @ts-expect-error TS2339 a 200 body is a PetOutput, not an error
    void got.body.code;
  }
}
