// Malformed REST requests: methods, paths, encodings, headers, bodies and JWT variants, plus
// seeded random mutations of a valid request. Each case is the exact bytes to write.
import { createHmac } from "node:crypto";
import { signJwtSync } from "../../src/core/index.js";
import { routeTable } from "../../generated/routeTable.js";

/** The default API version, from the spec (a new version needs no edit here). */
const API_VERSION: string = routeTable.defaultVersion;

/** One request the fuzzer sends. */
export interface RestCase {
  family: string;
  name: string;
  chunks: Buffer[];
  /** "4xx": must be refused with a JSON error; "answered": any non-5xx answer will do (mutations may be valid). */
  expect: "4xx" | "answered";
  /** HEAD answers carry no body to check. */
  head: boolean;
  /** Tokens this case sent: none may come back. */
  secrets: string[];
}

/** What the cases need to know about the target. */
export interface CaseTarget {
  port: number;
  accessKey: string;
  hub: string;
}

const b64url = (data: string | Buffer): string => Buffer.from(data).toString("base64url");

function hs(alg: "sha256" | "sha512", header: object, payload: object, key: string): string {
  const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  return `${signingInput}.${createHmac(alg, key).update(signingInput).digest("base64url")}`;
}

/** Builds request bytes with Host, Connection: close and Content-Length (when there is a body). */
export function requestBytes(
  method: string,
  target: string,
  port: number,
  headers: [string, string][] = [],
  body?: string | Buffer,
): Buffer {
  const lines = [`${method} ${target} HTTP/1.1`, `Host: 127.0.0.1:${port}`, "Connection: close"];
  for (const [k, v] of headers) lines.push(`${k}: ${v}`);
  if (body !== undefined && !headers.some(([k]) => /^(content-length|transfer-encoding)$/i.test(k))) {
    lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  }
  return Buffer.concat([Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1"), Buffer.from(body ?? "")]);
}

/** A seeded PRNG (mulberry32). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every REST case; `mutations` random ones on top of the fixed families. */
export function restCases(t: CaseTarget, mutations: number, seed: number): RestCase[] {
  const cases: RestCase[] = [];
  const origin = `http://127.0.0.1:${t.port}`;
  const now = Math.floor(Date.now() / 1000);
  const tokenFor = (target: string, extra: object = {}): string =>
    signJwtSync({ aud: `${origin}${target}`, iat: now, exp: now + 600, ...extra }, t.accessKey);
  const sendPath = `/api/hubs/${t.hub}/:send?api-version=${API_VERSION}`;
  const add = (
    family: string,
    name: string,
    chunks: Buffer | Buffer[],
    options: { expect?: RestCase["expect"]; head?: boolean; secrets?: string[] } = {},
  ): void => {
    cases.push({
      family,
      name,
      chunks: Array.isArray(chunks) ? chunks : [chunks],
      expect: options.expect ?? "4xx",
      head: options.head ?? false,
      secrets: options.secrets ?? [],
    });
  };
  const signed = (method: string, target: string, headers: [string, string][] = [], body?: string | Buffer): Buffer => {
    const token = tokenFor(target);
    return requestBytes(method, target, t.port, [["Authorization", `Bearer ${token}`], ...headers], body);
  };
  const signedCase = (
    family: string,
    name: string,
    method: string,
    target: string,
    headers: [string, string][] = [],
    body?: string | Buffer,
    expect: RestCase["expect"] = "4xx",
  ): void => {
    const token = tokenFor(target);
    add(family, name, requestBytes(method, target, t.port, [["Authorization", `Bearer ${token}`], ...headers], body), {
      expect,
      head: method === "HEAD",
      secrets: [token],
    });
  };

  // Methods, on a real route with a valid token.
  for (const method of ["FOO", "BREW", "get", "Post", "PURGE", "PROPFIND", "TRACE", "CONNECT", "OPTIONS", "PATCH", "M-SEARCH", "SOURCE", "LINK", "X".repeat(200), "GE\tT", "G\u00e9T", "GET\u0000"]) {
    add("method", JSON.stringify(method).slice(0, 40), Buffer.concat([Buffer.from(`${method} `, "utf8"), signed("", sendPath).subarray(1)]));
  }
  for (const method of ["GET", "PUT", "DELETE", "HEAD"]) signedCase("method", `${method} on a POST route`, method, sendPath);
  add("method", "CONNECT authority form", requestBytes("CONNECT", `127.0.0.1:${t.port}`, t.port));

  // Paths.
  const paths = [
    `/api/hubs/../hubs/x/:send?api-version=${API_VERSION}`,
    `/api/hubs/%2e%2e/x/:send?api-version=${API_VERSION}`,
    `/api/hubs/a%2Fb/:send?api-version=${API_VERSION}`,
    `/api/hubs/a%252Fb/:send?api-version=${API_VERSION}`,
    `/api/hubs/%zz/:send?api-version=${API_VERSION}`,
    `/api/hubs/%/:send?api-version=${API_VERSION}`,
    `/api/hubs/a%00b/:send?api-version=${API_VERSION}`,
    `/api/hubs/%C3%A9t%C3%A9/:send?api-version=${API_VERSION}`,
    `/api/hubs/%ED%A0%80/:send?api-version=${API_VERSION}`,
    `/api/hubs/%C0%AF/:send?api-version=${API_VERSION}`,
    `/api/hubs/1abc/:send?api-version=${API_VERSION}`,
    `/api/hubs/${"h".repeat(200)}/:send?api-version=${API_VERSION}`,
    `/api/hubs/${t.hub}/groups/${"g".repeat(1100)}/:send?api-version=${API_VERSION}`,
    `/api/hubs/${t.hub}/groups/%20%20/:send?api-version=${API_VERSION}`,
    `/api/hubs/${t.hub}/groups//:send?api-version=${API_VERSION}`,
    `/api/hubs/${t.hub}/connections/${"c".repeat(5000)}?api-version=${API_VERSION}`,
    `/api/hubs/${t.hub}/users/%F0%9F%92%A9%ZZ/:send?api-version=${API_VERSION}`,
    `/api/hubs/${t.hub}/permissions/admin/connections/c1?api-version=${API_VERSION}`,
    "+" + `/api/hubs/${t.hub}/:send`,
    `/api/hubs/${t.hub}/:send?api-version=2020-01-01`,
    `/api/hubs/${t.hub}/:send?api-version=`,
    "+" + `/api/hubs/${t.hub}/:send?api-version=${API_VERSION}&api-version=2021-10-01`,
    `/api/hubs/${t.hub}/:send?api-version=${"9".repeat(3000)}`,
    `/api/hubs/${t.hub}/:send?api-version=${API_VERSION}&excluded=${"x".repeat(2000)}&filter=%`,
    `/api/hubs/${t.hub}/:send?api-version=${API_VERSION}&filter=${encodeURIComponent("userId eq ")}`,
    `/api/hubs/${t.hub}/:send?api-version=${API_VERSION}&filter=${encodeURIComponent("(".repeat(5000))}`,
    `/api/hubs/${t.hub}/:send?api-version=${API_VERSION}&filter=${encodeURIComponent("'a' eq 'a' or ".repeat(500) + "'")}`,
    `/api/hubs/${t.hub}/:addToGroups?api-version=${API_VERSION}`,
    `/api/hubs/${t.hub}/groups/g/connections?api-version=${API_VERSION}&maxpagesize=-1`,
    `/api/hubs/${t.hub}/groups/g/connections?api-version=${API_VERSION}&maxpagesize=1e9`,
    `/api/hubs/${t.hub}/groups/g/connections?api-version=${API_VERSION}&continuationToken=${"%FF".repeat(100)}`,
    `/api/hubs/${t.hub}/groups/g/connections?api-version=${API_VERSION}&continuationToken=eyJub3QiOiJ2YWxpZCJ9`,
    `/api/hubs/${t.hub}/:generateToken?api-version=${API_VERSION}&minutesToExpire=-5`,
    "+" + `/api/hubs/${t.hub}/:generateToken?api-version=${API_VERSION}&role=${"r".repeat(3000)}&clientProtocol=mqtt2`,
    "/api/",
    "/api//hubs",
    "//api/hubs/x/:send",
    `/API/HUBS/X/:SEND?api-version=${API_VERSION}`,
    "/api/hubs/x/:send#frag",
    "*",
    `http://evil.example/api/hubs/x/:send?api-version=${API_VERSION}`,
    "+" + "/api/hubs/x/:send?" + "&".repeat(4000),
    "/client/hubs/x",
    "/nothing-here",
  ];
  for (const entry of paths) {
    // "+" marks a request that is valid after all (the api-version defaults to the latest, …).
    const valid = entry.startsWith("+");
    const target = valid ? entry.slice(1) : entry;
    for (const method of ["POST", "GET"]) {
      const expect = valid && method === "POST" ? "answered" : "4xx";
      signedCase("path", `${method} ${target.slice(0, 60)}`, method, target, [["Content-Type", "text/plain"]], method === "POST" ? "hi" : undefined, expect);
    }
  }
  // Raw bytes the parser must refuse.
  for (const bad of ["\u00e9", "\u0000", " ", "\t", "\u007f", "\r"]) {
    add("path", `raw ${JSON.stringify(bad)} in the path`, Buffer.concat([Buffer.from("POST /api/hubs/a"), Buffer.from(bad, "utf8"), Buffer.from(`b/:send HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`)]));
  }

  // Headers.
  add("header", "headers over 16 KiB", requestBytes("GET", "/api/health", t.port, [["X-Big", "a".repeat(20_000)]]));
  add("header", "5,000 small headers", requestBytes("GET", "/api/health", t.port, Array.from({ length: 5_000 }, (_, i): [string, string] => [`X-H${i}`, "v"])));
  add("header", "no Host", Buffer.from("GET /api/health HTTP/1.1\r\nConnection: close\r\n\r\n"));
  add("header", "two Host headers", Buffer.from(`GET /api/health HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n`), { expect: "answered" });
  add("header", "bare CR in a value", Buffer.from(`GET /api/health HTTP/1.1\r\nHost: a\r\nX-A: 1\r2\r\nConnection: close\r\n\r\n`));
  add("header", "bare LF line ends", Buffer.from(`GET /api/health HTTP/1.1\nHost: a\nX-A: 1\n\n`), { expect: "answered" });
  add("header", "space in a header name", Buffer.from(`GET /api/health HTTP/1.1\r\nHost: a\r\nX Y: 1\r\nConnection: close\r\n\r\n`));
  add("header", "space before the colon", Buffer.from(`GET /api/health HTTP/1.1\r\nHost: a\r\nX-Y : 1\r\nConnection: close\r\n\r\n`));
  add("header", "obs-fold continuation", Buffer.from(`GET /api/health HTTP/1.1\r\nHost: a\r\nX-Y: 1\r\n  2\r\nConnection: close\r\n\r\n`));
  add("header", "NUL in a value", Buffer.from(`GET /api/health HTTP/1.1\r\nHost: a\r\nX-Y: a\u0000b\r\nConnection: close\r\n\r\n`, "latin1"));
  add("header", "HTTP/2.0 request line", Buffer.from(`GET /api/health HTTP/2.0\r\nHost: a\r\nConnection: close\r\n\r\n`), { expect: "answered" });
  add("header", "HTTP/1.1 without a version", Buffer.from(`GET /api/health\r\nHost: a\r\n\r\n`), { expect: "answered" });
  add("header", "HTTP/0.9 style", Buffer.from(`GET /api/health\r\n\r\n`), { expect: "answered" });
  signedCase("header", "Expect: something", "POST", sendPath, [["Expect", "something-else"], ["Content-Type", "text/plain"]], "hi");
  signedCase("header", "Content-Encoding: gzip with garbage", "POST", sendPath, [["Content-Encoding", "gzip"], ["Content-Type", "text/plain"]], "not gzip", "answered");
  signedCase("header", "Content-Type with a bad charset", "POST", sendPath, [["Content-Type", "text/plain; charset=utf-99"]], "hi", "answered");
  signedCase("header", "Content-Type garbage", "POST", sendPath, [["Content-Type", "\u00ff\u00fe/;;;=="]], "hi");
  signedCase("header", "Upgrade header on a REST call", "POST", sendPath, [["Upgrade", "h2c"], ["Connection", "Upgrade"], ["Content-Type", "text/plain"]], "hi");

  // Lengths and transfer encodings.
  const bodyTarget = sendPath;
  const bodyToken = tokenFor(bodyTarget);
  const auth: [string, string] = ["Authorization", `Bearer ${bodyToken}`];
  const lengthCase = (name: string, headers: [string, string][], body: string): void =>
    add("length", name, requestBytes("POST", bodyTarget, t.port, [auth, ["Content-Type", "text/plain"], ...headers], body), { secrets: [bodyToken] });
  lengthCase("two different Content-Length", [["Content-Length", "2"], ["Content-Length", "3"]], "hi!");
  lengthCase("negative Content-Length", [["Content-Length", "-1"]], "hi");
  lengthCase("non-numeric Content-Length", [["Content-Length", "12abc"]], "hi");
  lengthCase("Content-Length over 2^64", [["Content-Length", "99999999999999999999999"]], "hi");
  lengthCase("Content-Length 2 GB", [["Content-Length", "2000000000"]], "hi");
  lengthCase("Content-Length longer than the body", [["Content-Length", "100"]], "hi");
  lengthCase("Content-Length and chunked", [["Content-Length", "5"], ["Transfer-Encoding", "chunked"]], "0\r\n\r\n");
  lengthCase("chunked twice", [["Transfer-Encoding", "chunked, chunked"]], "2\r\nhi\r\n0\r\n\r\n");
  // Node passes a gzip transfer coding through undecoded; the body is then just bytes.
  add("length", "gzip transfer coding", requestBytes("POST", bodyTarget, t.port, [auth, ["Content-Type", "text/plain"], ["Transfer-Encoding", "gzip, chunked"]], "2\r\nhi\r\n0\r\n\r\n"), { expect: "answered", secrets: [bodyToken] });
  lengthCase("chunk size not hex", [["Transfer-Encoding", "chunked"]], "zz\r\nhi\r\n0\r\n\r\n");
  lengthCase("chunk size overflow", [["Transfer-Encoding", "chunked"]], "ffffffffffffffffff\r\nhi\r\n0\r\n\r\n");
  lengthCase("chunk extension overflow", [["Transfer-Encoding", "chunked"]], `2;${"e".repeat(20_000)}\r\nhi\r\n0\r\n\r\n`);
  lengthCase("chunked without the last chunk", [["Transfer-Encoding", "chunked"]], "2\r\nhi\r\n");
  lengthCase("body over 1 MiB", [], "x".repeat(1024 * 1024 + 10));
  lengthCase("chunked body over 1 MiB", [["Transfer-Encoding", "chunked"]], `${(1024 * 1024 + 10).toString(16)}\r\n${"x".repeat(1024 * 1024 + 10)}\r\n0\r\n\r\n`);

  // Bodies.
  const addGroups = `/api/hubs/${t.hub}/:addToGroups?api-version=${API_VERSION}`;
  for (const [name, body] of [
    ["not JSON", "{groups:"],
    ["JSON null", "null"],
    ["groups not an array", '{"groups":1,"filter":"userId eq \'a\'"}'],
    ["groups with numbers", '{"groups":[1,2],"filter":"userId eq \'a\'"}'],
    ["deeply nested", `{"groups":${"[".repeat(100_000)}${"]".repeat(100_000)}}`],
    ["filter syntax error", '{"groups":["g"],"filter":"userId eq"}'],
    ["invalid UTF-8", Buffer.from([0x7b, 0xff, 0xfe, 0x7d])],
    ["UTF-16 BOM", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"groups":["g"]}', "utf16le")])],
    ["huge string", `{"groups":["${"g".repeat(500_000)}"],"filter":"userId eq 'a'"}`],
  ] as [string, string | Buffer][]) {
    signedCase("body", `addToGroups: ${name}`, "POST", addGroups, [["Content-Type", "application/json"]], body);
  }
  signedCase("body", "send: JSON content type, invalid JSON", "POST", sendPath, [["Content-Type", "application/json"]], "{nope", "answered");
  signedCase("body", "send: invalid UTF-8 text", "POST", sendPath, [["Content-Type", "text/plain"]], Buffer.from([0xc3, 0x28, 0xff]), "answered");
  signedCase("body", "send: unsupported content type", "POST", sendPath, [["Content-Type", "application/xml"]], "<a/>");
  signedCase("body", "send: no content type", "POST", sendPath, [], "hi", "answered");
  signedCase("body", "send: multipart", "POST", sendPath, [["Content-Type", "multipart/form-data; boundary=x"]], "--x\r\n\r\nhi\r\n--x--");

  // JWT variants on a valid route.
  const aud = `${origin}${sendPath}`;
  const claims = { aud, iat: now, exp: now + 600 };
  const jwts: [string, string][] = [
    ["alg none", `${b64url('{"alg":"none","typ":"JWT"}')}.${b64url(JSON.stringify(claims))}.`],
    ["HS512", hs("sha512", { alg: "HS512", typ: "JWT" }, claims, t.accessKey)],
    ["HS256 header lying HS512", hs("sha256", { alg: "HS512", typ: "JWT" }, claims, t.accessKey)],
    ["RS256 header", hs("sha256", { alg: "RS256", typ: "JWT" }, claims, t.accessKey)],
    ["wrong key", hs("sha256", { alg: "HS256", typ: "JWT" }, claims, "another-key-0123456789-0123456789-0123456789")],
    ["expired", hs("sha256", { alg: "HS256" }, { ...claims, exp: now - 3600 }, t.accessKey)],
    ["not yet valid", hs("sha256", { alg: "HS256" }, { ...claims, nbf: now + 3600 }, t.accessKey)],
    ["no exp", hs("sha256", { alg: "HS256" }, { aud }, t.accessKey)],
    ["exp as a string", hs("sha256", { alg: "HS256" }, { ...claims, exp: String(now + 600) }, t.accessKey)],
    ["exp NaN-like", hs("sha256", { alg: "HS256" }, { ...claims, exp: 1e400 }, t.accessKey)],
    ["wrong aud", hs("sha256", { alg: "HS256" }, { ...claims, aud: "http://evil.example/" }, t.accessKey)],
    ["aud array", hs("sha256", { alg: "HS256" }, { ...claims, aud: ["http://evil.example/", 5] }, t.accessKey)],
    ["aud of another hub", hs("sha256", { alg: "HS256" }, { ...claims, aud: `${origin}/api/hubs/other/:send` }, t.accessKey)],
    ["payload not an object", `${b64url('{"alg":"HS256"}')}.${b64url("[1,2]")}.${b64url("sig")}`],
    ["header not JSON", `${b64url("{alg")}.${b64url(JSON.stringify(claims))}.${b64url("sig")}`],
    ["bad base64", `!!!.@@@.###`],
    ["two segments", `${b64url('{"alg":"HS256"}')}.${b64url(JSON.stringify(claims))}`],
    ["four segments", `${hs("sha256", { alg: "HS256" }, claims, t.accessKey)}.x`],
    ["empty signature", `${b64url('{"alg":"HS256"}')}.${b64url(JSON.stringify(claims))}.`],
    ["signature padded", `${hs("sha256", { alg: "HS256" }, claims, t.accessKey)}==`],
    ["12 KB token", hs("sha256", { alg: "HS256" }, { ...claims, pad: "p".repeat(9_000) }, "wrong-key-wrong-key-wrong-key-wrong-key")],
    ["crit header", hs("sha256", { alg: "HS256", crit: ["x"] }, claims, "wrong-key-wrong-key-wrong-key-wrong-key")],
    ["key as the token", t.accessKey],
  ];
  for (const [name, jwt] of jwts) {
    add("jwt", name, requestBytes("POST", sendPath, t.port, [["Authorization", `Bearer ${jwt}`], ["Content-Type", "text/plain"]], "hi"), { secrets: [jwt] });
  }
  for (const header of ["", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", `bearer  ${tokenFor("/elsewhere")}`, `Bearer ${"a".repeat(14_000)}`, "Bearer a.b.c d.e.f"]) {
    const secrets = header.startsWith("bearer  ") ? [header.slice(8)] : [];
    add("jwt", `Authorization ${JSON.stringify(header.slice(0, 20))}`, requestBytes("POST", sendPath, t.port, [["Authorization", header], ["Content-Type", "text/plain"]], "hi"), { secrets });
  }
  const queryToken = tokenFor(sendPath);
  add("jwt", "token in access_token query instead of a header", requestBytes("POST", `${sendPath}&access_token=${queryToken}`, t.port, [["Content-Type", "text/plain"]], "hi"), { secrets: [queryToken] });
  add("jwt", "no Authorization", requestBytes("POST", sendPath, t.port, [["Content-Type", "text/plain"]], "hi"));
  add("jwt", "two Authorization headers", requestBytes("POST", sendPath, t.port, [["Authorization", "Bearer x.y.z"], auth, ["Content-Type", "text/plain"]], "hi"), { secrets: [bodyToken] });

  // Seeded random mutations of a valid signed request: any non-5xx answer, and an answer it must be.
  const random = seeded(seed);
  const validToken = tokenFor(sendPath);
  const valid = requestBytes("POST", sendPath, t.port, [["Authorization", `Bearer ${validToken}`], ["Content-Type", "text/plain"]], "hello");
  for (let i = 0; i < mutations; i++) {
    const bytes = Buffer.from(valid);
    const kind = Math.floor(random() * 4);
    const flips = 1 + Math.floor(random() * 4);
    let mutated: Buffer = bytes;
    if (kind === 0) {
      for (let f = 0; f < flips; f++) mutated[Math.floor(random() * mutated.length)] = Math.floor(random() * 256);
    } else if (kind === 1) {
      // Truncate, then the client half-closes: the parser sees an early end.
      mutated = bytes.subarray(0, Math.floor(random() * bytes.length));
      if (mutated.length === 0) continue;
    } else if (kind === 2) {
      // Insert random bytes.
      const at = Math.floor(random() * bytes.length);
      const noise = Buffer.from(Array.from({ length: 1 + Math.floor(random() * 32) }, () => Math.floor(random() * 256)));
      mutated = Buffer.concat([bytes.subarray(0, at), noise, bytes.subarray(at)]);
    } else {
      // Pure noise, printable or not.
      mutated = Buffer.from(Array.from({ length: 1 + Math.floor(random() * 512) }, () => Math.floor(random() * 256)));
    }
    add("mutation", `mutation ${i} (${["flip", "truncate", "insert", "noise"][kind]})`, mutated, { expect: "answered", secrets: [validToken] });
  }
  return cases;
}
