// The token hot path (issue 14) writes the claims JSON itself; it must mint exactly the token
// the general encoder (buildClientTokenClaims + signJwtSync) mints, byte for byte.
import assert from "node:assert/strict";
import { buildClientTokenClaims, clientPath, signJwtSync } from "../../src/core/index.js";
import { signClientAccessTokenSync, type GetClientAccessTokenOptions } from "../../src/server/clientToken.js";

const KEY = "HOT-PATH-KEY-0123456789abcdefghijklmnopqrstu";
const NOW_MS = 1_800_000_123_456;

const cases: GetClientAccessTokenOptions[] = [
  {},
  { userId: "alice" },
  { userId: 'quote " back\\slash ü 😀 \u2028', roles: ["webpubsub.joinLeaveGroup", "webpubsub.sendToGroup.room \"1\""], groups: ["a", "b/c", "ü"] },
  { roles: [], groups: [], expirationTimeInMinutes: 5 },
  { userId: "u", clientProtocol: "mqtt", expirationTimeInMinutes: 1440 },
  { clientProtocol: "socketio", groups: ["g"] },
];

describe("client token hot path", () => {
  for (const [i, options] of cases.entries()) {
    it(`mints the general encoder's token, case ${i}`, () => {
      for (const [endpoint, hub] of [
        ["https://x.webpubsub.azure.com", "chat"],
        ["http://127.0.0.1:8080", "h`[1]"],
      ] as const) {
        const fast = signClientAccessTokenSync(endpoint, hub, KEY, options, NOW_MS);
        const now = Math.floor(NOW_MS / 1000);
        const claims = buildClientTokenClaims({
          audience: endpoint + clientPath(hub, options.clientProtocol),
          userId: options.userId,
          roles: options.roles,
          groups: options.groups,
          nowSeconds: now,
          expiresInMinutes: options.expirationTimeInMinutes ?? 60,
          notBefore: true,
        });
        assert.equal(fast.token, signJwtSync(claims, KEY));
        assert.equal(fast.url, `${fast.baseUrl}?access_token=${encodeURIComponent(fast.token)}`);
        assert.equal(fast.expiresOn.getTime(), (claims["exp"] as number) * 1000);
      }
    });
  }

  it("takes the general path with jwtHeaders", () => {
    const token = signClientAccessTokenSync("https://x.webpubsub.azure.com", "chat", KEY, { userId: "u", jwtHeaders: { kid: "k1" } }, NOW_MS).token;
    assert.deepEqual(JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString()), { kid: "k1", alg: "HS256", typ: "JWT" });
  });
});
