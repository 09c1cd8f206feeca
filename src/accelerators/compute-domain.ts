import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { ClusterAddon } from '../cluster/cluster-addon';
import { ClusterProfile } from '../cluster/cluster-profile';
import * as nvidia from '../imports/nvidia-dra';
import { ValidationError } from '../internal/errors';
import { standardLabels } from '../internal/labels';
import { claimName, requireDnsLabel, resourceName } from '../internal/names';
import { namespaceOf } from '../internal/namespace';
import { checkProps, opt } from '../internal/runtime-checks';

/**
 * Props for a ComputeDomain.
 */
export interface ComputeDomainProps {
  /**
   * The ComputeDomain name. Its spec is immutable, so a change means a new name.
   *
   * @default - derived from the construct path
   */
  readonly name?: string;

  /**
   * Every IMEX channel of the domain to each pod (`channel.allocationMode: All`) instead of one.
   *
   * @default false
   */
  readonly allChannels?: boolean;
}

/**
 * An NVIDIA ComputeDomain (`resource.nvidia.com/v1beta1`): multi-node NVLink (IMEX) for pods that span nodes, e.g.
 * on GB200 NVL72. The driver's controller creates the ResourceClaimTemplate named `channelClaimTemplateName` in the
 * same namespace; pods reference it (it is never emitted here). `numNodes` is 0, as the driver recommends with
 * `IMEXDaemonsWithDNSNames` (its default).
 */
export class ComputeDomain extends Construct {
  /** The ComputeDomain name. */
  public readonly name: string;
  /** The namespace of the ComputeDomain (and of the claim template its controller creates). */
  public readonly namespaceName?: string;
  /** The ResourceClaimTemplate the driver's controller creates for the domain's channel. */
  public readonly channelClaimTemplateName: string;
  /** The generated ComputeDomain. */
  public readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: ComputeDomainProps = {}) {
    super(scope, id);
    props = checkProps(this, 'ComputeDomainProps', props, { name: opt('string') });
    const profile = ClusterProfile.of(this);
    if (!profile.usesDra) {
      throw new ValidationError(this, 'scope', 'a ComputeDomain needs Dynamic Resource Allocation and the NVIDIA DRA driver, ' +
        'but the ClusterProfile says pods get GPUs from the device plugin (gpuAllocation: DevicePlugin)');
    }
    profile._requireAddon(this, 'scope', ClusterAddon.NVIDIA_DRA_DRIVER, 'a ComputeDomain (multi-node NVLink)');
    this.name = props.name !== undefined ? requireDnsLabel(this, 'name', props.name, 55) : resourceName(this, [], 55);
    this.namespaceName = namespaceOf(this);
    this.channelClaimTemplateName = `${this.name}-channel`;
    claimName(this, 'ComputeDomain', this.namespaceName, this.name);
    this.apiObject = new nvidia.ComputeDomain(this, 'Resource', {
      metadata: {
        name: this.name,
        namespace: this.namespaceName,
        labels: standardLabels({ name: 'compute-domain', instance: this.name, component: 'compute-domain' }),
      },
      spec: {
        numNodes: 0,
        channel: {
          resourceClaimTemplate: { name: this.channelClaimTemplateName },
          allocationMode: props.allChannels ? nvidia.ComputeDomainSpecChannelAllocationMode.ALL : undefined,
        },
      },
    });
  }
}
