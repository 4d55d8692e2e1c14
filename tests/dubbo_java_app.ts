/**
 * Real Apache Dubbo applications as test peers: the provider and consumer of
 * `tests/peers/dubbo` (Dubbo 3.x from Maven Central, dubbo protocol, hessian2, direct URLs),
 * built by `_tools/install_dubbo_peer.sh` into a cache outside the clone. Each JVM keeps a
 * class-data archive beside the build after its first run, which cuts later starts by seconds.
 *
 * @module
 */

const INSTALL = new URL("../_tools/install_dubbo_peer.sh", import.meta.url).pathname;
const PACKAGE = "org.apache.dubbo.samples";

let installed: Promise<{ dir: string } | { missing: string }> | undefined;

/** Builds (first time) or finds the peer; resolves to its directory or why it is missing. */
export function dubboApp(): Promise<{ dir: string } | { missing: string }> {
  return installed ??= (async () => {
    try {
      const out = await new Deno.Command("bash", {
        args: [INSTALL],
        stdout: "piped",
        stderr: "piped",
      })
        .output();
      const text = new TextDecoder();
      if (out.success) return { dir: text.decode(out.stdout).trim() };
      const why = text.decode(out.stderr).trim().split("\n").slice(-3).join(" / ");
      return { missing: `_tools/install_dubbo_peer.sh could not build the Dubbo peer: ${why}` };
    } catch (e) {
      return { missing: `Cannot run _tools/install_dubbo_peer.sh: ${e}` };
    }
  })();
}

/** The `java` arguments that run `main` of the peer in `dir`, with its class-data archive. */
function javaArgs(dir: string, main: string): { args: string[]; archive?: [string, string] } {
  const jsa = `${dir}/${main.toLowerCase()}.jsa`;
  let share: string[];
  let archive: [string, string] | undefined;
  try {
    Deno.statSync(jsa);
    share = [`-XX:SharedArchiveFile=${jsa}`];
  } catch {
    const tmp = `${jsa}.${crypto.randomUUID()}`;
    share = [`-XX:ArchiveClassesAtExit=${tmp}`];
    archive = [tmp, jsa];
  }
  const args = [
    ...share,
    // JVM notes would go to stdout, which carries the peer's JSON lines.
    "-Xlog:disable",
    "-Xlog:all=error:stderr",
    "-XX:TieredStopAtLevel=1",
    "-XX:+UseSerialGC",
    "-cp",
    `${dir}/dubbo-peer.jar:${dir}/lib/*`,
    `${PACKAGE}.${main}`,
  ];
  return { args, archive };
}

/** Keeps a class-data archive a JVM wrote at exit (the first one to finish wins). */
async function keepArchive(archive: [string, string] | undefined): Promise<void> {
  if (!archive) return;
  await Deno.rename(archive[0], archive[1]).catch(() => Deno.remove(archive[0]).catch(() => {}));
}

/** A running Java Dubbo provider. */
export interface JavaProvider {
  /** The port it listens on ({@link JAVA_PEER_HOST}). */
  readonly port: number;
  /** Its version label, carried in every reply. */
  readonly label: string;
  /** Everything it wrote to stderr so far (Dubbo's log). */
  log(): string;
  /** Stops it and waits for the JVM to exit. */
  close(): Promise<void>;
}

/**
 * The loopback address the peers use. Dubbo swaps any 127.x address for the machine's own
 * network address (in the consumer's connect and the provider's bind), so the peers would
 * leave loopback; IPv6's ::1 it keeps as given.
 */
export const JAVA_PEER_HOST = "::1";

/** A free loopback port (bound and released). */
function freePort(): number {
  const l = Deno.listen({ hostname: JAVA_PEER_HOST, port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Starts a provider labelled `label` and waits until it listens. */
export async function startJavaProvider(dir: string, label: string): Promise<JavaProvider> {
  const port = freePort();
  const { args, archive } = javaArgs(dir, "Provider");
  const child = new Deno.Command("java", {
    args: [...args, JAVA_PEER_HOST, String(port), label],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let stderr = "";
  const errDone = child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (s) => void (stderr += s) }),
  );
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!out.includes("\n")) {
    const r = await lines.read();
    if (r.done) {
      await errDone.catch(() => {});
      throw new Error(`Cannot start the Java Dubbo provider "${label}": ${stderr.slice(-2000)}`);
    }
    out += r.value;
  }
  const ready = JSON.parse(out.slice(0, out.indexOf("\n")));
  if (ready.ready !== true) throw new Error(`Cannot start the Java Dubbo provider: ${out}`);
  const drain = (async () => {
    while (!(await lines.read()).done);
  })();
  const writer = child.stdin.getWriter();
  return {
    port,
    label,
    log: () => stderr,
    async close() {
      await writer.close().catch(() => {});
      // Dubbo stops its thread pools, then the JVM writes its class-data archive.
      const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      await child.status;
      clearTimeout(timer);
      await Promise.all([drain, errDone.catch(() => {})]);
      await keepArchive(archive);
    },
  };
}

/** One step of the consumer: `calls` calls of `method` on `threads` threads. */
export interface ConsumerStep {
  readonly method:
    | "sayHello"
    | "greet"
    | "fail"
    | "record"
    | "recorded"
    | "echo"
    | "connections";
  readonly args?: readonly unknown[];
  readonly calls?: number;
  readonly threads?: number;
  readonly attachments?: Record<string, string>;
  /** Sleep this long before the step (idle time on the consumer's connections). */
  readonly pauseMs?: number;
  /** The calls are expected to fail (the consumer's exit code counts them as fine). */
  readonly expectError?: boolean;
}

/** What one call printed. */
export interface ConsumerCall {
  readonly step: number;
  readonly call: number;
  readonly ok: boolean;
  readonly result?: unknown;
  /** Response attachments with string values. */
  readonly attachments?: Record<string, string>;
  /** The exception's class name, when `ok` is false. */
  readonly error?: string;
  /** `RpcException.getCode()` when the exception is one. */
  readonly code?: number | null;
  readonly message?: string;
}

/** Options of {@link runJavaConsumer}. */
export interface ConsumerOptions {
  /** The port on {@link JAVA_PEER_HOST} to call (a provider's or a proxy's). */
  readonly port: number;
  /** What to call, in order. */
  readonly steps: readonly ConsumerStep[];
  /** Connections the consumer opens to the address (Dubbo's `connections`). @default 1 */
  readonly connections?: number;
  /** Dubbo's client heartbeat interval in ms. @default Dubbo's 60 s */
  readonly heartbeatMs?: number;
  /** Per-call timeout in ms. @default 5000 */
  readonly timeoutMs?: number;
}

/** What a consumer run printed, and its exit code (0: every call ended as expected). */
export interface ConsumerRun {
  readonly code: number;
  /** Every call, ordered by step and call number. */
  readonly calls: ConsumerCall[];
  /** Dubbo's log. */
  readonly stderr: string;
}

/** Runs the consumer against `[::1]:port` with `steps`; resolves to what it printed. */
export async function runJavaConsumer(dir: string, options: ConsumerOptions): Promise<ConsumerRun> {
  const { args, archive } = javaArgs(dir, "Consumer");
  const { port, steps } = options;
  const flags = ["--url", `dubbo://[${JAVA_PEER_HOST}]:${port}`];
  if (options.connections) flags.push("--connections", String(options.connections));
  if (options.heartbeatMs) flags.push("--heartbeat", String(options.heartbeatMs));
  if (options.timeoutMs) flags.push("--timeout", String(options.timeoutMs));
  const child = new Deno.Command("java", {
    args: [...args, ...flags],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(steps.map((s) => JSON.stringify(s)).join("\n")));
  await writer.close();
  const out = await child.output();
  await keepArchive(archive);
  const text = new TextDecoder();
  const calls = text.decode(out.stdout).split("\n").filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as ConsumerCall)
    .sort((a, b) => a.step - b.step || a.call - b.call);
  return { code: out.code, calls, stderr: text.decode(out.stderr) };
}
