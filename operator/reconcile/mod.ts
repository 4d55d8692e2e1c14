/**
 * `operator/reconcile/`: pure decisions the controllers act on — today the ServiceEntry VIP
 * allocator. No I/O; the kube controllers feed them objects and write back what they decide.
 *
 * @module
 */
export * from "./vip_allocator.ts";
