import { ApiObject, Size } from 'cdk8s';
import { Construct } from 'constructs';
import { migInstanceSelector, minMemorySelector, modelSelector, wholeGpuSelector } from './cel';
import { GpuModel } from './gpu-model';
import { GpuVendor } from './gpu-vendor';
import { ClusterProfile } from '../cluster/cluster-profile';
import * as k8s from '../imports/k8s';
import { clusterScoped } from '../internal/cluster-scoped';
import { ValidationError, invalidProp } from '../internal/errors';
import { standardLabels } from '../internal/labels';
import { claimName, resourceName } from '../internal/names';
import { isExtendedResourceName, requireDnsSubdomain } from '../internal/qualified-name';
import { checkProps, opt } from '../internal/runtime-checks';

/**
 * Props for a GpuDeviceClass.
 */
export interface GpuDeviceClassProps {
  /**
   * The DeviceClass name (cluster-scoped: unique in the cluster).
   *
   * @default - derived from the construct path
   */
  readonly name?: string;

  /**
   * Only GPUs of this model.
   *
   * @default - any whole GPU of `vendor`
   */
  readonly model?: GpuModel;

  /**
   * The vendor whose driver's whole GPUs the class selects (ignored when `model` is set: the model's vendor wins).
   *
   * @default GpuVendor.NVIDIA
   */
  readonly vendor?: GpuVendor;

  /**
   * Only GPUs with at least this much memory.
   *
   * @default - no memory filter
   */
  readonly minMemory?: Size;

  /**
   * Select MIG instances of this profile instead of whole GPUs (needs `model`, whose profiles it must be one of).
   *
   * @default - whole GPUs
   */
  readonly migProfile?: string;

  /**
   * An extended resource name pods can request (`resources.limits`) to get devices of this class through DRA
   * (`DeviceClass.extendedResourceName`, DRAExtendedResource: beta on in 1.36, GA in 1.37), e.g. `example.com/h100`.
   *
   * @default - none
   */
  readonly extendedResourceName?: string;
}

/**
 * A DRA DeviceClass (`resource.k8s.io/v1`, cluster-scoped) that selects whole GPUs, optionally of one model, for
 * clusters that want named classes (a class per pool, or an extended resource name backed by DRA). The NVIDIA
 * driver's own classes (`gpu.nvidia.com`, `mig.nvidia.com`) come with its Helm chart and are never emitted here.
 */
export class GpuDeviceClass extends Construct {
  /** The DeviceClass name. */
  public readonly name: string;
  /** The vendor whose devices the class selects. */
  public readonly vendor: GpuVendor;
  /** The model, when the class selects one. */
  public readonly model?: GpuModel;
  /** The extended resource name, when set. */
  public readonly extendedResourceName?: string;
  /** The MIG profile, when the class selects MIG instances. */
  public readonly migProfile?: string;
  /** The generated DeviceClass. */
  public readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: GpuDeviceClassProps = {}) {
    super(scope, id);
    props = checkProps(this, 'GpuDeviceClassProps', props, { model: opt(GpuModel), vendor: opt(GpuVendor), name: opt('string'), migProfile: opt('string') });
    this.model = props.model;
    this.vendor = props.model?.vendor ?? props.vendor ?? GpuVendor.NVIDIA;
    this.name = props.name ?? resourceName(this);
    this.extendedResourceName = props.extendedResourceName;
    this.migProfile = props.migProfile;
    this.validate(props);
    claimName(this, 'DeviceClass', undefined, this.name);
    const selectors = [this.migProfile !== undefined ? migInstanceSelector(this.vendor, this.migProfile) : wholeGpuSelector(this.vendor)];
    if (props.model) selectors.push(modelSelector(props.model));
    if (props.minMemory) selectors.push(minMemorySelector(this.vendor, props.minMemory));
    this.apiObject = clusterScoped(new k8s.KubeDeviceClass(this, 'Resource', {
      metadata: {
        name: this.name,
        labels: standardLabels({ name: 'gpu-device-class', instance: resourceName(this), component: 'device-class' }),
      },
      spec: {
        selectors: selectors.map((expression) => ({ cel: { expression } })),
        extendedResourceName: this.extendedResourceName,
      },
    }));
  }

  private validate(props: GpuDeviceClassProps) {
    if (props.name !== undefined) requireDnsSubdomain(this, 'name', props.name);
    if (props.migProfile !== undefined) {
      const profiles = props.model?.migProfiles ?? [];
      if (!profiles.includes(props.migProfile)) {
        throw invalidProp(this, 'migProfile', props.migProfile, props.model
          ? `a MIG profile of ${props.model.id}: ${profiles.length ? profiles.join(', ') : 'none (the model has no MIG)'}`
          : 'a profile of the class\'s `model` (set model)');
      }
    }
    if (props.extendedResourceName !== undefined) {
      if (!isExtendedResourceName(props.extendedResourceName)) {
        throw invalidProp(this, 'extendedResourceName', props.extendedResourceName,
          'a domain-prefixed resource name outside kubernetes.io, e.g. "example.com/h100"');
      }
      ClusterProfile.of(this)._requireFeature(this, 'extendedResourceName', 'DRAExtendedResource',
        'a DeviceClass extendedResourceName');
    }
    if (!ClusterProfile.of(this).usesDra) {
      throw new ValidationError(this, 'scope', 'a DeviceClass needs Dynamic Resource Allocation, but the ClusterProfile ' +
        'says pods get GPUs from the device plugin (gpuAllocation: DevicePlugin)');
    }
  }
}
