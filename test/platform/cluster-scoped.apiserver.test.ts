// Cluster-scoped objects never carry metadata.namespace, even in a chart that has a namespace: the apiserver would
// silently drop it. Which kinds are cluster-scoped comes from the apiserver's own discovery (not a list in the test).
import { App, Chart } from 'cdk8s';
import { GpuDeviceClass } from '../../src/accelerators/gpu-device-class';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuNodePool } from '../../src/accelerators/gpu-node-pool';
import { MigStrategy } from '../../src/accelerators/gpu-operator-policy';
import { NodeProvisioner } from '../../src/accelerators/provisioners/node-provisioner';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { ClusterProfile } from '../../src/cluster/cluster-profile';
import { AiTenant } from '../../src/platform/ai-tenant';
import { PlatformObservability } from '../../src/platform/observability/platform-observability';
import { ImageAdmissionPolicy } from '../../src/security/image-admission-policy';
import { ImageSigningPolicy } from '../../src/security/image-signing-policy';
import { SigningAuthority } from '../../src/security/signing-authority';
import { ApiResource, EnvironmentName, KubeObject, sessionFor, validateChart } from '../harness';
import { GpuServer } from '../security/fixtures';

const CHART_NAMESPACE = 'cluster-scope-test';
const APISERVER_TIMEOUT = 300_000;

/** A chart with a namespace holding every construct of the platform, accelerators, observability and security. */
function platformChart(): Chart {
  const app = new App({ outdir: '/tmp/cdk8s-ai-cluster-scope-test' });
  new ClusterProfile(app, 'Cluster', {
    addons: [...ClusterAddon.defaults(), ClusterAddon.KARPENTER, ClusterAddon.NVIDIA_GPU_OPERATOR, ClusterAddon.SIGSTORE_POLICY_CONTROLLER],
  });
  const chart = new Chart(app, 'platform', { namespace: CHART_NAMESPACE, disableResourceNameHashes: true });
  const pool = new GpuNodePool(chart, 'h100', {
    gpu: GpuModel.NVIDIA_H100_80_GB,
    gpusPerNode: 8,
    maxNodes: 2,
    deviceClass: true,
    provisioner: NodeProvisioner.karpenter({ nodeClass: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'gpu' }, instanceTypes: ['p5.48xlarge'] }),
    gpuOperator: { migStrategy: MigStrategy.MIXED },
  });
  new GpuDeviceClass(chart, 'l40s', { model: GpuModel.NVIDIA_L40_S });
  const signed = new ImageSigningPolicy(chart, 'signed', {
    images: ['ghcr.io/acme/**'],
    authorities: [SigningAuthority.githubActions({ repository: 'acme/models' })],
  });
  const pinned = new ImageAdmissionPolicy(chart, 'pinned', { allowedRegistries: ['ghcr.io/acme/'] });
  new PlatformObservability(chart, 'observability', { gpuPrices: [{ model: GpuModel.NVIDIA_H100_80_GB, pricePerHour: 4 }] });
  const tenant = new AiTenant(chart, 'research', {
    team: 'research',
    owner: 'alice',
    costCenter: 'cc-1',
    groups: ['research-devs'],
    gpuQuota: [{ pool, gpus: 8 }],
    imageSigning: [signed],
    imageAdmission: [pinned],
  });
  new GpuServer(tenant, 'llm', { pool, gpus: 1, image: `ghcr.io/acme/vllm@sha256:${'a'.repeat(64)}` });
  new GpuServer(chart, 'shared', { pool, gpus: 1, image: `ghcr.io/acme/vllm@sha256:${'b'.repeat(64)}` });
  return chart;
}

/** The REST resource of a kind, from discovery of the environment that serves it. */
async function resourceOf(obj: KubeObject): Promise<ApiResource> {
  for (const env of ['default', 'latest'] as EnvironmentName[]) {
    const found = await sessionFor(env).discovery.lookup(obj.apiVersion, obj.kind);
    if (found) return found;
  }
  throw new Error(`no test environment serves ${obj.kind} in ${obj.apiVersion}`);
}

describe('cluster-scoped objects in a chart with a namespace', () => {
  test('carry no metadata.namespace; namespaced objects keep theirs (scope from apiserver discovery)', async () => {
    const objects = platformChart().toJson() as KubeObject[];
    const clusterScopedKinds = new Set<string>();
    const wrong: string[] = [];
    for (const obj of objects) {
      const { namespaced } = await resourceOf(obj);
      const where = `${obj.kind} ${obj.metadata.name} (${obj.apiVersion})`;
      if (!namespaced) {
        clusterScopedKinds.add(obj.kind);
        if (obj.metadata.namespace !== undefined) wrong.push(`${where} is cluster-scoped but has namespace ${obj.metadata.namespace}`);
      } else if (obj.metadata.namespace === undefined) {
        wrong.push(`${where} is namespaced but has no namespace`);
      }
    }
    expect(wrong).toEqual([]);
    // the fixture really emits every cluster-scoped kind of these domains (else the check above proves little)
    expect([...clusterScopedKinds].sort()).toEqual([
      'ClusterImagePolicy', 'ClusterPolicy', 'ClusterQueue', 'ClusterRole', 'ClusterRoleBinding', 'DeviceClass', 'Namespace', 'NodePool', 'ResourceFlavor',
      'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'WorkloadPriorityClass',
    ]);
  }, APISERVER_TIMEOUT);

  test('the apiserver accepts the chart and drops no field (a namespace on a cluster-scoped object would be dropped)', async () => {
    const results = await validateChart(platformChart());
    const sent = results.filter((r) => r.object.kind === 'ClusterQueue' || r.object.kind === 'DeviceClass');
    expect(sent.length).toBeGreaterThanOrEqual(3);
    for (const r of sent) expect(r.response.metadata.namespace).toBeUndefined();
  }, APISERVER_TIMEOUT);
});
