// Kueue topology-aware scheduling and waitForPodsReady: the pool's Topology and ResourceFlavor, the tenant's
// ClusterQueue that still admits, the pod-set topology requests on a gang's pod template, the declared Kueue
// Configuration in the PlatformReport, and the objects accepted by the real apiserver.
import { App, Chart, Duration } from 'cdk8s';
import { IMAGE, workloadObjects, podTemplateOf } from './fixtures';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuNodePool } from '../../src/accelerators/gpu-node-pool';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { ClusterProfile, ClusterProfileProps, GpuAllocation } from '../../src/cluster/cluster-profile';
import { KubernetesVersion } from '../../src/cluster/kubernetes-version';
import { KueueRequeuingTimestamp } from '../../src/cluster/kueue-configuration';
import { AiTenant } from '../../src/platform/ai-tenant';
import { PlatformReport } from '../../src/platform/platform-report';
import { GangScheduler } from '../../src/training/gang-scheduler';
import { GangTopology } from '../../src/training/gang-topology';
import { GangTrainingJob } from '../../src/training/gang-training-job';
import { TrainingBackend } from '../../src/training/training-backend';
import { KubeObject, toObjects, validateObjects } from '../harness';

const H100 = GpuModel.NVIDIA_H100_80_GB;
const BLOCK = 'example.com/block';
const RACK = 'example.com/rack';
const DEVICE_PLUGIN: ClusterProfileProps = { kubernetesVersion: KubernetesVersion.V1_34, gpuAllocation: GpuAllocation.DEVICE_PLUGIN };

interface Platform { app: App; chart: Chart; pool: GpuNodePool; tenant: AiTenant }

function platform(profile: ClusterProfileProps = DEVICE_PLUGIN, levels: string[] = [BLOCK, RACK]): Platform {
  const app = new App({ outdir: '/tmp/cdk8s-ai-topology-tests' });
  new ClusterProfile(app, 'Cluster', profile);
  const chart = new Chart(app, 'platform', { disableResourceNameHashes: true });
  const pool = new GpuNodePool(chart, 'h100', { name: 'h100', gpu: H100, gpusPerNode: 8, maxNodes: 8, topologyLevels: levels });
  const tenant = new AiTenant(chart, 'research', {
    team: 'research', owner: 'ml', costCenter: 'cc-1', gpuQuota: [{ pool, gpus: 64 }], apiServer: { cidrs: ['10.0.0.1/32'] },
  });
  return { app, chart, pool, tenant };
}

function gang(p: Platform, topology?: GangTopology, name = 'train', workers = 4): GangTrainingJob {
  return new GangTrainingJob(p.tenant, name, {
    image: IMAGE,
    command: ['train.py'],
    workers,
    gpusPerWorker: GpuRequest.of(8, { model: H100 }),
    nodePool: p.pool,
    backend: TrainingBackend.jobSet(),
    scheduler: GangScheduler.kueue({ queue: p.tenant.queueName }),
    topology,
  });
}

function objectsOf(p: Platform): KubeObject[] {
  p.app.synthYaml();
  return toObjects(p.chart);
}

function one(objects: KubeObject[], kind: string, name?: string): any {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  expect(found).toHaveLength(1);
  return found[0];
}

function podOf(objects: KubeObject[]): any {
  return podTemplateOf(workloadObjects(objects).template);
}

describe('a pool with topologyLevels', () => {
  test('the tenant emits its Kueue Topology (hostname last) and the flavor names it', () => {
    const objects = objectsOf(platform());
    expect(one(objects, 'Topology', 'h100').spec).toEqual({ levels: [{ nodeLabel: BLOCK }, { nodeLabel: RACK }, { nodeLabel: 'kubernetes.io/hostname' }] });
    expect(one(objects, 'ResourceFlavor', 'h100').spec).toEqual({
      nodeLabels: { 'ai.cdk8s.io/gpu-node-pool': 'h100' },
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
      topologyName: 'h100',
    });
  });

  test('the ClusterQueue covers CPU, memory and GPUs in one group, the default flavor first with no GPUs', () => {
    const objects = objectsOf(platform());
    const groups = one(objects, 'ClusterQueue', 'research').spec.resourceGroups;
    expect(groups).toHaveLength(1);
    expect(groups[0].coveredResources).toEqual(['cpu', 'memory', 'nvidia.com/gpu']);
    expect(groups[0].flavors.map((f: any) => f.name)).toEqual(['cdk8s-ai-default', 'h100']);
    expect(groups[0].flavors[0].resources[2]).toEqual({ name: 'nvidia.com/gpu', nominalQuota: '0', borrowingLimit: '0' });
    expect(groups[0].flavors[1].resources.map((r: any) => [r.name, r.nominalQuota])).toEqual([
      ['cpu', groups[0].flavors[0].resources[0].nominalQuota], ['memory', groups[0].flavors[0].resources[1].nominalQuota], ['nvidia.com/gpu', '64'],
    ]);
  });

  test('an AiTenant refuses it when GPUs come through DRA, which Kueue\'s topology-aware scheduling does not count', () => {
    expect(() => platform({ kubernetesVersion: KubernetesVersion.V1_34 })).toThrow('[platform/research] gpuQuota[0].pool (gpu_quota[0].pool): pool "h100" has ' +
      'topologyLevels, so Kueue places its workloads by topology-aware scheduling, which in Kueue v0.19 counts only the resources a node ' +
      'lists as allocatable and never DRA devices');
  });

  test('kubernetes.io/hostname given last is kept once', () => {
    const app = new App();
    const pool = new GpuNodePool(new Chart(app, 'c'), 'p', { gpu: H100, gpusPerNode: 8, topologyLevels: [RACK, 'kubernetes.io/hostname'] });
    expect(pool.topologyLevels).toEqual([RACK, 'kubernetes.io/hostname']);
  });

  test('a required topology renders podset-required-topology and keeps the workers\' pod affinity', () => {
    const p = platform();
    gang(p, GangTopology.sameDomain(BLOCK));
    const pod = podOf(objectsOf(p));
    expect(pod.metadata.annotations).toEqual({ 'karpenter.sh/do-not-disrupt': 'true', 'kueue.x-k8s.io/podset-required-topology': BLOCK });
    expect(pod.spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey).toBe(BLOCK);
  });

  test('a preferred topology renders podset-preferred-topology and no required pod affinity', () => {
    const p = platform();
    gang(p, GangTopology.sameRack(RACK, { preferred: true }));
    const pod = podOf(objectsOf(p));
    expect(pod.metadata.annotations['kueue.x-k8s.io/podset-preferred-topology']).toBe(RACK);
    expect(pod.metadata.annotations['kueue.x-k8s.io/podset-required-topology']).toBeUndefined();
    expect(pod.spec.affinity?.podAffinity).toBeUndefined();
  });

  test('a gang without a topology asks for none (unconstrained), which a topology flavor needs to admit it', () => {
    const p = platform();
    gang(p);
    expect(podOf(objectsOf(p)).metadata.annotations['kueue.x-k8s.io/podset-unconstrained-topology']).toBe('true');
  });

  test('the hostname level is a level too', () => {
    const p = platform();
    gang(p, GangTopology.sameDomain('kubernetes.io/hostname'), 'one-node', 1);
    expect(podOf(objectsOf(p)).metadata.annotations['kueue.x-k8s.io/podset-required-topology']).toBe('kubernetes.io/hostname');
  });
});

describe('a pool without topologyLevels', () => {
  test('renders no topology request, no Topology, and the two resource groups as before', () => {
    const p = platform(DEVICE_PLUGIN, []);
    gang(p, GangTopology.sameZone());
    const objects = objectsOf(p);
    expect(Object.keys(podOf(objects).metadata.annotations)).toEqual(['karpenter.sh/do-not-disrupt']);
    expect(objects.filter((o) => o.kind === 'Topology')).toEqual([]);
    expect(one(objects, 'ResourceFlavor', 'h100').spec.topologyName).toBeUndefined();
    expect(one(objects, 'ClusterQueue', 'research').spec.resourceGroups.map((g: any) => g.coveredResources)).toEqual([['cpu', 'memory'], ['nvidia.com/gpu']]);
  });
});

describe('waitForPodsReady in the ClusterProfile', () => {
  const kueue = ClusterAddon.kueueWith({
    waitForPodsReady: {
      timeout: Duration.minutes(10),
      blockAdmission: true,
      recoveryTimeout: Duration.minutes(3),
      requeuingStrategy: {
        timestamp: KueueRequeuingTimestamp.EVICTION, backoffLimitCount: 5, backoffBase: Duration.seconds(30), backoffMax: Duration.minutes(30),
      },
    },
  });

  test('replaces the default Kueue add-on and renders Kueue\'s own schema', () => {
    const profile = new ClusterProfile(new App(), 'Cluster', { addons: [...ClusterAddon.defaults(), kueue] });
    expect(profile.addons.filter((a) => a.id === 'kueue')).toEqual([kueue]);
    expect(kueue._kueueConfigurationFields()).toEqual({
      waitForPodsReady: {
        timeout: '10m',
        blockAdmission: true,
        recoveryTimeout: '3m',
        requeuingStrategy: { timestamp: 'Eviction', backoffLimitCount: 5, backoffBaseSeconds: 30, backoffMaxSeconds: 1800 },
      },
    });
    expect(ClusterAddon.kueueWith({ waitForPodsReady: {} })._kueueConfigurationFields()).toEqual({ waitForPodsReady: { timeout: '30m' } });
  });

  test('the PlatformReport reports it checked, with the fields to merge into the chart\'s managerConfig', () => {
    const p = platform({ ...DEVICE_PLUGIN, addons: [...ClusterAddon.defaults(), kueue] });
    gang(p, GangTopology.sameDomain(BLOCK));
    const report = new PlatformReport(p.app, 'Report');
    const model = report.model();
    expect(model.kueueConfiguration).toEqual({ declaredBy: 'Cluster', checked: ['waitForPodsReady'], fields: kueue._kueueConfigurationFields() });
    const md = report.renderMarkdown();
    expect(md).toContain('Declared in the ClusterProfile Cluster (ClusterAddon.kueueWith): CHECKED against Kueue v0.19\'s ' +
      'Configuration validation, for platform/research/train.');
    expect(md).toContain('managerConfig.controllerManagerConfigYaml');
    expect(md).toContain(['```yaml', 'waitForPodsReady:', '  timeout: 10m', '  blockAdmission: true', '  recoveryTimeout: 3m',
      '  requeuingStrategy:', '    timestamp: Eviction', '    backoffLimitCount: 5', '    backoffBaseSeconds: 30',
      '    backoffMaxSeconds: 1800', '```'].join('\n'));
    expect(md).not.toContain('NOT CHECKED');
  });

  test('undeclared, the report still says NOT CHECKED and has no kueueConfiguration', () => {
    const p = platform();
    gang(p);
    const report = new PlatformReport(p.app, 'Report');
    expect(report.model().kueueConfiguration).toBeUndefined();
    expect(report.renderMarkdown()).toContain('NOT CHECKED, required for platform/research/train.');
  });
});

describe('accepted by the apiserver', () => {
  test('Topology, topology flavor, one-group ClusterQueue and a required-topology JobSet', async () => {
    const p = platform();
    gang(p, GangTopology.sameDomain(BLOCK));
    gang(p, undefined, 'free', 2);
    const objects = objectsOf(p);
    const results = await validateObjects(objects);
    const kinds = results.map((r) => r.object.kind);
    for (const kind of ['Topology', 'ResourceFlavor', 'ClusterQueue', 'JobSet']) expect(kinds).toContain(kind);
    const jobSets = results.filter((r) => r.object.kind === 'JobSet').map((r) => (r.response as any).spec.replicatedJobs[0].template.spec.template.metadata.annotations);
    expect(jobSets).toEqual([
      expect.objectContaining({ 'kueue.x-k8s.io/podset-required-topology': BLOCK }),
      expect.objectContaining({ 'kueue.x-k8s.io/podset-unconstrained-topology': 'true' }),
    ]);
  });
});
