import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { DisaggregationProps } from './disaggregation-props';
import { InferenceServiceProps } from './inference-service-props';
import { placeReplicas } from './replica-placement';
import { DisaggregationRole, flagNames, KvTransfer, ReplicaParallelism, ServerEngine } from './server-engine';
import { buildServerPod } from './server-pod';
import { addDisruptionBudget } from './server-scaling';
import { declareServerTraffic } from './server-traffic';
import { recordPodLabels } from './serving-checks';
import { GpuNodePool } from '../accelerators/gpu-node-pool';
import { GpuRequest } from '../accelerators/gpu-request';
import { ClusterProfile } from '../cluster/cluster-profile';
import * as k8s from '../imports/k8s';
import { invalidProp, requireInteger, ValidationError } from '../internal/errors';
import { claimName, resourceName } from '../internal/names';
import { namespaceOf } from '../internal/namespace';
import { checkProps, opt, req } from '../internal/runtime-checks';
import { PodSpecBuilder, resolveSecurity } from '../security/pod-spec';
import { allowTraffic, IngressIsolationHandle } from '../security/tenant-network';

/**
 * Prefill/decode disaggregation of an InferenceService, as llm-d-router v0.10.0 runs it (docs/disaggregation.md):
 * prefill and decode pods labelled `llm-d.ai/role`, one InferencePool over both, the picker's
 * `disagg-profile-handler` choosing a decode pod and (by its decider) a prefill pod, whose address it sends in the
 * `x-prefiller-host-port` header (the handler is the PreRequest plugin itself since v0.9.0; the
 * `disagg-headers-handler` is deprecated, pkg/epp/framework/plugins/scheduling/profilehandler/disagg/README.md), and
 * the routing sidecar of each decode pod sending the prompt to that prefill pod before decoding locally.
 */

/** The role label the picker's `prefill-filter` / `decode-filter` read (v0.10.0 docs/disaggregation.md, "Labeling Convention"). */
export const ROLE_LABEL = 'llm-d.ai/role';
/**
 * On every API-serving pod of a disaggregated service (both roles; not LeaderWorkerSet workers): the pool selects
 * it. llm-d's own label for serving pods (llm-d-router v0.10.0 pkg/kvevents/pool.go `defaultPodSelector`
 * "llm-d.ai/inference-serving=true"; test/sidecar/config/nixl/inferencepool.yaml selects the same).
 */
export const INFERENCE_SERVING_LABEL = 'llm-d.ai/inference-serving';
/** The routing sidecar image of the pinned release (llm-d-router v0.10.0 .github/ISSUE_TEMPLATE/new-release.md). */
export const ROUTING_SIDECAR_IMAGE = 'ghcr.io/llm-d/llm-d-router-disagg-sidecar:v0.10.0';
const SIDECAR_CONTAINER = 'routing-sidecar';

/** A disaggregated service's settings, checked. */
export interface ResolvedDisaggregation {
  readonly kvTransfer: KvTransfer;
  readonly sidecarImage: string;
  readonly prefillReplicas: number;
}

/** Checks the `disaggregation` prop against the server and the rest of the props. */
export function resolveDisaggregation(service: Construct, props: InferenceServiceProps, engine: ServerEngine): ResolvedDisaggregation | undefined {
  if (props.disaggregation === undefined) return undefined;
  const pd: DisaggregationProps = checkProps(service, 'DisaggregationProps', props.disaggregation, {
    prefill: req('object', 'the prefill workload, e.g. { replicas: 2 }'),
    routingSidecarImage: opt('string'),
  }, 'disaggregation.');
  const p = checkProps(service, 'PrefillProps', pd.prefill, {
    replicas: opt('number'),
    gpus: opt(GpuRequest, 'a GpuRequest such as GpuRequest.of(1)'),
    parallelism: opt('object'),
    multiNode: opt('object'),
    nodePool: opt(GpuNodePool),
    resources: opt('object'),
  }, 'disaggregation.prefill.');
  const kvTransfer = engine.kvTransfer;
  if (!kvTransfer) {
    throw new ValidationError(service, 'disaggregation', `is set but the server is ${engine.displayName}, whose KV-cache transfer between ` +
      'prefill and decode pods is not wired here; use ModelServer.vllm() (NIXL connector) or remove disaggregation');
  }
  if (props.gpus === undefined && p.gpus === undefined) {
    throw new ValidationError(service, 'disaggregation', 'is set but the service requests no GPUs; the NIXL KV-cache transfer moves ' +
      'the cache between GPUs: set gpus');
  }
  if ((props.loraAdapters ?? []).length) {
    throw new ValidationError(service, 'loraAdapters', 'are set together with disaggregation; LoRA requests over the NIXL KV-cache ' +
      'transfer are not verified with vLLM 0.25.1 and the llm-d-router v0.10.0 sidecar here: serve adapters from a service without disaggregation');
  }
  const extra = flagNames(engine.extraArgs).map((f) => f.replace(/_/g, '-'));
  if (extra.includes('--kv-transfer-config')) {
    throw new ValidationError(service, 'server.extraArgs', 'sets --kv-transfer-config, which disaggregation sets (the NIXL connector on ' +
      'prefill and decode pods); remove it');
  }
  if (engine.port === kvTransfer.decodeServerPort) {
    throw invalidProp(service, 'server.port', engine.port, `a port other than ${kvTransfer.decodeServerPort}, where the server of a ` +
      'decode pod listens behind the routing sidecar (which takes the serving port)');
  }
  const image = pd.routingSidecarImage ?? ROUTING_SIDECAR_IMAGE;
  if (image.length === 0 || /\s/.test(image)) {
    throw invalidProp(service, 'disaggregation.routingSidecarImage', image, 'a container image reference without spaces');
  }
  const prefillReplicas = requireInteger(service, 'disaggregation.prefill.replicas', p.replicas ?? 1, 1, 1000);
  return { kvTransfer, sidecarImage: image, prefillReplicas };
}

/** Refuses a role's parallelism the engine's KV transfer cannot disaggregate. */
export function checkRoleParallelism(service: Construct, prop: string, pd: ResolvedDisaggregation, p: ReplicaParallelism): void {
  const problem = pd.kvTransfer.problem(p);
  if (problem) throw invalidProp(service, prop, { tensor: p.tensor, pipeline: p.pipeline, data: p.data }, `data 1: ${problem}`);
}

/**
 * The routing sidecar of a decode pod (a native sidecar: an init container that keeps running). It takes the serving
 * port and proxies to the server on `kvTransfer.decodeServerPort`, first sending the prompt to the prefill pod the
 * picker named. Flags from llm-d-router v0.10.0 pkg/sidecar/proxy/options.go: `--model-server-port` (new in v0.10.0;
 * `--vllm-port` deprecated), `--kv-connector` for the engine's connector, `--secure-proxy=false` (its default true
 * serves a self-signed certificate; the gateway and picker speak plain HTTP to the pool, as
 * deploy/environments/dev/p-d/patch-decode.yaml runs it). Probes as KServe v0.20.0
 * config/llmisvcconfig/config-llm-decode-template.yaml probes its `/health` (the sidecar answers it itself).
 */
export function routingSidecar(pd: ResolvedDisaggregation, servingPort: number): k8s.Container {
  const health = (s: Partial<k8s.Probe>): k8s.Probe => ({ httpGet: { path: '/health', port: k8s.IntOrString.fromString('http') }, ...s });
  return {
    name: SIDECAR_CONTAINER,
    image: pd.sidecarImage,
    restartPolicy: 'Always',
    args: [
      `--port=${servingPort}`,
      `--model-server-port=${pd.kvTransfer.decodeServerPort}`,
      `--kv-connector=${pd.kvTransfer.sidecarConnector}`,
      '--secure-proxy=false',
    ],
    ports: [{ name: 'http', containerPort: servingPort, protocol: 'TCP' }],
    livenessProbe: health({ initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 10, failureThreshold: 3 }),
    readinessProbe: health({ initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 10 }),
    // Upstream sets none (KServe's template `resources: {}`): requests so a tenant's quota counts the sidecar, and a
    // memory limit so a proxy leak cannot take the GPU node's memory.
    resources: {
      requests: { cpu: k8s.Quantity.fromString('250m'), memory: k8s.Quantity.fromString('256Mi') },
      limits: { memory: k8s.Quantity.fromString('1Gi') },
    },
  };
}

/** What the prefill workload is built from. */
export interface PrefillInput {
  readonly service: Construct;
  readonly props: InferenceServiceProps;
  readonly pd: ResolvedDisaggregation;
  readonly engine: ServerEngine;
  readonly servedModelName: string;
  readonly profile: ClusterProfile;
  /** The service's name, and the identity labels its pods share. */
  readonly name: string;
  readonly serverName: string;
  readonly labels: { [key: string]: string };
  readonly podLabels: { [key: string]: string };
  readonly selector: { [key: string]: string };
  /** The labels selecting every decode pod. */
  readonly decodeSelector: { [key: string]: string };
  readonly monitored: boolean;
}

/** The prefill workload's objects. */
export interface PrefillRole {
  readonly workload: ApiObject;
  readonly gpuClaimTemplate?: ApiObject;
  readonly podDisruptionBudget?: ApiObject;
  readonly isolation: IngressIsolationHandle;
}

/**
 * The prefill workload: its own GPUs, parallelism, shape (Deployment or LeaderWorkerSet), replicas, disruption
 * budget and network edges, built like the service's own workload under the `Prefill` child. Errors name the
 * service and the `disaggregation.prefill.` props.
 */
export function addPrefillRole(input: PrefillInput): PrefillRole {
  const { service, pd, engine } = input;
  const p = input.props.disaggregation!.prefill;
  const scope = new Construct(service, 'Prefill');
  try {
    return buildPrefill(scope, input, p);
  } catch (e) {
    if (ValidationError.isValidationError(e) && e.path === scope.node.path) {
      throw new ValidationError(service, `disaggregation.prefill.${e.prop}`, e.problem);
    }
    throw e;
  }

  function buildPrefill(child: Construct, i: PrefillInput, prefill: NonNullable<InferenceServiceProps['disaggregation']>['prefill']): PrefillRole {
    const props: InferenceServiceProps = {
      ...i.props,
      gpus: prefill.gpus ?? i.props.gpus,
      nodePool: prefill.nodePool ?? i.props.nodePool,
      parallelism: prefill.parallelism,
      multiNode: prefill.multiNode,
      resources: prefill.resources ?? i.props.resources,
      replicas: pd.prefillReplicas,
      autoscaling: undefined,
    };
    const builder = new PodSpecBuilder(child, resolveSecurity(child, {
      ...props.security,
      readOnlyRootFilesystem: props.security?.readOnlyRootFilesystem ?? props.gpus === undefined,
    }));
    const replicas = pd.prefillReplicas;
    const { attachment, parallelism, shape } = placeReplicas({ scope: child, builder, engine, props, maxReplicas: replicas });
    checkRoleParallelism(child, 'parallelism', pd, parallelism);
    shape.requireAddons(child, i.profile);
    const namespace = namespaceOf(service);
    const name = resourceName(service, ['prefill']);
    const workloadName = resourceName(service, ['prefill', ...shape.workloadNameSuffix], shape.maxNameLength);
    const role = { [ROLE_LABEL]: DisaggregationRole.PREFILL };
    const podLabels = { ...i.podLabels, ...role };
    const workloadSelector = { ...i.selector, ...role };
    const servingLabels = { [INFERENCE_SERVING_LABEL]: 'true' };
    for (const set of shape.podLabelSets(service.node.path, namespace, podLabels, servingLabels)) recordPodLabels(service, set);
    const pod = buildServerPod({
      scope: child,
      builder,
      props,
      engine,
      servedModelName: i.servedModelName,
      parallelism,
      shape,
      maxReplicas: replicas,
      workloadSelector,
      disaggregation: { role: DisaggregationRole.PREFILL },
    });
    const labels = { ...i.labels, ...role };
    const meta = (kind: string, objectName = name) => {
      claimName(service, kind, namespace, objectName);
      return { name: objectName, namespace, labels: { ...labels } };
    };
    shape.check(child, workloadName);
    for (const s of shape.controllerServices(workloadName)) claimName(service, 'Service', namespace, s);
    const rendered = shape.render({
      scope: child,
      meta,
      workloadName,
      replicas,
      podLabels,
      servingLabels,
      workloadSelector,
      servingPod: pod.spec,
      launch: pod.launch,
    });
    const podDisruptionBudget = addDisruptionBudget({
      scope: child,
      wanted: props.podDisruptionBudget,
      maxUnavailable: props.maxUnavailable,
      maxReplicas: replicas,
      podsPerReplica: shape.podsPerReplica,
      selector: workloadSelector,
      meta,
    });
    const isolation = declareServerTraffic({
      scope: child,
      name,
      namespace,
      serverName: i.serverName,
      groupTraffic: shape.groupTraffic,
      monitored: i.monitored,
      workloadSelector,
      selector: shape.servingSelector(workloadSelector),
      podLabels,
      labels,
      model: props.model,
      loraAdapters: [],
    });
    // The KV-cache transfer: the decode pods' sidecars send prompts to the prefill pods' serving port, and vLLM's NIXL
    // handshake (side channel, 5600 + data-parallel index) and UCX data plane, whose TCP ports UCX picks at run time,
    // run between the two roles' pods in both directions (docs/disaggregation.md "P/D Sequence": the decode worker
    // reads the KV cache from the prefill worker).
    const prefillPods = { namespace, podLabels: workloadSelector };
    const decodePods = { namespace, podLabels: i.decodeSelector };
    allowTraffic({
      scope: child,
      name: 'kv-from-decode',
      description: `the decode pods of ${i.name} send prompts to and read the KV cache from its prefill pods (routing sidecar, NIXL)`,
      from: decodePods,
      to: prefillPods,
      ports: [],
      allPorts: true,
    });
    allowTraffic({
      scope: child,
      name: 'kv-to-decode',
      description: `the prefill pods of ${i.name} answer the NIXL KV-cache transfer of its decode pods`,
      from: prefillPods,
      to: decodePods,
      ports: [],
      allPorts: true,
    });
    return { workload: rendered.workload, gpuClaimTemplate: attachment?.claimTemplate, podDisruptionBudget, isolation };
  }
}
