import { GpuVendor } from './gpu-vendor';
import { invalidProp, requireInteger } from '../internal/errors';
import { isDnsLabel } from '../internal/names';
import { isLabelValue } from '../internal/qualified-name';
import { requireRe2 } from '../internal/re2';
import { checkProps, opt, req } from '../internal/runtime-checks';

const WHERE = 'GpuModel.custom';
const MIG_PROFILE = /^[1-9]\d*g\.\d+gb([+-][a-z]+)*$/;

/**
 * Props for a GPU model of your own (`GpuModel.custom`).
 */
export interface GpuModelProps {
  /**
   * A stable identifier, e.g. `nvidia-rtx-6000-ada`. Used in names, labels and error messages.
   */
  readonly id: string;

  /**
   * The vendor, which fixes the DRA driver, DeviceClass, extended resource and node labels.
   *
   * @default GpuVendor.NVIDIA
   */
  readonly vendor?: GpuVendor;

  /**
   * The product names the vendor's DRA driver publishes for this model (NVIDIA: the NVML device name in the
   * `gpu.nvidia.com/productName` attribute), e.g. `['NVIDIA RTX 6000 Ada Generation']`. Matched case-insensitively.
   */
  readonly productNames: string[];

  /**
   * An RE2 pattern matched against the lower-cased product name, when names vary between drivers and board
   * variants (e.g. `a100.*80gb`). Takes precedence over `productNames` in device selectors.
   *
   * @default - the product names, case-insensitively
   */
  readonly productNamePattern?: string;

  /**
   * Product names that the pattern matches but that are another model (e.g. `nvl` for an H100 80GB pattern).
   * An RE2 pattern matched against the lower-cased product name.
   *
   * @default - none
   */
  readonly excludePattern?: string;

  /**
   * The node label values the vendor's feature discovery puts on nodes with this model (NVIDIA: the
   * `nvidia.com/gpu.product` label, the product name with spaces replaced by '-').
   *
   * @default - derived from `productNames` by the GPU Feature Discovery rule (characters outside [A-Za-z0-9-_. ]
   *   dropped, whitespace replaced by '-')
   */
  readonly nodeLabelValues?: string[];

  /**
   * The nominal device memory in GB, as in the product name or data sheet.
   */
  readonly memoryGib: number;

  /**
   * The architecture as the DRA driver publishes it (NVIDIA: `architecture`, e.g. `Hopper`).
   *
   * @default - unknown
   */
  readonly architecture?: string;

  /**
   * MIG profiles the model supports, with the most instances of each one GPU holds, e.g.
   * `{ '1g.10gb': 7, '3g.40gb': 2 }` (NVIDIA GPU Operator's default mig-parted configuration).
   *
   * @default - none: MIG requests for this model are refused
   */
  readonly migProfiles?: { [profile: string]: number };

  /**
   * The most GPUs of this model one node can hold (its baseboard), when every form factor of the model has one,
   * e.g. 8 for an HGX B200 board. A GpuNodePool declaring more GPUs per node is refused.
   *
   * @default - unknown: not checked (models sold as PCIe cards fit servers of many sizes)
   */
  readonly maxGpusPerNode?: number;
}

/**
 * Catalogue order of MIG profiles: by compute slices, then memory, then suffix (`1g.10gb` < `1g.10gb+me` <
 * `1g.20gb` < `2g.20gb`); plain code-point order for anything else.
 */
function compareMigProfiles(a: string, b: string): number {
  const parse = (p: string) => /^(\d+)g\.(\d+)gb(.*)$/.exec(p);
  const x = parse(a);
  const y = parse(b);
  if (x && y) {
    const bySize = Number(x[1]) - Number(y[1]) || Number(x[2]) - Number(y[2]);
    if (bySize !== 0) return bySize;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** GFD's sanitiser: characters outside [A-Za-z0-9-_. ] dropped, whitespace replaced by '-'. */
function gfdLabel(productName: string): string {
  return productName.replace(/[^A-Za-z0-9\-_. ]/g, '').trim().replace(/\s+/g, '-');
}

// MIG profiles and the most instances per GPU: NVIDIA/gpu-operator v26.7.0 assets/state-mig-manager/0400_configmap.yaml.
const A100_40GB_MIG = { '1g.5gb': 7, '1g.5gb+me': 1, '2g.10gb': 3, '3g.20gb': 2, '4g.20gb': 1, '7g.40gb': 1 };
const GB80_MIG = { '1g.10gb': 7, '1g.10gb+me': 1, '1g.20gb': 4, '2g.20gb': 3, '3g.40gb': 2, '4g.40gb': 1, '7g.80gb': 1 };

/**
 * A GPU model: the facts a device selector, a node selector and a capacity check need.
 *
 * Product names are the NVML device names the NVIDIA DRA driver publishes as `gpu.nvidia.com/productName`; node
 * label values are GPU Feature Discovery's sanitised form (`nvidia.com/gpu.product`). Each entry names its sources;
 * `[3p]` marks names seen only in third-party listings, which is why selectors match names loosely (lower-cased, by
 * pattern) rather than by equality. Memory is the nominal figure; drivers report slightly less usable memory.
 */
export class GpuModel {
  /**
   * NVIDIA A100 40GB (SXM4 or PCIe), Ampere.
   * Names: `NVIDIA A100-SXM4-40GB` [NVIDIA/k8s-dra-driver-gpu v25.12.0 README.md l.95], `NVIDIA A100-PCIE-40GB` [3p listing].
   * Memory: 40 GB [NVIDIA A100 data sheet]. MIG: GPU Operator v26.7.0 mig-parted defaults.
   */
  public static readonly NVIDIA_A100_40_GB = new GpuModel({
    id: 'nvidia-a100-40gb',
    productNames: ['NVIDIA A100-SXM4-40GB', 'NVIDIA A100-PCIE-40GB'],
    productNamePattern: 'a100.*40gb',
    memoryGib: 40,
    architecture: 'Ampere',
    migProfiles: A100_40GB_MIG,
  });

  /**
   * NVIDIA A100 80GB (SXM4 or PCIe), Ampere.
   * Names: `NVIDIA A100-SXM4-80GB`, `NVIDIA A100 80GB PCIe` [3p GPU id listing]. Memory: 80 GB [NVIDIA A100 data sheet].
   */
  public static readonly NVIDIA_A100_80_GB = new GpuModel({
    id: 'nvidia-a100-80gb',
    productNames: ['NVIDIA A100-SXM4-80GB', 'NVIDIA A100 80GB PCIe'],
    productNamePattern: 'a100.*80gb',
    memoryGib: 80,
    architecture: 'Ampere',
    migProfiles: GB80_MIG,
  });

  /**
   * NVIDIA H100 80GB (SXM5 HBM3 or PCIe), Hopper. The 94GB H100 NVL is `NVIDIA_H100_NVL`.
   * Names: `NVIDIA H100 80GB HBM3` [3p, GFD sanitiser comment], `NVIDIA H100 PCIe` [3p]. Memory: 80 GB [NVIDIA H100 data sheet].
   */
  public static readonly NVIDIA_H100_80_GB = new GpuModel({
    id: 'nvidia-h100-80gb',
    productNames: ['NVIDIA H100 80GB HBM3', 'NVIDIA H100 PCIe'],
    productNamePattern: 'h100',
    excludePattern: 'nvl|94gb|96gb',
    memoryGib: 80,
    architecture: 'Hopper',
    migProfiles: GB80_MIG,
  });

  /**
   * NVIDIA H100 NVL (94GB), Hopper. Name: `NVIDIA H100 NVL` [3p]. Memory: 94 GB [NVIDIA H100 data sheet].
   */
  public static readonly NVIDIA_H100_NVL = new GpuModel({
    id: 'nvidia-h100-nvl',
    productNames: ['NVIDIA H100 NVL'],
    productNamePattern: 'h100.*nvl',
    memoryGib: 94,
    architecture: 'Hopper',
    migProfiles: { '1g.12gb': 7, '1g.24gb': 4, '2g.24gb': 3, '3g.47gb': 2, '4g.47gb': 1, '7g.94gb': 1 },
  });

  /**
   * NVIDIA H200 141GB (SXM or NVL), Hopper. Names: `NVIDIA H200` [3p], `NVIDIA H200 NVL` [inferred].
   * Memory: 141 GB [NVIDIA H200 data sheet].
   */
  public static readonly NVIDIA_H200 = new GpuModel({
    id: 'nvidia-h200',
    productNames: ['NVIDIA H200', 'NVIDIA H200 NVL'],
    productNamePattern: 'h200',
    memoryGib: 141,
    architecture: 'Hopper',
    migProfiles: { '1g.18gb': 7, '1g.18gb+me': 1, '1g.35gb': 4, '2g.35gb': 3, '3g.71gb': 2, '4g.71gb': 1, '7g.141gb': 1 },
  });

  /**
   * NVIDIA B200, Blackwell. Name: `NVIDIA B200` [3p]. Memory: 180 GB, the size of its full MIG profile `7g.180gb`
   * [GPU Operator v26.7.0 mig-parted defaults].
   */
  public static readonly NVIDIA_B200 = new GpuModel({
    id: 'nvidia-b200',
    productNames: ['NVIDIA B200'],
    productNamePattern: '\\bb200\\b',
    excludePattern: 'gb200',
    memoryGib: 180,
    architecture: 'Blackwell',
    migProfiles: { '1g.23gb': 7, '1g.45gb': 4, '2g.45gb': 3, '3g.90gb': 2, '4g.90gb': 1, '7g.180gb': 1 },
    // Per node: HGX B200 / DGX B200: 8 GPUs per baseboard [NVIDIA DGX B200 data sheet].
    maxGpusPerNode: 8,
  });

  /**
   * NVIDIA GB200 (Grace Blackwell superchip GPU), Blackwell. NVL72 racks span nodes (multi-node NVLink through a
   * ComputeDomain). Name: `NVIDIA GB200` [NVIDIA/k8s-dra-driver-gpu v25.12.0 tests/bats/test_gpu_basic.bats l.36].
   * Memory: ~186 GB [inferred from its MIG profile `7g.186gb`].
   */
  public static readonly NVIDIA_GB200 = new GpuModel({
    id: 'nvidia-gb200',
    productNames: ['NVIDIA GB200'],
    productNamePattern: 'gb200',
    memoryGib: 186,
    architecture: 'Blackwell',
    migProfiles: { '1g.23gb': 7, '1g.47gb': 4, '2g.47gb': 3, '3g.93gb': 2, '4g.93gb': 1, '7g.186gb': 1 },
    // Per node: one NVL72 compute tray is a node with 2 GB200 superchips, 4 GPUs [NVIDIA GB200 NVL72 data sheet: 18 compute trays, 72 GPUs].
    maxGpusPerNode: 4,
  });

  /** NVIDIA L4 24GB, Ada Lovelace, no MIG. Name: `NVIDIA L4` [3p]. Memory: 24 GB [NVIDIA L4 data sheet]. */
  public static readonly NVIDIA_L4 = new GpuModel({
    id: 'nvidia-l4',
    productNames: ['NVIDIA L4'],
    productNamePattern: '\\bl4\\b',
    memoryGib: 24,
    architecture: 'Ada Lovelace',
  });

  /** NVIDIA L40S 48GB, Ada Lovelace, no MIG. Name: `NVIDIA L40S` [3p]. Memory: 48 GB [NVIDIA L40S data sheet]. */
  public static readonly NVIDIA_L40_S = new GpuModel({
    id: 'nvidia-l40s',
    productNames: ['NVIDIA L40S'],
    productNamePattern: '\\bl40s\\b',
    memoryGib: 48,
    architecture: 'Ada Lovelace',
  });

  /**
   * NVIDIA T4 16GB, Turing, no MIG. Name: `Tesla T4`, GFD label `Tesla-T4`, `nvidia.com/gpu.memory` 15360 MiB
   * [NVIDIA/k8s-device-plugin v0.20.0 docs/gpu-feature-discovery/README.md example]. Memory: 16 GB [data sheet].
   */
  public static readonly NVIDIA_T4 = new GpuModel({
    id: 'nvidia-t4',
    productNames: ['Tesla T4'],
    productNamePattern: '\\bt4\\b',
    memoryGib: 16,
    architecture: 'Turing',
  });

  /**
   * NVIDIA A10G 24GB (AWS G5), Ampere, no MIG. Name: `NVIDIA A10G`, GFD `nvidia.com/gpu.memory` 23028 MiB [3p].
   * Memory: 24 GB [AWS G5 instance specifications].
   */
  public static readonly NVIDIA_A10_G = new GpuModel({
    id: 'nvidia-a10g',
    productNames: ['NVIDIA A10G'],
    productNamePattern: '\\ba10g\\b',
    memoryGib: 24,
    architecture: 'Ampere',
  });

  /**
   * AMD Instinct MI300X 192GB, CDNA3 (AMD DRA driver `gpu.amd.com`). The driver publishes a "normalized"
   * `productName` whose exact text is not documented [ROCm/k8s-gpu-dra-driver docs/driver-attributes.md], so the
   * selector matches `mi300x` anywhere in it. Node label `amd.com/gpu.product-name=AMD_Instinct_MI300X_OAM` [3p ROCm
   * install guide example]. Memory: 192 GB HBM3 [rocm.docs.amd.com GPU specifications].
   */
  public static readonly AMD_MI300_X = new GpuModel({
    id: 'amd-mi300x',
    vendor: GpuVendor.AMD,
    productNames: ['AMD Instinct MI300X'],
    productNamePattern: 'mi300x',
    nodeLabelValues: ['AMD_Instinct_MI300X_OAM'],
    memoryGib: 192,
    architecture: 'CDNA3',
    // Per node: 8 OAM modules per Universal Baseboard [AMD Instinct MI300X Platform data sheet].
    maxGpusPerNode: 8,
  });

  /** Every model in the catalogue, in declaration order. */
  public static all(): GpuModel[] {
    return [
      GpuModel.NVIDIA_A100_40_GB, GpuModel.NVIDIA_A100_80_GB, GpuModel.NVIDIA_H100_80_GB, GpuModel.NVIDIA_H100_NVL,
      GpuModel.NVIDIA_H200, GpuModel.NVIDIA_B200, GpuModel.NVIDIA_GB200, GpuModel.NVIDIA_L4, GpuModel.NVIDIA_L40_S,
      GpuModel.NVIDIA_T4, GpuModel.NVIDIA_A10_G, GpuModel.AMD_MI300_X,
    ];
  }

  /**
   * A model the catalogue does not have.
   */
  public static custom(props: GpuModelProps): GpuModel {
    GpuModel.validate(props);
    return new GpuModel(props);
  }

  private static validate(props: GpuModelProps): void {
    checkProps(WHERE, 'GpuModelProps', props, {
      id: req('string', 'a DNS-1123 label such as "nvidia-rtx-6000-ada"'),
      vendor: opt(GpuVendor, 'a GpuVendor such as GpuVendor.NVIDIA'),
      productNames: req('string[]', 'a list of product names such as ["NVIDIA RTX 6000 Ada Generation"]'),
      productNamePattern: opt('string'),
      excludePattern: opt('string'),
      nodeLabelValues: opt('string[]'),
      memoryGib: req('number', 'a positive number of GB'),
      architecture: opt('string'),
      maxGpusPerNode: opt('number'),
      migProfiles: opt('object', 'an object of MIG profile to instances, such as { "1g.10gb": 7 }'),
    });
    if (!isDnsLabel(props.id)) throw invalidProp(WHERE, 'id', props.id, 'a DNS-1123 label such as "nvidia-rtx-6000-ada"');
    if (props.productNames.length === 0 || props.productNames.some((n) => n.trim() === '')) {
      throw invalidProp(WHERE, 'productNames', props.productNames, 'at least one non-empty product name, as the DRA driver publishes it');
    }
    if (!(Number.isFinite(props.memoryGib) && props.memoryGib > 0)) {
      throw invalidProp(WHERE, 'memoryGib', props.memoryGib, 'a positive number of GB');
    }
    if (props.maxGpusPerNode !== undefined) requireInteger(WHERE, 'maxGpusPerNode', props.maxGpusPerNode, 1, 64);
    if (props.productNamePattern !== undefined) requireRe2(WHERE, 'productNamePattern', props.productNamePattern);
    if (props.excludePattern !== undefined) requireRe2(WHERE, 'excludePattern', props.excludePattern);
    for (const value of props.nodeLabelValues ?? []) {
      if (value === '' || !isLabelValue(value)) {
        throw invalidProp(WHERE, 'nodeLabelValues', value, 'label values (at most 63 characters of [A-Za-z0-9-_.])');
      }
    }
    for (const [profile, instances] of Object.entries(props.migProfiles ?? {}).sort(([a], [b]) => compareMigProfiles(a, b))) {
      if (!MIG_PROFILE.test(profile)) throw invalidProp(WHERE, 'migProfiles', profile, 'MIG profiles such as "1g.10gb" or "1g.10gb+me"');
      requireInteger(WHERE, `migProfiles.${profile}`, instances, 1, 7);
    }
  }

  /** Stable identifier, e.g. `nvidia-h100-80gb`. */
  public readonly id: string;
  /** The vendor. */
  public readonly vendor: GpuVendor;
  /** Product names as the DRA driver publishes them. */
  public readonly productNames: string[];
  /** RE2 pattern on the lower-cased product name, when set. */
  public readonly productNamePattern?: string;
  /** RE2 pattern on the lower-cased product name of look-alike models to exclude, when set. */
  public readonly excludePattern?: string;
  /** Node label values of the vendor's feature discovery (`vendor.productLabel`). */
  public readonly nodeLabelValues: string[];
  /** Nominal device memory in GB. */
  public readonly memoryGib: number;
  /** Architecture as the DRA driver publishes it, when known. */
  public readonly architecture?: string;
  /** Supported MIG profiles, in catalogue order. */
  public readonly migProfiles: string[];
  /** The most GPUs of this model one node holds, when known. */
  public readonly maxGpusPerNode?: number;
  private readonly migInstances: Record<string, number>;

  private constructor(props: GpuModelProps) {
    this.id = props.id;
    this.vendor = props.vendor ?? GpuVendor.NVIDIA;
    this.productNames = [...props.productNames];
    this.productNamePattern = props.productNamePattern;
    this.excludePattern = props.excludePattern;
    this.nodeLabelValues = [...(props.nodeLabelValues ?? props.productNames.map(gfdLabel))];
    this.memoryGib = props.memoryGib;
    this.architecture = props.architecture;
    this.migInstances = { ...(props.migProfiles ?? {}) };
    this.maxGpusPerNode = props.maxGpusPerNode;
    // sorted, not in map order: jsii hands a Go map over in random order
    this.migProfiles = Object.keys(this.migInstances).sort(compareMigProfiles);
  }

  /**
   * True when the model supports the MIG profile.
   *
   * @param profile A MIG profile, e.g. `1g.10gb`.
   */
  public supportsMigProfile(profile: string): boolean {
    return this.migProfiles.includes(profile);
  }

  /**
   * The most instances of a MIG profile one GPU holds (0 when the model does not support it).
   *
   * @param profile A MIG profile, e.g. `1g.10gb`.
   */
  public migInstancesPerGpu(profile: string): number {
    return this.migProfiles.includes(profile) ? this.migInstances[profile] : 0;
  }

  /** The id. */
  public toString(): string {
    return this.id;
  }
}
