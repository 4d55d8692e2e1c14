/**
 * The global rate-limit filter's call (`aeraki.meta_protocol.filters.ratelimit`, spec §3.3,
 * fixing §9.6): asynchronous, bounded by the filter's timeout, with `failure_mode_deny`
 * deciding what a failed or late answer means.
 *
 * @module
 */
import type { GlobalRateLimitFilterModel, RateLimitService } from "../config/model.ts";

/**
 * Whether the request with `metadata` may pass: asks `service` with one descriptor per
 * configured entry and waits at most `model.timeoutMs`. Never rejects.
 */
export async function askRateLimit(
  service: RateLimitService | undefined,
  model: GlobalRateLimitFilterModel,
  metadata: ReadonlyMap<string, string>,
): Promise<boolean> {
  if (!service) return !model.failureModeDeny;
  const descriptors = model.descriptors.map((d) => ({
    entries: [{ key: d.descriptorKey, value: metadata.get(d.property.toLowerCase()) ?? "" }],
  }));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), model.timeoutMs);
  });
  const call = service({
    cluster: model.cluster,
    domain: model.domain,
    descriptors,
    timeoutMs: model.timeoutMs,
  }).catch(() => "failed" as const);
  const outcome = await Promise.race([call, timeout]);
  clearTimeout(timer);
  if (outcome === "over_limit") return false;
  if (outcome === "ok") return true;
  return !model.failureModeDeny;
}
