/**
 * The global rate-limit service client (`envoy.service.ratelimit.v3.RateLimitService`).
 *
 * Part of `proxy/`: may import `api/`, `proto/` and `codecs/` only.
 *
 * @module
 */
export { createRateLimitClient, type RateLimitClient } from "./client.ts";
