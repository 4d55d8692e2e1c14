/**
 * `operator/kube/`: the operator's view of the Kubernetes API (STYLE.md §1, A4). A
 * {@linkcode KubeClient} service with tagged errors (its live layer, `KubeClientLive` over
 * `@kubernetes/client-node` from a kubeconfig or the in-cluster account, comes from
 * `client_live.ts`, so that code naming only the service does not load client-node); the watcher (list, watch with
 * bookmarks, re-watch, relist on 410 Gone, capped jittered backoff); the store that turns
 * watcher events into changes; server-side apply with field manager `aeraki`.
 *
 * May import `api/` and npm packages.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { kindPath, META_ROUTER } from "./mod.ts";
 * assert.equal(kindPath(META_ROUTER), "/apis/metaprotocol.aeraki.io/v1alpha1/metarouters");
 * ```
 *
 * @module
 */
export * from "./backoff.ts";
export * from "./client.ts";
export * from "./errors.ts";
export * from "./kinds.ts";
export * from "./store.ts";
export * from "./watcher.ts";
