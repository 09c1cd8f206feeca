import { invalidProp } from '../internal/errors';
import { isDnsLabel } from '../internal/names';
import { isDnsSubdomain, isPrefixedName } from '../internal/qualified-name';
import { checkProps, opt, req } from '../internal/runtime-checks';

const ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;

/**
 * Props for a GPU vendor of your own (`GpuVendor.custom`).
 */
export interface GpuVendorProps {
  /**
   * A short identifier, e.g. `intel`.
   */
  readonly name: string;

  /**
   * The DRA driver name, e.g. `gpu.nvidia.com`.
   *
   * It is also the attribute and capacity domain of the driver's devices.
   */
  readonly draDriver: string;

  /**
   * The DeviceClass its DRA driver installs for whole GPUs.
   *
   * @default - same as `draDriver`
   */
  readonly deviceClassName?: string;

  /**
   * The device-plugin extended resource for whole GPUs, e.g. `nvidia.com/gpu`.
   *
   * @default - none: requests of this vendor cannot fall back to a device plugin
   */
  readonly extendedResourceName?: string;

  /**
   * The node label that carries the product name on the vendor's nodes (set by its feature discovery).
   *
   * @default - none: models of this vendor cannot be pinned by node label
   */
  readonly productLabel?: string;

  /**
   * The DRA attribute (in the driver's domain) that carries the product name.
   *
   * @default 'productName'
   */
  readonly productNameAttribute?: string;

  /**
   * The DRA capacity (in the driver's domain) that carries device memory.
   *
   * @default 'memory'
   */
  readonly memoryCapacity?: string;

  /**
   * The DRA attribute (in the driver's domain) whose value tells whole GPUs from partitions, and its value for a
   * whole GPU.
   *
   * @default - no type filter
   */
  readonly typeAttribute?: string;

  /**
   * The value of `typeAttribute` on a whole GPU.
   *
   * @default - no type filter
   */
  readonly wholeDeviceType?: string;

  /**
   * The taint key its GPU nodes conventionally carry (and workloads tolerate).
   *
   * @default - same as `extendedResourceName`, else `<name>.com/gpu`
   */
  readonly taintKey?: string;
}

/**
 * A GPU vendor: the names its DRA driver, device plugin and node labeller use.
 */
export class GpuVendor {
  /**
   * NVIDIA: DRA driver `gpu.nvidia.com` (NVIDIA/k8s-dra-driver-gpu v25.12.0, DeviceClasses `gpu.nvidia.com` and
   * `mig.nvidia.com`, attribute `type` = `gpu` | `mig`), device plugin resource `nvidia.com/gpu`, GPU Feature
   * Discovery label `nvidia.com/gpu.product`.
   */
  public static readonly NVIDIA = new GpuVendor({
    name: 'nvidia',
    draDriver: 'gpu.nvidia.com',
    deviceClassName: 'gpu.nvidia.com',
    extendedResourceName: 'nvidia.com/gpu',
    productLabel: 'nvidia.com/gpu.product',
    productNameAttribute: 'productName',
    memoryCapacity: 'memory',
    typeAttribute: 'type',
    wholeDeviceType: 'gpu',
    taintKey: 'nvidia.com/gpu',
  }, 'mig.nvidia.com');

  /**
   * AMD: DRA driver `gpu.amd.com` (ROCm/k8s-gpu-dra-driver docs/driver-attributes.md: DeviceClass `gpu.amd.com`,
   * attribute `type` = `amdgpu` | `amdgpu-partition`, `productName`, capacity `memory`), device plugin resource
   * `amd.com/gpu`, node labeller label `amd.com/gpu.product-name`.
   */
  public static readonly AMD = new GpuVendor({
    name: 'amd',
    draDriver: 'gpu.amd.com',
    deviceClassName: 'gpu.amd.com',
    extendedResourceName: 'amd.com/gpu',
    productLabel: 'amd.com/gpu.product-name',
    productNameAttribute: 'productName',
    memoryCapacity: 'memory',
    typeAttribute: 'type',
    wholeDeviceType: 'amdgpu',
    taintKey: 'amd.com/gpu',
  });

  /**
   * A vendor this library does not know.
   */
  public static custom(props: GpuVendorProps): GpuVendor {
    const where = 'GpuVendor.custom';
    checkProps(where, 'GpuVendorProps', props, {
      name: req('string', 'a DNS-1123 label such as "intel"'),
      draDriver: req('string', 'a DNS-1123 subdomain such as "gpu.example.com"'),
      deviceClassName: opt('string'),
      extendedResourceName: opt('string'),
      productLabel: opt('string'),
      productNameAttribute: opt('string'),
      memoryCapacity: opt('string'),
      typeAttribute: opt('string'),
      wholeDeviceType: opt('string'),
      taintKey: opt('string'),
    });
    if (!isDnsLabel(props.name)) throw invalidProp(where, 'name', props.name, 'a DNS-1123 label such as "intel"');
    for (const [prop, value] of [['draDriver', props.draDriver], ['deviceClassName', props.deviceClassName]] as const) {
      if (value !== undefined && !isDnsSubdomain(value)) throw invalidProp(where, prop, value, 'a DNS-1123 subdomain such as "gpu.example.com"');
    }
    for (const [prop, value] of [['productNameAttribute', props.productNameAttribute], ['memoryCapacity', props.memoryCapacity],
      ['typeAttribute', props.typeAttribute]] as const) {
      if (value !== undefined && !ATTRIBUTE_NAME.test(value)) {
        throw invalidProp(where, prop, value, 'a DRA attribute name: a C identifier of at most 32 characters');
      }
    }
    for (const [prop, value] of [['extendedResourceName', props.extendedResourceName], ['productLabel', props.productLabel],
      ['taintKey', props.taintKey]] as const) {
      if (value !== undefined && !isPrefixedName(value)) {
        throw invalidProp(where, prop, value, 'a domain-prefixed name such as "example.com/gpu"');
      }
    }
    if ((props.typeAttribute === undefined) !== (props.wholeDeviceType === undefined)) {
      throw invalidProp(where, 'wholeDeviceType', props.wholeDeviceType, 'set together with typeAttribute (or neither)');
    }
    return new GpuVendor(props);
  }

  /** Short identifier, e.g. `nvidia`. */
  public readonly name: string;
  /** The DRA driver name and attribute domain. */
  public readonly draDriver: string;
  /** The DeviceClass of whole GPUs installed by the vendor's DRA driver. */
  public readonly deviceClassName: string;
  /** The DeviceClass of MIG-style partitions, when the driver has one. */
  public readonly partitionDeviceClassName?: string;
  /** The device-plugin extended resource, when there is one. */
  public readonly extendedResourceName?: string;
  /** The node label carrying the product name, when there is one. */
  public readonly productLabel?: string;
  /** The DRA attribute carrying the product name. */
  public readonly productNameAttribute: string;
  /** The DRA capacity carrying device memory. */
  public readonly memoryCapacity: string;
  /** The DRA attribute telling whole GPUs from partitions. */
  public readonly typeAttribute?: string;
  /** The value of `typeAttribute` on a whole GPU. */
  public readonly wholeDeviceType?: string;
  /** The taint key of the vendor's GPU nodes. */
  public readonly taintKey: string;

  private constructor(props: GpuVendorProps, partitionDeviceClassName?: string) {
    this.name = props.name;
    this.draDriver = props.draDriver;
    this.deviceClassName = props.deviceClassName ?? props.draDriver;
    this.partitionDeviceClassName = partitionDeviceClassName;
    this.extendedResourceName = props.extendedResourceName;
    this.productLabel = props.productLabel;
    this.productNameAttribute = props.productNameAttribute ?? 'productName';
    this.memoryCapacity = props.memoryCapacity ?? 'memory';
    this.typeAttribute = props.typeAttribute;
    this.wholeDeviceType = props.wholeDeviceType;
    this.taintKey = props.taintKey ?? props.extendedResourceName ?? `${props.name}.com/gpu`;
  }
}
