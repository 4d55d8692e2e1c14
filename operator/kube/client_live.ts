/**
 * `KubeClientLive`: the {@linkcode KubeClient} service over a real API server, configured from
 * a kubeconfig file or, inside a pod, from the service account (`@kubernetes/client-node`).
 *
 * @module
 */
import { KubeConfig, Watch } from "@kubernetes/client-node";
import { Cause, Effect, Layer, Queue, Stream } from "effect";
import { RawKubeApi, type RawRequest } from "./_transport.ts";
import {
  type ApplyOptions,
  FIELD_MANAGER,
  KubeClient,
  type KubeClientShape,
  type WatchEvent,
  type WatchOptions,
} from "./client.ts";
import { KubeApiError, type KubeError, toKubeError } from "./errors.ts";
import {
  apiVersionOf,
  kindPath,
  type KubeKind,
  type KubeObject,
  type KubeObjectInput,
  type ObjectRef,
  refText,
} from "./kinds.ts";

/** Where the client's configuration comes from. */
export interface KubeClientOptions {
  /**
   * A kubeconfig file. @default the `KUBECONFIG` variable, then `~/.kube/config`, then the
   * in-cluster service account
   */
  readonly kubeconfig?: string;
}

/**
 * Loads a kubeconfig (see {@linkcode KubeClientOptions}); fails with a message naming the file.
 *
 * @example
 * ```ts ignore
 * const kc = yield* loadKubeConfig({ kubeconfig: "/tmp/kube/kubeconfig" });
 * ```
 */
export function loadKubeConfig(
  options: KubeClientOptions = {},
): Effect.Effect<KubeConfig, KubeApiError> {
  return Effect.try({
    try: () => {
      const kc = new KubeConfig();
      if (options.kubeconfig) kc.loadFromFile(options.kubeconfig);
      else kc.loadFromDefault();
      if (!kc.getCurrentCluster()) throw new Error("it names no current cluster");
      return kc;
    },
    catch: (e) =>
      new KubeApiError({
        status: 0,
        reason: "InvalidConfig",
        message: `Cannot load the kubeconfig "${options.kubeconfig ?? "default"}": ${
          e instanceof Error ? e.message : String(e)
        }`,
        cause: e,
      }),
  });
}

/** Makes the live client from a loaded kubeconfig. */
export function makeKubeClient(kc: KubeConfig): KubeClientShape {
  const api = kc.makeApiClient(RawKubeApi);
  const watcher = new Watch(kc);
  // client-node aborts a watch after 30 s without data, shorter than the API server's bookmark
  // interval, and under Deno that abort reaches no callback: a quiet watch went deaf until our
  // own inactivity check (`inactivityMs`) noticed, so a change after a quiet spell waited up
  // to 90 s. Our check alone decides now.
  (watcher as unknown as { requestTimeoutMs: number }).requestTimeoutMs = 24 * 3600_000;
  const send = (req: RawRequest, action: string): Effect.Effect<unknown, KubeError> =>
    Effect.tryPromise({
      try: (signal) => api.send({ ...req, signal }),
      catch: (e) => toKubeError(e, { action }),
    }).pipe(
      Effect.flatMap((res) =>
        res.status >= 200 && res.status < 300
          ? Effect.succeed(res.body)
          : Effect.fail(toKubeError({ code: res.status, body: res.body }, { action }))
      ),
    );
  return {
    list: (kind, options = {}) =>
      send(
        {
          method: "GET",
          path: kindPath(kind, { namespace: options.namespace }),
          query: { labelSelector: options.labelSelector, fieldSelector: options.fieldSelector },
        },
        `Cannot list ${kind.kind}`,
      ).pipe(Effect.map((body) => toList(kind, body))),
    watch: (kind, options) => watchStream(watcher, kind, options),
    get: (kind, ref) =>
      send(
        { method: "GET", path: kindPath(kind, ref) },
        `Cannot read ${kind.kind} "${refText(ref)}"`,
      ) as Effect.Effect<KubeObject, KubeError>,
    apply: (object, options) =>
      send(
        applyRequest(object, "", options),
        `Cannot apply ${describeObject(object)}`,
      ) as Effect.Effect<
        KubeObject,
        KubeError
      >,
    applyStatus: (object, options) =>
      send(
        applyRequest(object, "/status", options),
        `Cannot apply the status of ${describeObject(object)}`,
      ) as Effect.Effect<KubeObject, KubeError>,
    delete: (kind, ref) =>
      Effect.asVoid(
        send(
          { method: "DELETE", path: kindPath(kind, ref) },
          `Cannot delete ${kind.kind} "${refText(ref)}"`,
        ),
      ),
  };
}

/** The live {@linkcode KubeClient} from a kubeconfig (see {@linkcode KubeClientOptions}). */
export function kubeClientLayer(
  options: KubeClientOptions = {},
): Layer.Layer<KubeClient, KubeApiError> {
  return Layer.effect(KubeClient, Effect.map(loadKubeConfig(options), makeKubeClient));
}

/** The live {@linkcode KubeClient} from the default kubeconfig or the in-cluster account. */
export const KubeClientLive: Layer.Layer<KubeClient, KubeApiError> = kubeClientLayer();

function describeObject(o: KubeObjectInput): string {
  const ns = o.metadata?.namespace;
  return `${o.kind} "${ns ? `${ns}/` : ""}${o.metadata?.name}"`;
}

function applyRequest(
  object: KubeObjectInput,
  sub: string,
  options: ApplyOptions = {},
): RawRequest {
  const kind = kindFromObject(object);
  const ref: ObjectRef = { namespace: object.metadata.namespace, name: object.metadata.name };
  return {
    method: "PATCH",
    path: kindPath(kind, ref) + sub,
    query: {
      fieldManager: options.fieldManager ?? FIELD_MANAGER,
      force: String(options.force ?? true),
    },
    body: object,
    contentType: "application/apply-patch+yaml",
  };
}

/** The URL parts of an object's kind: the plural is the lowercased kind + "s" unless known. */
function kindFromObject(o: KubeObjectInput): KubeKind {
  const [group, version] = o.apiVersion.includes("/")
    ? o.apiVersion.split("/")
    : ["", o.apiVersion];
  return {
    group,
    version,
    kind: o.kind,
    plural: pluralOf(o.kind),
    namespaced: o.metadata.namespace !== undefined,
  };
}

const IRREGULAR: Readonly<Record<string, string>> = {
  ServiceEntry: "serviceentries",
  DubboAuthorizationPolicy: "dubboauthorizationpolicies",
  Endpoints: "endpoints",
};

function pluralOf(kind: string): string {
  return IRREGULAR[kind] ?? `${kind.toLowerCase()}s`;
}

/**
 * The items of a list answer, each with its apiVersion and kind: the API server leaves them
 * out of the items of built-in kinds (ConfigMap, Service), and consumers key on them.
 */
function toList(kind: KubeKind, body: unknown): { items: KubeObject[]; resourceVersion: string } {
  const b = (body ?? {}) as { items?: KubeObject[]; metadata?: { resourceVersion?: string } };
  const typed = { apiVersion: apiVersionOf(kind), kind: kind.kind };
  return {
    items: (b.items ?? []).map((item) => ({ ...typed, ...item })),
    resourceVersion: b.metadata?.resourceVersion ?? "",
  };
}

function watchStream(
  watcher: Watch,
  kind: KubeKind,
  options: WatchOptions,
): Stream.Stream<WatchEvent, KubeError> {
  const action = `Cannot watch ${kind.kind} from resourceVersion "${options.resourceVersion}"`;
  const inactivityMs = options.inactivityMs ?? 90_000;
  return Stream.callback<WatchEvent, KubeError>((queue) => {
    // A watch broken mid-stream can stay silent forever (no error reaches us under Deno): end
    // it after a silence longer than the bookmark interval, so the caller re-watches.
    let lastSeen = Date.now();
    const idle = setInterval(() => {
      if (Date.now() - lastSeen > inactivityMs) Queue.endUnsafe(queue);
    }, Math.min(inactivityMs, 5_000));
    return Effect.acquireRelease(
      Effect.promise(() =>
        watcher.watch(
          kindPath(kind, { namespace: options.namespace }),
          {
            resourceVersion: options.resourceVersion,
            allowWatchBookmarks: true,
            timeoutSeconds: options.timeoutSeconds ?? 300,
            labelSelector: options.labelSelector,
            fieldSelector: options.fieldSelector,
          },
          (type, object) => {
            lastSeen = Date.now();
            if (type === "ERROR") {
              Queue.failCauseUnsafe(queue, Cause.fail(toKubeError(object, { action })));
            } else {
              Queue.offerUnsafe(queue, { type, object } as WatchEvent);
            }
          },
          (err) => {
            // A closed stream or the client's inactivity timeout ends the watch normally:
            // the caller re-watches from the last resourceVersion it saw.
            if (!err || (err instanceof Error && err.name === "TimeoutError")) {
              Queue.endUnsafe(queue);
            } else if (!(err instanceof Error && err.name === "AbortError")) {
              Queue.failCauseUnsafe(queue, Cause.fail(toKubeError(err, { action })));
            }
          },
        )
      ),
      (controller) =>
        Effect.sync(() => {
          clearInterval(idle);
          controller.abort();
        }),
    );
  });
}
