import { Size } from 'cdk8s';
import { DeviceAttribute } from './device-attribute';
import { GpuDeviceClass } from './gpu-device-class';
import { GpuModel } from './gpu-model';
import { GpuSharing } from './gpu-sharing';
import { checkProps, opt, req, requireKind } from '../internal/runtime-checks';

/** How a GpuModel is shown in a refusal. */
const MODEL = 'a GpuModel such as GpuModel.NVIDIA_H100_80_GB';

/**
 * Options common to requests for whole GPUs.
 */
export interface GpuRequestOptions {
  /**
   * The GPU model. Devices of other models are never chosen; on a cluster without DRA the pods are pinned to nodes
   * labelled with the model.
   *
   * @default - any GPU of the device class
   */
  readonly model?: GpuModel;

  /**
   * The minimum device memory, compared as a quantity against the driver's `memory` capacity (DRA only). Note that
   * drivers report usable memory, a little below the nominal figure (an "80GB" H100 reports about 79.6Gi).
   *
   * @default - no memory filter
   */
  readonly minMemory?: Size;

  /**
   * Attributes all devices of the claim must share (DRA `matchAttribute` constraints), e.g.
   * `[DeviceAttribute.PCIE_ROOT]`. Devices without the attribute are never chosen.
   *
   * @default - no constraint
   */
  readonly sameAttributes?: DeviceAttribute[];

  /**
   * Admin access: the devices are made available even when in use by others, for monitoring and maintenance tools
   * (`adminAccess`, needs the DRAAdminAccess gate and a namespace labelled
   * `resource.kubernetes.io/admin-access: "true"`).
   *
   * @default false
   */
  readonly adminAccess?: boolean;

  /**
   * A DeviceClass of your own to allocate from (e.g. one a GpuNodePool or GpuDeviceClass created), instead of the
   * vendor driver's default class.
   *
   * @default - the vendor driver's class (`gpu.nvidia.com`, `mig.nvidia.com`, `gpu.amd.com`)
   */
  readonly deviceClass?: GpuDeviceClass;

  /**
   * Extra CEL selectors ANDed with the generated ones (escape hatch), e.g.
   * `["device.attributes['gpu.nvidia.com'].architecture == 'Hopper'"]`.
   *
   * @default - none
   */
  readonly extraSelectors?: string[];

  /**
   * Request the devices as the extended resource (`nvidia.com/gpu: N` in the container limits) even on a DRA
   * cluster, where the scheduler satisfies it from the DeviceClass that declares that `extendedResourceName`
   * (DRAExtendedResource: beta on in 1.36, GA in 1.37). Useful for tools that only count extended resources
   * (Karpenter, Kueue, KubeRay, Trainer).
   *
   * @default false
   */
  readonly asExtendedResource?: boolean;

  /**
   * The pods span nodes over multi-node NVLink (GB200 NVL72 and the like): a ComputeDomain (NVIDIA DRA driver) is
   * created for the workload and each pod gets its IMEX channel.
   *
   * @default false
   */
  readonly multiNodeNvlink?: boolean;
}

/**
 * Options for a MIG request.
 */
export interface MigRequestOptions {
  /**
   * How many MIG devices each pod gets.
   *
   * @default 1
   */
  readonly count?: number;

  /**
   * The parent GPU model.
   *
   * The profile is checked against the model's MIG profiles.
   *
   * @default - any GPU with that profile
   */
  readonly model?: GpuModel;

  /**
   * Attributes all devices must share, e.g. `[DeviceAttribute.MIG_PARENT_GPU]` for slices of one GPU.
   *
   * @default - no constraint
   */
  readonly sameAttributes?: DeviceAttribute[];

  /**
   * The MIG devices are created on demand by the driver (NVIDIA `DynamicMIG`), published as partitionable devices:
   * needs the DRAPartitionableDevices gate (beta on from 1.36).
   *
   * @default false - pre-created MIG devices
   */
  readonly dynamic?: boolean;
}

/**
 * Options for GPUs shared between the pods of a workload.
 */
export interface SharedGpuOptions {
  /**
   * How many GPUs the pods share.
   *
   * @default 1
   */
  readonly count?: number;

  /**
   * The GPU model.
   *
   * @default - any GPU
   */
  readonly model?: GpuModel;

  /**
   * A MIG profile to share instead of whole GPUs.
   *
   * @default - whole GPUs
   */
  readonly migProfile?: string;
}

/**
 * Options for a request of all GPUs of a node.
 */
export interface AllGpusOptions {
  /**
   * The GPU model.
   *
   * @default - any GPU
   */
  readonly model?: GpuModel;
}

/**
 * Options for a prioritized list.
 */
export interface FirstAvailableOptions {
  /**
   * Attributes all devices must share, whichever alternative is taken.
   *
   * @default - no constraint
   */
  readonly sameAttributes?: DeviceAttribute[];
}

/**
 * Options for a share of a GPU's memory (consumable capacity).
 */
export interface GpuMemoryShareOptions {
  /**
   * The GPU model.
   *
   * @default - any GPU
   */
  readonly model?: GpuModel;
}

/**
 * The shapes of a GpuRequest.
 */
export enum GpuRequestShape {
  /** A number of whole GPUs (`GpuRequest.of`). */
  WHOLE = 'Whole',
  /** A number of MIG devices (`GpuRequest.mig`). */
  MIG = 'Mig',
  /** GPUs shared by all pods of the workload (`GpuRequest.shared`). */
  SHARED = 'Shared',
  /** The first alternative that fits (`GpuRequest.firstAvailable`). */
  FIRST_AVAILABLE = 'FirstAvailable',
  /** All GPUs of the node (`GpuRequest.allOnNode`). */
  ALL_ON_NODE = 'AllOnNode',
  /** A share of one GPU's memory (`GpuRequest.memoryShare`). */
  MEMORY_SHARE = 'MemoryShare',
}

/**
 * What the static factories of GpuRequest hand to its constructor: the options of a whole-GPU request plus the
 * fields of the other shapes (before defaults).
 */
interface GpuRequestFields extends GpuRequestOptions {
  /** The shape of the request. */
  readonly shape: GpuRequestShape;
  /** Devices per pod. */
  readonly count: number;
  /**
   * The MIG profile.
   * @default - whole GPUs
   */
  readonly migProfile?: string;
  /**
   * MIG devices created on demand.
   * @default false
   */
  readonly dynamicMig?: boolean;
  /**
   * How the GPUs are shared.
   * @default - not shared
   */
  readonly sharing?: GpuSharing;
  /**
   * The alternatives of a prioritized list.
   * @default []
   */
  readonly alternatives?: GpuRequest[];
  /**
   * The memory share, for `memoryShare` requests.
   * @default - none
   */
  readonly memoryShare?: Size;
}

/**
 * Accelerators a workload needs: the one value every construct that runs GPU pods takes (`gpus`, `gpusPerWorker`).
 * Rendered as a DRA `ResourceClaimTemplate` (`resource.k8s.io/v1`) with CEL selectors, or on a cluster without DRA as
 * the `nvidia.com/gpu` extended resource where that can express the request.
 *
 * ```ts
 * GpuRequest.of(1)                                                       // one GPU, any model
 * GpuRequest.of(8, { model: GpuModel.NVIDIA_H100_80_GB })                // eight H100s
 * GpuRequest.of(1, { minMemory: Size.gibibytes(40) })                    // any GPU with >= 40Gi
 * GpuRequest.mig('1g.10gb', { model: GpuModel.NVIDIA_A100_80_GB })        // one MIG slice
 * GpuRequest.shared(GpuSharing.timeSlicing())                            // pods share one GPU
 * GpuRequest.firstAvailable([GpuRequest.of(8, { model: H100 }), GpuRequest.of(8, { model: A100_80 })])
 * GpuRequest.allOnNode()                                                  // every GPU of the node
 * GpuRequest.of(2, { sameAttributes: [DeviceAttribute.PCIE_ROOT] })      // two GPUs on one PCIe root
 * ```
 */
export class GpuRequest {
  /**
   * `count` whole GPUs per pod, optionally of one model.
   */
  public static of(count: number, options: GpuRequestOptions = {}): GpuRequest {
    requireKind('GpuRequest.of', 'count', count, req('number', 'a number of GPUs such as 1 or 8'));
    checkProps('GpuRequest.of', 'GpuRequestOptions', options, { model: opt(GpuModel, MODEL) });
    return new GpuRequest({ ...options, shape: GpuRequestShape.WHOLE, count });
  }

  /**
   * MIG devices of one profile (e.g. `1g.10gb`), from the NVIDIA driver's `mig.nvidia.com` class (DRA only).
   *
   * @param profile The MIG profile, e.g. `1g.10gb`.
   */
  public static mig(profile: string, options: MigRequestOptions = {}): GpuRequest {
    requireKind('GpuRequest.mig', 'profile', profile, req('string', 'a MIG profile such as "1g.10gb"'));
    options = checkProps('GpuRequest.mig', 'MigRequestOptions', options, { model: opt(GpuModel, MODEL), count: opt('number') });
    return new GpuRequest({
      shape: GpuRequestShape.MIG,
      count: options.count ?? 1,
      model: options.model,
      migProfile: profile,
      sameAttributes: options.sameAttributes,
      dynamicMig: options.dynamic,
    });
  }

  /**
   * GPUs shared by all pods of the workload (one ResourceClaim they all reference, at most 256 pods, so all land on
   * the node that has the GPUs), with the driver's time-slicing or MPS configuration (DRA only).
   *
   * @param sharing How the pods share the GPUs: time-slicing or MPS.
   */
  public static shared(sharing: GpuSharing, options: SharedGpuOptions = {}): GpuRequest {
    requireKind('GpuRequest.shared', 'sharing', sharing, req(GpuSharing, 'a GpuSharing such as GpuSharing.timeSlicing()'));
    options = checkProps('GpuRequest.shared', 'SharedGpuOptions', options, { model: opt(GpuModel, MODEL), count: opt('number') });
    return new GpuRequest({
      shape: GpuRequestShape.SHARED, count: options.count ?? 1, model: options.model, migProfile: options.migProfile, sharing,
    });
  }

  /**
   * A ranked list: the scheduler takes the first alternative that can be allocated (DRA `firstAvailable`, at most 8
   * alternatives, each a `GpuRequest.of` or `GpuRequest.mig`).
   *
   * @param alternatives The requests to try, most preferred first.
   */
  public static firstAvailable(alternatives: GpuRequest[], options: FirstAvailableOptions = {}): GpuRequest {
    requireKind('GpuRequest.firstAvailable', 'alternatives', alternatives, req('array', 'a list of GpuRequest.of(...) or GpuRequest.mig(...)'));
    alternatives.forEach((a, i) => requireKind('GpuRequest.firstAvailable', `alternatives[${i}]`, a, req(GpuRequest, 'a GpuRequest.of(...) or GpuRequest.mig(...)')));
    options = checkProps('GpuRequest.firstAvailable', 'FirstAvailableOptions', options, { sameAttributes: opt('array') });
    const count = alternatives.reduce((max, a) => Math.max(max, a.count), 0);
    return new GpuRequest({
      shape: GpuRequestShape.FIRST_AVAILABLE, count, alternatives: [...alternatives], sameAttributes: options.sameAttributes,
    });
  }

  /**
   * All GPUs of the node the pod lands on (DRA `allocationMode: All`).
   */
  public static allOnNode(options: AllGpusOptions = {}): GpuRequest {
    options = checkProps('GpuRequest.allOnNode', 'AllGpusOptions', options, { model: opt(GpuModel, MODEL) });
    return new GpuRequest({ shape: GpuRequestShape.ALL_ON_NODE, count: 0, model: options.model });
  }

  /**
   * A share of one GPU's memory: the scheduler subtracts `memory` from the device's consumable `memory` capacity,
   * so several pods can be placed on one device (DRA consumable capacity: DRAConsumableCapacity, beta on from 1.36;
   * the driver must publish the device as allowing multiple allocations).
   */
  public static memoryShare(memory: Size, options: GpuMemoryShareOptions = {}): GpuRequest {
    requireKind('GpuRequest.memoryShare', 'memory', memory, req('size'));
    options = checkProps('GpuRequest.memoryShare', 'GpuMemoryShareOptions', options, { model: opt(GpuModel, MODEL) });
    return new GpuRequest({ shape: GpuRequestShape.MEMORY_SHARE, count: 1, model: options.model, memoryShare: memory });
  }

  /** The shape of the request. */
  public readonly shape: GpuRequestShape;
  /**
   * The number of devices per pod.
   *
   * For a prioritized list it is the largest alternative's count. It is 0 for `allOnNode` (the node's GPU count,
   * known only with a pool).
   */
  public readonly count: number;
  /** The GPU model, when the request names one. */
  public readonly model?: GpuModel;
  /** The minimum device memory, when set. */
  public readonly minMemory?: Size;
  /** The MIG profile, when the request is for MIG devices. */
  public readonly migProfile?: string;
  /** True for MIG devices created on demand (partitionable devices). */
  public readonly dynamicMig: boolean;
  /** How the GPUs are shared, for `shared` requests. */
  public readonly sharing?: GpuSharing;
  /** The alternatives of a prioritized list. */
  public readonly alternatives: GpuRequest[];
  /** Attributes the devices must share. */
  public readonly sameAttributes: DeviceAttribute[];
  /** Admin access. */
  public readonly adminAccess: boolean;
  /** A DeviceClass of your own, when set. */
  public readonly deviceClass?: GpuDeviceClass;
  /** Extra CEL selectors. */
  public readonly extraSelectors: string[];
  /** Request through the extended resource even on a DRA cluster. */
  public readonly asExtendedResource: boolean;
  /** Multi-node NVLink through a ComputeDomain. */
  public readonly multiNodeNvlink: boolean;
  /** The memory share, for `memoryShare` requests. */
  public readonly memoryShareSize?: Size;

  private constructor(fields: GpuRequestFields) {
    this.shape = fields.shape;
    this.count = fields.count;
    this.model = fields.model;
    this.minMemory = fields.minMemory;
    this.migProfile = fields.migProfile;
    this.dynamicMig = fields.dynamicMig ?? false;
    this.sharing = fields.sharing;
    this.alternatives = [...(fields.alternatives ?? [])];
    this.sameAttributes = [...(fields.sameAttributes ?? [])];
    this.adminAccess = fields.adminAccess ?? false;
    this.deviceClass = fields.deviceClass;
    this.extraSelectors = [...(fields.extraSelectors ?? [])];
    this.asExtendedResource = fields.asExtendedResource ?? false;
    this.multiNodeNvlink = fields.multiNodeNvlink ?? false;
    this.memoryShareSize = fields.memoryShare;
  }
}
