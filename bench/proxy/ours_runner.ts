/**
 * Runs a checkout's MetaProtocol proxy from an Envoy bootstrap through its programmatic entry
 * points (`proxy/bootstrap` `loadBootstrap`, then `proxy` `startProxy`): the benchmark's
 * command line for our proxy while the checkout has no `aeraki proxy -c FILE` command. It
 * prints the bootstrap's problems and exits 1, or runs until SIGTERM/SIGINT and then prints its
 * request and response counters as `stat NAME VALUE` lines.
 *
 * Run (from the checkout, so its deno.json applies):
 * `deno run --allow-all bench/proxy/ours_runner.ts CHECKOUT BOOTSTRAP`
 *
 * @module
 */

interface Note {
  readonly path: string;
  readonly message: string;
}

interface BootstrapModule {
  loadBootstrap(file: string): Promise<
    { ok: true; config: { model: unknown }; ignored: Note[]; warnings: Note[] } | {
      ok: false;
      problems: Note[];
    }
  >;
  formatNote(note: Note): string;
}

interface ProxyModule {
  startProxy(model: unknown): Promise<{
    ports: ReadonlyMap<string, number>;
    stats: { snapshot(): { counters: ReadonlyMap<string, number> } };
    close(): Promise<void>;
  }>;
}

async function main(): Promise<void> {
  const [checkout, file] = Deno.args;
  if (!checkout || !file) {
    console.error("usage: ours_runner.ts CHECKOUT BOOTSTRAP");
    Deno.exit(2);
  }
  const root = new URL(`file://${checkout.replace(/\/?$/, "/")}`);
  // Computed specifiers: the checkout is chosen at run time, so this file type-checks alone.
  const bootstrap: BootstrapModule = await import(new URL("proxy/bootstrap/mod.ts", root).href);
  const proxy: ProxyModule = await import(new URL("proxy/mod.ts", root).href);
  const loaded = await bootstrap.loadBootstrap(file);
  if (!loaded.ok) {
    for (const note of loaded.problems) console.error(bootstrap.formatNote(note));
    Deno.exit(1);
  }
  for (const note of [...loaded.ignored, ...loaded.warnings]) {
    console.error(bootstrap.formatNote(note));
  }
  const handle = await proxy.startProxy(loaded.config.model);
  console.error(
    `ours_runner: listening on ${[...handle.ports].map(([n, p]) => `${n}=${p}`).join(", ")}`,
  );
  const stop = async () => {
    // What the proxy itself counted (no admin server here): the harness shows these lines.
    for (const [name, value] of handle.stats.snapshot().counters) {
      if (/^meta_protocol\..*\.(request|response_success|response_error)$/.test(name)) {
        console.error(`stat ${name} ${value}`);
      }
    }
    await handle.close();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGTERM", stop);
  Deno.addSignalListener("SIGINT", stop);
}

if (import.meta.main) await main();
