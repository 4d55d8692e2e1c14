/**
 * The shape of one `aeraki` subcommand: arguments in, exit code out, all output through `io`
 * so tests can run a command without a process.
 *
 * @module
 */

/** Where a command writes and reads. */
export interface CommandIo {
  /** Writes to standard output. */
  readonly out: (text: string) => void;
  /** Writes to standard error. */
  readonly err: (text: string) => void;
  /** Reads all of standard input (for the `-` file argument). */
  readonly stdin: () => Promise<Uint8Array>;
}

/** One subcommand of `deno task aeraki`. */
export interface Command {
  /** The subcommand name, e.g. `validate`. */
  readonly name: string;
  /** One line for `aeraki help`. */
  readonly summary: string;
  /** The usage text shown by `aeraki help NAME` and on bad arguments. */
  readonly usage: string;
  /** Runs the command; resolves to the process exit code. */
  run(args: readonly string[], io: CommandIo): Promise<number>;
}

/** The process's real standard streams. */
export function processIo(): CommandIo {
  const enc = new TextEncoder();
  return {
    out: (t) => void Deno.stdout.writeSync(enc.encode(t)),
    err: (t) => void Deno.stderr.writeSync(enc.encode(t)),
    stdin: async () => new Uint8Array(await new Response(Deno.stdin.readable).arrayBuffer()),
  };
}

/** Collects a command's output in strings, for tests. */
export function memoryIo(stdin: Uint8Array = new Uint8Array()): CommandIo & {
  readonly stdout: () => string;
  readonly stderr: () => string;
} {
  let out = "";
  let err = "";
  return {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    stdin: () => Promise.resolve(stdin),
    stdout: () => out,
    stderr: () => err,
  };
}
