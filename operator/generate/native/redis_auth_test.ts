import assert from "node:assert/strict";
import type { SecretObject } from "../snapshot.ts";
import { contextOf, redisService, serviceEntry } from "./_helpers_test.ts";
import { resolveAuth } from "./redis_auth.ts";

const owner = {
  object: redisService("rs", { host: ["r.redis"], redis: [{ route: { host: "r.redis" } }] }),
  field: "spec.settings.auth",
};
const se = serviceEntry("r", "redis", {
  hosts: ["r.redis"],
  ports: [{ number: 6379, name: "tcp-redis" }],
});

function resolve(secret: Omit<SecretObject, "metadata">, ref: Record<string, string> = {}) {
  const ctx = contextOf({
    serviceEntries: [se],
    secrets: [{ metadata: { name: "s", namespace: "redis" }, ...secret }],
  }, "r.redis");
  return resolveAuth(ctx, { secret: { name: "s", ...ref } }, owner);
}

const b64 = (s: string) => btoa(s);

Deno.test("resolveAuth() reads password and username from default keys, trimmed", () => {
  assert.deepEqual(resolve({ data: { password: b64(" pw\n"), username: b64("user\n") } }), {
    credentials: { username: "user", password: "pw" },
  });
});

Deno.test("resolveAuth() falls back to the token key", () => {
  assert.deepEqual(resolve({ data: { token: b64("tok") } }), {
    credentials: { username: "", password: "tok" },
  });
});

Deno.test("resolveAuth() reads named keys and stringData, which wins over data", () => {
  const r = resolve(
    { data: { pass: b64("old"), who: b64("old") }, stringData: { pass: "new " } },
    { passwordField: "pass", usernameField: "who" },
  );
  assert.deepEqual(r, { credentials: { username: "old", password: "new" } });
});

Deno.test("resolveAuth() takes plain credentials as written", () => {
  const ctx = contextOf({ serviceEntries: [se] }, "r.redis");
  assert.deepEqual(resolveAuth(ctx, { plain: { password: "p", username: "u" } }, owner), {
    credentials: { username: "u", password: "p" },
  });
});

Deno.test("resolveAuth() reports a missing Secret, key or bad base64 on the right field", () => {
  const ctx = contextOf({ serviceEntries: [se] }, "r.redis");
  assert.deepEqual(resolveAuth(ctx, { secret: { name: "gone" } }, owner).problem, {
    object: "RedisService/redis/rs",
    field: "spec.settings.auth.secret.name",
    message: 'Create the Secret "redis/gone" or fix its name: the Redis password cannot be read',
  });
  assert.deepEqual(resolve({ data: { other: b64("x") } }).problem, {
    object: "RedisService/redis/rs",
    field: "spec.settings.auth.secret",
    message:
      'Fix key "password" or "token" of Secret "redis/s": it is missing, so the Redis password cannot be read',
  });
  assert.equal(
    resolve({ data: { pw: b64("x") } }, { passwordField: "pass" }).problem?.field,
    "spec.settings.auth.secret.passwordField",
  );
  assert.match(
    resolve({ data: { password: "%%%" } }).problem?.message ?? "",
    /holds no valid base64/,
  );
  assert.equal(
    resolve({ data: { password: b64("x") } }, { usernameField: "who" }).problem?.field,
    "spec.settings.auth.secret.usernameField",
  );
});
