/**
 * A real Java peer for Dubbo frames: `tests/peers/DubboPeer.java`, run with Caucho's Hessian
 * 2 library (Debian's libhessian-java, the implementation Dubbo's hessian-lite is forked
 * from) on the machine's JDK. It reads frames as a Dubbo consumer or provider does and
 * reports what it read.
 *
 * @module
 */

const HESSIAN_JAR = "/usr/share/java/hessian.jar";
const SOURCE = new URL("./peers/DubboPeer.java", import.meta.url).pathname;
// Hessian reflects into JDK classes, which Java 9+ allows only when asked (as Dubbo does).
const OPENS = ["java.base/java.lang", "java.base/java.util", "java.base/java.math"]
  .flatMap((m) => ["--add-opens", `${m}=ALL-UNNAMED`]);

/** Why the peer cannot run here, or undefined when it can. */
export function javaPeerMissing(): string | undefined {
  try {
    Deno.statSync(HESSIAN_JAR);
  } catch {
    return `${HESSIAN_JAR} is missing (Debian package libhessian-java)`;
  }
  for (const tool of ["java", "javac"]) {
    try {
      new Deno.Command(tool, { args: ["-version"], stdout: "null", stderr: "null" }).outputSync();
    } catch {
      return `${tool} is missing (a JDK, such as Debian's default-jdk-headless)`;
    }
  }
  return undefined;
}

let compiled: Promise<string> | undefined;

/** Compiles the peer once per test process; resolves to the directory of its class. */
function compile(): Promise<string> {
  return compiled ??= (async () => {
    const dir = await Deno.makeTempDir({ prefix: "dubbo-peer-" });
    await run("javac", ["-cp", HESSIAN_JAR, "-d", dir, SOURCE]);
    return dir;
  })();
}

async function run(command: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder();
  if (!out.success) {
    throw new Error(`${command} failed:\n${text.decode(out.stderr)}${text.decode(out.stdout)}`);
  }
  return text.decode(out.stdout);
}

/** One request the Java peer wrote, and what it says it wrote. */
export interface JavaRequest {
  readonly frame: Uint8Array;
  readonly path: string;
  readonly version: string;
  readonly method: string;
  readonly attachments: Record<string, string>;
}

/**
 * Has the Java peer write requests as a Java Dubbo consumer does, with arguments of many
 * Java types (beans with cycles, enums, BigDecimal, dates, typed arrays, lists of every
 * length, sorted and hash maps, chunked strings and binary, Chinese text).
 */
export async function javaWrites(): Promise<JavaRequest[]> {
  const classes = await compile();
  const dir = await Deno.makeTempDir({ prefix: "dubbo-written-" });
  try {
    const out = await run("java", [
      ...OPENS,
      "-cp",
      `${HESSIAN_JAR}:${classes}`,
      "DubboPeer",
      "--write",
      dir,
    ]);
    const lines = out.trim().split("\n").map((line) => JSON.parse(line));
    return await Promise.all(
      lines.map(async (line, i) => ({ ...line, frame: await Deno.readFile(`${dir}/${i}.bin`) })),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Has the Java peer read `frames` (one JVM for all) and returns what it read of each, as
 * parsed JSON; a frame it cannot read fails the whole call with its error.
 */
export async function javaReads(frames: readonly Uint8Array[]): Promise<Record<string, unknown>[]> {
  const classes = await compile();
  const dir = await Deno.makeTempDir({ prefix: "dubbo-frames-" });
  try {
    const files: string[] = [];
    for (const [i, frame] of frames.entries()) {
      const file = `${dir}/${i}.bin`;
      await Deno.writeFile(file, frame);
      files.push(file);
    }
    const out = await run("java", [
      ...OPENS,
      "-cp",
      `${HESSIAN_JAR}:${classes}`,
      "DubboPeer",
      ...files,
    ]);
    return out.trim().split("\n").map((line) => JSON.parse(line));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
