// The GPU catalogue and the CEL it generates: every model's selector matches its own product names (and GFD
// labels are derived by GFD's rule), and never a look-alike of another model.
import { Size } from 'cdk8s';
import { celString, minMemorySelector, modelSelector, productPattern, quantityOf, wholeGpuSelector } from '../../src/accelerators/cel';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuVendor } from '../../src/accelerators/gpu-vendor';

/** Evaluates a model selector's name tests in JS (the patterns use only RE2 ∩ JS syntax). */
function selects(model: GpuModel, productName: string): boolean {
  const lower = productName.toLowerCase();
  if (!new RegExp(productPattern(model)).test(lower)) return false;
  return !(model.excludePattern && new RegExp(model.excludePattern).test(lower));
}

const CATALOGUE = GpuModel.all();
/** Names seen in the wild for boards that are not separate catalogue entries (match loosely, see notes §6). */
const DRIFT: Record<string, string[]> = {
  'nvidia-h100-80gb': ['NVIDIA H100 SXM5 80GB', 'nvidia h100 80gb hbm3'],
  'nvidia-a100-80gb': ['NVIDIA A100-SXM4-80GB', 'NVIDIA A100 80GB PCIe'],
  'nvidia-h200': ['NVIDIA H200 NVL'],
};

describe('GpuModel catalogue', () => {
  test('has the models the issue lists', () => {
    const ids = CATALOGUE.map((m) => m.id);
    for (const id of ['nvidia-a100-40gb', 'nvidia-a100-80gb', 'nvidia-h100-80gb', 'nvidia-h200', 'nvidia-b200', 'nvidia-l4',
      'nvidia-l40s', 'nvidia-t4', 'nvidia-a10g', 'amd-mi300x']) {
      expect(ids).toContain(id);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  test.each(CATALOGUE.map((m) => [m.id, m] as const))('%s selects exactly its own product names', (_id, model) => {
    for (const name of [...model.productNames, ...(DRIFT[model.id] ?? [])]) {
      expect(selects(model, name)).toBe(true);
      for (const other of CATALOGUE.filter((m) => m !== model)) {
        expect({ other: other.id, name, selected: selects(other, name) }).toEqual({ other: other.id, name, selected: false });
      }
    }
  });

  test('GFD node labels follow GFD\'s sanitiser', () => {
    expect(GpuModel.NVIDIA_H100_80_GB.nodeLabelValues).toEqual(['NVIDIA-H100-80GB-HBM3', 'NVIDIA-H100-PCIe']);
    expect(GpuModel.NVIDIA_A100_80_GB.nodeLabelValues).toEqual(['NVIDIA-A100-SXM4-80GB', 'NVIDIA-A100-80GB-PCIe']);
    expect(GpuModel.NVIDIA_T4.nodeLabelValues).toEqual(['Tesla-T4']);
  });

  test('MIG instances per GPU come from the mig-parted defaults', () => {
    expect(GpuModel.NVIDIA_A100_80_GB.migInstancesPerGpu('1g.10gb')).toBe(7);
    expect(GpuModel.NVIDIA_H100_80_GB.migInstancesPerGpu('3g.40gb')).toBe(2);
    expect(GpuModel.NVIDIA_L4.migInstancesPerGpu('1g.10gb')).toBe(0);
    expect(GpuModel.NVIDIA_L4.migProfiles).toEqual([]);
  });

  test('MIG profiles come out in catalogue order, whatever order the map came in (Go maps arrive shuffled)', () => {
    const profiles = { '7g.80gb': 1, '1g.20gb': 4, '1g.10gb+me': 1, '3g.40gb': 2, '1g.10gb': 7, '2g.20gb': 3, '4g.40gb': 1 };
    const model = GpuModel.custom({ id: 'acme-m80', productNames: ['ACME M80'], memoryGib: 80, migProfiles: profiles });
    expect(model.migProfiles).toEqual(GpuModel.NVIDIA_A100_80_GB.migProfiles);
    expect(model.migProfiles).toEqual(['1g.10gb', '1g.10gb+me', '1g.20gb', '2g.20gb', '3g.40gb', '4g.40gb', '7g.80gb']);
    expect(GpuModel.NVIDIA_H200.migProfiles).toEqual(['1g.18gb', '1g.18gb+me', '1g.35gb', '2g.35gb', '3g.71gb', '4g.71gb', '7g.141gb']);
    // numeric, not text order: 1g.5gb before 1g.10gb
    const small = GpuModel.custom({ id: 'acme-m40', productNames: ['ACME M40'], memoryGib: 40, migProfiles: { '1g.10gb': 3, '1g.5gb': 7 } });
    expect(small.migProfiles).toEqual(['1g.5gb', '1g.10gb']);
  });

  test('custom models and vendors', () => {
    const vendor = GpuVendor.custom({ name: 'acme', draDriver: 'gpu.acme.com', extendedResourceName: 'acme.com/gpu' });
    expect(vendor.deviceClassName).toBe('gpu.acme.com');
    expect(vendor.taintKey).toBe('acme.com/gpu');
    const model = GpuModel.custom({ id: 'acme-x1', vendor, productNames: ['ACME X1 (rev. 2)'], memoryGib: 96 });
    expect(model.nodeLabelValues).toEqual(['ACME-X1-rev.-2']);
    expect(productPattern(model)).toBe('^(acme x1 \\(rev\\. 2\\))$');
    expect(selects(model, 'Acme X1 (Rev. 2)')).toBe(true);
    expect(selects(model, 'ACME X1')).toBe(false);
  });
});

describe('CEL selectors', () => {
  test('guard every attribute and capacity with has()', () => {
    expect(modelSelector(GpuModel.NVIDIA_H100_80_GB)).toBe(
      "has(device.attributes['gpu.nvidia.com'].productName) && " +
      "device.attributes['gpu.nvidia.com'].productName.lowerAscii().matches('h100') && " +
      "!device.attributes['gpu.nvidia.com'].productName.lowerAscii().matches('nvl|94gb|96gb')");
    expect(minMemorySelector(GpuVendor.AMD, Size.gibibytes(64))).toBe(
      "has(device.capacity['gpu.amd.com'].memory) && device.capacity['gpu.amd.com'].memory.compareTo(quantity('64Gi')) >= 0");
    expect(wholeGpuSelector(GpuVendor.NVIDIA)).toBe(
      "device.driver == 'gpu.nvidia.com' && has(device.attributes['gpu.nvidia.com'].type) && device.attributes['gpu.nvidia.com'].type == 'gpu'");
  });

  test('never use attributes the NVIDIA driver v25.12 no longer publishes', () => {
    const all = [...CATALOGUE.map(modelSelector), wholeGpuSelector(GpuVendor.NVIDIA), minMemorySelector(GpuVendor.NVIDIA, Size.gibibytes(1))].join(' ');
    for (const removed of ['.index', '.minor', 'pcieBusID']) expect(all).not.toContain(removed);
  });

  test('quantities are exact and string literals are escaped', () => {
    expect(quantityOf(Size.gibibytes(40))).toBe('40Gi');
    expect(quantityOf(Size.mebibytes(1536))).toBe('1536Mi');
    expect(celString("it's a \\ test")).toBe("'it\\'s a \\\\ test'");
  });
});
