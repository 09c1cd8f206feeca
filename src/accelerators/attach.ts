import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { GPU_REQUEST_NAME, claimSpecOf, deviceClassOf, vendorOf } from './claim-spec';
import { ComputeDomain } from './compute-domain';
import type { GpuNodePool } from './gpu-node-pool';
import { GpuRequest, GpuRequestShape } from './gpu-request';
import { MAX_DEVICES_PER_CLAIM, poolGpusHeld, validateGpuCount, validateGpuRequest, validatePoolFit } from './request-validation';
import { recordGpuDemand } from '../cluster/app-registry';
import { ClusterAddon } from '../cluster/cluster-addon';
import { ClusterProfile } from '../cluster/cluster-profile';
import * as k8s from '../imports/k8s';
import { requireInteger } from '../internal/errors';
import { standardLabels } from '../internal/labels';
import { claimName, requireDnsLabel, resourceName } from '../internal/names';
import { namespaceOf } from '../internal/namespace';
import { PodSpecBuilder } from '../security/pod-spec';

/** How ResourceQuota counts an `All` request whose node is unknown (KEP 4381): the per-claim maximum. */
const ALL_DEVICES_WORST_CASE = MAX_DEVICES_PER_CLAIM;
/** The label the NVIDIA GPU Operator puts on every GPU node (gpu-operator controllers/state_manager.go). */
export const GPU_PRESENT_LABEL = 'nvidia.com/gpu.present';
/** The pod claim name of a ComputeDomain channel (NVIDIA demo specs/imex). */
export const COMPUTE_DOMAIN_CLAIM = 'compute-domain-channel';

/**
 * Options for attachGpus.
 */
export interface AttachGpusOptions {
  /** How many pods hold devices at once at most (replicas, workers, maxReplicas). */
  readonly pods: number;
  /**
   * The containers that get the devices.
   * @default - every regular container
   */
  readonly containers?: string[];
  /**
   * The pool the pods are placed on.
   * @default - no pool: the pods may land on any node with matching devices
   */
  readonly pool?: GpuNodePool;
  /**
   * The prop name for error messages.
   * @default 'gpus'
   */
  readonly prop?: string;
  /**
   * Whether Kueue admits the pods (and so charges their devices to a ClusterQueue before they run).
   * @default false
   */
  readonly queuedByKueue?: boolean;
  /**
   * The pod-level claim name; distinct per call when a pod gets two requests.
   * @default 'gpus'
   */
  readonly claimName?: string;
}

/**
 * What attachGpus emitted and wired.
 */
export interface GpuAttachment {
  /** Devices per pod (for `allOnNode`: the pool's GPUs per node, else the quota worst case 32). */
  readonly devicesPerPod: number;
  /**
   * The ResourceClaimTemplate (DRA path, per-pod devices).
   * @default - none: shared claim or extended resource
   */
  readonly claimTemplate?: ApiObject;
  /**
   * The ResourceClaim all pods share (`GpuRequest.shared`).
   * @default - none: per-pod devices
   */
  readonly claim?: ApiObject;
  /**
   * The DeviceClass the devices come from (DRA path; for a prioritized list the first alternative's).
   * @default - none: allocated through an extended resource
   */
  readonly deviceClassName?: string;
  /**
   * The extended resource requested (device-plugin fallback or `asExtendedResource`).
   * @default - none: allocated through DRA claims
   */
  readonly extendedResource?: string;
  /**
   * The ComputeDomain (multi-node NVLink).
   * @default - none: the request has no `multiNodeNvlink`
   */
  readonly computeDomain?: ComputeDomain;
  /**
   * The pod-level claim name (DRA path).
   * @default - none: allocated through an extended resource
   */
  readonly podClaimName?: string;
}

/**
 * Gives the pods built by `builder` the accelerators of `request`: emits the ResourceClaimTemplate (or the shared
 * ResourceClaim, or the extended-resource fallback), wires pod and container claims, adds the GPU toleration and the
 * pool's placement, checks the request against the profile and the pool, and records the demand for tenant quotas.
 */
export function attachGpus(scope: Construct, builder: PodSpecBuilder, request: GpuRequest, options: AttachGpusOptions): GpuAttachment {
  const prop = options.prop ?? 'gpus';
  const profile = ClusterProfile.of(scope);
  validateGpuCount(scope, prop, request);
  const pods = requireInteger(scope, 'replicas', options.pods, 1);
  const pool = options.pool;
  const podClaim = requireDnsLabel(scope, `${prop}.claimName`, options.claimName ?? GPU_REQUEST_NAME);
  const viaExtendedResource = !profile.usesDra || request.asExtendedResource;
  validateGpuRequest(scope, prop, request, profile, viaExtendedResource, pods);
  const devicesPerPod = request.shape === GpuRequestShape.ALL_ON_NODE ? (pool?.gpusPerNode ?? ALL_DEVICES_WORST_CASE) : request.count;
  if (pool) validatePoolFit(scope, prop, request, pool, pods, devicesPerPod);
  const vendor = vendorOf(request, pool?.gpu);
  const namespace = namespaceOf(scope);

  // DRA pods get no toleration from the ExtendedResourceToleration admission plugin (it only serves extended-resource
  // pods), so every GPU pod carries its own; placement comes from the pool, else from the GPU Operator's node label.
  builder.addToleration({ key: vendor.taintKey, operator: 'Exists', effect: 'NoSchedule' });
  if (pool) {
    pool._place(builder);
  } else if (!viaExtendedResource && vendor.name === 'nvidia' && profile.hasAddon(ClusterAddon.NVIDIA_GPU_OPERATOR)) {
    builder.requireNode({ key: GPU_PRESENT_LABEL, operator: 'In', values: ['true'] });
  }

  let attachment: GpuAttachment;
  if (viaExtendedResource) {
    const resource = request.deviceClass?.extendedResourceName ?? vendor.extendedResourceName!;
    builder.addExtendedResource(resource, request.count, options.containers);
    const model = request.model;
    if (model && !pool && !request.deviceClass && vendor.productLabel) {
      builder.requireNode({ key: vendor.productLabel, operator: 'In', values: [...model.nodeLabelValues] });
    }
    attachment = { devicesPerPod, extendedResource: resource };
  } else {
    const poolClass = pool?.deviceClass?.name;
    const spec = claimSpecOf(request, poolClass, pool?.gpu);
    const name = resourceName(scope, [podClaim]);
    const labels = standardLabels({ name: 'gpu-claim', instance: resourceName(scope), component: podClaim });
    const deviceClassName = request.shape === GpuRequestShape.FIRST_AVAILABLE
      ? deviceClassOf(request.alternatives[0], poolClass, pool?.gpu)
      : deviceClassOf(request, poolClass, pool?.gpu);
    if (request.shape === GpuRequestShape.SHARED) {
      claimName(scope, 'ResourceClaim', namespace, name);
      const claim = new k8s.KubeResourceClaim(scope, `${podClaim}-claim`, { metadata: { name, namespace, labels }, spec });
      builder.addResourceClaim({ name: podClaim, resourceClaimName: name }, options.containers);
      attachment = { devicesPerPod, claim, deviceClassName, podClaimName: podClaim };
    } else {
      claimName(scope, 'ResourceClaimTemplate', namespace, name);
      const claimTemplate = new k8s.KubeResourceClaimTemplate(scope, `${podClaim}-claim-template`, {
        metadata: { name, namespace, labels },
        spec: { metadata: { labels }, spec },
      });
      builder.addResourceClaim({ name: podClaim, resourceClaimTemplateName: name }, options.containers);
      attachment = { devicesPerPod, claimTemplate, deviceClassName, podClaimName: podClaim };
    }
    if (request.multiNodeNvlink) {
      const computeDomain = new ComputeDomain(scope, `${podClaim}-compute-domain`, { name: resourceName(scope, [podClaim, 'cd'], 55) });
      builder.addResourceClaim({ name: COMPUTE_DOMAIN_CLAIM, resourceClaimTemplateName: computeDomain.channelClaimTemplateName }, options.containers);
      attachment = { ...attachment, computeDomain };
    }
  }

  const sharedPods = request.shape === GpuRequestShape.SHARED ? 1 : pods;
  const wholeGpus = request.migProfile === undefined && request.shape !== GpuRequestShape.SHARED
    && request.shape !== GpuRequestShape.MEMORY_SHARE;
  pool?._recordDemand(scope, poolGpusHeld(request, pool, pods, devicesPerPod),
    wholeGpus && pool ? Math.min(devicesPerPod, pool.gpusPerNode) : undefined, wholeGpus ? pods : undefined);
  recordGpuDemand({
    scope: scope as IConstruct,
    namespace,
    devicesPerPod,
    pods: sharedPods,
    deviceClassName: attachment.deviceClassName,
    extendedResource: attachment.extendedResource,
    model: request.model?.id ?? pool?.gpu.id,
    pool: pool?.name,
    queuedByKueue: options.queuedByKueue ?? false,
  });
  return attachment;
}
