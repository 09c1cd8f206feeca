// GpuOperatorPolicy on a DRA cluster: the DCGM exporter attributes DRA-allocated GPUs to pods (issue 16 item 9).
import { Chart, Testing } from 'cdk8s';
import { ALL_ADDONS } from './fixtures';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuNodePool } from '../../src/accelerators/gpu-node-pool';
import { GpuOperatorPolicy, GpuOperatorPolicyProps } from '../../src/accelerators/gpu-operator-policy';
import { ClusterProfile, GpuAllocation } from '../../src/cluster/cluster-profile';

function objectsFor(props: GpuOperatorPolicyProps, gpuAllocation?: GpuAllocation): any[] {
  const app = Testing.app();
  new ClusterProfile(app, 'Cluster', { addons: ALL_ADDONS, gpuAllocation });
  const chart = new Chart(app, 'c', { namespace: 'platform' });
  new GpuOperatorPolicy(chart, 'p', props);
  return chart.toJson();
}

const policyOf = (objects: any[]) => objects.find((o) => o.kind === 'ClusterPolicy').spec;

describe('GpuOperatorPolicy: DCGM exporter pod attribution under DRA', () => {
  test('on a DRA cluster the exporter runs with KUBERNETES_ENABLE_DRA and a token (enablePodUID)', () => {
    const exporter = policyOf(objectsFor({})).dcgmExporter;
    expect(exporter).toEqual({ enabled: true, env: [{ name: 'KUBERNETES_ENABLE_DRA', value: 'true' }], enablePodUID: true });
  });

  test('its ServiceAccount in the operator namespace may read ResourceSlices (cluster-scoped objects, no namespace)', () => {
    const objects = objectsFor({});
    const role = objects.find((o) => o.kind === 'ClusterRole');
    const binding = objects.find((o) => o.kind === 'ClusterRoleBinding');
    expect(role.metadata.namespace).toBeUndefined();
    expect(binding.metadata.namespace).toBeUndefined();
    expect(role.rules).toEqual([{ apiGroups: ['resource.k8s.io'], resources: ['resourceslices'], verbs: ['get', 'list', 'watch'] }]);
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata.name });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'nvidia-dcgm-exporter', namespace: 'gpu-operator' }]);
    const custom = objectsFor({ operatorNamespace: 'nvidia-system' }).find((o) => o.kind === 'ClusterRoleBinding');
    expect(custom.subjects[0].namespace).toBe('nvidia-system');
  });

  test('device-plugin clusters, a disabled exporter or an explicit opt-out get no DRA settings and no ClusterRole', () => {
    const cases = [objectsFor({}, GpuAllocation.DEVICE_PLUGIN), objectsFor({ dcgmExporter: false }),
      objectsFor({ dcgmExporterDraAttribution: false })];
    for (const objects of cases) {
      const exporter = policyOf(objects).dcgmExporter;
      expect(exporter.env).toBeUndefined();
      expect(exporter.enablePodUID).toBeUndefined();
      expect(objects.map((o) => o.kind)).toEqual(['ClusterPolicy']);
    }
  });

  test('a GpuNodePool passes the options through', () => {
    const app = Testing.app();
    new ClusterProfile(app, 'Cluster', { addons: ALL_ADDONS });
    const chart = new Chart(app, 'c');
    const pool = new GpuNodePool(chart, 'h100', { gpu: GpuModel.NVIDIA_H100_80_GB, gpusPerNode: 8, gpuOperator: { operatorNamespace: 'gpu-ops' } });
    expect(pool.gpuOperatorPolicy!.dcgmExporterClusterRoleBinding).toBeDefined();
    expect(chart.toJson().find((o: any) => o.kind === 'ClusterRoleBinding').subjects[0].namespace).toBe('gpu-ops');
  });

  test.each([
    [{ dcgmExporterDraAttribution: true, dcgmExporter: false }, undefined,
      '[c/p] gpuOperator.dcgmExporterDraAttribution (gpu_operator.dcgm_exporter_dra_attribution): is true but dcgmExporter is false; attribution configures the DCGM exporter'],
    [{ dcgmExporterDraAttribution: true }, GpuAllocation.DEVICE_PLUGIN,
      '[c/p] gpuOperator.dcgmExporterDraAttribution (gpu_operator.dcgm_exporter_dra_attribution): is true but the ClusterProfile allocates GPUs through the device plugin'],
    [{ operatorNamespace: 'GPU_Operator' }, undefined,
      '[c/p] gpuOperator.operatorNamespace (gpu_operator.operator_namespace): got "GPU_Operator"; expected a DNS-1123 label'],
  ])('refuses %j', (props, allocation, error) => {
    expect(() => objectsFor(props as GpuOperatorPolicyProps, allocation)).toThrow(error);
  });
});
