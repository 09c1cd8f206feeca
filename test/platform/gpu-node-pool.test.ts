// GpuNodePool without the apiserver: capacity, the node contract, and a provisioner added as one class.
import { ApiObject, Testing } from 'cdk8s';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { GpuNodePool } from '../../src/platform/gpu-node-pool';
import { INodeProvisioner, ProvisionedNodes } from '../../src/platform/provisioners/node-provisioner-base';
import { appFor } from '../accelerators/fixtures';
import { GpuWorkload } from '../accelerators/gpu-workload';

/** A provisioner of our own: one class, nothing else edited. */
class StaticNodeGroup implements INodeProvisioner {
  public readonly kind = 'static-node-group';
  public bind(pool: GpuNodePool): ProvisionedNodes {
    const resource = new ApiObject(pool, 'NodeGroup', {
      apiVersion: 'example.com/v1',
      kind: 'NodeGroup',
      metadata: { name: pool.name },
      spec: { size: pool.maxNodes, labels: pool.nodeLabels, taints: pool.taints },
    } as any);
    return { resource, podNodeLabels: { 'example.com/node-group': pool.name } };
  }
}

describe('GpuNodePool', () => {
  test('capacity, labels and default taint', () => {
    const { chart } = appFor('default');
    const pool = new GpuNodePool(chart, 'h200', { gpu: GpuModel.NVIDIA_H200, gpusPerNode: 8, maxNodes: 3 });
    expect(pool.gpuCapacity).toBe(24);
    expect(pool.name).toBe('h200');
    expect(pool.nodeLabels).toEqual({ [GpuNodePool.POOL_LABEL]: 'h200' });
    expect(pool.taints).toEqual([{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }]);
    expect(pool.provisioner.kind).toBe('existing-nodes');
    expect(Testing.synth(chart)).toEqual([]);
  });

  test('AMD pools taint amd.com/gpu by default', () => {
    const { chart } = appFor('default');
    expect(new GpuNodePool(chart, 'mi300x', { gpu: GpuModel.AMD_MI300X, gpusPerNode: 8 }).taints[0].key).toBe('amd.com/gpu');
  });

  test('a provisioner is one class: its object is emitted and pods require its labels', () => {
    const { chart } = appFor('default');
    const pool = new GpuNodePool(chart, 'l40s', { gpu: GpuModel.NVIDIA_L40S, gpusPerNode: 4, maxNodes: 2, provisioner: new StaticNodeGroup() });
    new GpuWorkload(chart, 'w', { gpus: GpuRequest.of(2), pool, replicas: 4 });
    const objects = Testing.synth(chart);
    expect(objects.map((o: any) => o.kind)).toEqual(['NodeGroup', 'ResourceClaimTemplate', 'Deployment']);
    expect(pool.provisionerResource).toBeDefined();
    const affinity = objects[2].spec.template.spec.affinity.nodeAffinity;
    const terms = affinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions;
    expect(terms).toEqual([
      { key: 'ai.cdk8s.io/gpu-node-pool', operator: 'In', values: ['l40s'] },
      { key: 'example.com/node-group', operator: 'In', values: ['l40s'] },
    ]);
  });

  test('workloads that fill the pool exactly are accepted', () => {
    const { app, chart } = appFor('default');
    const pool = new GpuNodePool(chart, 'p', { gpu: GpuModel.NVIDIA_H100_80GB, gpusPerNode: 8, maxNodes: 2 });
    new GpuWorkload(chart, 'a', { gpus: GpuRequest.of(8), pool });
    new GpuWorkload(chart, 'b', { gpus: GpuRequest.mig('1g.10gb', { count: 7 }), pool, replicas: 8 });
    expect(() => app.synth()).not.toThrow();
  });
});
