/**
 * Checks that need more than one object: a MetaProtocol port (of a Service, ServiceEntry or
 * Gateway) must name an application protocol that has a codec — a built-in one or one an
 * ApplicationProtocol among the objects declares. Shared by `aeraki validate` and `render`, so
 * both report a misspelled protocol the same way.
 *
 * @module
 */
import { applicationProtocolFromPortName, metaProtocolPortProblem } from "./port_protocol.ts";
import { BUILT_IN_CODECS } from "./application_protocol.ts";
import type { KnownObject } from "./decode.ts";

/** A problem of the object at `at` in the list checked. */
export interface ObjectProblem {
  /** Index of the object in the list given. */
  readonly at: number;
  /** The field path, e.g. `spec.ports[0].name`. */
  readonly path: string;
  readonly message: string;
}

/** The application protocols with a codec: the built-in ones and those declared in `objects`. */
export function knownApplicationProtocols(objects: readonly KnownObject[]): string[] {
  const known = new Set(Object.keys(BUILT_IN_CODECS));
  for (const o of objects) {
    if (o.kind === "ApplicationProtocol") known.add(o.spec.protocol.toLowerCase());
  }
  return [...known].sort();
}

function namedPorts(o: KnownObject): { path: string; name: string }[] {
  if (o.kind === "Service" || o.kind === "ServiceEntry") {
    return (o.spec.ports ?? []).map((p, i) => ({
      path: `spec.ports[${i}].name`,
      name: p.name ?? "",
    }));
  }
  if (o.kind === "Gateway") {
    return (o.spec.servers ?? []).map((s, i) => ({
      path: `spec.servers[${i}].port.name`,
      name: s.port.name ?? "",
    }));
  }
  return [];
}

/**
 * Every MetaProtocol port among `objects` whose application protocol has no codec (ports
 * without one at all are the schema's problem, not repeated here).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { metaProtocolPortProblems } from "./port_checks.ts";
 * const problems = metaProtocolPortProblems([{
 *   apiVersion: "v1",
 *   kind: "Service",
 *   metadata: { name: "s", namespace: "demo" },
 *   spec: { ports: [{ name: "tcp-metaprotocol-dubo", port: 20880 }] },
 * }]);
 * assert.deepEqual(problems.map((p) => [p.at, p.path]), [[0, "spec.ports[0].name"]]);
 * assert.match(problems[0].message, /did you mean "dubbo"/);
 * ```
 */
export function metaProtocolPortProblems(objects: readonly KnownObject[]): ObjectProblem[] {
  const known = knownApplicationProtocols(objects);
  const problems: ObjectProblem[] = [];
  objects.forEach((o, at) => {
    for (const { path, name } of namedPorts(o)) {
      if (!applicationProtocolFromPortName(name).ok) continue;
      const message = metaProtocolPortProblem(name, known);
      if (message !== undefined) problems.push({ at, path, message });
    }
  });
  return problems;
}
