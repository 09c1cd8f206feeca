import { ApiObject, JsonPatch } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { GPU_REQUEST_NAME, NIC_REQUEST_NAME, PoolDeviceClasses, alignedClaimSpecOf, claimSpecOf, deviceClassOf, nicClaimSpecOf, vendorOf } from './claim-spec';
import { ComputeDomain } from './compute-domain';
import type { GpuNodePool } from './gpu-node-pool';
import { GpuRequest, GpuRequestShape } from './gpu-request';
import { NicRequest } from './nic-request';
import { MAX_DEVICES_PER_CLAIM, poolGpusHeld, validateGpuCount, validateGpuRequest, validateNicRequest, validatePoolFit } from './request-validation';
import { recordGpuDemand } from '../cluster/app-registry';
import { ClusterAddon } from '../cluster/cluster-addon';
import { ClusterProfile } from '../cluster/cluster-profile';
import { warn } from '../cluster/platform-warnings';
import * as k8s from '../imports/k8s';
import { ValidationError, requireInteger, show } from '../internal/errors';
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
 * NCCL's bootstrap interface when RDMA NICs join the pod: the pod network. The driver moves the NICs' netdevs (e.g.
 * `ib0`) into the pod, NCCL's own choice favours `ib*` interfaces (NVIDIA/nccl v2.30.7-1
 * docs/userguide/source/env.rst, NCCL_SOCKET_IFNAME), and their addresses need not reach the other workers; the pod
 * network always does. DRANET's examples set the same (kubernetes-sigs/dranet v1.4.0, e.g.
 * examples/aws_eks_examples/gpu-efa/mpi-job.yaml).
 */
const NCCL_BOOTSTRAP_ENV = { NCCL_SOCKET_IFNAME: '=eth0' };
/**
 * GPUDirect RDMA up to the PCIe host bridge for NICs aligned on the GPUs' PCIe root: that is the farthest an aligned
 * pair can be, and NCCL's default cutoff is the nearer PXB (src/graph/paths.cc l.511 at v2.30.7-1), which would leave
 * such pairs without GPUDirect. DRANET's aligned example sets the same (examples/distributed_training/launcher-4gpu.sh).
 */
const NCCL_ALIGNED_ENV = { NCCL_NET_GDR_LEVEL: 'PHB' };

/** What attachGpus emitted per workload and pod claim, for attachNics to put aligned NICs into the same claim. */
interface GpuClaim {
  readonly request: GpuRequest;
  readonly template?: ApiObject;
  readonly poolClass?: PoolDeviceClasses;
  readonly pool?: GpuNodePool;
}
const GPU_CLAIMS = new WeakMap<IConstruct, Map<string, GpuClaim>>();

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
    const poolClass = pool && poolDeviceClasses(scope, prop, request, pool);
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
      const claims = GPU_CLAIMS.get(scope) ?? new Map<string, GpuClaim>();
      GPU_CLAIMS.set(scope, claims.set(podClaim, { request, template: claimTemplate, poolClass, pool }));
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

/**
 * Options for attachNics.
 */
export interface AttachNicsOptions {
  /**
   * The containers that get the NICs.
   * @default - every regular container
   */
  readonly containers?: string[];
  /**
   * The prop name for error messages.
   * @default 'nics'
   */
  readonly prop?: string;
  /**
   * The workload's GPU request, whose claim aligned NICs join.
   * @default - no GPUs: the NICs cannot be aligned
   */
  readonly gpus?: GpuRequest;
  /**
   * Whether Kueue admits the pods.
   * @default false
   */
  readonly queuedByKueue?: boolean;
}

/**
 * What attachNics emitted and the environment that goes with it.
 */
export interface NicAttachment {
  /**
   * The NICs' own ResourceClaimTemplate.
   * @default - none: the NICs joined the GPU claim (aligned)
   */
  readonly claimTemplate?: ApiObject;
  /** NCCL variables for the containers (defaults the workload's own env may override). */
  readonly env: Record<string, string>;
}

/**
 * Gives the pods built by `builder` the NICs of `nics` from a DRA network driver: aligned with the GPUs, they join
 * the GPU ResourceClaimTemplate attachGpus emitted for `scope` (rewritten as GPU/NIC groups on one PCIe root each);
 * otherwise they get a ResourceClaimTemplate of their own. Checks the driver against the profile.
 */
export function attachNics(scope: Construct, builder: PodSpecBuilder, nics: NicRequest, options: AttachNicsOptions = {}): NicAttachment {
  const prop = options.prop ?? 'nics';
  const profile = ClusterProfile.of(scope);
  const gpuClaim = options.gpus ? GPU_CLAIMS.get(scope)?.get(GPU_REQUEST_NAME) : undefined;
  validateNicRequest(scope, prop, nics, profile, options.gpus, gpuClaim?.template !== undefined && gpuClaim.request === options.gpus);
  if (options.queuedByKueue) {
    warn(scope, 'Kueue (v0.19, DRA integration on) counts every device of a ResourceClaimTemplate and leaves the workload ' +
      `inadmissible while DeviceClass ${show(nics.deviceClassName)} has no resources.deviceClassMappings entry in its ` +
      'Configuration (pkg/dra/claims.go); map it to a resource the ClusterQueue covers');
  }
  const env = nics.rdma ? { ...NCCL_BOOTSTRAP_ENV, ...(nics.alignWithGpus ? NCCL_ALIGNED_ENV : {}) } : {};
  if (nics.alignWithGpus) {
    const { request, template, poolClass, pool } = gpuClaim!;
    const spec = alignedClaimSpecOf(request, nics, poolClass, pool?.gpu);
    template!.addJsonPatch(JsonPatch.replace('/spec/spec', k8s.toJson_ResourceClaimSpec(spec)));
    return { env };
  }
  const namespace = namespaceOf(scope);
  const name = resourceName(scope, [NIC_REQUEST_NAME]);
  const labels = standardLabels({ name: 'nic-claim', instance: resourceName(scope), component: NIC_REQUEST_NAME });
  claimName(scope, 'ResourceClaimTemplate', namespace, name);
  const claimTemplate = new k8s.KubeResourceClaimTemplate(scope, `${NIC_REQUEST_NAME}-claim-template`, {
    metadata: { name, namespace, labels },
    spec: { metadata: { labels }, spec: nicClaimSpecOf(nics) },
  });
  builder.addResourceClaim({ name: NIC_REQUEST_NAME, resourceClaimTemplateName: name }, options.containers);
  return { claimTemplate, env };
}

/**
 * The pool's own DeviceClasses for a request. A pool partitioned into MIG profiles publishes only those: a MIG request
 * for another profile would never be allocated there.
 */
function poolDeviceClasses(scope: IConstruct, prop: string, request: GpuRequest, pool: GpuNodePool): PoolDeviceClasses {
  const mig: { [profile: string]: string } = {};
  for (const c of pool.migDeviceClasses) mig[c.migProfile!] = c.name;
  if (pool.migDeviceClasses.length) {
    const asked = request.shape === GpuRequestShape.FIRST_AVAILABLE ? request.alternatives : [request];
    for (const r of asked.filter((a) => a.migProfile !== undefined && !a.deviceClass && mig[a.migProfile] === undefined)) {
      throw new ValidationError(scope, `${prop}.migProfile`, `got ${show(r.migProfile)}, but the pool ${pool.name} is partitioned ` +
        `into ${Object.keys(mig).join(', ')} (its migProfiles); request one of those or place the workload on another pool`);
    }
  }
  return { whole: pool.deviceClass?.name, mig };
}
