/**
 * One construct per Aeraki kind — ApplicationProtocol, MetaRouter, RedisService,
 * RedisDestination, DubboAuthorizationPolicy — each wrapping one `ApiObject` (id
 * `"Resource"`) and validated at synth time by the same `api/` schemas the operator and
 * `aeraki validate` use, so a bad prop fails `deno task synth` with the field path.
 *
 * @module
 */
import { ApiObject, type ApiObjectMetadata } from "cdk8s";
import { Construct } from "constructs";
import {
  type ApplicationProtocolSpec,
  decodeObject,
  type DubboAuthorizationPolicySpec,
  formatProblem,
  type MetaRouterSpec,
  type Problem,
  type RedisDestinationSpec,
  type RedisServiceSpec,
} from "../api/mod.ts";

/** Props of an Aeraki object construct. */
export interface AerakiObjectProps<Spec> {
  /** Object metadata. @default a name generated from the construct path */
  readonly metadata?: ApiObjectMetadata;
  /** The spec, as written in YAML (camelCase, durations as strings like `"60s"`). */
  readonly spec: Spec;
  /**
   * Whether the construct reports its own problems at synth. A construct that wraps it and
   * reports them itself, in its own terms (`MetaRouterBuilder`), turns this off so no
   * mistake is reported twice. @default true
   */
  readonly selfValidate?: boolean;
}

/** Base of the Aeraki kind constructs: one `ApiObject` checked by the `api/` schemas. */
export abstract class AerakiObject<Spec> extends Construct {
  /** The underlying object, id `"Resource"`. */
  readonly apiObject: ApiObject;
  /** The spec as given. */
  readonly spec: Spec;

  protected constructor(
    scope: Construct,
    id: string,
    type: { readonly apiVersion: string; readonly kind: string },
    props: AerakiObjectProps<Spec>,
  ) {
    super(scope, id);
    this.spec = props.spec;
    this.apiObject = new ApiObject(this, "Resource", {
      ...type,
      metadata: props.metadata,
      spec: props.spec,
    });
    if (props.selfValidate !== false) {
      this.node.addValidation({ validate: () => this.problems() });
    }
  }

  /** The problems the `api/` schemas find in the synthesized object (empty when valid). */
  problems(): string[] {
    return this.schemaProblems().map((p) => `Invalid ${this.apiObject.kind}: ${formatProblem(p)}`);
  }

  /** The problems of {@link problems}, each with its field path. */
  schemaProblems(): readonly Problem[] {
    const result = decodeObject(this.apiObject.toJson());
    return result.ok ? [] : result.problems;
  }

  /** The object's name. */
  get name(): string {
    return this.apiObject.name;
  }

  /** The object's namespace, if the chart or metadata sets one. */
  get namespace(): string | undefined {
    return this.apiObject.metadata.namespace;
  }
}

/** An ApplicationProtocol (`metaprotocol.aeraki.io/v1alpha1`, cluster-scoped): protocol → codec. */
export class ApplicationProtocol extends AerakiObject<ApplicationProtocolSpec> {
  /** Creates the ApplicationProtocol. */
  constructor(scope: Construct, id: string, props: AerakiObjectProps<ApplicationProtocolSpec>) {
    super(scope, id, {
      apiVersion: "metaprotocol.aeraki.io/v1alpha1",
      kind: "ApplicationProtocol",
    }, props);
  }
}

/** A MetaRouter (`metaprotocol.aeraki.io/v1alpha1`): routes, rate limits and export of one host. */
export class MetaRouter extends AerakiObject<MetaRouterSpec> {
  /** Creates the MetaRouter. */
  constructor(scope: Construct, id: string, props: AerakiObjectProps<MetaRouterSpec>) {
    super(scope, id, { apiVersion: "metaprotocol.aeraki.io/v1alpha1", kind: "MetaRouter" }, props);
  }
}

/** A RedisService (`redis.aeraki.io/v1alpha1`): key-prefix routes, mirrors, faults and settings. */
export class RedisService extends AerakiObject<RedisServiceSpec> {
  /** Creates the RedisService. */
  constructor(scope: Construct, id: string, props: AerakiObjectProps<RedisServiceSpec>) {
    super(scope, id, { apiVersion: "redis.aeraki.io/v1alpha1", kind: "RedisService" }, props);
  }
}

/** A RedisDestination (`redis.aeraki.io/v1alpha1`): connection pool, auth and cluster mode. */
export class RedisDestination extends AerakiObject<RedisDestinationSpec> {
  /** Creates the RedisDestination. */
  constructor(scope: Construct, id: string, props: AerakiObjectProps<RedisDestinationSpec>) {
    super(scope, id, { apiVersion: "redis.aeraki.io/v1alpha1", kind: "RedisDestination" }, props);
  }
}

/** A DubboAuthorizationPolicy (`dubbo.aeraki.io/v1alpha1`): ALLOW/DENY rules on Dubbo calls. */
export class DubboAuthorizationPolicy extends AerakiObject<DubboAuthorizationPolicySpec> {
  /** Creates the DubboAuthorizationPolicy. */
  constructor(
    scope: Construct,
    id: string,
    props: AerakiObjectProps<DubboAuthorizationPolicySpec>,
  ) {
    super(scope, id, {
      apiVersion: "dubbo.aeraki.io/v1alpha1",
      kind: "DubboAuthorizationPolicy",
    }, props);
  }
}
