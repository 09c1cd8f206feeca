// fast-check over profiles (1.34-1.37, DRA or device plugin) and request shapes: a shape the profile cannot express
// always throws the library's ValidationError and writes nothing; one it can express always synthesizes.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Chart, Size } from 'cdk8s';
import * as fc from 'fast-check';
import { ALL_ADDONS } from './fixtures';
import { GpuWorkload } from './gpu-workload';
import { DeviceAttribute } from '../../src/accelerators/device-attribute';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { GpuSharing } from '../../src/accelerators/gpu-sharing';
import { ClusterProfile, GpuAllocation } from '../../src/cluster/cluster-profile';
import { KubernetesVersion } from '../../src/cluster/kubernetes-version';
import { ValidationError } from '../../src/internal/errors';

interface Case {
  readonly name: string;
  readonly request: () => GpuRequest;
  /** Whether a profile can express it. */
  readonly allowed: (minor: number, dra: boolean) => boolean;
}

const draOnly = (_minor: number, dra: boolean) => dra;
const newDra = (minor: number, dra: boolean) => dra && minor >= 36;
const CASES: Case[] = [
  { name: 'whole', request: () => GpuRequest.of(2), allowed: () => true },
  { name: 'as extended resource', request: () => GpuRequest.of(2, { asExtendedResource: true }), allowed: (minor, dra) => !dra || minor >= 36 },
  { name: 'min memory', request: () => GpuRequest.of(1, { minMemory: Size.gibibytes(16) }), allowed: draOnly },
  { name: 'mig', request: () => GpuRequest.mig('1g.10gb'), allowed: draOnly },
  { name: 'dynamic mig', request: () => GpuRequest.mig('1g.10gb', { dynamic: true }), allowed: newDra },
  { name: 'shared', request: () => GpuRequest.shared(GpuSharing.timeSlicing()), allowed: draOnly },
  { name: 'first available', request: () => GpuRequest.firstAvailable([GpuRequest.of(2), GpuRequest.of(1)]), allowed: draOnly },
  { name: 'all on node', request: () => GpuRequest.allOnNode(), allowed: draOnly },
  { name: 'memory share', request: () => GpuRequest.memoryShare(Size.gibibytes(8)), allowed: newDra },
  { name: 'same pcie root', request: () => GpuRequest.of(2, { sameAttributes: [DeviceAttribute.PCIE_ROOT] }), allowed: draOnly },
  { name: 'admin access', request: () => GpuRequest.of(1, { adminAccess: true }), allowed: draOnly },
  { name: 'multi-node nvlink', request: () => GpuRequest.of(4, { multiNodeNvlink: true }), allowed: draOnly },
];
const MINORS = [34, 35, 36, 37];

function synth(minor: number, dra: boolean, request: GpuRequest): { error?: unknown; files: string[] } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ai-refusal-'));
  try {
    const app = new App({ outdir });
    new ClusterProfile(app, 'Cluster', {
      kubernetesVersion: KubernetesVersion.of(`1.${minor}`),
      gpuAllocation: dra ? GpuAllocation.DYNAMIC_RESOURCE_ALLOCATION : GpuAllocation.DEVICE_PLUGIN,
      addons: ALL_ADDONS,
    });
    try {
      new GpuWorkload(new Chart(app, 'c', { namespace: 'ml' }), 'w', { gpus: request });
      app.synth();
    } catch (error) {
      return { error, files: fs.readdirSync(outdir) };
    }
    return { files: fs.readdirSync(outdir) };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

test('each shape is refused exactly where the profile cannot express it (300 runs)', () => {
  const seen = { refused: 0, accepted: 0 };
  fc.assert(fc.property(fc.constantFrom(...CASES), fc.constantFrom(...MINORS), fc.boolean(), (c, minor, dra) => {
    const { error, files } = synth(minor, dra, c.request());
    if (c.allowed(minor, dra)) {
      expect(error).toBeUndefined();
      expect(files.length).toBe(1);
      seen.accepted++;
    } else {
      expect(ValidationError.isValidationError(error)).toBe(true);
      expect((error as Error).message).toMatch(/^\[c\/w\] gpus(\.[a-zA-Z]+( \(gpus\.[a-z_]+\))?)?: /);
      expect(files).toEqual([]);
      seen.refused++;
    }
  }), { numRuns: 300 });
  expect(seen.refused).toBeGreaterThan(0);
  expect(seen.accepted).toBeGreaterThan(0);
});
