/**
 * A fully qualified DRA device attribute that devices of one claim must share (`matchAttribute` constraint), e.g.
 * the same PCIe root complex. Devices without the attribute are never chosen for such a claim.
 */
export class DeviceAttribute {
  /**
   * The PCIe root complex (`resource.kubernetes.io/pcieRoot`, a standard attribute the NVIDIA driver v25.12 publishes
   * when it can derive it): GPUs (and NICs) behind the same root switch.
   */
  public static readonly PCIE_ROOT = new DeviceAttribute('resource.kubernetes.io/pcieRoot');

  /**
   * The parent GPU of a MIG device (`gpu.nvidia.com/parentUUID`): MIG slices from one physical GPU.
   */
  public static readonly MIG_PARENT_GPU = new DeviceAttribute('gpu.nvidia.com/parentUUID');

  /**
   * The product name (`gpu.nvidia.com/productName`): all devices of one model, whichever it is.
   */
  public static readonly NVIDIA_PRODUCT_NAME = new DeviceAttribute('gpu.nvidia.com/productName');

  /**
   * Any attribute the driver publishes, as `<domain>/<name>` (e.g. `gpu.nvidia.com/architecture`).
   *
   * @param qualifiedName The attribute's name as `<domain>/<name>`.
   */
  public static custom(qualifiedName: string): DeviceAttribute {
    return new DeviceAttribute(qualifiedName);
  }

  /** `<domain>/<name>` */
  public readonly qualifiedName: string;

  private constructor(qualifiedName: string) {
    this.qualifiedName = qualifiedName;
  }
}
