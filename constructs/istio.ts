/**
 * The Istio objects an Aeraki mesh needs beside Aeraki's own kinds: ServiceEntry,
 * DestinationRule, VirtualService, Gateway and EnvoyFilter. Each wraps one `ApiObject`
 * with id `"Resource"` and is validated at synth time by the Istio schemas shipped in
 * `@kubernetes-models/istio`.
 *
 * @module
 */
import { ApiObject, type ApiObjectMetadata } from "cdk8s";
import { Construct } from "constructs";
import {
  DestinationRule as DestinationRuleModel,
  EnvoyFilter as EnvoyFilterModel,
  Gateway as GatewayModel,
  type IDestinationRule,
  type IEnvoyFilter,
  type IGateway,
  type IServiceEntry,
  type IVirtualService,
  ServiceEntry as ServiceEntryModel,
  VirtualService as VirtualServiceModel,
} from "./_istio_models.ts";

/** The spec of an Istio DestinationRule. */
export type DestinationRuleSpec = NonNullable<IDestinationRule["spec"]>;
/** The spec of an Istio ServiceEntry. */
export type ServiceEntrySpec = NonNullable<IServiceEntry["spec"]>;
/** The spec of an Istio VirtualService. */
export type VirtualServiceSpec = NonNullable<IVirtualService["spec"]>;
/** The spec of an Istio Gateway. */
export type GatewaySpec = NonNullable<IGateway["spec"]>;
/** The spec of an Istio EnvoyFilter. */
export type EnvoyFilterSpec = NonNullable<IEnvoyFilter["spec"]>;

/** Props shared by the Istio object constructs. */
export interface IstioObjectProps<Spec> {
  /** Object metadata. @default a name generated from the construct path */
  readonly metadata?: ApiObjectMetadata;
  /** The object's spec, exactly as Istio defines it. */
  readonly spec: Spec;
}

interface IstioModel {
  validate(): void;
}

type ModelClass = {
  readonly apiVersion: string;
  readonly kind: string;
  new (data: never): IstioModel;
};

/** Base of the Istio constructs: one validated `ApiObject`. */
export abstract class IstioObject<Spec> extends Construct {
  /** The underlying object, id `"Resource"`. */
  readonly apiObject: ApiObject;
  /** The spec as given. */
  readonly spec: Spec;

  protected constructor(
    scope: Construct,
    id: string,
    model: ModelClass,
    props: IstioObjectProps<Spec>,
  ) {
    super(scope, id);
    this.spec = props.spec;
    this.apiObject = new ApiObject(this, "Resource", {
      apiVersion: model.apiVersion,
      kind: model.kind,
      metadata: props.metadata,
      spec: props.spec,
    });
    this.node.addValidation({
      validate: () => validateWithModel(model, this.apiObject.toJson()),
    });
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

/** Validates `json` with an `@kubernetes-models/istio` model; returns its messages. */
export function validateWithModel(model: ModelClass, json: unknown): string[] {
  try {
    new model(json as never).validate();
    return [];
  } catch (e) {
    const text = e instanceof Error ? e.message : String(e);
    return text.split(/,\s*(?=data\/)/).map((m) =>
      `Invalid ${model.kind}: ${m.replace(/^data\//, "").replaceAll("/", ".")}`
    );
  }
}

/** An Istio ServiceEntry (`networking.istio.io/v1beta1`). */
export class ServiceEntry extends IstioObject<ServiceEntrySpec> {
  /** Creates the ServiceEntry. */
  constructor(scope: Construct, id: string, props: IstioObjectProps<ServiceEntrySpec>) {
    super(scope, id, ServiceEntryModel, props);
  }
}

/** An Istio DestinationRule (`networking.istio.io/v1beta1`). */
export class DestinationRule extends IstioObject<DestinationRuleSpec> {
  /** Creates the DestinationRule. */
  constructor(scope: Construct, id: string, props: IstioObjectProps<DestinationRuleSpec>) {
    super(scope, id, DestinationRuleModel, props);
  }

  /** The host the rule applies to. */
  get host(): string {
    return this.spec.host;
  }

  /** The names of the rule's subsets, in order. */
  get subsetNames(): string[] {
    return (this.spec.subsets ?? []).map((s) => s.name);
  }
}

/** An Istio VirtualService (`networking.istio.io/v1beta1`). */
export class VirtualService extends IstioObject<VirtualServiceSpec> {
  /** Creates the VirtualService. */
  constructor(scope: Construct, id: string, props: IstioObjectProps<VirtualServiceSpec>) {
    super(scope, id, VirtualServiceModel, props);
  }
}

/** An Istio Gateway (`networking.istio.io/v1beta1`). */
export class Gateway extends IstioObject<GatewaySpec> {
  /** Creates the Gateway. */
  constructor(scope: Construct, id: string, props: IstioObjectProps<GatewaySpec>) {
    super(scope, id, GatewayModel, props);
  }
}

/** An Istio EnvoyFilter (`networking.istio.io/v1alpha3`). */
export class EnvoyFilter extends IstioObject<EnvoyFilterSpec> {
  /** Creates the EnvoyFilter. */
  constructor(scope: Construct, id: string, props: IstioObjectProps<EnvoyFilterSpec>) {
    super(scope, id, EnvoyFilterModel, props);
  }
}
