/**
 * fast-check over the issue 20 platform shapes: pools that wait for cluster-autoscaler's ProvisioningRequests and
 * pools partitioned into MIG profiles, shared by tenants with whole-GPU and per-profile MIG quotas and gangs asking
 * for MIG instances. Every generated platform synthesizes and every object passes the real apiserver (1.34 and 1.37),
 * and the invariants Kueue depends on hold: one flavor per pool in each ClusterQueue, an admission check on exactly
 * the autoscaled pools' flavors, and every DeviceClass a claim or a queue names is emitted.
 */
import { App, Chart, Duration } from 'cdk8s';
import * as fc from 'fast-check';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuNodePool } from '../../src/accelerators/gpu-node-pool';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { NodeProvisioner } from '../../src/accelerators/provisioners/node-provisioner';
import { ProvisioningClass } from '../../src/accelerators/provisioners/provisioning-class';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { ClusterProfile } from '../../src/cluster/cluster-profile';
import { KubernetesVersion } from '../../src/cluster/kubernetes-version';
import { AiTenant } from '../../src/platform/ai-tenant';
import { GangScheduler } from '../../src/training/gang-scheduler';
import { GangTrainingJob } from '../../src/training/gang-training-job';
import { TrainingBackend } from '../../src/training/training-backend';
import { checkProperty } from '../harness';

const APISERVER_TIMEOUT = 600_000;
const IMAGE = 'ghcr.io/acme/train@sha256:' + 'c'.repeat(64);
const MODELS = [GpuModel.NVIDIA_A100_80_GB, GpuModel.NVIDIA_A100_40_GB, GpuModel.NVIDIA_H100_80_GB];
const CLASSES = [ProvisioningClass.BEST_EFFORT_ATOMIC_SCALE_UP, ProvisioningClass.CHECK_CAPACITY, ProvisioningClass.GKE_QUEUED_PROVISIONING];

const tenantArb = fc.record({
  wholeShare: fc.double({ min: 0, max: 1, noNaN: true }),
  migShares: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 3 }),
  gangInstances: fc.integer({ min: 1, max: 4 }),
});

const platformArb = fc.record({
  model: fc.integer({ min: 0, max: MODELS.length - 1 }),
  profileSeeds: fc.uniqueArray(fc.nat(20), { minLength: 1, maxLength: 3 }),
  migNodes: fc.integer({ min: 1, max: 3 }),
  autoscaled: fc.constantFrom('none', 'whole', 'mig', 'both'),
  provisioningClass: fc.integer({ min: 0, max: CLASSES.length - 1 }),
  retries: fc.integer({ min: 0, max: 10 }),
  backoffSeconds: fc.integer({ min: 1, max: 600 }),
  parameters: fc.dictionary(fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9]{0,15}$/), fc.stringMatching(/^[a-z0-9]{0,20}$/), { maxKeys: 3 }),
  tenants: fc.array(tenantArb, { minLength: 1, maxLength: 3 }),
  latest: fc.boolean(),
});
type PlatformValue = typeof platformArb extends fc.Arbitrary<infer T> ? T : never;

function build(v: PlatformValue): Chart {
  const app = new App();
  new ClusterProfile(app, 'Cluster', {
    kubernetesVersion: v.latest ? KubernetesVersion.V1_37 : KubernetesVersion.V1_34,
    addons: [...ClusterAddon.defaults(), ClusterAddon.CLUSTER_AUTOSCALER],
  });
  const chart = new Chart(app, 'platform', { disableResourceNameHashes: true });
  const provisioner = () => NodeProvisioner.clusterAutoscaler({
    provisioningClass: CLASSES[v.provisioningClass],
    maxRetries: v.retries,
    retryBackoff: Duration.seconds(v.backoffSeconds),
    maxRetryBackoff: Duration.seconds(v.backoffSeconds * 4),
    parameters: v.parameters,
  });
  const model = MODELS[v.model];
  const profiles = [...new Set(v.profileSeeds.map((n) => model.migProfiles[n % model.migProfiles.length]))];
  const autoscaledWhole = v.autoscaled === 'whole' || v.autoscaled === 'both';
  const autoscaledMig = v.autoscaled === 'mig' || v.autoscaled === 'both';
  const whole = new GpuNodePool(chart, 'whole', {
    name: 'whole',
    gpu: GpuModel.NVIDIA_H100_80_GB,
    gpusPerNode: 8,
    maxNodes: 2,
    provisioner: autoscaledWhole ? provisioner() : undefined,
  });
  const mig = new GpuNodePool(chart, 'mig', {
    name: 'mig',
    gpu: model,
    gpusPerNode: 8,
    maxNodes: v.migNodes,
    migProfiles: profiles,
    provisioner: autoscaledMig ? provisioner() : undefined,
  });
  // Split each pool's capacity between the tenants (the guaranteed sums must fit the pool).
  const wholeLeft = { n: whole.gpuCapacity };
  const migLeft = Object.fromEntries(profiles.map((p) => [p, mig.migCapacity(p)]));
  v.tenants.forEach((t, i) => {
    const gpus = Math.floor(t.wholeShare * wholeLeft.n);
    wholeLeft.n -= gpus;
    const migQuota = profiles.map((profile, j) => {
      const instances = Math.floor((t.migShares[j % t.migShares.length]) * migLeft[profile]);
      migLeft[profile] -= instances;
      return { pool: mig, profile, instances };
    });
    const tenant = new AiTenant(chart, `t${i}`, { team: `t${i}`, owner: 'o', costCenter: 'c', gpuQuota: [{ pool: whole, gpus }], migQuota });
    // One gang, in the first tenant, within what its quota (instances + the default borrowing: the pool) admits.
    const first = migQuota[0];
    const perWorker = Math.min(t.gangInstances, Math.floor(mig.migCapacity(first.profile) / 2));
    if (i === 0 && perWorker >= 1) {
      new GangTrainingJob(tenant, 'gang', {
        image: IMAGE,
        command: ['train.py'],
        workers: 2,
        gpusPerWorker: GpuRequest.mig(first.profile, { count: perWorker, model }),
        nodePool: mig,
        backend: TrainingBackend.jobSet(),
        scheduler: GangScheduler.kueue({ queue: tenant.queueName }),
      });
    }
  });
  checkInvariants(chart, autoscaledWhole, autoscaledMig);
  return chart;
}

function checkInvariants(chart: Chart, autoscaledWhole: boolean, autoscaledMig: boolean): void {
  const objects = chart.toJson();
  const fail = (what: string) => { throw new Error(`invariant broken: ${what}`); };
  const classes = new Set(objects.filter((o: any) => o.kind === 'DeviceClass').map((o: any) => o.metadata.name));
  const external = new Set(['gpu.nvidia.com', 'mig.nvidia.com']);
  for (const t of objects.filter((o: any) => o.kind === 'ResourceClaimTemplate')) {
    for (const r of t.spec.spec.devices.requests) {
      if (!classes.has(r.exactly.deviceClassName) && !external.has(r.exactly.deviceClassName)) fail(`claim class ${r.exactly.deviceClassName} not emitted`);
    }
  }
  const expected = [...(autoscaledWhole ? ['whole'] : []), ...(autoscaledMig ? ['mig'] : [])];
  for (const q of objects.filter((o: any) => o.kind === 'ClusterQueue')) {
    const gpuGroup = q.spec.resourceGroups.find((g: any) => g.coveredResources.some((r: string) => r.startsWith('deviceclass.')));
    const flavors = gpuGroup.flavors.map((f: any) => f.name);
    if (new Set(flavors).size !== flavors.length) fail(`ClusterQueue ${q.metadata.name} repeats a flavor: ${flavors}`);
    for (const r of gpuGroup.coveredResources) {
      const cls = r.slice('deviceclass.resource.kubernetes.io/'.length);
      if (!classes.has(cls) && !external.has(cls)) fail(`queue resource ${r} has no DeviceClass`);
    }
    const checked = (q.spec.admissionChecksStrategy?.admissionChecks ?? []).flatMap((c: any) => c.onFlavors);
    if (JSON.stringify([...checked].sort()) !== JSON.stringify([...expected].sort())) fail(`checks on ${checked}, expected ${expected}`);
  }
}

describe('provisioning and MIG platforms on the real apiserver', () => {
  test.each([['default', false], ['latest', true]] as const)('200 generated platforms on %s', async (environment, latest) => {
    const report = await checkProperty(platformArb.map((v) => ({ ...v, latest })), build, { numRuns: 200, environment });
    console.log(`[provisioning-mig properties ${environment}] ${JSON.stringify(report)}`);
    expect(report.numRuns).toBe(200);
    expect(report.objects).toBeGreaterThan(200 * 20);
  }, APISERVER_TIMEOUT);
});
