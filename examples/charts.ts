/**
 * Every example chart `deno task synth` renders, by output name.
 *
 * @module
 */
import type { Chart } from "cdk8s";
import type { Construct } from "constructs";
import { dubboRouting } from "./dubbo_routing.ts";
import { redisRouting } from "./redis_routing.ts";
import { thriftSplit } from "./thrift_split.ts";
import { thriftStatic } from "./thrift_static.ts";

/** One renderable chart. */
export interface ExampleChart {
  /** Output file stem: `dist/<name>.yaml`. */
  readonly name: string;
  /** Builds the chart in `scope` (a fresh App). */
  readonly build: (scope: Construct) => Chart;
}

/** The mesh-config examples. */
export const EXAMPLES: readonly ExampleChart[] = [
  { name: "thrift-split", build: thriftSplit },
  { name: "dubbo-routing", build: dubboRouting },
  { name: "redis-routing", build: redisRouting },
  { name: "thrift-static", build: thriftStatic },
];
