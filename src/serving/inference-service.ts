import { ApiObject, Duration, SizeRoundingBehavior } from 'cdk8s';
import type * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { declareServices } from './declare-services';
import { addPrefillRole, checkRoleParallelism, INFERENCE_SERVING_LABEL, resolveDisaggregation, ResolvedDisaggregation, ROLE_LABEL, routingSidecar } from './disaggregation';
import { EndpointPickerObjects } from './endpoint-picker';
import { ScorerInput } from './endpoint-picker-config';
import { checkKvEvents } from './epp-kv-events';
import { GatewayProvider } from './gateway-provider';
import { IInferenceService, InferenceRoute } from './inference-route';
import { InferenceServiceDeclaration, InferenceServiceProps } from './inference-service-props';
import { networkPolicyPeerConfig, podSelectorConfig } from './kplus-selector';
import { ModelCache } from './model-cache';
import { ModelServer } from './model-server';
import { ModelSource } from './model-source';
import { placeReplicas } from './replica-placement';
import { DisaggregationRole, ServerEngine } from './server-engine';
import { addServerObjects, ResolvedMonitoring } from './server-objects';
import { buildServerPod } from './server-pod';
import { scalingProblems } from './server-scaling';
import { ServingAutoscaling } from './serving-autoscaling';
import { recordPodLabels } from './serving-checks';
import { ServingPool } from './serving-pool';
import { validateResources } from './serving-validation';
import { WorkloadShape } from './workload-shape';
import { GpuNodePool } from '../accelerators/gpu-node-pool';
import { GpuRequest } from '../accelerators/gpu-request';
import { ClusterProfile } from '../cluster/cluster-profile';
import { warn } from '../cluster/platform-warnings';
import { invalidProp, requireInteger, show, validationMessage, ValidationError } from '../internal/errors';
import { selectorLabels, standardLabels } from '../internal/labels';
import { claimName, resourceName } from '../internal/names';
import { namespaceOf } from '../internal/namespace';
import { checkProps, opt, req } from '../internal/runtime-checks';
import { requireEnvName } from '../security/env-name';
import { PodSpecBuilder, resolveSecurity } from '../security/pod-spec';
import { requireSecretEnv } from '../security/secret-reference';
import { IngressIsolationHandle } from '../security/tenant-network';

/** Label the llm-d endpoint picker reads to pick the metric names of a pod's engine. */
const ENGINE_TYPE_LABEL = 'llm-d.ai/engine-type';

/**
 * A model served on GPUs: the model-server workload (Deployment, or LeaderWorkerSet when a replica spans nodes),
 * its Service, GPU claims, PodDisruptionBudget, autoscaler and monitors, and when routed an InferencePool with its
 * endpoint picker and an HTTPRoute from your Gateway. Every pod passes Pod Security `restricted`; secrets are
 * referenced, never inlined; rules that upstream webhooks and controllers enforce are checked at synth.
 *
 * ```ts
 * const llm = new InferenceService(chart, 'llama', {
 *   model: ModelSource.huggingFace('meta-llama/Llama-3.1-8B-Instruct', { tokenSecret: 'hf-token' }),
 *   server: ModelServer.vllm(),
 *   gpus: GpuRequest.of(1, { model: GpuModel.NVIDIA_H100_80_GB }),
 *   route: { gateway: 'inference-gateway' },
 * });
 * ```
 */
export class InferenceService extends Construct implements kplus.IPodSelector, kplus.INetworkPolicyPeer, IInferenceService {
  /** True when `x` is an InferenceService. */
  public static isInferenceService(x: any): x is InferenceService {
    return x !== null && typeof x === 'object' && INFERENCE_SERVICE in x;
  }

  /**
   * Declares many InferenceServices in `scope` in one call, each exactly as `new InferenceService(scope, id, props)`.
   *
   * The services are created in the order given, with the same validation and errors (naming each service's path).
   * The batch itself is checked first (ids non-empty, unique in the batch and free in the scope), so a mistake there
   * creates nothing. From Python or Go each call crosses to the library's runtime once, where a constructor per
   * service crosses once per service: a fleet of thousands of services builds faster.
   *
   * @param scope The scope of every service (a Chart, an AiTenant).
   * @param declarations The id and props of each service, in order.
   * @returns The services, in the order of `declarations`.
   */
  public static declareMany(scope: Construct, declarations: InferenceServiceDeclaration[]): InferenceService[] {
    return declareServices('InferenceService.declareMany', scope, declarations, (s, id, props) => new InferenceService(s, id, props));
  }

  /** The resource name of the workload, Service and InferencePool. */
  public readonly name: string;
  /** The namespace of the service's objects (undefined: the chart sets none). */
  public readonly namespace?: string;
  /** The model server. */
  public readonly server: ModelServer;
  /** The model name clients send. */
  public readonly servedModelName: string;
  /** The serving port. */
  public readonly port: number;
  /** Pods per replica (more than 1 for a multi-node LeaderWorkerSet group). */
  public readonly podsPerReplica: number;
  /** GPUs each pod gets. */
  public readonly gpusPerPod: number;
  /** The labels selecting the pods that serve the API (the InferencePool and Service selector). */
  public readonly selector: { [key: string]: string };
  /** The workload: a Deployment, or a LeaderWorkerSet for multi-node replicas. */
  public readonly workload: ApiObject;
  /** The Deployment, for single-node replicas. */
  public readonly deployment?: ApiObject;
  /** The LeaderWorkerSet, for multi-node replicas. */
  public readonly leaderWorkerSet?: ApiObject;
  /** The ClusterIP Service of the serving pods. */
  public readonly service: ApiObject;
  /** The GPU ResourceClaimTemplate (DRA). */
  public readonly gpuClaimTemplate?: ApiObject;
  /** The PodDisruptionBudget. */
  public readonly podDisruptionBudget?: ApiObject;
  /** The HorizontalPodAutoscaler or KEDA ScaledObject. */
  public readonly autoscaler?: ApiObject;
  /** The PodMonitor of the server pods. */
  public readonly podMonitor?: ApiObject;
  /** The route created from the `route` prop. */
  public readonly route?: InferenceRoute;
  /** The prefill workload of a disaggregated service, a Deployment or LeaderWorkerSet (the decode workload is `workload`). */
  public readonly prefillWorkload?: ApiObject;
  /** The prefill pods' GPU ResourceClaimTemplate (DRA), for a disaggregated service. */
  public readonly prefillGpuClaimTemplate?: ApiObject;

  private readonly engine: ServerEngine;
  private readonly props: InferenceServiceProps;
  private readonly shape: WorkloadShape;
  private readonly adapterNames: string[];
  private readonly podLabels: { [key: string]: string };
  private readonly monitoring?: ResolvedMonitoring;
  private readonly isolation: IngressIsolationHandle;
  private readonly routeList: InferenceRoute[] = [];
  private readonly disaggregation?: ResolvedDisaggregation;
  /** The labels the InferencePool selects (both roles' serving pods of a disaggregated service). */
  private readonly poolSelector: { [key: string]: string };
  private pool?: ServingPool;

  constructor(scope: Construct, id: string, props: InferenceServiceProps) {
    super(scope, id);
    checkProps(this, 'InferenceServiceProps', props, {
      model: req(ModelSource, 'a ModelSource such as ModelSource.huggingFace(\'meta-llama/Llama-3.1-8B-Instruct\')'),
      server: opt(ModelServer, 'a ModelServer such as ModelServer.vllm()'),
      gpus: opt(GpuRequest, 'a GpuRequest such as GpuRequest.of(1)'),
      nodePool: opt(GpuNodePool),
      autoscaling: opt(ServingAutoscaling),
      modelCache: opt(ModelCache),
      replicas: opt('number'),
      env: opt('string-map'),
      secretEnv: opt('object'),
      servedModelName: opt('string'),
      drainTimeout: opt('duration'),
      disaggregation: opt('object'),
    });
    Object.defineProperty(this, INFERENCE_SERVICE, { value: true });
    this.props = props;
    this.server = props.server ?? ModelServer.vllm();
    this.engine = this.server._engine;
    this.namespace = namespaceOf(this);
    this.port = this.engine.port;
    const profile = ClusterProfile.of(this);
    this.validateProps(props);
    this.servedModelName = props.servedModelName ?? props.model._defaultServedName();
    this.adapterNames = (props.loraAdapters ?? []).map((a) => a.name);
    this.checkModelNames();
    const pd = resolveDisaggregation(this, props, this.engine);
    this.disaggregation = pd;

    const replicas = props.replicas ?? 1;
    const maxReplicas = props.autoscaling?.maxReplicas ?? replicas;
    const builder = new PodSpecBuilder(this, resolveSecurity(this, {
      ...props.security,
      readOnlyRootFilesystem: props.security?.readOnlyRootFilesystem ?? props.gpus === undefined,
    }));

    // GPUs, the parallelism they allow, and the workload shape that parallelism needs.
    const { attachment, parallelism, shape } = placeReplicas({ scope: this, builder, engine: this.engine, props, maxReplicas });
    this.shape = shape;
    if (pd) checkRoleParallelism(this, 'parallelism', pd, parallelism);
    if (props.endpointPicker?.config?._inputs().includes(ScorerInput.KV_EVENTS)) {
      checkKvEvents(this, {
        publishes: this.engine.publishesKvEvents === true,
        serverName: this.engine.displayName,
        servedModelName: this.servedModelName,
        disaggregated: pd !== undefined,
        data: parallelism.data,
        nodes: parallelism.nodes,
      });
    }
    this.gpuClaimTemplate = attachment?.claimTemplate;
    this.gpusPerPod = parallelism.devicesPerPod;
    this.podsPerReplica = shape.podsPerReplica;
    shape.requireAddons(this, profile);
    this.name = resourceName(this);
    const workloadName = resourceName(this, shape.workloadNameSuffix, shape.maxNameLength);

    // Labels: the pool and Service select the API-serving pods (LeaderWorkerSet leaders only).
    const identity = { name: this.engine.kind, instance: this.name, component: 'model-server' };
    const engineLabels = { ...standardLabels(identity), ...(this.engine.eppEngineType ? { [ENGINE_TYPE_LABEL]: this.engine.eppEngineType } : {}) };
    // Disaggregated: the service's own pods decode; every API-serving pod of either role carries the label the pool selects.
    const decodeRole: { [key: string]: string } = pd ? { [ROLE_LABEL]: DisaggregationRole.DECODE } : {};
    const servingLabels: { [key: string]: string } = pd ? { [INFERENCE_SERVING_LABEL]: 'true' } : {};
    this.podLabels = { ...engineLabels, ...decodeRole };
    const workloadSelector = { ...selectorLabels(identity), ...decodeRole };
    this.selector = shape.servingSelector(workloadSelector);
    this.poolSelector = pd ? { ...selectorLabels(identity), ...servingLabels } : this.selector;
    for (const set of shape.podLabelSets(this.node.path, this.namespace, this.podLabels, servingLabels)) recordPodLabels(this, set);

    const pod = buildServerPod({
      scope: this,
      builder,
      props,
      engine: this.engine,
      servedModelName: this.servedModelName,
      parallelism,
      shape,
      maxReplicas,
      workloadSelector,
      disaggregation: pd && {
        role: DisaggregationRole.DECODE,
        sidecar: routingSidecar(pd, this.port),
        serverPort: pd.kvTransfer.decodeServerPort,
      },
    });

    // The workload.
    const labels = { ...standardLabels(identity), ...decodeRole };
    const meta = (kind: string, name = this.name) => {
      claimName(this, kind, this.namespace, name);
      return { name, namespace: this.namespace, labels: { ...labels } };
    };
    shape.check(this, workloadName);
    for (const service of shape.controllerServices(workloadName)) claimName(this, 'Service', this.namespace, service);
    const rendered = shape.render({
      scope: this,
      meta,
      workloadName,
      replicas: props.autoscaling ? undefined : replicas,
      podLabels: this.podLabels,
      servingLabels,
      workloadSelector,
      servingPod: pod.spec,
      launch: pod.launch,
    });
    this.workload = rendered.workload;
    this.deployment = rendered.deployment;
    this.leaderWorkerSet = rendered.leaderWorkerSet;

    const objects = addServerObjects({
      scope: this,
      props,
      profile,
      server: this.server,
      shape,
      name: this.name,
      namespace: this.namespace,
      maxReplicas,
      labels,
      podLabels: this.podLabels,
      workloadSelector,
      selector: this.selector,
      monitorSelector: this.poolSelector,
      meta,
      workloadName,
    });
    this.service = objects.service;
    this.podDisruptionBudget = objects.podDisruptionBudget;
    this.monitoring = objects.monitoring;
    this.podMonitor = objects.podMonitor;
    this.autoscaler = objects.autoscaler;
    this.isolation = objects.isolation;
    if (pd) {
      const prefill = addPrefillRole({
        service: this,
        props,
        pd,
        engine: this.engine,
        servedModelName: this.servedModelName,
        profile,
        name: this.name,
        serverName: this.engine.displayName,
        labels: standardLabels(identity),
        podLabels: engineLabels,
        selector: selectorLabels(identity),
        decodeSelector: workloadSelector,
        monitored: objects.podMonitor !== undefined,
      });
      this.prefillWorkload = prefill.workload;
      this.prefillGpuClaimTemplate = prefill.gpuClaimTemplate;
    }
    if (this.engine.warning) {
      this.node.addMetadata('cdk8s-ai:warning', this.engine.warning);
      warn(this, `server: ${this.engine.warning}`);
    }
    this.node.addValidation({
      validate: () => [...this.unroutedSettings(), ...scalingProblems(props.autoscaling, this.pool && {
        flowControl: this.pool.flowControl, version: this.pool.eppVersion,
      })],
    });
    if (props.route) this.route = new InferenceRoute(this, 'Route', { ...props.route, backends: [{ service: this }] });
  }

  /**
   * The NetworkPolicy isolating the server pods when the namespace has no default-deny of its own (no AiTenant):
   * it admits only the declared edges (gateway, endpoint picker, Prometheus, the other pods of a multi-node group).
   * Undefined in a tenant, whose default-deny and allows do that.
   */
  public get networkPolicy(): ApiObject | undefined {
    return this.isolation.policy;
  }

  /** The routes this service is a backend of. */
  public get routes(): InferenceRoute[] {
    return [...this.routeList];
  }

  /** The InferencePool, once the service is routed. */
  public get inferencePool(): ApiObject | undefined {
    return this.pool?.inferencePool;
  }

  /** The endpoint picker's objects, once the service is routed. */
  public get endpointPicker(): EndpointPickerObjects | undefined {
    return this.pool?.picker;
  }

  /** The InferenceObjectives of the pool. */
  public get objectives(): ApiObject[] {
    return [...(this.pool?.objectives ?? [])];
  }

  /** The InferenceModelRewrite of the pool, when there are rewrites. */
  public get modelRewrite(): ApiObject | undefined {
    return this.pool?.modelRewrite;
  }

  /** The HTTPRoute from the `route` prop. */
  public get httpRoute(): ApiObject | undefined {
    return this.route?.httpRoute;
  }

  /** The InferencePool's name. */
  public get poolName(): string {
    return this.name;
  }

  /** Every model name the service answers: the served model, its LoRA adapters and its model rewrites. */
  public get modelNames(): string[] {
    return [this.servedModelName, ...this.adapterNames, ...(this.props.modelRewrites ?? []).map((r) => r.model)];
  }

  /**
   * @see kplus.IPodSelector.toPodSelectorConfig()
   */
  public toPodSelectorConfig(): kplus.PodSelectorConfig {
    return podSelectorConfig(selectorLabels({ name: this.engine.kind, instance: this.name, component: 'model-server' }), this.namespace);
  }

  /**
   * @see kplus.INetworkPolicyPeer.toNetworkPolicyPeerConfig()
   */
  public toNetworkPolicyPeerConfig(): kplus.NetworkPolicyPeerConfig {
    return networkPolicyPeerConfig(selectorLabels({ name: this.engine.kind, instance: this.name, component: 'model-server' }), this.namespace);
  }

  /**
   * @see kplus.INetworkPolicyPeer.toPodSelector()
   */
  public toPodSelector(): kplus.IPodSelector | undefined {
    return this;
  }

  /**
   * Whether requests for `model` can be sent to this service.
   * @internal
   */
  public _answersTo(model: string): boolean {
    return this.modelNames.includes(model);
  }

  /**
   * Attaches a route: creates the pool and its endpoint picker on the first call, checks the provider on later ones.
   * @internal
   */
  public _attachRoute(route: InferenceRoute, provider: GatewayProvider, requestTimeout?: Duration, gatewayNamespace?: string): void {
    if (this.pool) {
      this.pool.attach(route, provider, requestTimeout, gatewayNamespace);
    } else {
      this.pool = new ServingPool(this, 'Pool', {
        target: {
          name: this.name,
          namespace: this.namespace,
          instance: this.name,
          selector: this.poolSelector,
          disaggregated: this.disaggregation !== undefined,
          pods: { owner: this.node.path, namespace: this.namespace, labels: this.podsOfPool() },
          port: this.port,
          containerPorts: [this.port],
          healthPath: this.engine.healthPath,
          metricsPath: this.engine.metricsPath,
          serverName: this.engine.displayName,
          serverKind: this.engine.kind,
          eppEngineType: this.engine.eppEngineType,
          eppEngineMetrics: this.engine.eppEngineMetrics,
          inputs: this.scorerInputs(),
          servedNames: [this.servedModelName, ...this.adapterNames],
        },
        provider,
        picker: this.props.endpointPicker ?? {},
        objectives: this.props.objectives ?? [],
        rewrites: this.props.modelRewrites ?? [],
        monitoring: this.monitoring,
      });
      this.pool.attach(route, provider, requestTimeout, gatewayNamespace);
    }
    this.routeList.push(route);
  }

  private podsOfPool(): { [key: string]: string } {
    return this.shape.servingPodLabels({ ...this.podLabels, ...(this.disaggregation ? { [INFERENCE_SERVING_LABEL]: 'true' } : {}) });
  }

  private scorerInputs(): ScorerInput[] {
    const e = this.engine.eppEngineMetrics;
    const m = e ? { requestsWaiting: e.queuedRequests, requestsRunning: e.runningRequests, kvCacheUsage: e.kvCacheUsage } : this.engine.metrics;
    if (!this.engine.eppEngineType) return [];
    return [
      ...(m.requestsWaiting ? [ScorerInput.QUEUE] : []),
      ...(m.kvCacheUsage ? [ScorerInput.KV_CACHE] : []),
      ...(m.requestsRunning ? [ScorerInput.RUNNING] : []),
      ...(this.engine.publishesKvEvents ? [ScorerInput.KV_EVENTS] : []),
      ...(this.engine.eppEngineType === 'vllm' && this.adapterNames.length ? [ScorerInput.LORA] : []),
    ];
  }

  private validateProps(props: InferenceServiceProps): void {
    this.server._validate(this);
    if (props.disaggregation !== undefined && this.engine.hostMemoryBytes) {
      // vLLM v0.25.1 vllm/config/vllm.py _post_init_kv_transfer_config sets the offloading connector as kv_connector.
      throw new ValidationError(this, 'server.kvOffloadingSize', 'is set on a disaggregated service; vLLM v0.25.1 would replace the NIXL ' +
        'connector that moves the KV cache from prefill to decode pods with its offloading connector (vllm/config/vllm.py)');
    }
    props.model._validate(this);
    props.modelCache?._validate(this);
    props.autoscaling?._validate(this);
    if (props.replicas !== undefined && props.autoscaling) {
      throw new ValidationError(this, 'replicas', 'is set together with autoscaling; give minReplicas/maxReplicas in autoscaling instead');
    }
    if (props.replicas !== undefined) requireInteger(this, 'replicas', props.replicas, 1, 1000);
    if (props.servedModelName !== undefined && (!props.servedModelName || props.servedModelName.length > 253 || /\s/.test(props.servedModelName))) {
      throw invalidProp(this, 'servedModelName', props.servedModelName, 'a model name of 1 to 253 characters without spaces');
    }
    validateResources(this, 'resources', props.resources);
    const adapters = props.loraAdapters ?? [];
    if (adapters.length && !this.engine.supportsLora) {
      throw invalidProp(this, 'loraAdapters', adapters.map((a) => a.name), `none: ${this.engine.displayName} does not serve LoRA adapters here (use vLLM or SGLang)`);
    }
    adapters.forEach((a, i) => a._validate(this, `loraAdapters[${i}]`));
    if (props.maxLoraRank !== undefined) {
      if (this.engine.kind !== 'vllm') throw invalidProp(this, 'maxLoraRank', props.maxLoraRank, 'unset: only vLLM takes a maximum LoRA rank here');
      requireInteger(this, 'maxLoraRank', props.maxLoraRank, 1, 1024);
    }
    if (props.maxLoras !== undefined) {
      if (!adapters.length) throw new ValidationError(this, 'maxLoras', 'is set but there are no loraAdapters');
      requireInteger(this, 'maxLoras', props.maxLoras, 1, 1024);
    }
    requireSecretEnv(this, 'secretEnv', props.secretEnv);
    for (const name of Object.keys(props.env ?? {}).sort()) requireEnvName(this, `env.${name}`, name);
    if (props.maxUnavailable !== undefined) requireInteger(this, 'maxUnavailable', props.maxUnavailable, 1, 1000);
    if (props.sharedMemory !== undefined && !(props.sharedMemory.toKibibytes({ rounding: SizeRoundingBehavior.NONE }) >= 64 * 1024)) {
      throw invalidProp(this, 'sharedMemory', props.sharedMemory.asString(), 'at least 64Mi');
    }
  }

  private checkModelNames(): void {
    const names = [this.servedModelName, ...this.adapterNames];
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup !== undefined) {
      throw invalidProp(this, 'loraAdapters', dup, `adapter names unique and different from the served model name ${show(this.servedModelName)}`);
    }
    const aliases = (this.props.modelRewrites ?? []).map((r) => r.model).filter((m) => names.includes(m));
    if (aliases.length) {
      throw invalidProp(this, 'modelRewrites', aliases[0], 'a client-visible name that is not already the served model or an adapter (it would shadow it)');
    }
  }

  private unroutedSettings(): string[] {
    if (this.pool) return [];
    const set = (['endpointPicker', 'objectives', 'modelRewrites', 'disaggregation'] as const).filter((p) => this.props[p] !== undefined);
    return set.length ? [validationMessage(set.join(', '), 'set, but the service is in no route, so there is no InferencePool for them; add route or an InferenceRoute')] : [];
  }
}

const INFERENCE_SERVICE = Symbol.for('cdk8s-ai.InferenceService');
