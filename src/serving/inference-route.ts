import { ApiObject, Duration, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { GatewayProvider } from './gateway-provider';
import { InferenceRouteOptions } from './route-options';
import { ClusterAddon } from '../cluster/cluster-addon';
import { ClusterProfile } from '../cluster/cluster-profile';
import { FastApiObject } from '../imports/fast-api-object';
import * as gateway from '../imports/gateway';
import { invalidProp, requireInteger, show, validationMessage, ValidationError } from '../internal/errors';
import { standardLabels } from '../internal/labels';
import { claimName, dnsLabel, isDnsLabel, resourceName } from '../internal/names';
import { namespaceOf } from '../internal/namespace';
import { isDnsSubdomain } from '../internal/qualified-name';
import { checkProps, opt, req } from '../internal/runtime-checks';
import { removedFromTree, requireSameApp } from '../internal/same-app';

/** Gateway API limits (gateway-api v1.6.1 apis/v1). */
const MAX_RULES = 16;
const MAX_BACKENDS_PER_RULE = 16;
const MAX_HOSTNAMES = 16;
const MAX_WEIGHT_TOTAL = 100;
/** llm-d-router v0.10.0 config/charts/llm-d-router-gateway/values.yaml `httpRoute.requestTimeout: "300s"`. */
const DEFAULT_REQUEST_TIMEOUT_SECONDS = 300;

/**
 * A service a route sends traffic to, through its InferencePool. InferenceService is its one implementation: pass
 * InferenceServices as route backends (the route calls internals of the service that other implementations lack).
 */
export interface IInferenceService extends IConstruct {
  /** The namespace of the service's objects (undefined: the chart sets none). */
  readonly namespace?: string;
  /** The InferencePool's name. */
  readonly poolName: string;
  /** Every model name the service answers: the served model, its LoRA adapters and its model rewrites. */
  readonly modelNames: string[];

  /**
   * Whether requests for `model` can be sent to this service.
   * @internal
   */
  _answersTo(model: string): boolean;

  /**
   * Attaches a route: creates the pool and its endpoint picker on the first call, checks the provider on later ones.
   * @internal
   */
  _attachRoute(route: InferenceRoute, provider: GatewayProvider, requestTimeout?: Duration, gatewayNamespace?: string): void;
}

/**
 * A service behind a route, with its share of the traffic.
 */
export interface InferenceRouteBackend {
  /**
   * The service (its InferencePool).
   */
  readonly service: IInferenceService;

  /**
   * The percentage of the rule's traffic, from 0 to 100.
   *
   * The weights of a rule with several backends add up to 100.
   *
   * @default 100 when the backend is alone in its rule; required otherwise
   */
  readonly weight?: number;
}

/**
 * Requests for one model name, and the services that answer them.
 */
export interface RoutedModel {
  /**
   * The model name (matched on the model-name header). Every backend must serve it: as its served model name, a
   * LoRA adapter or a model rewrite.
   */
  readonly modelName: string;

  /**
   * The services, with weights when several.
   */
  readonly backends: InferenceRouteBackend[];
}

/**
 * Props of an InferenceRoute.
 */
export interface InferenceRouteProps extends InferenceRouteOptions {
  /**
   * The services that answer requests no model rule matches, with weights when several (a canary).
   *
   * @default - only model rules
   */
  readonly backends?: InferenceRouteBackend[];

  /**
   * Rules by model name: requests whose model-name header matches go to these services.
   *
   * @default - none
   */
  readonly models?: RoutedModel[];
}

/**
 * A backend as the route currently emits it (for canary controllers such as an eval gate).
 */
export interface RouteBackendState {
  /** The service. */
  readonly service: IInferenceService;
  /**
   * The model rule it belongs to.
   *
   * @default - undefined: the route's default rule (backends without a model match)
   */
  readonly modelName?: string;
  /** The declared percentage. */
  readonly weight: number;
  /** The weight written to the HTTPRoute: 0 while held, else the declared weight. */
  readonly effectiveWeight: number;
  /**
   * Why it is held at weight 0.
   *
   * @default - undefined: not held (the effective weight is the declared weight)
   */
  readonly heldReason?: string;
}

interface BackendEntry {
  readonly service: IInferenceService;
  weight: number;
  heldReason?: string;
}

interface RuleEntry {
  readonly modelName?: string;
  readonly prop: string;
  readonly backends: BackendEntry[];
}

/**
 * An HTTPRoute (gateway.networking.k8s.io/v1) from the user's Gateway to the InferencePools of one or more
 * InferenceServices: weighted splits (canary, A/B) and routing by model name, checked at synth (weights add up to
 * 100, every backend serves the model, Gateway API limits, what the gateway provider supports).
 *
 * ```ts
 * new InferenceRoute(chart, 'chat', {
 *   gateway: 'gateways/inference-gateway',
 *   backends: [{ service: stable, weight: 90 }, { service: canary, weight: 10 }],
 * });
 * ```
 *
 * Canary controllers adjust it with `setBackendWeight` and `holdBackend` (weight 0 until a gate passes).
 */
export class InferenceRoute extends Construct {
  /**
   * The header that model rules match by default.
   *
   * A body-based router (or the client) sets it to the request's model.
   */
  public static readonly DEFAULT_MODEL_NAME_HEADER = 'X-Gateway-Model-Name';
  /** Annotation on the HTTPRoute listing the backends held at weight 0, and why. */
  public static readonly HELD_ANNOTATION = 'serving.cdk8s-ai.dev/held-backends';

  /** The HTTPRoute. */
  public readonly httpRoute: ApiObject;
  /** ReferenceGrants letting the route reach pools in other namespaces. */
  public readonly referenceGrants: ApiObject[] = [];
  /** The gateway provider. */
  public readonly provider: GatewayProvider;
  /** The route's name. */
  public readonly name: string;
  /** The namespace the route is in. */
  public readonly namespace?: string;
  private readonly rules: RuleEntry[] = [];

  constructor(scope: Construct, id: string, props: InferenceRouteProps) {
    super(scope, id);
    checkProps(this, 'InferenceRouteProps', props, {
      gateway: req('string', 'the name of a Gateway, e.g. "inference-gateway"'),
      provider: opt(GatewayProvider),
      backends: opt('array'),
      models: opt('array'),
      hostnames: opt('string[]'),
      requestTimeout: opt('duration'),
    });
    this.provider = props.provider ?? GatewayProvider.generic();
    this.name = resourceName(this);
    this.namespace = namespaceOf(this);
    ClusterProfile.of(this)._requireAddon(this, 'gateway', ClusterAddon.GATEWAY_API, 'An HTTPRoute');
    const parentRef = this.parentRef(props);
    const hostnames = this.hostnames(props.hostnames);
    const pathPrefix = this.pathPrefix(props.pathPrefix);
    const header = props.modelNameHeader ?? InferenceRoute.DEFAULT_MODEL_NAME_HEADER;
    if (!/^[A-Za-z0-9!#$%&'*+\-.^_`|~]{1,256}$/.test(header)) throw invalidProp(this, 'modelNameHeader', header, 'an HTTP header name');
    const timeout = this.timeout(props.requestTimeout);

    if (props.backends?.length) this.rules.push(this.rule(undefined, 'backends', props.backends));
    const seenModels = new Set<string>();
    (props.models ?? []).forEach((m, i) => {
      const prop = `models[${i}]`;
      if (!m.modelName || m.modelName.length > 4096) throw invalidProp(this, `${prop}.modelName`, m.modelName, 'a model name of 1 to 4096 characters');
      if (seenModels.has(m.modelName)) throw invalidProp(this, `${prop}.modelName`, m.modelName, 'a model name no other rule of the route matches');
      seenModels.add(m.modelName);
      this.rules.push(this.rule(m.modelName, `${prop}.backends`, m.backends));
    });
    if (this.rules.length === 0) throw new ValidationError(this, 'backends', 'the route has no backends; give backends or models');
    if (this.rules.length > MAX_RULES) throw invalidProp(this, 'models', this.rules.length, `at most ${MAX_RULES} rules (Gateway API)`);
    this.rules.forEach((r) => this.checkRule(r));

    const refs = new Map<IInferenceService, { namespace?: string }>();
    for (const r of this.rules) {
      for (const b of r.backends) {
        requireSameApp(this, 'backends', b.service, 'the InferenceService');
        if (!refs.has(b.service)) refs.set(b.service, this.attach(b.service, timeout, parentRef.namespace ?? this.namespace));
      }
    }

    claimName(this, 'HTTPRoute', this.namespace, this.name);
    const rules = Lazy.any({ produce: () => this.renderRules(pathPrefix, header, refs, this.provider._traits.routeTimeouts ? timeout : undefined) });
    this.httpRoute = new gateway.HttpRoute(this, 'HTTPRoute', {
      metadata: {
        name: this.name,
        namespace: this.namespace,
        labels: standardLabels({ name: 'inference-route', instance: this.name, component: 'route' }),
      },
      spec: { parentRefs: [parentRef], hostnames, rules },
    });
    // Resolved at synth; dropped while no backend is held.
    this.httpRoute.metadata.addAnnotation(InferenceRoute.HELD_ANNOTATION, Lazy.any({ produce: () => this.heldText() }));
    this.node.addValidation({ validate: () => [...this.removedBackends(), ...this.validateWeights()] });
  }

  /** Backends removed from the construct tree after the route referenced them (their objects are not synthesized). */
  private removedBackends(): string[] {
    const removed = [...new Set(this.rules.flatMap((r) => r.backends.map((b) => b.service)))].filter((s) => removedFromTree(s));
    return removed.map((s) => validationMessage('backends', `got the InferenceService ${s.node.path}, which was removed from the ` +
      'construct tree after the route referenced it, so the route would point at an InferencePool that is not synthesized; ' +
      'expected services still in the App (remove it from the route too)'));
  }

  /** The backends as the route emits them now. */
  public get backends(): RouteBackendState[] {
    return this.rules.flatMap((r) => r.backends.map((b) => ({
      service: b.service,
      modelName: r.modelName,
      weight: b.weight,
      effectiveWeight: b.heldReason !== undefined ? 0 : b.weight,
      heldReason: b.heldReason,
    })));
  }

  /**
   * Sets a backend's declared percentage. The weights of each rule must still add up to 100 at synth.
   *
   * @param service The backend.
   * @param weight The percentage, from 0 to 100.
   * @param modelName The model rule, needed when the service is in several rules.
   */
  public setBackendWeight(service: IInferenceService, weight: number, modelName?: string): void {
    requireInteger(this, 'weight', weight, 0, MAX_WEIGHT_TOTAL);
    const entries = this.entries(service, modelName, 'setBackendWeight');
    if (entries.length > 1) {
      throw new ValidationError(this, 'setBackendWeight', `${service.node.path} is in ${entries.length} rules; name the model rule`);
    }
    entries[0].weight = weight;
  }

  /**
   * Holds a backend at weight 0 (its traffic goes to the rule's other backends) until released, e.g. until an eval
   * gate passes. Refused when it would leave a rule with no traffic at all.
   *
   * @param service The backend.
   * @param reason Why it is held, recorded in the HTTPRoute's annotations.
   * @param modelName The model rule (by default every rule the service is in).
   */
  public holdBackend(service: IInferenceService, reason: string, modelName?: string): void {
    if (!reason) throw invalidProp(this, 'holdBackend.reason', reason, 'a non-empty reason');
    for (const entry of this.entries(service, modelName, 'holdBackend')) entry.heldReason = reason;
    for (const r of this.rules) {
      if (r.backends.every((b) => b.heldReason !== undefined || b.weight === 0)) {
        for (const entry of this.entries(service, modelName, 'holdBackend')) entry.heldReason = undefined;
        throw new ValidationError(this, 'holdBackend', `holding ${service.node.path} would leave the ${r.modelName ? `rule for ${show(r.modelName)}` : 'default rule'} ` +
          'with no backend taking traffic');
      }
    }
  }

  /**
   * Releases a held backend, which gets its declared weight again.
   *
   * @param service The backend.
   * @param modelName The model rule (by default every rule the service is in).
   */
  public releaseBackend(service: IInferenceService, modelName?: string): void {
    for (const entry of this.entries(service, modelName, 'releaseBackend')) entry.heldReason = undefined;
  }

  private entries(service: IInferenceService, modelName: string | undefined, prop: string): BackendEntry[] {
    const rules = this.rules.filter((r) => modelName === undefined || r.modelName === modelName);
    const found = rules.flatMap((r) => r.backends.filter((b) => b.service === service));
    if (found.length === 0) {
      throw new ValidationError(this, prop, `${service.node.path} is not a backend of this route${modelName ? ` for ${show(modelName)}` : ''}`);
    }
    return found;
  }

  private rule(modelName: string | undefined, prop: string, backends: InferenceRouteBackend[]): RuleEntry {
    if (backends.length === 0) throw new ValidationError(this, prop, 'is empty; a rule needs at least one backend');
    if (backends.length > MAX_BACKENDS_PER_RULE) throw invalidProp(this, prop, backends.length, `at most ${MAX_BACKENDS_PER_RULE} backends (Gateway API)`);
    const entries: BackendEntry[] = [];
    backends.forEach((b, i) => {
      if (entries.some((e) => e.service === b.service)) {
        throw new ValidationError(this, `${prop}[${i}].service`, `${b.service.node.path} is already a backend of this rule`);
      }
      if (b.weight === undefined && backends.length > 1) {
        throw new ValidationError(this, `${prop}[${i}].weight`, `is missing; a rule with ${backends.length} backends needs a weight on each (percentages adding up to 100)`);
      }
      const weight = b.weight ?? MAX_WEIGHT_TOTAL;
      requireInteger(this, `${prop}[${i}].weight`, weight, 0, MAX_WEIGHT_TOTAL);
      if (modelName !== undefined && !b.service._answersTo(modelName)) {
        throw invalidProp(this, `${prop}[${i}].service`, b.service.node.path, `a service that serves ${show(modelName)} ` +
          `(${b.service.node.path} serves ${b.service.modelNames.map((n) => show(n)).join(', ')})`);
      }
      entries.push({ service: b.service, weight });
    });
    return { modelName, prop, backends: entries };
  }

  private checkRule(r: RuleEntry): void {
    const pools = r.backends.length;
    if (pools > this.provider._traits.poolsPerRule) {
      throw new ValidationError(this, r.prop, `has ${pools} InferencePool backends; ${this.provider._traits.poolsPerRuleReason ?? `at most ${this.provider._traits.poolsPerRule}`}`);
    }
    const problem = this.weightProblem(r);
    if (problem) throw new ValidationError(this, r.prop, problem);
  }

  private weightProblem(r: RuleEntry): string | undefined {
    const sum = r.backends.reduce((s, b) => s + b.weight, 0);
    if (r.backends.length > 1 && sum !== MAX_WEIGHT_TOTAL) {
      return `weights ${r.backends.map((b) => b.weight).join(' + ')} = ${sum}; the weights of a rule are percentages and must add up to 100`;
    }
    if (r.backends.length === 1 && r.backends[0].weight === 0) return 'the only backend has weight 0, so the rule would take no traffic';
    return undefined;
  }

  private validateWeights(): string[] {
    return this.rules.map((r) => this.weightProblem(r)).filter((p): p is string => p !== undefined).map((p) => validationMessage('weights', p));
  }

  private attach(service: IInferenceService, timeout: Duration | undefined, gatewayNamespace: string | undefined): { namespace?: string } {
    service._attachRoute(this, this.provider, timeout, gatewayNamespace);
    const poolNs = service.namespace;
    if (poolNs === this.namespace) return {};
    if (poolNs === undefined || this.namespace === undefined) {
      throw new ValidationError(this, 'backends', `the route's namespace (${show(this.namespace)}) and ${service.node.path}'s ` +
        `(${show(poolNs)}) differ and one is unset; give both charts a namespace so the reference can be granted`);
    }
    const name = dnsLabel([this.name, 'to', service.poolName]);
    claimName(this, 'ReferenceGrant', poolNs, name);
    this.referenceGrants.push(new FastApiObject(this, `ReferenceGrant-${service.node.addr}`, {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'ReferenceGrant',
      metadata: { name, namespace: poolNs, labels: standardLabels({ name: 'inference-route', instance: this.name, component: 'reference-grant' }) },
      spec: {
        from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: this.namespace }],
        to: [{ group: 'inference.networking.k8s.io', kind: 'InferencePool', name: service.poolName }],
      },
    }));
    return { namespace: poolNs };
  }

  private renderRules(pathPrefix: string, header: string, refs: Map<IInferenceService, { namespace?: string }>,
    timeout: Duration | undefined): any[] {
    const ordered = [...this.rules.filter((r) => r.modelName !== undefined), ...this.rules.filter((r) => r.modelName === undefined)];
    return ordered.map((r) => ({
      matches: [{
        path: { type: gateway.HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value: pathPrefix },
        headers: r.modelName !== undefined
          ? [{ type: gateway.HttpRouteSpecRulesMatchesHeadersType.EXACT, name: header, value: r.modelName }]
          : undefined,
      }],
      backendRefs: r.backends.map((b) => ({
        group: 'inference.networking.k8s.io',
        kind: 'InferencePool',
        name: b.service.poolName,
        namespace: refs.get(b.service)?.namespace,
        weight: r.backends.length > 1 ? (b.heldReason !== undefined ? 0 : b.weight) : undefined,
      })),
      timeouts: timeout ? { request: `${timeout.toSeconds()}s` } : undefined,
    }));
  }

  private heldText(): string | undefined {
    const held = this.backends.filter((b) => b.heldReason !== undefined);
    if (held.length === 0) return undefined;
    return held.map((b) => `${b.service.poolName}${b.modelName ? ` (${b.modelName})` : ''}: ${b.heldReason}`).join('; ');
  }

  private parentRef(props: InferenceRouteProps): gateway.HttpRouteSpecParentRefs {
    const parts = props.gateway.split('/');
    const valid = (parts.length === 1 || parts.length === 2) && parts.every((p) => isDnsLabel(p));
    if (!valid) {
      throw invalidProp(this, 'gateway', props.gateway, '"name" or "namespace/name" of a Gateway, each a DNS-1123 label');
    }
    const [namespace, name] = parts.length === 2 ? parts : [undefined, parts[0]];
    if (props.gatewaySection !== undefined && !isDnsLabel(props.gatewaySection)) {
      throw invalidProp(this, 'gatewaySection', props.gatewaySection, 'a listener name (DNS-1123 label)');
    }
    return { group: 'gateway.networking.k8s.io', kind: 'Gateway', name, namespace, sectionName: props.gatewaySection };
  }

  private hostnames(hostnames: string[] | undefined): string[] | undefined {
    if (!hostnames?.length) return undefined;
    if (hostnames.length > MAX_HOSTNAMES) throw invalidProp(this, 'hostnames', hostnames.length, `at most ${MAX_HOSTNAMES} hostnames (Gateway API)`);
    for (const h of hostnames) {
      if (h.length > 253 || !isDnsSubdomain(h.startsWith('*.') ? h.slice(2) : h)) {
        throw invalidProp(this, 'hostnames', h, 'a lowercase DNS name, optionally starting with "*."');
      }
    }
    if (new Set(hostnames).size !== hostnames.length) throw invalidProp(this, 'hostnames', hostnames, 'unique hostnames');
    return [...hostnames];
  }

  private pathPrefix(prefix: string | undefined): string {
    const p = prefix ?? '/';
    const bad = !p.startsWith('/') || p.length > 1024 || /\/\/|\/\.{1,2}(\/|$)|#|%2f|%2F|%5c|%5C|\s/.test(p);
    if (bad) throw invalidProp(this, 'pathPrefix', p, 'an absolute path without "//", "/./", "/../", "#", encoded slashes or spaces');
    return p;
  }

  private timeout(requested: Duration | undefined): Duration {
    const timeout = requested ?? Duration.seconds(DEFAULT_REQUEST_TIMEOUT_SECONDS);
    const ms = timeout.toMilliseconds();
    if (!Number.isInteger(ms / 1000) || ms < 0 || ms / 1000 > 99999) {
      throw invalidProp(this, 'requestTimeout', timeout.toHumanString(), 'a whole number of seconds from 0 to 99999');
    }
    return timeout;
  }
}
