// attachGpus without the apiserver: what it records and wires, and that output is deterministic.
import { Chart, Size, Testing } from 'cdk8s';
import { appFor } from './fixtures';
import { GpuWorkload } from './gpu-workload';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuNodePool } from '../../src/accelerators/gpu-node-pool';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { GpuSharing } from '../../src/accelerators/gpu-sharing';
import { gpuDemands } from '../../src/cluster/app-registry';
import { GpuAllocation } from '../../src/cluster/cluster-profile';

function synthYaml(build: (chart: Chart) => void): string {
  const { chart } = appFor('default');
  build(chart);
  return JSON.stringify(Testing.synth(chart));
}

describe('attachGpus', () => {
  test('records the demand tenants count (DRA, shared, extended resource, all-on-node)', () => {
    const { chart } = appFor('default');
    const pool = new GpuNodePool(chart, 'pool', { gpu: GpuModel.NVIDIA_H100_80_GB, gpusPerNode: 8, maxNodes: 4 });
    new GpuWorkload(chart, 'a', { gpus: GpuRequest.of(2, { model: GpuModel.NVIDIA_H100_80_GB }), replicas: 3 });
    new GpuWorkload(chart, 'b', { gpus: GpuRequest.shared(GpuSharing.timeSlicing(), { count: 2 }), replicas: 5 });
    new GpuWorkload(chart, 'c', { gpus: GpuRequest.allOnNode(), pool, replicas: 2 });
    new GpuWorkload(chart, 'd', { gpus: GpuRequest.allOnNode(), replicas: 1 });
    const demands = gpuDemands(chart).map((d) => ({
      path: d.scope.node.path, ns: d.namespace, perPod: d.devicesPerPod, pods: d.pods, cls: d.deviceClassName, model: d.model,
    }));
    expect(demands).toEqual([
      { path: 'gpus/a', ns: 'gpu-tests', perPod: 2, pods: 3, cls: 'gpu.nvidia.com', model: 'nvidia-h100-80gb' },
      { path: 'gpus/b', ns: 'gpu-tests', perPod: 2, pods: 1, cls: 'gpu.nvidia.com', model: undefined },
      { path: 'gpus/c', ns: 'gpu-tests', perPod: 8, pods: 2, cls: 'gpu.nvidia.com', model: 'nvidia-h100-80gb' },
      { path: 'gpus/d', ns: 'gpu-tests', perPod: 32, pods: 1, cls: 'gpu.nvidia.com', model: undefined },
    ]);
  });

  test('device-plugin demand names the extended resource, not a class', () => {
    const { chart } = appFor('default', { gpuAllocation: GpuAllocation.DEVICE_PLUGIN });
    const w = new GpuWorkload(chart, 'w', { gpus: GpuRequest.of(4), replicas: 2 });
    expect(w.attachment).toEqual({ devicesPerPod: 4, extendedResource: 'nvidia.com/gpu' });
    expect(gpuDemands(chart)[0]).toMatchObject({ devicesPerPod: 4, pods: 2, extendedResource: 'nvidia.com/gpu', deviceClassName: undefined });
  });

  test('a shared request emits one ResourceClaim all pods reference', () => {
    const { chart } = appFor('default');
    const w = new GpuWorkload(chart, 'w', { gpus: GpuRequest.shared(GpuSharing.timeSlicing()), replicas: 4 });
    const objects = Testing.synth(chart);
    expect(objects.map((o: any) => o.kind)).toEqual(['ResourceClaim', 'Deployment']);
    expect(w.attachment.claim).toBeDefined();
    expect(objects[1].spec.template.spec.resourceClaims).toEqual([{ name: 'gpus', resourceClaimName: 'w-gpus' }]);
  });

  test('prioritized-list alternatives get readable unique names', () => {
    const { chart } = appFor('default');
    new GpuWorkload(chart, 'w', {
      gpus: GpuRequest.firstAvailable([
        GpuRequest.of(8, { model: GpuModel.NVIDIA_H100_80_GB }), GpuRequest.of(4, { model: GpuModel.NVIDIA_H100_80_GB }),
        GpuRequest.mig('7g.80gb'), GpuRequest.of(1),
      ]),
    });
    const rct = Testing.synth(chart)[0];
    expect(rct.spec.spec.devices.requests[0].firstAvailable.map((a: any) => a.name))
      .toEqual(['nvidia-h100-80gb', 'nvidia-h100-80gb-2', 'any-mig-7g-80gb', 'any']);
    expect(rct.spec.spec.devices.requests[0].firstAvailable[2].deviceClassName).toBe('mig.nvidia.com');
  });

  test('same input, same bytes', () => {
    const build = (chart: Chart) => {
      const pool = new GpuNodePool(chart, 'pool', { gpu: GpuModel.NVIDIA_A100_80_GB, gpusPerNode: 8, maxNodes: 2, deviceClass: true });
      new GpuWorkload(chart, 'w', { gpus: GpuRequest.of(2, { minMemory: Size.gibibytes(40) }), pool, replicas: 2 });
      new GpuWorkload(chart, 'm', { gpus: GpuRequest.mig('1g.10gb', { count: 3 }), pool });
    };
    expect(synthYaml(build)).toBe(synthYaml(build));
  });

  test('the GPU toleration is added once even when the pool taints the same key', () => {
    const { chart } = appFor('default');
    const pool = new GpuNodePool(chart, 'pool', { gpu: GpuModel.NVIDIA_L4, gpusPerNode: 4 });
    new GpuWorkload(chart, 'w', { gpus: GpuRequest.of(1), pool });
    const pod = Testing.synth(chart).find((o: any) => o.kind === 'Deployment').spec.template.spec;
    expect(pod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
  });
});

describe('placement without a pool', () => {
  test('with the GPU Operator in the profile, DRA pods require nvidia.com/gpu.present=true', () => {
    const { chart } = appFor('default');
    new GpuWorkload(chart, 'w', { gpus: GpuRequest.of(1) });
    const pod = Testing.synth(chart).find((o: any) => o.kind === 'Deployment').spec.template.spec;
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions)
      .toEqual([{ key: 'nvidia.com/gpu.present', operator: 'In', values: ['true'] }]);
  });

  test('without it, only the toleration (the DRA scheduler finds the devices)', () => {
    const { chart } = appFor('default', { addons: [] });
    new GpuWorkload(chart, 'w', { gpus: GpuRequest.of(1) });
    const pod = Testing.synth(chart).find((o: any) => o.kind === 'Deployment').spec.template.spec;
    expect(pod.affinity).toBeUndefined();
    expect(pod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
  });
});
