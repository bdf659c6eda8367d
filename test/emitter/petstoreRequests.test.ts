// The generated petstore client (golden 2025-01-01) sends exactly the
// requests the spec describes; isUnexpected and paginate work on real responses.
import assert from "node:assert/strict";
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import createPetStoreClient, { isUnexpected, paginate } from "../fixtures/petstore/golden/2025-01-01/index.js";
import type { ContinuablePage, PetOutput } from "../fixtures/petstore/golden/2025-01-01/index.js";
import createPetStoreClientV1 from "../fixtures/petstore/golden/2024-01-01/index.js";
import { stub, useNock, type Seen } from "./http.js";

const ORIGIN = "https://pets.example.com";
const API = "api-version=2025-01-01";

describe("generated petstore client: requests", () => {
  useNock();
  // No retries, so a 5xx reply is seen once.
  const client = createPetStoreClient(ORIGIN, undefined, { retryOptions: { maxRetries: 0 } });
  let seen: Seen[];
  beforeEach(() => {
    seen = [];
  });

  it("really goes through nock: with no interceptor the call is refused, not sent", async () => {
    await assert.rejects(async () => await client.path("/pets/{petId}", 1).get(), /Disallowed net connect/);
  });

  it("GET with a path parameter, a comma-joined array query, a header and api-version", async () => {
    const scope = stub(ORIGIN, "GET", { status: 200, body: { id: 7, name: "Rex", kind: "dog" }, headers: { etag: '"v1"' } }, seen);
    const response = await client
      .path("/pets/{petId}", 7)
      .get({ queryParameters: { include: ["owner", "friends"] }, headers: { "x-request-id": "req-1" } });
    scope.done();
    assert.equal(seen[0]!.method, "GET");
    assert.equal(seen[0]!.path, `/petstore/pets/7?include=owner,friends&${API}`);
    assert.equal(seen[0]!.headers["x-request-id"], "req-1");
    assert.equal(response.status, "200");
    assert.equal(isUnexpected(response), false);
    if (isUnexpected(response)) return;
    assert.equal(response.headers.etag, '"v1"');
    assert.deepEqual(response.body, { id: 7, name: "Rex", kind: "dog" });
  });

  it("exploded array query parameters are repeated, one per value", async () => {
    const scope = stub(ORIGIN, "GET", { status: 200, body: { value: [] } }, seen);
    await client.path("/pets").get({
      queryParameters: { tags: { value: ["a", "b c"], explode: true }, kind: "bird", includeSold: true, maxpagesize: 5 },
    });
    scope.done();
    assert.equal(seen[0]!.path, `/petstore/pets?tags=a&tags=b%20c&kind=bird&includeSold=true&maxpagesize=5&${API}`);
  });

  it("POST a JSON model with required and numeric headers; 201 with a location header is expected", async () => {
    const scope = stub(ORIGIN, "POST", { status: 201, body: { id: 1, name: "Rex", kind: "dog" }, headers: { location: "/pets/1" } }, seen);
    const birthday = new Date("2020-02-02T00:00:00Z");
    const response = await client.path("/pets").post({
      body: { name: "Rex", kind: "dog", birthday, labels: { a: "b" } },
      headers: { "x-client-request-id": "c-1", "x-priority": 5 },
    });
    scope.done();
    assert.equal(seen[0]!.path, `/petstore/pets?${API}`);
    assert.match(seen[0]!.headers["content-type"]!, /^application\/json/);
    assert.equal(seen[0]!.headers["x-client-request-id"], "c-1");
    assert.equal(seen[0]!.headers["x-priority"], "5");
    assert.deepEqual(JSON.parse(seen[0]!.body), { name: "Rex", kind: "dog", birthday: "2020-02-02T00:00:00.000Z", labels: { a: "b" } });
    assert.equal(isUnexpected(response), false);
    if (response.status === "201") assert.equal(response.headers.location, "/pets/1");
    else assert.fail(`status ${response.status}`);
  });

  it("the catch-all error response is unexpected and carries the error body and x-ms-error-code", async () => {
    const scope = stub(ORIGIN, "POST", { status: 500, body: { code: "Boom", message: "no" }, headers: { "x-ms-error-code": "Boom" } }, seen);
    const response = await client.path("/pets").post({ body: { name: "Rex", kind: "dog" }, headers: { "x-client-request-id": "c" } });
    scope.done();
    assert.equal(isUnexpected(response), true);
    if (!isUnexpected(response)) return;
    assert.equal(response.body.code, "Boom");
    assert.equal(response.headers["x-ms-error-code"], "Boom");
  });

  describe("one body, three content types", () => {
    it("text/plain sends the text as is", async () => {
      const scope = stub(ORIGIN, "PUT", { status: 201 }, seen);
      const response = await client.path("/pets/{petId}/notes/{noteId}", 7, "n 1").put({ contentType: "text/plain", body: "hello" });
      scope.done();
      assert.equal(seen[0]!.path, `/petstore/pets/7/notes/n%201?${API}`);
      assert.equal(seen[0]!.headers["content-type"], "text/plain");
      assert.equal(seen[0]!.body, "hello");
      assert.equal(isUnexpected(response), false);
    });

    it("application/octet-stream sends the bytes unchanged", async () => {
      const scope = stub(ORIGIN, "PUT", { status: 202 }, seen);
      await client.path("/pets/{petId}/notes/{noteId}", 7, "n").put({ contentType: "application/octet-stream", body: new Uint8Array([0, 1, 0xfe, 0xff]) });
      scope.done();
      assert.equal(seen[0]!.headers["content-type"], "application/octet-stream");
      assert.equal(seen[0]!.body, "0001feff", "nock hex-encodes binary bodies");
    });

    it("application/json sends JSON", async () => {
      const scope = stub(ORIGIN, "PUT", { status: 201 }, seen);
      await client.path("/pets/{petId}/notes/{noteId}", 7, "n").put({ contentType: "application/json", body: new TextEncoder().encode('{"a":1}') });
      scope.done();
      assert.match(seen[0]!.headers["content-type"]!, /^application\/json/);
      assert.equal(seen[0]!.body, '{"a":1}');
    });
  });

  it("an action segment right after a path parameter (/pets/{petId}:feed)", async () => {
    const scope = stub(ORIGIN, "POST", { status: 204 }, seen);
    const response = await client.path("/pets/{petId}:feed", 7).post({ contentType: "text/plain", body: "kibble" });
    scope.done();
    assert.equal(seen[0]!.path, `/petstore/pets/7:feed?${API}`);
    assert.equal(seen[0]!.body, "kibble");
    assert.equal(isUnexpected(response), false);
  });

  it("HEAD: 200 and the declared 404 are expected, other statuses are not", async () => {
    const statuses: [number, boolean][] = [[200, false], [404, false], [500, true]];
    for (const [status, unexpected] of statuses) {
      const scope = stub(ORIGIN, "HEAD", { status }, seen);
      const response = await client.path("/pets/{petId}", 7).head();
      scope.done();
      assert.equal(response.status, String(status));
      assert.equal(isUnexpected(response), unexpected, `HEAD ${status}`);
    }
    assert.deepEqual(seen.map((s) => `${s.method} ${s.path}`), Array(3).fill(`HEAD /petstore/pets/7?${API}`));
  });

  it("an error model with its own status (404 on GET) is unexpected", async () => {
    const scope = stub(ORIGIN, "GET", { status: 404, body: { code: "NotFound" } }, seen);
    const response = await client.path("/pets/{petId}", 7).get();
    scope.done();
    assert.equal(isUnexpected(response), true);
  });

  it("a status the operation does not declare is unexpected", async () => {
    const scope = stub(ORIGIN, "DELETE", { status: 200 }, seen);
    assert.equal(isUnexpected(await client.path("/pets/{petId}", 7).delete()), true);
    scope.done();
  });

  it("apiVersion option overrides the default api-version", async () => {
    const scope = stub(ORIGIN, "GET", { status: 200, body: { name: "Ann" } }, seen);
    await createPetStoreClient(ORIGIN, undefined, { apiVersion: "2024-01-01" }).path("/pets/{petId}/owner", 7).get();
    scope.done();
    assert.equal(seen[0]!.path, "/petstore/pets/7/owner?api-version=2024-01-01");
  });

  it("the 2024-01-01 client sends its own version by default", async () => {
    const scope = stub(ORIGIN, "GET", { status: 200, body: { names: [] } }, seen);
    await createPetStoreClientV1(ORIGIN).path("/pets:search").get({ queryParameters: { q: "r" } });
    scope.done();
    assert.equal(seen[0]!.path, "/petstore/pets:search?q=r&api-version=2024-01-01");
  });

  describe("credentials from @useAuth", () => {
    it("a KeyCredential goes in the spec's API-key header", async () => {
      const scope = stub(ORIGIN, "GET", { status: 200, body: { name: "Ann" } }, seen);
      await createPetStoreClient(ORIGIN, { key: "s3cret" }).path("/pets/{petId}/owner", 1).get();
      scope.done();
      assert.equal(seen[0]!.headers["x-api-key"], "s3cret");
    });

    it("a TokenCredential is asked for the spec's OAuth2 scopes", async () => {
      const asked: string[][] = [];
      const credential: TokenCredential = {
        async getToken(scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken> {
          asked.push(([] as string[]).concat(scopes));
          return { token: "tok", expiresOnTimestamp: Date.now() + 3_600_000 };
        },
      };
      const scope = stub(ORIGIN, "GET", { status: 200, body: { name: "Ann" } }, seen);
      await createPetStoreClient(ORIGIN, credential).path("/pets/{petId}/owner", 1).get();
      scope.done();
      assert.deepEqual(asked, [["https://pets.example.com/.default"]]);
      assert.equal(seen[0]!.headers["authorization"], "Bearer tok");
    });
  });

  describe("paginate", () => {
    const page2 = `${ORIGIN}/petstore/pets?page=2&${API}`;

    it("follows nextLink across two pages", async () => {
      const scope = stub(ORIGIN, "GET", { status: 200, body: { value: [{ name: "a" }, { name: "b" }], nextLink: page2 } }, seen);
      stub(ORIGIN, "GET", { status: 200, body: { value: [{ name: "c" }] } }, seen);
      const first = await client.path("/pets").get();
      if (isUnexpected(first)) assert.fail("unexpected");
      const names: string[] = [];
      for await (const pet of paginate(client, first)) names.push(pet.name);
      scope.done();
      assert.deepEqual(names, ["a", "b", "c"]);
      assert.deepEqual(seen.map((s) => s.path), [`/petstore/pets?${API}`, `/petstore/pets?page=2&${API}`]);
    });

    it("byPage yields pages with continuation tokens, and resumes from one", async () => {
      stub(ORIGIN, "GET", { status: 200, body: { value: [{ name: "a" }], nextLink: page2 } }, seen);
      stub(ORIGIN, "GET", { status: 200, body: { value: [{ name: "b" }] } }, seen);
      const first = await client.path("/pets").get();
      if (isUnexpected(first)) assert.fail("unexpected");
      const pages: ContinuablePage<PetOutput>[] = [];
      for await (const page of paginate(client, first).byPage()) pages.push(page);
      assert.deepEqual(pages, [[{ name: "a" }], [{ name: "b" }]]);
      assert.equal(pages[0]!.continuationToken, page2);
      assert.equal(pages[1]!.continuationToken, undefined);

      // Resuming from the token fetches only the second page.
      const scope = stub(ORIGIN, "GET", { status: 200, body: { value: [{ name: "b" }] } }, seen);
      const resumed: PetOutput[][] = [];
      for await (const page of paginate(client, first).byPage({ continuationToken: page2 })) resumed.push(page);
      scope.done();
      assert.deepEqual(resumed, [[{ name: "b" }]]);
      assert.deepEqual(seen.map((s) => s.path), [`/petstore/pets?${API}`, `/petstore/pets?page=2&${API}`, `/petstore/pets?page=2&${API}`]);
    });

    it("an error page stops paging with a RestError", async () => {
      stub(ORIGIN, "GET", { status: 200, body: { value: [{ name: "a" }], nextLink: page2 } }, seen);
      stub(ORIGIN, "GET", { status: 503, body: { code: "Busy" } }, seen);
      const first = await client.path("/pets").get();
      if (isUnexpected(first)) assert.fail("unexpected");
      const names: string[] = [];
      await assert.rejects(async () => {
        for await (const pet of paginate(client, first)) names.push(pet.name);
      }, (e: Error & { statusCode?: number }) => e.name === "RestError" && e.statusCode === 503);
      assert.deepEqual(names, ["a"]);
    });
  });
});

describe("generated petstore isUnexpected: matching a URL path back to its template", () => {
  const fake = (method: string, url: string, status: string) =>
    ({ request: { method, url }, status, headers: {}, body: undefined }) as unknown as Parameters<typeof isUnexpected>[0];

  const cases: [string, string, string, boolean][] = [
    ["POST", "https://h/petstore/pets/7:feed?api-version=x", "204", false],
    ["POST", "https://h/petstore/pets/7:feed", "200", true],
    ["GET", "https://h/petstore/pets/7", "200", false],
    ["GET", "https://h/petstore/pets/7/owner", "200", false],
    ["GET", "https://h/pets/7/owner", "200", false], // no base path
    ["GET", "https://h/a/b/c/petstore/pets", "200", false], // deeper base path
    ["PUT", "https://h/petstore/pets/7/notes/a%2Fb", "202", false], // encoded slash stays one segment
    ["DELETE", "https://h/petstore/pets/7", "204", false],
    ["DELETE", "https://h/petstore/pets/7/owner", "204", true], // no such operation
    ["GET", "https://h/petstore/nothing/here", "200", true],
    ["PATCH", "https://h/petstore/pets/7", "200", true],
  ];
  for (const [method, url, status, unexpected] of cases) {
    it(`${method} ${new URL(url).pathname} ${status} → ${unexpected ? "unexpected" : "expected"}`, () => {
      assert.equal(isUnexpected(fake(method, url, status)), unexpected);
    });
  }
});
