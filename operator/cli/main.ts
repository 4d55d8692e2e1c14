/**
 * `deno task aeraki <command> …`: the command-line entry. Commands are loaded lazily so
 * `aeraki validate` does not pay for the codecs and `aeraki decode` not for cdk8s.
 *
 * @module
 */
import { type Command, type CommandIo, processIo } from "./command.ts";

/** Every subcommand, by name, loaded on first use. */
export const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  validate: async () => (await import("./validate.ts")).validateCommand,
  decode: async () => (await import("./decode.ts")).decodeCommand,
  render: async () => (await import("./render.ts")).renderCommand,
  synth: async () => (await import("./synth.ts")).synthCommand,
  init: async () => (await import("./init.ts")).initCommand,
  proxy: async () => (await import("./proxy.ts")).proxyCommand,
  local: async () => (await import("./local.ts")).localCommand,
  operator: async () => (await import("./operator.ts")).operatorCommand,
};

/** Runs `aeraki` with `args`; resolves to the exit code. */
export async function main(args: readonly string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = args;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    const wanted = rest[0] && COMMANDS[rest[0]];
    if (wanted) {
      io.out((await wanted()).usage + "\n");
      return 0;
    }
    const lines = await Promise.all(
      Object.entries(COMMANDS).map(async ([n, load]) =>
        `  ${n.padEnd(10)} ${(await load()).summary}`
      ),
    );
    io.out(`Usage: deno task aeraki <command> [options]\n\nCommands:\n${lines.join("\n")}\n`);
    io.out(`\nEach command explains itself: deno task aeraki <command> --help\n`);
    return name ? 0 : 2;
  }
  const load = COMMANDS[name];
  if (!load) {
    io.err(`Cannot run "${name}": unknown command (try: ${Object.keys(COMMANDS).join(", ")})\n`);
    return 2;
  }
  return await (await load()).run(rest, io);
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args, processIo()));
}
