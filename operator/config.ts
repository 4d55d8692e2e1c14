/**
 * The operator's flags and their environment overrides (control-plane spec §6 "Other servers
 * and flags"), parsed into a typed {@link OperatorConfig}. One table ({@link OPERATOR_FLAGS})
 * drives the parser, the usage text and the install's argument check, so they cannot drift.
 *
 * Precedence: a flag on the command line, then its environment variable, then the default.
 * Unlike upstream (quirk Q13), the variables the install manifests set are read.
 *
 * @module
 */
import { parseMatchLabels } from "./webhook/configuration.ts";

/** The operator's settings after flags, environment and defaults are merged. */
export interface OperatorConfig {
  /** Path of a kubeconfig; in-cluster config when absent. */
  readonly kubeconfig: string | undefined;
  /** Istio's root namespace: EnvoyFilters, leases, the webhook Service. */
  readonly rootNamespace: string;
  /** Whether this replica takes part in leader election for writes. */
  readonly master: boolean;
  /** Write each EnvoyFilter in its service's namespace instead of the root namespace. */
  readonly namespaceScope: boolean;
  /** Host sidecars dial for MetaProtocol RDS (written into the bootstrap ConfigMap). */
  readonly xdsAddress: string;
  /** Port of the RDS server. */
  readonly xdsPort: number;
  /** Istiod's xDS address, `host:port`. */
  readonly istiodAddress: string;
  /** Name of the mesh ConfigMap in the root namespace. */
  readonly istiodConfigMapName: string;
  /** Cluster id reported to Istio. */
  readonly clusterId: string;
  /** Secret whose `kubeconfig.admin` names a separate API server for Istio writes. */
  readonly configStoreSecret: string | undefined;
  /** Leader-election identity; the pod name, else `aeraki-<random>`. */
  readonly serverId: string;
  /** Log levels, `scope:level,...`. */
  readonly logLevel: string;
  /** Istio's DNS domain, used to expand short hosts. */
  readonly domain: string;
  /** The admission webhook's HTTPS port. */
  readonly webhookPort: number;
  /** Folder of the webhook's certificates (minted there when absent); no webhook when unset. */
  readonly webhookCertDir: string | undefined;
  /** Port of `/ready`, `/healthz` and `/metrics`. */
  readonly monitoringPort: number;
  /** Quiet time after the last change before a reconcile, in milliseconds. */
  readonly debounceMs: number;
  /** Longest a burst of changes may delay a reconcile, in milliseconds. */
  readonly debounceMaxMs: number;
  /** Watch inputs and write EnvoyFilters only in this namespace; all when unset. */
  readonly watchNamespace: string | undefined;
  /** The Lease the replicas elect a writer with (upstream's declared `--election-id`). */
  readonly leaseName: string;
  /** How long others wait before taking over a lease that is not renewed, in milliseconds. */
  readonly leaseDurationMs: number;
  /** How long a leader keeps writing while its renewals fail, in milliseconds. */
  readonly renewDeadlineMs: number;
  /** The time between tries to acquire or renew the lease, in milliseconds. */
  readonly retryPeriodMs: number;
  /** Secret (in the pod's namespace) keeping the webhook's certificates; unset for none. */
  readonly webhookSecret: string | undefined;
  /** URL the API server calls for reviews (operator outside the cluster); else the Service. */
  readonly webhookUrl: string | undefined;
  /** `key=value,...`: review only MetaRouters in namespaces with these labels. */
  readonly webhookNamespaceSelector: string | undefined;
  /** The pod's own name and namespace (downward API). */
  readonly podName: string | undefined;
  /** The pod's own namespace (downward API). */
  readonly podNamespace: string | undefined;
}

type Kind = "string" | "boolean" | "port" | "duration";

/** One flag: its name, environment variable, kind and default, and the field it sets. */
export interface OperatorFlag {
  /** The flag, without the leading dashes. */
  readonly name: string;
  /** The {@link OperatorConfig} field it sets. */
  readonly field: keyof OperatorConfig;
  /** How the value is read. */
  readonly kind: Kind;
  /** The environment variable that overrides the default, if any. */
  readonly env?: string;
  /** The default, as it would be written on the command line; absent for none. */
  readonly default?: string;
  /** One line for the usage text. */
  readonly help: string;
}

/** Every flag `aeraki operator` accepts. */
export const OPERATOR_FLAGS: readonly OperatorFlag[] = [
  {
    name: "kubeconfig",
    field: "kubeconfig",
    kind: "string",
    env: "KUBECONFIG",
    help: "kubeconfig path (default: in-cluster config)",
  },
  {
    name: "root-namespace",
    field: "rootNamespace",
    kind: "string",
    env: "AERAKI_NAMESPACE",
    default: "istio-system",
    help: "Istio root namespace",
  },
  {
    name: "master",
    field: "master",
    kind: "boolean",
    env: "AERAKI_IS_MASTER",
    default: "true",
    help: "run for leadership of the writes",
  },
  {
    name: "enable-envoy-filter-namespace-scope",
    field: "namespaceScope",
    kind: "boolean",
    env: "AERAKI_ENABLE_ENVOY_FILTER_NS_SCOPE",
    default: "false",
    help: "write EnvoyFilters in the services' namespaces",
  },
  {
    name: "aeraki-xds-address",
    field: "xdsAddress",
    kind: "string",
    env: "AERAKI_XDS_ADDR",
    default: "aeraki.istio-system",
    help: "host sidecars dial for RDS",
  },
  {
    name: "aeraki-xds-port",
    field: "xdsPort",
    kind: "port",
    env: "AERAKI_XDS_PORT",
    default: ":15010",
    help: "RDS server port",
  },
  {
    name: "istiod-address",
    field: "istiodAddress",
    kind: "string",
    env: "AERAKI_ISTIOD_ADDR",
    default: "istiod.istio-system:15010",
    help: "Istiod xDS address",
  },
  {
    name: "istiod-configMap-name",
    field: "istiodConfigMapName",
    kind: "string",
    env: "AERAKI_ISTIOD_CONFIGMAP_NAME",
    default: "istio",
    help: "mesh ConfigMap name",
  },
  {
    name: "cluster-id",
    field: "clusterId",
    kind: "string",
    env: "AERAKI_CLUSTER_ID",
    default: "",
    help: "cluster id",
  },
  {
    name: "config-store-secret",
    field: "configStoreSecret",
    kind: "string",
    env: "AERAKI_ISTIO_CONFIG_STORE_SECRET",
    help: "Secret with a kubeconfig for Istio writes",
  },
  {
    name: "server-id",
    field: "serverId",
    kind: "string",
    env: "AERAKI_SERVER_ID",
    help: "leader-election identity (default: POD_NAME)",
  },
  {
    name: "watch-namespace",
    field: "watchNamespace",
    kind: "string",
    env: "AERAKI_WATCH_NAMESPACE",
    help: "watch inputs and EnvoyFilters in this namespace only, which must be the root " +
      "namespace (tests, namespace-scoped installs; default: all namespaces)",
  },
  {
    name: "election-id",
    field: "leaseName",
    kind: "string",
    env: "AERAKI_ELECTION_ID",
    default: "aeraki-envoyfilter-controller-election",
    help: "name of the Lease (in the root namespace) the replicas elect the writer with",
  },
  {
    name: "leader-elect-lease-duration",
    field: "leaseDurationMs",
    kind: "duration",
    env: "AERAKI_LEADER_ELECT_LEASE_DURATION",
    default: "15s",
    help: "how long followers wait before taking over a lease that is not renewed " +
      "(whole seconds)",
  },
  {
    name: "leader-elect-renew-deadline",
    field: "renewDeadlineMs",
    kind: "duration",
    env: "AERAKI_LEADER_ELECT_RENEW_DEADLINE",
    default: "10s",
    help: "how long the leader keeps writing while renewals fail (less than the lease duration)",
  },
  {
    name: "leader-elect-retry-period",
    field: "retryPeriodMs",
    kind: "duration",
    env: "AERAKI_LEADER_ELECT_RETRY_PERIOD",
    default: "2s",
    help: "time between tries to acquire or renew the lease",
  },
  {
    name: "log-level",
    field: "logLevel",
    kind: "string",
    env: "AERAKI_LOG_LEVEL",
    default: "all:info",
    help: "log levels, scope:level,...",
  },
  {
    name: "domain",
    field: "domain",
    kind: "string",
    default: "cluster.local",
    help: "Istio DNS domain",
  },
  {
    name: "httpsAddr",
    field: "webhookPort",
    kind: "port",
    default: ":15017",
    help: "admission webhook HTTPS port",
  },
  {
    name: "webhook-cert-dir",
    field: "webhookCertDir",
    kind: "string",
    env: "AERAKI_WEBHOOK_CERT_DIR",
    help: "folder of the webhook's ca.crt, ca.key, tls.crt, tls.key (minted when absent)",
  },
  {
    name: "webhook-secret",
    field: "webhookSecret",
    kind: "string",
    env: "AERAKI_WEBHOOK_SECRET",
    help: "Secret in the pod's namespace keeping the webhook's CA and certificate (created " +
      "when absent, renewed before expiry); with neither this nor --webhook-cert-dir, no webhook",
  },
  {
    name: "webhook-url",
    field: "webhookUrl",
    kind: "string",
    env: "AERAKI_WEBHOOK_URL",
    help: "URL the API server calls for reviews when the operator runs outside the cluster " +
      "(default: the Service aeraki.<namespace>, registered only when running in a pod)",
  },
  {
    name: "webhook-namespace-selector",
    field: "webhookNamespaceSelector",
    kind: "string",
    env: "AERAKI_WEBHOOK_NAMESPACE_SELECTOR",
    help: "key=value,... labels of the namespaces whose MetaRouters are reviewed (default: all)",
  },
  {
    name: "httpAddr",
    field: "monitoringPort",
    kind: "port",
    default: ":8080",
    help: "/ready, /healthz and /metrics port",
  },
  {
    name: "debounce",
    field: "debounceMs",
    kind: "duration",
    env: "AERAKI_DEBOUNCE",
    default: "100ms",
    help: "quiet time before a reconcile",
  },
  {
    name: "debounce-max",
    field: "debounceMaxMs",
    kind: "duration",
    env: "AERAKI_DEBOUNCE_MAX",
    default: "1s",
    help: "longest delay of a reconcile in a burst",
  },
];

/** What {@link parseOperatorConfig} returns: the config, or every problem found. */
export type OperatorConfigResult =
  | { readonly ok: true; readonly config: OperatorConfig; readonly rest: readonly string[] }
  | { readonly ok: false; readonly problems: readonly string[] };

/** Options of {@link parseOperatorConfig}. */
export interface ParseOperatorConfigOptions {
  /** Environment lookup. @default no environment */
  readonly env?: (name: string) => string | undefined;
  /** Random suffix for the default server id. @default 8 characters of `crypto.randomUUID()` */
  readonly randomId?: () => string;
  /** The host name, the default server id's prefix outside a pod. @default "aeraki" */
  readonly hostname?: () => string | undefined;
}

/**
 * Parses `aeraki operator`'s arguments (`--flag=value`, `--flag value`, `--bool`, `-flag`
 * as Go's flag package allows) with environment overrides. Never throws: bad input comes
 * back as problems naming the flag or variable. Positional arguments are returned in `rest`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseOperatorConfig } from "./config.ts";
 * const r = parseOperatorConfig(["--root-namespace=mesh"], {
 *   env: (n) => ({ AERAKI_XDS_PORT: "15011" })[n],
 * });
 * assert.ok(r.ok);
 * assert.equal(r.config.rootNamespace, "mesh");
 * assert.equal(r.config.xdsPort, 15011);
 * ```
 */
export function parseOperatorConfig(
  args: readonly string[],
  options: ParseOperatorConfigOptions = {},
): OperatorConfigResult {
  const env = options.env ?? (() => undefined);
  const problems: string[] = [];
  const given = new Map<OperatorFlag, string>();
  const rest = readArgs(args, given, problems);
  const values: Record<string, unknown> = {};
  for (const flag of OPERATOR_FLAGS) {
    const fromFlag = given.get(flag);
    const fromEnv = flag.env === undefined ? undefined : env(flag.env);
    const raw = fromFlag ?? (fromEnv !== undefined && fromEnv !== "" ? fromEnv : flag.default);
    const source = fromFlag !== undefined ? `flag "--${flag.name}"` : `variable "${flag.env}"`;
    if (raw === undefined) continue;
    const value = convert(flag.kind, raw);
    if (typeof value === "object" && value !== null && "problem" in value) {
      problems.push(`Set ${source} to ${value.problem}: got "${raw}"`);
    } else values[flag.field] = value;
  }
  if (problems.length > 0) return { ok: false, problems };
  const podName = nonEmpty(env("POD_NAME"));
  // client-go's convention: the host (pod) name and a random suffix, so a restarted process
  // never mistakes its predecessor's lease for its own.
  const random = (options.randomId ?? (() => crypto.randomUUID().slice(0, 8)))();
  const serverId = (values.serverId as string | undefined) ||
    `${podName ?? nonEmpty(options.hostname?.()) ?? "aeraki"}_${random}`;
  const config = {
    ...values,
    serverId,
    podName,
    podNamespace: nonEmpty(env("POD_NAMESPACE")),
  } as unknown as OperatorConfig;
  const webhook = webhookProblems(config);
  if (webhook.length > 0) return { ok: false, problems: webhook };
  const timing = leaderTimingProblem(config);
  if (timing) return { ok: false, problems: [timing] };
  if (config.debounceMaxMs < config.debounceMs) {
    return {
      ok: false,
      problems: [
        `Set "--debounce-max" to at least "--debounce": got ${config.debounceMaxMs}ms < ${config.debounceMs}ms`,
      ],
    };
  }
  return { ok: true, config, rest };
}

function webhookProblems(c: OperatorConfig): string[] {
  const problems: string[] = [];
  if (c.webhookUrl !== undefined && !/^https:\/\/[^/:]+(:\d+)?\/\S*$/.test(c.webhookUrl)) {
    problems.push(
      `Set "--webhook-url" to an https URL like "https://127.0.0.1:15017/validate": got "${c.webhookUrl}"`,
    );
  }
  const selector = c.webhookNamespaceSelector;
  const labels = selector === undefined ? {} : parseMatchLabels(selector);
  if ("problem" in labels) {
    problems.push(`Set "--webhook-namespace-selector" to key=value,...: ${labels.problem}`);
  }
  return problems;
}

/** client-go's rule: lease duration > renew deadline > retry period, the lease in whole seconds. */
function leaderTimingProblem(c: OperatorConfig): string | undefined {
  if (c.leaseDurationMs % 1000 !== 0) {
    return `Set "--leader-elect-lease-duration" to whole seconds: got ${c.leaseDurationMs}ms`;
  }
  if (!(c.leaseDurationMs > c.renewDeadlineMs && c.renewDeadlineMs > c.retryPeriodMs * 1.2)) {
    return `Set "--leader-elect-lease-duration" > "--leader-elect-renew-deadline" > 1.2 × ` +
      `"--leader-elect-retry-period": got ${c.leaseDurationMs}ms, ${c.renewDeadlineMs}ms, ` +
      `${c.retryPeriodMs}ms`;
  }
  return undefined;
}

function readArgs(
  args: readonly string[],
  given: Map<OperatorFlag, string>,
  problems: string[],
): string[] {
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const m = /^--?([^=]+)(?:=(.*))?$/s.exec(arg);
    if (!m || arg === "-" || arg === "--") {
      rest.push(...(arg === "--" ? args.slice(i + 1) : [arg]));
      if (arg === "--") break;
      continue;
    }
    const flag = OPERATOR_FLAGS.find((f) => f.name === m[1]);
    if (!flag) {
      problems.push(`Remove the unknown flag "${arg}": see "aeraki operator --help"`);
      continue;
    }
    if (m[2] !== undefined) given.set(flag, m[2]);
    else if (flag.kind === "boolean") given.set(flag, "true");
    else if (i + 1 < args.length) given.set(flag, args[++i]);
    else problems.push(`Give a value to the flag "--${flag.name}"`);
  }
  return rest;
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === "" ? undefined : s;
}

function convert(kind: Kind, raw: string): unknown {
  switch (kind) {
    case "string":
      return raw;
    case "boolean":
      return parseBool(raw);
    case "port":
      return parsePort(raw);
    case "duration":
      return parseDurationMs(raw);
  }
}

function parseBool(raw: string): boolean | { problem: string } {
  // The spellings Go's strconv.ParseBool accepts.
  if (["1", "t", "T", "true", "TRUE", "True"].includes(raw)) return true;
  if (["0", "f", "F", "false", "FALSE", "False"].includes(raw)) return false;
  return { problem: `"true" or "false"` };
}

/** Reads a port written `15010`, `:15010` or `0.0.0.0:15010` (upstream's address flags). */
function parsePort(raw: string): number | { problem: string } {
  const m = /^(?:.*:)?(\d{1,5})$/.exec(raw);
  const n = m ? Number(m[1]) : NaN;
  return n >= 1 && n <= 65535 ? n : { problem: `a port between 1 and 65535 (like ":15017")` };
}

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000 };

function parseDurationMs(raw: string): number | { problem: string } {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(raw);
  return m ? Math.round(Number(m[1]) * UNIT_MS[m[2]]) : {
    problem: `a duration like "100ms", "1s" or "2m"`,
  };
}

/** The usage lines of every flag, for `aeraki operator --help`. */
export function operatorFlagsUsage(): string {
  return OPERATOR_FLAGS.map((f) => {
    const def = f.default === undefined ? "" : ` (default "${f.default}")`;
    const env = f.env ? ` [env ${f.env}]` : "";
    return `  --${f.name}\n      ${f.help}${def}${env}`;
  }).join("\n");
}
