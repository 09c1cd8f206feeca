/**
 * MIG quotas counted per profile (issue 20): a pool partitioned into MIG profiles publishes a DeviceClass per profile,
 * MIG requests on the pool allocate from it, and a tenant's `migQuota` counts instances per profile in its
 * ResourceQuota and its Kueue ClusterQueue (in the pool's flavor, next to the pool's whole GPUs).
 */
import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuNodePool } from '../../src/accelerators/gpu-node-pool';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { ClusterProfile, GpuAllocation } from '../../src/cluster/cluster-profile';
import { KubernetesVersion } from '../../src/cluster/kubernetes-version';
import { AiTenant } from '../../src/platform/ai-tenant';
import { PlatformReport } from '../../src/platform/platform-report';
import { GangScheduler } from '../../src/training/gang-scheduler';
import { GangTrainingJob } from '../../src/training/gang-training-job';
import { TrainingBackend } from '../../src/training/training-backend';
import { badInputCatalogue, validateChart } from '../harness';

const APISERVER_TIMEOUT = 600_000;
const IMAGE = 'ghcr.io/acme/train@sha256:' + 'c'.repeat(64);
const A100 = GpuModel.NVIDIA_A100_80_GB;
const CLASS_1G = 'a100-1g-10gb.gpu-pool.ai.cdk8s.io';
const CLASS_3G = 'a100-3g-40gb.gpu-pool.ai.cdk8s.io';

function profile(scope: Construct, version = KubernetesVersion.V1_34, devicePlugin = false): void {
  new ClusterProfile(scope, 'Cluster', {
    kubernetesVersion: version,
    gpuAllocation: devicePlugin ? GpuAllocation.DEVICE_PLUGIN : GpuAllocation.DYNAMIC_RESOURCE_ALLOCATION,
    addons: ClusterAddon.defaults(),
  });
}

function migPool(scope: Construct, migProfiles = ['1g.10gb', '3g.40gb']): GpuNodePool {
  return new GpuNodePool(scope, 'a100', { name: 'a100', gpu: A100, gpusPerNode: 8, maxNodes: 2, migProfiles });
}

function gang(scope: Construct, id: string, pool: GpuNodePool, request: GpuRequest, queue: string): GangTrainingJob {
  return new GangTrainingJob(scope, id, {
    image: IMAGE,
    command: ['train.py'],
    workers: 2,
    gpusPerWorker: request,
    nodePool: pool,
    backend: TrainingBackend.jobSet(),
    scheduler: GangScheduler.kueue({ queue }),
  });
}

function migPlatform(version = KubernetesVersion.V1_34): Chart {
  const app = new App();
  profile(app, version);
  const chart = new Chart(app, 'platform', { disableResourceNameHashes: true });
  const pool = migPool(chart);
  const research = new AiTenant(chart, 'research', {
    team: 'research',
    owner: 'o',
    costCenter: 'c',
    migQuota: [{ pool, profile: '1g.10gb', instances: 28, borrowingLimit: 14 }, { pool, profile: '3g.40gb', instances: 8, borrowingLimit: 0 }],
  });
  new AiTenant(chart, 'prod', { team: 'prod', owner: 'o', costCenter: 'c', migQuota: [{ pool, profile: '1g.10gb', instances: 28 }] });
  gang(research, 'small', pool, GpuRequest.mig('1g.10gb', { count: 4, model: A100 }), research.queueName);
  gang(research, 'wide', pool, GpuRequest.mig('3g.40gb', { model: A100 }), research.queueName);
  return chart;
}

const objectsOf = (chart: Chart, kind: string) => chart.toJson().filter((o: any) => o.kind === kind);

describe('MIG quotas per profile', () => {
  test('the pool publishes a DeviceClass per profile, selecting its model\'s MIG instances of that profile', () => {
    const classes = objectsOf(migPlatform(), 'DeviceClass');
    expect(classes.map((c: any) => c.metadata.name)).toEqual([CLASS_1G, CLASS_3G]);
    const selectors = classes[0].spec.selectors.map((s: any) => s.cel.expression);
    expect(selectors[0]).toBe("device.driver == 'gpu.nvidia.com' && has(device.attributes['gpu.nvidia.com'].type) && " +
      "device.attributes['gpu.nvidia.com'].type == 'mig' && has(device.attributes['gpu.nvidia.com'].profile) && " +
      "device.attributes['gpu.nvidia.com'].profile == '1g.10gb'");
    expect(selectors[1]).toContain('a100');
  });

  test('MIG requests on the pool allocate from the profile\'s class', () => {
    const templates = objectsOf(migPlatform(), 'ResourceClaimTemplate');
    const exactly = (t: any) => t.spec.spec.devices.requests[0].exactly;
    expect(Object.fromEntries(templates.map((t: any) => [t.metadata.name, [exactly(t).deviceClassName, exactly(t).count]])))
      .toEqual({ 'research-small-gpus': [CLASS_1G, 4], 'research-wide-gpus': [CLASS_3G, 1] });
  });

  test('the ResourceQuota and the ClusterQueue count instances per profile, in the pool\'s flavor', () => {
    const chart = migPlatform();
    const hard = Object.fromEntries(objectsOf(chart, 'ResourceQuota').map((q: any) => [q.metadata.namespace, q.spec.hard]));
    expect(hard.research).toMatchObject({
      [`${CLASS_1G}.deviceclass.resource.k8s.io/devices`]: 42,
      [`${CLASS_3G}.deviceclass.resource.k8s.io/devices`]: 8,
    });
    // prod borrows up to the rest of the pool's 1g.10gb instances (16 GPUs x 7)
    expect(hard.prod).toMatchObject({ [`${CLASS_1G}.deviceclass.resource.k8s.io/devices`]: 112 });
    expect(Object.keys(hard.prod).filter((k) => k.includes(CLASS_3G))).toEqual([]);
    const research = objectsOf(chart, 'ClusterQueue').find((q: any) => q.metadata.name === 'research');
    const gpuGroup = research.spec.resourceGroups[1];
    expect(gpuGroup.coveredResources).toEqual([`deviceclass.resource.kubernetes.io/${CLASS_1G}`, `deviceclass.resource.kubernetes.io/${CLASS_3G}`]);
    expect(gpuGroup.flavors).toEqual([{
      name: 'a100',
      resources: [
        { name: `deviceclass.resource.kubernetes.io/${CLASS_1G}`, nominalQuota: '28', borrowingLimit: '14' },
        { name: `deviceclass.resource.kubernetes.io/${CLASS_3G}`, nominalQuota: '8', borrowingLimit: '0' },
      ],
    }]);
  });

  test('the report gives Kueue a device-class mapping per profile', () => {
    const chart = migPlatform();
    const report = new PlatformReport(chart, 'Report');
    expect(report.model().kueueDeviceClassMappings).toEqual([
      { name: `deviceclass.resource.kubernetes.io/${CLASS_1G}`, deviceClassNames: [CLASS_1G] },
      { name: `deviceclass.resource.kubernetes.io/${CLASS_3G}`, deviceClassNames: [CLASS_3G] },
    ]);
  });
});

describe('MIG quotas per profile on the real apiserver', () => {
  test.each([
    ['1.34', KubernetesVersion.V1_34, 'default'],
    ['1.37', KubernetesVersion.V1_37, 'latest'],
  ] as const)('%s: classes, claims, quotas and queues are accepted', async (_name, version, environment) => {
    await validateChart(migPlatform(version), { environment });
  }, APISERVER_TIMEOUT);
});

function tenantWith(scope: Construct, migQuota: any[]): AiTenant {
  return new AiTenant(scope, 't', { team: 't', owner: 'o', costCenter: 'c', migQuota });
}

badInputCatalogue([
  {
    name: 'pool partitioned into a profile its model does not have',
    build: (scope) => { profile(scope); migPool(scope, ['1g.5gb']); },
    error: '[bad-input/a100] migProfiles[0] (mig_profiles[0]): got "1g.5gb"; expected a MIG profile of nvidia-a100-80gb: 1g.10gb',
  },
  {
    name: 'pool with MIG profiles on a device-plugin cluster',
    build: (scope) => { profile(scope, KubernetesVersion.V1_34, true); migPool(scope); },
    error: 'a DeviceClass needs Dynamic Resource Allocation',
  },
  {
    name: 'a profile listed twice',
    build: (scope) => { profile(scope); migPool(scope, ['1g.10gb', '1g.10gb']); },
    error: 'migProfiles[1] (mig_profiles[1]): got "1g.10gb"; expected each profile at most once',
  },
  {
    name: 'MIG quota for a profile the pool is not partitioned into',
    build: (scope) => { profile(scope); tenantWith(scope, [{ pool: migPool(scope, ['1g.10gb']), profile: '3g.40gb', instances: 2 }]); },
    error: 'migQuota[0].profile (mig_quota[0].profile): got "3g.40gb"; expected a profile the pool a100 is partitioned into (its migProfiles (mig_profiles): 1g.10gb)',
  },
  {
    name: 'MIG quota on a pool without MIG profiles',
    build: (scope) => {
      profile(scope);
      const pool = new GpuNodePool(scope, 'plain', { gpu: A100, gpusPerNode: 8, maxNodes: 1 });
      tenantWith(scope, [{ pool, profile: '1g.10gb', instances: 2 }]);
    },
    error: 'expected a profile the pool plain is partitioned into (its migProfiles (mig_profiles): none; add the profile to the pool\'s migProfiles)',
  },
  {
    name: 'more instances than the pool holds',
    build: (scope) => { profile(scope); tenantWith(scope, [{ pool: migPool(scope), profile: '3g.40gb', instances: 33 }]); },
    error: 'migQuota[0].instances (mig_quota[0].instances): got 33; expected an integer from 0 to 32',
  },
  {
    name: 'the same pool and profile twice',
    build: (scope) => {
      profile(scope);
      const pool = migPool(scope);
      tenantWith(scope, [{ pool, profile: '1g.10gb', instances: 2 }, { pool, profile: '1g.10gb', instances: 3 }]);
    },
    error: 'migQuota[1].profile (mig_quota[1].profile): got "1g.10gb"; expected each pool and profile at most once (pool a100)',
  },
  {
    name: 'tenants guaranteed more instances of a profile than the pool holds',
    build: (scope) => {
      profile(scope);
      const pool = migPool(scope);
      new AiTenant(scope, 'a', { team: 'a', owner: 'o', costCenter: 'c', migQuota: [{ pool, profile: '1g.10gb', instances: 70 }] });
      new AiTenant(scope, 'b', { team: 'b', owner: 'o', costCenter: 'c', migQuota: [{ pool, profile: '1g.10gb', instances: 50 }] });
    },
    error: 'migQuota (mig_quota): quota overcommit: the tenants\' guaranteed 1g.10gb instances on pool a100 add up to 120 (a: 70, b: 50) but the pool holds at most 112',
  },
  {
    name: 'MIG request for a profile the pool is not partitioned into',
    build: (scope) => {
      profile(scope);
      const pool = migPool(scope, ['1g.10gb']);
      const t = tenantWith(scope, [{ pool, profile: '1g.10gb', instances: 8 }]);
      gang(t, 'g', pool, GpuRequest.mig('2g.20gb', { model: A100 }), t.queueName);
    },
    error: 'gpusPerWorker.migProfile (gpus_per_worker.mig_profile): got "2g.20gb", but the pool a100 is partitioned into 1g.10gb (its migProfiles)',
  },
  {
    name: 'MIG instances over the tenant\'s quota of the profile',
    build: (scope) => {
      profile(scope);
      const pool = migPool(scope);
      const t = tenantWith(scope, [{ pool, profile: '1g.10gb', instances: 4, borrowingLimit: 2 }]);
      gang(t, 'g', pool, GpuRequest.mig('1g.10gb', { count: 4, model: A100 }), t.queueName);
    },
    error: `[bad-input/t] migQuota (mig_quota): quota overcommit: the workloads bad-input/t/g (8) hold up to 8 MIG instances (${CLASS_1G}.deviceclass.resource.k8s.io/devices) but the tenant's quota is 6 (instances + borrowingLimit)`,
  },
], { title: 'MIG quota bad inputs' });
