// GpuNodePool with each provisioner, and workloads placed on it, on the real apiserver (1.34 and 1.37 profiles).
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuNodePool } from '../../src/accelerators/gpu-node-pool';
import { MigStrategy } from '../../src/accelerators/gpu-operator-policy';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { CapacityType, TaintEffect } from '../../src/accelerators/node-pool-contract';
import { KarpenterConsolidation } from '../../src/accelerators/provisioners/karpenter-provisioner';
import { NodeProvisioner } from '../../src/accelerators/provisioners/node-provisioner';
import { GpuAllocation } from '../../src/cluster/cluster-profile';
import { ENVS, appFor } from '../accelerators/fixtures';
import { GpuWorkload } from '../accelerators/gpu-workload';
import { validateChart } from '../harness';

const NODE_CLASS = { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'gpu-nodes' };

function podOf(results: { object: any; response: any }[], name: string): any {
  return results.find((r) => r.object.kind === 'Deployment' && r.object.metadata.name === name)!.response.spec.template.spec;
}

function requiredNodeTerms(pod: any): any[] {
  return pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions;
}

describe.each(ENVS)('GpuNodePool on the %s environment', (env) => {
  test('existing nodes: a label/taint contract, workloads require and tolerate it', async () => {
    const { chart } = appFor(env);
    const pool = new GpuNodePool(chart, 'h100', {
      gpu: GpuModel.NVIDIA_H100_80_GB,
      gpusPerNode: 8,
      minNodes: 1,
      maxNodes: 4,
      zones: ['us-east-1a', 'us-east-1b'],
      labels: { 'example.com/team': 'research' },
      taints: [{ key: 'nvidia.com/gpu', value: 'present' }, { key: 'example.com/dedicated', value: 'ml', effect: TaintEffect.NO_EXECUTE }],
    });
    new GpuWorkload(chart, 'trainer', { gpus: GpuRequest.of(8, { model: GpuModel.NVIDIA_H100_80_GB }), pool, replicas: 4 });
    const results = await validateChart(chart, { environment: env });
    expect(results.map((r) => r.object.kind).sort()).toEqual(['Deployment', 'ResourceClaimTemplate']);
    expect(pool.provisionerResource).toBeUndefined();
    expect(pool.nodeLabels).toEqual({ 'example.com/team': 'research', 'ai.cdk8s.io/gpu-node-pool': 'h100' });
    const pod = podOf(results, 'trainer');
    expect(requiredNodeTerms(pod)).toEqual([
      { key: 'ai.cdk8s.io/gpu-node-pool', operator: 'In', values: ['h100'] },
      { key: 'topology.kubernetes.io/zone', operator: 'In', values: ['us-east-1a', 'us-east-1b'] },
    ]);
    expect(pod.tolerations).toEqual([
      { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'example.com/dedicated', operator: 'Exists', effect: 'NoExecute' },
    ]);
  });

  test('existing nodes in an NVLink clique, with the pool DeviceClass', async () => {
    const { chart } = appFor(env);
    const pool = new GpuNodePool(chart, 'nvl72', { gpu: GpuModel.NVIDIA_GB200, gpusPerNode: 4, maxNodes: 18, nvlinkClique: 'c3a5.1', deviceClass: true });
    const w = new GpuWorkload(chart, 'big', { gpus: GpuRequest.of(4, { multiNodeNvlink: true }), pool, replicas: 18 });
    const results = await validateChart(chart, { environment: env });
    expect(results.map((r) => r.object.kind).sort()).toEqual(['ComputeDomain', 'Deployment', 'DeviceClass', 'ResourceClaimTemplate']);
    expect(w.attachment.deviceClassName).toBe('nvl72.gpu-pool.ai.cdk8s.io');
    const template = results.find((r) => r.object.kind === 'ResourceClaimTemplate')!.response as any;
    expect(template.spec.spec.devices.requests[0].exactly.deviceClassName).toBe('nvl72.gpu-pool.ai.cdk8s.io');
    expect(requiredNodeTerms(podOf(results, 'big'))).toContainEqual({ key: 'nvidia.com/gpu.clique', operator: 'In', values: ['c3a5.1'] });
    const deviceClass = results.find((r) => r.object.kind === 'DeviceClass')!.response as any;
    expect(deviceClass.metadata.namespace).toBeUndefined();
  });

  test('Karpenter NodePool with a GPU Operator ClusterPolicy; DRA pods require karpenter.sh/nodepool', async () => {
    const { chart } = appFor(env);
    const pool = new GpuNodePool(chart, 'a100', {
      gpu: GpuModel.NVIDIA_A100_80_GB,
      gpusPerNode: 8,
      maxNodes: 3,
      capacityType: CapacityType.SPOT,
      zones: ['eu-west-1a'],
      provisioner: NodeProvisioner.karpenter({
        nodeClass: NODE_CLASS, instanceTypes: ['p4de.24xlarge'], consolidation: KarpenterConsolidation.WHEN_EMPTY, weight: 50,
      }),
      gpuOperator: { migStrategy: MigStrategy.MIXED, driverVersion: '580.95.05', serviceMonitor: true },
    });
    new GpuWorkload(chart, 'llm', { gpus: GpuRequest.mig('3g.40gb', { count: 2 }), pool, replicas: 3 });
    const results = await validateChart(chart, { environment: env });
    // DRA cluster: the DCGM exporter's ResourceSlice ClusterRole and binding come with the ClusterPolicy
    expect(results.map((r) => r.object.kind).sort()).toEqual(['ClusterPolicy', 'ClusterRole', 'ClusterRoleBinding', 'Deployment', 'NodePool', 'ResourceClaimTemplate']);
    const nodePool = results.find((r) => r.object.kind === 'NodePool')!.response as any;
    expect(nodePool.metadata.namespace).toBeUndefined();
    expect(nodePool.spec.template.metadata.labels['ai.cdk8s.io/gpu-node-pool']).toBe('a100');
    expect(nodePool.spec.template.spec.requirements).toContainEqual({ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] });
    expect(nodePool.spec.limits).toEqual({ nodes: 3 });
    expect(requiredNodeTerms(podOf(results, 'llm'))).toContainEqual({ key: 'karpenter.sh/nodepool', operator: 'In', values: ['a100'] });
    const policy = results.find((r) => r.object.kind === 'ClusterPolicy')!.response as any;
    expect(policy.spec.devicePlugin.enabled).toBe(false);
    expect(policy.spec.mig.strategy).toBe('mixed');
  });

  test('Karpenter pool on a device-plugin cluster: extended-resource pods, device plugin on', async () => {
    const { chart } = appFor(env, { gpuAllocation: GpuAllocation.DEVICE_PLUGIN });
    const pool = new GpuNodePool(chart, 'l4', {
      gpu: GpuModel.NVIDIA_L4,
      gpusPerNode: 4,
      maxNodes: 10,
      provisioner: NodeProvisioner.karpenter({ nodeClass: NODE_CLASS, instanceTypes: ['g6.12xlarge', 'g6.24xlarge'] }),
      gpuOperator: { installDriver: false },
    });
    new GpuWorkload(chart, 'server', { gpus: GpuRequest.of(1, { model: GpuModel.NVIDIA_L4 }), pool, replicas: 10 });
    const results = await validateChart(chart, { environment: env });
    const pod = podOf(results, 'server');
    expect(pod.containers[0].resources.limits['nvidia.com/gpu']).toBe('1');
    expect(pod.resourceClaims).toBeUndefined();
    const policy = results.find((r) => r.object.kind === 'ClusterPolicy')!.response as any;
    expect(policy.spec.devicePlugin.enabled).toBe(true);
    expect(policy.spec.driver.enabled).toBe(false);
  });
});
