/**
 * Pools that scale from zero through cluster-autoscaler: every tenant with quota on such a pool gets a Kueue
 * ProvisioningRequest admission check limited to the pool's flavor, so a gang starts only once the autoscaler has
 * provisioned nodes for all of it, while gangs on a Karpenter pool of the same tenant are admitted on quota alone.
 */
import { App, Chart, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuNodePool } from '../../src/accelerators/gpu-node-pool';
import { NodeProvisioner } from '../../src/accelerators/provisioners/node-provisioner';
import { ProvisioningClass } from '../../src/accelerators/provisioners/provisioning-class';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { ClusterProfile, GpuAllocation } from '../../src/cluster/cluster-profile';
import { KubernetesVersion } from '../../src/cluster/kubernetes-version';
import { AiTenant } from '../../src/platform/ai-tenant';
import { PlatformReport } from '../../src/platform/platform-report';
import { badInputCatalogue, validateChart } from '../harness';

const APISERVER_TIMEOUT = 600_000;
const ADDONS = [...ClusterAddon.defaults(), ClusterAddon.KARPENTER, ClusterAddon.CLUSTER_AUTOSCALER];

function profile(scope: Construct, devicePlugin: boolean, version = KubernetesVersion.V1_34): void {
  new ClusterProfile(scope, 'Cluster', {
    kubernetesVersion: version,
    gpuAllocation: devicePlugin ? GpuAllocation.DEVICE_PLUGIN : GpuAllocation.DYNAMIC_RESOURCE_ALLOCATION,
    addons: ADDONS,
  });
}

/** Two tenants sharing a cluster-autoscaler pool; the first also has a Karpenter pool. */
function platformChart(devicePlugin: boolean, version = KubernetesVersion.V1_34): Chart {
  const app = new App();
  profile(app, devicePlugin, version);
  const chart = new Chart(app, 'platform', { disableResourceNameHashes: true });
  const scaled = new GpuNodePool(chart, 'scaled', {
    name: 'h100-ca',
    gpu: GpuModel.NVIDIA_H100_80_GB,
    gpusPerNode: 8,
    maxNodes: 4,
    provisioner: NodeProvisioner.clusterAutoscaler({
      parameters: { 'maxRunDurationSeconds': '86400', 'example.com/zone-hint': 'a' },
      maxRetries: 5,
      retryBackoff: Duration.seconds(30),
      maxRetryBackoff: Duration.minutes(10),
    }),
  });
  const karpenter = new GpuNodePool(chart, 'karpenter', {
    name: 'l4-karpenter',
    gpu: GpuModel.NVIDIA_L4,
    gpusPerNode: 4,
    maxNodes: 2,
    provisioner: NodeProvisioner.karpenter({ nodeClass: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'gpu' }, instanceTypes: ['g6.12xlarge'] }),
  });
  new AiTenant(chart, 'research', { team: 'research', owner: 'o', costCenter: 'c', gpuQuota: [{ pool: scaled, gpus: 16 }, { pool: karpenter, gpus: 8 }] });
  new AiTenant(chart, 'prod', { team: 'prod', owner: 'o', costCenter: 'c', gpuQuota: [{ pool: scaled, gpus: 16 }] });
  return chart;
}

const objectsOf = (chart: Chart, kind: string) => chart.toJson().filter((o: any) => o.kind === kind);

describe('NodeProvisioner.clusterAutoscaler', () => {
  test('one AdmissionCheck and ProvisioningRequestConfig per pool; each tenant checks only the autoscaled flavor', () => {
    const chart = platformChart(true);
    const [config] = objectsOf(chart, 'ProvisioningRequestConfig');
    expect(objectsOf(chart, 'ProvisioningRequestConfig')).toHaveLength(1);
    expect(config).toMatchObject({
      apiVersion: 'kueue.x-k8s.io/v1beta2',
      metadata: { name: 'h100-ca-provisioning' },
      spec: {
        provisioningClassName: 'best-effort-atomic-scale-up.autoscaling.x-k8s.io',
        // sorted, whatever order the map came in
        parameters: { 'example.com/zone-hint': 'a', 'maxRunDurationSeconds': '86400' },
        managedResources: ['nvidia.com/gpu'],
        retryStrategy: { backoffLimitCount: 5, backoffBaseSeconds: 30, backoffMaxSeconds: 600 },
      },
    });
    expect(Object.keys(config.spec.parameters)).toEqual(['example.com/zone-hint', 'maxRunDurationSeconds']);
    expect(objectsOf(chart, 'AdmissionCheck')).toEqual([expect.objectContaining({
      apiVersion: 'kueue.x-k8s.io/v1beta2',
      metadata: expect.objectContaining({ name: 'h100-ca-provisioning' }),
      spec: {
        controllerName: 'kueue.x-k8s.io/provisioning-request',
        parameters: { apiGroup: 'kueue.x-k8s.io', kind: 'ProvisioningRequestConfig', name: 'h100-ca-provisioning' },
      },
    })]);
    const strategies = Object.fromEntries(objectsOf(chart, 'ClusterQueue').map((q: any) => [q.metadata.name, q.spec.admissionChecksStrategy]));
    expect(strategies).toEqual({
      research: { admissionChecks: [{ name: 'h100-ca-provisioning', onFlavors: ['h100-ca'] }] },
      prod: { admissionChecks: [{ name: 'h100-ca-provisioning', onFlavors: ['h100-ca'] }] },
    });
  });

  test('under DRA every pod set goes into the request (Kueue matches managed resources against container requests only)', () => {
    const [config] = objectsOf(platformChart(false), 'ProvisioningRequestConfig');
    expect(config.spec.managedResources).toBeUndefined();
    expect(config.spec.provisioningClassName).toBe('best-effort-atomic-scale-up.autoscaling.x-k8s.io');
  });

  test('a tenant on existing nodes or Karpenter only gets no admission check', () => {
    const app = new App();
    profile(app, true);
    const chart = new Chart(app, 'c', { disableResourceNameHashes: true });
    const pool = new GpuNodePool(chart, 'pool', { gpu: GpuModel.NVIDIA_H100_80_GB, gpusPerNode: 8, maxNodes: 1 });
    new AiTenant(chart, 't', { team: 't', owner: 'o', costCenter: 'c', gpuQuota: [{ pool, gpus: 8 }] });
    expect(objectsOf(chart, 'ClusterQueue')[0].spec.admissionChecksStrategy).toBeUndefined();
    expect(objectsOf(chart, 'AdmissionCheck')).toEqual([]);
  });

  test('the PlatformReport lists the pools that wait for the autoscaler and what it cannot check', () => {
    const chart = platformChart(true);
    const report = new PlatformReport(chart, 'Report');
    expect(report.model().pools.map((p: any) => [p.name, p.provisioningClass])).toEqual([
      ['h100-ca', 'best-effort-atomic-scale-up.autoscaling.x-k8s.io'], ['l4-karpenter', undefined],
    ]);
    const md = report.renderMarkdown();
    expect(md).toContain('## Pools that wait for the autoscaler');
    expect(md).toContain('NOT CHECKED (this report cannot see the cluster): cluster-autoscaler runs with `--enable-provisioning-requests=true`');
    const section = md.slice(md.indexOf('## Pools that wait for the autoscaler')).split('\n## ')[0];
    expect(section.split('\n').filter((l) => l.startsWith('| '))).toEqual([
      '| Pool | Provisioning class |', '| h100-ca | `best-effort-atomic-scale-up.autoscaling.x-k8s.io` |',
    ]);
  });

  test('props left null from plain JavaScript mean the defaults', () => {
    const app = new App();
    profile(app, true);
    const chart = new Chart(app, 'c', { disableResourceNameHashes: true });
    const pool = new GpuNodePool(chart, 'pool', { gpu: GpuModel.NVIDIA_H100_80_GB, gpusPerNode: 8, maxNodes: 1, provisioner: NodeProvisioner.clusterAutoscaler(null as any) });
    expect(pool.provisioningRequest).toEqual({
      className: 'best-effort-atomic-scale-up.autoscaling.x-k8s.io', parameters: {}, backoffLimitCount: 3, backoffBaseSeconds: 60, backoffMaxSeconds: 1800,
    });
  });

  test('the provisioning classes name what cluster-autoscaler and GKE serve', () => {
    expect([ProvisioningClass.BEST_EFFORT_ATOMIC_SCALE_UP, ProvisioningClass.CHECK_CAPACITY, ProvisioningClass.GKE_QUEUED_PROVISIONING, ProvisioningClass.custom('fast.example.com')]
      .map((c) => c.className)).toEqual([
      'best-effort-atomic-scale-up.autoscaling.x-k8s.io', 'check-capacity.autoscaling.x-k8s.io', 'queued-provisioning.gke.io', 'fast.example.com',
    ]);
  });
});

describe('NodeProvisioner.clusterAutoscaler on the real apiserver', () => {
  test.each([
    ['device plugin, 1.34', true, KubernetesVersion.V1_34, 'default'],
    ['DRA, 1.37', false, KubernetesVersion.V1_37, 'latest'],
  ] as const)('%s: the checks, configs and queues are accepted', async (_name, devicePlugin, version, environment) => {
    await validateChart(platformChart(devicePlugin, version), { environment });
  }, APISERVER_TIMEOUT);
});

function caPool(scope: Construct, props: Parameters<typeof NodeProvisioner.clusterAutoscaler>[0], extra: Record<string, unknown> = {}): GpuNodePool {
  return new GpuNodePool(scope, 'pool', { gpu: GpuModel.NVIDIA_H100_80_GB, gpusPerNode: 8, maxNodes: 2, provisioner: NodeProvisioner.clusterAutoscaler(props), ...extra });
}

badInputCatalogue([
  {
    name: 'cluster-autoscaler pool on a cluster without the add-on',
    build: (scope) => {
      new ClusterProfile(scope, 'Cluster', { addons: ClusterAddon.defaults() });
      caPool(scope, {});
    },
    error: 'provisioner: NodeProvisioner.clusterAutoscaler(...) (cluster_autoscaler(...)) needs cluster-autoscaler with ProvisioningRequests',
  },
  {
    name: 'cluster-autoscaler pool with a capacity type',
    build: (scope) => { profile(scope, true); caPool(scope, {}, { capacityType: 'spot' }); },
    error: 'capacityType (capacity_type): got "spot"; the cluster autoscaler buys nodes as its node group says',
  },
  {
    name: 'negative retries',
    build: (scope) => { profile(scope, true); caPool(scope, { maxRetries: -1 }); },
    error: 'provisioner.maxRetries (provisioner.max_retries): got -1; expected an integer from 0 to 100',
  },
  {
    name: 'sub-second retry backoff',
    build: (scope) => { profile(scope, true); caPool(scope, { retryBackoff: Duration.millis(500) }); },
    error: 'provisioner.retryBackoff (provisioner.retry_backoff): got 0.5; expected an integer from 1 to 2147483647',
  },
  {
    name: 'longest backoff shorter than the first',
    build: (scope) => { profile(scope, true); caPool(scope, { retryBackoff: Duration.minutes(5), maxRetryBackoff: Duration.minutes(1) }); },
    error: 'provisioner.maxRetryBackoff (provisioner.max_retry_backoff): got 60s, shorter than retryBackoff (300s)',
  },
  {
    name: 'parameter value over 255 characters',
    build: (scope) => { profile(scope, true); caPool(scope, { parameters: { long: 'x'.repeat(256) } }); },
    error: 'provisioner.parameters.long: got "xxx',
  },
  {
    name: 'custom provisioning class that is no DNS subdomain',
    build: () => ProvisioningClass.custom('Fast/Class'),
    error: '[ProvisioningClass.custom] className (class_name): got "Fast/Class"; expected a DNS-1123 subdomain',
  },
], { title: 'NodeProvisioner.clusterAutoscaler bad inputs' });
