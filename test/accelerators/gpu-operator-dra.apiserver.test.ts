// The DCGM exporter's DRA attribution objects (ClusterPolicy env, ResourceSlice ClusterRole and binding) on the real
// apiserver: accepted as sent (nothing dropped or defaulted away).
import { ENVS, appFor } from './fixtures';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuNodePool } from '../../src/accelerators/gpu-node-pool';
import { validateChart } from '../harness';

describe.each(ENVS)('GpuOperatorPolicy DRA attribution on the %s environment', (env) => {
  test('ClusterPolicy with KUBERNETES_ENABLE_DRA, ClusterRole and ClusterRoleBinding are accepted as sent', async () => {
    const { chart } = appFor(env);
    new GpuNodePool(chart, 'h100', { gpu: GpuModel.NVIDIA_H100_80_GB, gpusPerNode: 8, gpuOperator: {} });
    const results = await validateChart(chart, { environment: env });
    expect(results.map((r) => r.object.kind).sort()).toEqual(['ClusterPolicy', 'ClusterRole', 'ClusterRoleBinding']);
    const policy = results.find((r) => r.object.kind === 'ClusterPolicy')!.response as any;
    expect(policy.spec.dcgmExporter.env).toEqual([{ name: 'KUBERNETES_ENABLE_DRA', value: 'true' }]);
    expect(policy.spec.dcgmExporter.enablePodUID).toBe(true);
    const role = results.find((r) => r.object.kind === 'ClusterRole')!.response as any;
    expect(role.metadata.namespace).toBeUndefined();
    expect(role.rules).toEqual([{ apiGroups: ['resource.k8s.io'], resources: ['resourceslices'], verbs: ['get', 'list', 'watch'] }]);
  });
});
