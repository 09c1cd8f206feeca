// GpuNodePool without the apiserver: capacity, the node contract, and a provisioner added as one class.
import { ApiObject, Testing } from 'cdk8s';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuNodePool } from '../../src/accelerators/gpu-node-pool';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { INodeProvisioner, ProvisionedNodes } from '../../src/accelerators/provisioners/node-provisioner-base';
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
    expect(new GpuNodePool(chart, 'mi300x', { gpu: GpuModel.AMD_MI300_X, gpusPerNode: 8 }).taints[0].key).toBe('amd.com/gpu');
  });

  test('a provisioner is one class: its object is emitted and pods require its labels', () => {
    const { chart } = appFor('default');
    const pool = new GpuNodePool(chart, 'l40s', { gpu: GpuModel.NVIDIA_L40_S, gpusPerNode: 4, maxNodes: 2, provisioner: new StaticNodeGroup() });
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

  test('pods require the provisioner\'s node labels in sorted order, whatever order its map came in (Go maps)', () => {
    const spec = (podNodeLabels: Record<string, string>) => {
      const { chart } = appFor('default');
      const provisioner: INodeProvisioner = { kind: 'unordered', bind: () => ({ podNodeLabels }) };
      const pool = new GpuNodePool(chart, 'p', { gpu: GpuModel.NVIDIA_L40_S, gpusPerNode: 4, provisioner, labels: { 'z.example.com/b': '2', 'a.example.com/a': '1' } });
      new GpuWorkload(chart, 'w', { gpus: GpuRequest.of(1), pool });
      const deployment = Testing.synth(chart).find((o: any) => o.kind === 'Deployment');
      const required = deployment.spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution;
      return { pool, terms: required.nodeSelectorTerms[0].matchExpressions };
    };
    const a = spec({ 'zz.example.com/rack': 'r1', 'example.com/group': 'g1' });
    const b = spec({ 'example.com/group': 'g1', 'zz.example.com/rack': 'r1' });
    expect(a.terms).toEqual(b.terms);
    expect(a.terms.map((t: any) => t.key)).toEqual(['ai.cdk8s.io/gpu-node-pool', 'example.com/group', 'zz.example.com/rack']);
    expect(Object.keys(a.pool.nodeLabels)).toEqual(['a.example.com/a', 'ai.cdk8s.io/gpu-node-pool', 'z.example.com/b']);
  });

  test('a provisioner\'s invalid node label is refused with the library error', () => {
    const { chart } = appFor('default');
    const provisioner: INodeProvisioner = { kind: 'bad', bind: () => ({ podNodeLabels: { 'example.com/group': 'not ok' } }) };
    expect(() => new GpuNodePool(chart, 'p', { gpu: GpuModel.NVIDIA_L40_S, gpusPerNode: 4, provisioner }))
      .toThrow('[gpus/p] provisioner.podNodeLabels.example.com/group (provisioner.pod_node_labels.example.com/group): got "not ok"; expected a label value');
  });

  test('overfilling the pool names the pool path once (no doubled "[path] [path]" prefix)', () => {
    const { app, chart } = appFor('default');
    const pool = new GpuNodePool(chart, 'p', { gpu: GpuModel.NVIDIA_H100_80_GB, gpusPerNode: 8, maxNodes: 1 });
    new GpuWorkload(chart, 'a', { gpus: GpuRequest.of(8), pool });
    new GpuWorkload(chart, 'b', { gpus: GpuRequest.of(4), pool });
    let message = '';
    try {
      app.synth();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe('Validation failed with the following errors:\n  [gpus/p] maxNodes (max_nodes): the workloads placed on the pool need 12 GPUs ' +
      '(gpus/a (8), gpus/b (4)) but the pool holds at most 8 (1 nodes x 8); raise maxNodes or move a workload');
    expect(message.split('[gpus/p]')).toHaveLength(2);
  });

  test('workloads that fill the pool exactly are accepted', () => {
    const { app, chart } = appFor('default');
    const pool = new GpuNodePool(chart, 'p', { gpu: GpuModel.NVIDIA_H100_80_GB, gpusPerNode: 8, maxNodes: 2 });
    new GpuWorkload(chart, 'a', { gpus: GpuRequest.of(8), pool });
    new GpuWorkload(chart, 'b', { gpus: GpuRequest.mig('1g.10gb', { count: 7 }), pool, replicas: 8 });
    expect(() => app.synth()).not.toThrow();
  });
});
