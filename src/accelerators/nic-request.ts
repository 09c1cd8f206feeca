import { ClusterAddon } from '../cluster/cluster-addon';
import { invalidProp } from '../internal/errors';
import { isDnsSubdomain } from '../internal/qualified-name';
import { checkProps, opt, req, requireKind } from '../internal/runtime-checks';

const ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;

/**
 * Props for a DRA network driver of your own (`NicDriver.custom`).
 */
export interface NicDriverProps {
  /**
   * The DRA driver name, e.g. `sriovnetwork.k8snetworkplumbingwg.io`.
   *
   * It is also the domain of the driver's device attributes.
   */
  readonly name: string;

  /**
   * The DeviceClass that selects the driver's NICs.
   *
   * @default - same as `name`
   */
  readonly deviceClassName?: string;

  /**
   * The boolean attribute (in the driver's domain) that is true on RDMA-capable NICs, e.g. `rdmaCapable`.
   *
   * @default - none: RDMA requests (the NicRequest default) are refused for this driver
   */
  readonly rdmaAttribute?: string;

  /**
   * The add-on the ClusterProfile must list for NIC requests of this driver.
   *
   * @default ClusterAddon.custom(name)
   */
  readonly addon?: ClusterAddon;
}

/**
 * A DRA driver that publishes network interfaces (NICs) as devices, with the names a NIC request needs.
 */
export class NicDriver {
  /**
   * DRANET (kubernetes-sigs/dranet v1.4.0): driver `dra.net`, boolean attribute `dra.net/rdma`, and the standard
   * `resource.kubernetes.io/pcieRoot` on PCI NICs.
   *
   * DRANET installs no DeviceClass; the platform creates one selecting `device.driver == "dra.net"`, named `dranet`
   * in DRANET's examples (`NicRequestOptions.deviceClassName` names another). The ClusterProfile must list
   * `ClusterAddon.DRANET`.
   */
  public static readonly DRANET = new NicDriver({
    name: 'dra.net', deviceClassName: 'dranet', rdmaAttribute: 'rdma', addon: ClusterAddon.DRANET,
  });

  /**
   * A DRA network driver this library does not know.
   */
  public static custom(props: NicDriverProps): NicDriver {
    const where = 'NicDriver.custom';
    checkProps(where, 'NicDriverProps', props, {
      name: req('string', 'a DNS-1123 subdomain such as "sriovnetwork.k8snetworkplumbingwg.io"'),
      deviceClassName: opt('string'),
      rdmaAttribute: opt('string'),
      addon: opt(ClusterAddon, 'a ClusterAddon such as ClusterAddon.custom("my-nic-driver")'),
    });
    for (const [prop, value] of [['name', props.name], ['deviceClassName', props.deviceClassName]] as const) {
      if (value !== undefined && !isDnsSubdomain(value)) throw invalidProp(where, prop, value, 'a DNS-1123 subdomain such as "nic.example.com"');
    }
    if (props.rdmaAttribute !== undefined && !ATTRIBUTE_NAME.test(props.rdmaAttribute)) {
      throw invalidProp(where, 'rdmaAttribute', props.rdmaAttribute, 'a DRA attribute name: a C identifier of at most 32 characters');
    }
    return new NicDriver(props);
  }

  /** The DRA driver name and attribute domain. */
  public readonly name: string;
  /** The DeviceClass that selects the driver's NICs. */
  public readonly deviceClassName: string;
  /** The boolean attribute that marks RDMA-capable NICs, when the driver has one. */
  public readonly rdmaAttribute?: string;
  /** The add-on the ClusterProfile must list. */
  public readonly addon: ClusterAddon;

  private constructor(props: NicDriverProps) {
    this.name = props.name;
    this.deviceClassName = props.deviceClassName ?? props.name;
    this.rdmaAttribute = props.rdmaAttribute;
    this.addon = props.addon ?? ClusterAddon.custom(props.name, `DRA network driver ${props.name}`);
  }
}

/**
 * Options for a NIC request.
 */
export interface NicRequestOptions {
  /**
   * Only RDMA-capable NICs (InfiniBand or RoCE), selected by the driver's RDMA attribute.
   *
   * With RDMA NICs a training job's NCCL keeps its bootstrap on the pod network (`NCCL_SOCKET_IFNAME==eth0`) and,
   * when aligned with the GPUs, uses GPUDirect RDMA up to the PCIe host bridge (`NCCL_NET_GDR_LEVEL=PHB`), unless the
   * launcher's `nccl` settings or the job's `env` set them.
   *
   * @default true
   */
  readonly rdma?: boolean;

  /**
   * The DRA network driver that publishes the NICs.
   *
   * @default NicDriver.DRANET
   */
  readonly driver?: NicDriver;

  /**
   * The DeviceClass to allocate from, when the platform named it differently from the driver's default.
   *
   * @default - the driver's `deviceClassName` (`dranet` for DRANET)
   */
  readonly deviceClassName?: string;

  /**
   * Each NIC comes with an equal share of the workload's GPUs on the same PCIe root complex (DRA `matchAttribute`
   * on `resource.kubernetes.io/pcieRoot`), so GPUDirect RDMA stays inside one root.
   *
   * The NICs then join the GPU claim: with 8 GPUs and 8 NICs each GPU is paired with a NIC, with 8 GPUs and 4
   * NICs each NIC gets 2 GPUs. Devices that do not publish `pcieRoot` are never chosen. It needs whole GPUs
   * (`GpuRequest.of`) allocated through DRA, and a GPU count that the NIC count divides.
   *
   * @default false
   */
  readonly alignWithGpus?: boolean;

  /**
   * Extra CEL selectors ANDed with the generated ones (escape hatch), e.g.
   * `["device.attributes['dra.net'].numaNode == 0"]`.
   *
   * @default - none
   */
  readonly extraSelectors?: string[];
}

/**
 * Network interfaces a workload's pods get as DRA devices from a DRA network driver, next to their GPUs
 * (`nicsPerWorker`).
 *
 * The NICs are moved into the pod by the driver; the ClusterProfile must list the driver's add-on.
 *
 * ```ts
 * NicRequest.of(8, { alignWithGpus: true })                    // 8 RDMA NICs, one per GPU on its PCIe root
 * NicRequest.of(1)                                             // one RDMA NIC anywhere on the node
 * NicRequest.of(2, { rdma: false, deviceClassName: 'dranet.net' })
 * ```
 */
export class NicRequest {
  /**
   * `count` NICs per pod, RDMA-capable unless `rdma` is false.
   *
   * @param count How many NICs each pod gets.
   */
  public static of(count: number, options: NicRequestOptions = {}): NicRequest {
    requireKind('NicRequest.of', 'count', count, req('number', 'a number of NICs such as 1 or 8'));
    options = checkProps('NicRequest.of', 'NicRequestOptions', options, {
      rdma: opt('boolean'),
      driver: opt(NicDriver, 'a NicDriver such as NicDriver.DRANET'),
      deviceClassName: opt('string'),
      alignWithGpus: opt('boolean'),
      extraSelectors: opt('string[]'),
    });
    return new NicRequest(count, options);
  }

  /** The number of NICs per pod. */
  public readonly count: number;
  /** True when only RDMA-capable NICs are chosen. */
  public readonly rdma: boolean;
  /** The DRA network driver. */
  public readonly driver: NicDriver;
  /** The DeviceClass the NICs come from. */
  public readonly deviceClassName: string;
  /** True when each NIC shares a PCIe root with its share of the GPUs. */
  public readonly alignWithGpus: boolean;
  /** Extra CEL selectors. */
  public readonly extraSelectors: string[];

  private constructor(count: number, options: NicRequestOptions) {
    this.count = count;
    this.rdma = options.rdma ?? true;
    this.driver = options.driver ?? NicDriver.DRANET;
    this.deviceClassName = options.deviceClassName ?? this.driver.deviceClassName;
    this.alignWithGpus = options.alignWithGpus ?? false;
    this.extraSelectors = [...(options.extraSelectors ?? [])];
  }
}
