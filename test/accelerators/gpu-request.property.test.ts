// fast-check: GpuRequest x GpuModel x ClusterProfile (x an optional GpuNodePool) always synthesizes, and the
// apiserver accepts everything, on the 1.34 (default) and 1.37 (latest) environments.
import { App, Chart, Size } from 'cdk8s';
import * as fc from 'fast-check';
import { ALL_ADDONS, Env, TEST_OUTDIR, adminAccessNamespace } from './fixtures';
import { GpuWorkload } from './gpu-workload';
import { DeviceAttribute } from '../../src/accelerators/device-attribute';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuNodePool } from '../../src/accelerators/gpu-node-pool';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { GpuSharing, TimeSliceInterval } from '../../src/accelerators/gpu-sharing';
import { NodeProvisioner } from '../../src/accelerators/provisioners/node-provisioner';
import { ClusterProfile, GpuAllocation } from '../../src/cluster/cluster-profile';
import { KubernetesVersion } from '../../src/cluster/kubernetes-version';
import { checkProperty } from '../harness';

const NUM_RUNS = 200;
const MODELS = GpuModel.all();
const NVIDIA_MODELS = MODELS.filter((m) => m.vendor.name === 'nvidia');
const MIG_MODELS = MODELS.filter((m) => m.migProfiles.length > 0);
const ANY_MIG_PROFILE = ['1g.10gb', '3g.40gb', '7g.80gb', '1g.5gb'];
const GIB_PER_GB = 1e9 / 2 ** 30;

interface Spec {
  readonly env: Env;
  readonly dra: boolean;
  readonly request: GpuRequest;
  /** Whole GPUs per pod (MIG: GPUs a pod's slices span at most), used to size the pool. */
  readonly poolGpusPerPod: number;
  readonly poolModel?: GpuModel;
  readonly replicas: number;
  readonly pool?: { readonly karpenter: boolean; readonly deviceClass: boolean };
  readonly adminAccess: boolean;
  readonly description: string;
}

const optionalModel = (models: GpuModel[]) => fc.option(fc.constantFrom(...models), { nil: undefined });
const LARGEST_GB = Math.max(...MODELS.map((m) => m.memoryGib));
const maxMemGi = (m?: GpuModel) => Math.floor((m?.memoryGib ?? LARGEST_GB) * GIB_PER_GB);

function whole(env: Env, dra: boolean) {
  return optionalModel(MODELS).chain((model) => fc.record({
    // At most what one node of the model holds (GB200: 4 per NVL72 compute tray).
    count: fc.integer({ min: 1, max: Math.min(8, model?.maxGpusPerNode ?? 8) }),
    minMemGi: dra ? fc.option(fc.integer({ min: 1, max: maxMemGi(model) }), { nil: undefined }) : fc.constant(undefined),
    pcieRoot: dra ? fc.boolean() : fc.constant(false),
    adminAccess: dra ? fc.boolean() : fc.constant(false),
    asExt: env === 'latest' && dra ? fc.boolean() : fc.constant(false),
    nvlink: dra && (model === undefined || model.vendor.name === 'nvidia') ? fc.boolean() : fc.constant(false),
  }).map((o) => {
    const plain = o.asExt;
    return {
      model,
      count: o.count,
      adminAccess: o.adminAccess && !plain,
      request: GpuRequest.of(o.count, {
        model,
        minMemory: !plain && o.minMemGi ? Size.gibibytes(o.minMemGi) : undefined,
        sameAttributes: !plain && o.pcieRoot ? [DeviceAttribute.PCIE_ROOT] : undefined,
        adminAccess: o.adminAccess && !plain ? true : undefined,
        asExtendedResource: o.asExt || undefined,
        multiNodeNvlink: !plain && o.nvlink ? true : undefined,
      }),
    };
  }));
}

function mig(env: Env) {
  return optionalModel(MIG_MODELS).chain((model) => fc.record({
    profile: fc.constantFrom(...(model ? model.migProfiles : ANY_MIG_PROFILE)),
    count: fc.integer({ min: 1, max: 4 }),
    sameParent: fc.boolean(),
    dynamic: env === 'latest' ? fc.boolean() : fc.constant(false),
  }).map((o) => ({
    model,
    count: Math.ceil(o.count / Math.max(1, model?.migInstancesPerGpu(o.profile) ?? 1)),
    adminAccess: false,
    request: GpuRequest.mig(o.profile, {
      model,
      count: o.count,
      dynamic: o.dynamic || undefined,
      sameAttributes: o.sameParent ? [DeviceAttribute.MIG_PARENT_GPU] : undefined,
    }),
  })));
}

function shared() {
  const sharing = fc.oneof(
    fc.constantFrom(...Object.values(TimeSliceInterval)).map((i) => GpuSharing.timeSlicing(i)),
    fc.record({
      pct: fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }),
      pin: fc.option(fc.integer({ min: 1, max: 64 }), { nil: undefined }),
    })
      .map((o) => GpuSharing.mps({ activeThreadPercentage: o.pct, pinnedMemoryLimit: o.pin ? Size.gibibytes(o.pin) : undefined })),
  );
  return optionalModel(NVIDIA_MODELS).chain((model) => fc.record({
    sharing,
    count: fc.integer({ min: 1, max: 4 }),
    migProfile: model && model.migProfiles.length ? fc.option(fc.constantFrom(...model.migProfiles), { nil: undefined }) : fc.constant(undefined),
  }).map((o) => ({
    model,
    count: o.migProfile ? 1 : o.count,
    adminAccess: false,
    request: GpuRequest.shared(o.sharing, { model, count: o.count, migProfile: o.migProfile }),
  })));
}

function firstAvailable() {
  const vendorModels = fc.constantFrom('nvidia', 'amd').map((v) => MODELS.filter((m) => m.vendor.name === v));
  const alternative = (models: GpuModel[]) => fc.constantFrom(...models)
    .chain((model) => fc.integer({ min: 1, max: Math.min(8, model.maxGpusPerNode ?? 8) }).map((count) => ({ model, count })));
  return vendorModels.chain((models) => fc.array(alternative(models), { minLength: 1, maxLength: 8 })
    .chain((alts) => fc.boolean().map((pcie) => ({
      model: alts[0].model,
      count: alts[0].count,
      adminAccess: false,
      request: GpuRequest.firstAvailable(alts.map((a) => GpuRequest.of(a.count, { model: a.model })),
        { sameAttributes: pcie ? [DeviceAttribute.PCIE_ROOT] : undefined }),
    }))));
}

function allOnNode() {
  return optionalModel(MODELS).map((model) => ({ model, count: 8, adminAccess: false, request: GpuRequest.allOnNode({ model }) }));
}

function memoryShare() {
  return optionalModel(MODELS).chain((model) => fc.integer({ min: 1, max: maxMemGi(model) }).map((gi) => ({
    model, count: 1, adminAccess: false, request: GpuRequest.memoryShare(Size.gibibytes(gi), { model }),
  })));
}

function specs(env: Env): fc.Arbitrary<Spec> {
  const dra = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.oneof(whole(env, true), mig(env), shared(), firstAvailable(), allOnNode(),
        ...(env === 'latest' ? [memoryShare()] : [])).map((r) => ({ ...r, dra: true })),
    },
    { weight: 1, arbitrary: whole(env, false).map((r) => ({ ...r, dra: false })) },
  );
  return fc.record({
    r: dra,
    replicas: fc.integer({ min: 1, max: 4 }),
    pool: fc.option(fc.record({ karpenter: fc.boolean(), deviceClass: fc.boolean() }), { nil: undefined }),
  }).map(({ r, replicas, pool }) => ({
    env,
    dra: r.dra,
    request: r.request,
    poolGpusPerPod: r.count,
    poolModel: r.model,
    replicas,
    pool: pool && { karpenter: pool.karpenter, deviceClass: pool.deviceClass && r.dra },
    adminAccess: r.adminAccess,
    description: `${r.request.shape}/${r.model?.id ?? 'any'}/${r.dra ? 'dra' : 'device-plugin'}`,
  }));
}

/** A pool model that can serve a request without a model: one with the MIG profile, else the largest GPU. */
function poolModelFor(request: GpuRequest): GpuModel {
  const profile = request.migProfile;
  if (profile) return MIG_MODELS.find((m) => m.supportsMigProfile(profile))!;
  return [...MODELS].sort((a, b) => b.memoryGib - a.memoryGib)[0];
}

function build(spec: Spec): App {
  const app = new App({ outdir: TEST_OUTDIR });
  new ClusterProfile(app, 'Cluster', {
    kubernetesVersion: spec.env === 'latest' ? KubernetesVersion.V1_37 : KubernetesVersion.V1_34,
    gpuAllocation: spec.dra ? GpuAllocation.DYNAMIC_RESOURCE_ALLOCATION : GpuAllocation.DEVICE_PLUGIN,
    addons: ALL_ADDONS,
  });
  const namespace = spec.adminAccess ? 'gpu-admin' : 'gpu-property';
  if (spec.adminAccess) adminAccessNamespace(app, namespace);
  const chart = new Chart(app, 'gpus', { namespace });
  let pool: GpuNodePool | undefined;
  if (spec.pool) {
    const gpu = spec.poolModel ?? poolModelFor(spec.request);
    const gpusPerNode = Math.min(Math.max(spec.poolGpusPerPod, 8), gpu.maxGpusPerNode ?? 64);
    pool = new GpuNodePool(chart, 'pool', {
      gpu,
      gpusPerNode,
      maxNodes: spec.replicas * Math.max(1, Math.ceil(spec.poolGpusPerPod / gpusPerNode)),
      deviceClass: spec.pool.deviceClass,
      provisioner: spec.pool.karpenter
        ? NodeProvisioner.karpenter({ nodeClass: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'gpu' }, instanceTypes: ['p5.48xlarge'] })
        : undefined,
    });
  }
  new GpuWorkload(chart, 'workload', { gpus: spec.request, replicas: spec.replicas, pool });
  return app;
}

describe.each(['default', 'latest'] as Env[])('GpuRequest x GpuModel x profile on %s', (env) => {
  test(`${NUM_RUNS} generated requests synthesize and pass the apiserver`, async () => {
    const shapes = new Map<string, number>();
    const report = await checkProperty(specs(env), (spec) => {
      const key = spec.description.split('/')[0] + (spec.dra ? '' : '/device-plugin') + (spec.pool ? '/pool' : '');
      shapes.set(key, (shapes.get(key) ?? 0) + 1);
      return build(spec);
    }, { environment: env, numRuns: NUM_RUNS });
    expect(report.numRuns).toBe(NUM_RUNS);
    expect(report.objects).toBeGreaterThan(NUM_RUNS);
    // every shape was generated, with and without a pool
    for (const shape of ['Whole', 'Mig', 'Shared', 'FirstAvailable', 'AllOnNode', ...(env === 'latest' ? ['MemoryShare'] : [])]) {
      expect([...shapes.keys()].filter((k) => k.startsWith(shape)).length).toBeGreaterThan(0);
    }
    expect([...shapes.keys()].some((k) => k.includes('device-plugin'))).toBe(true);
    expect([...shapes.keys()].some((k) => k.endsWith('/pool'))).toBe(true);
    process.stdout.write(`[property ${env}] ${JSON.stringify(report)} shapes=${JSON.stringify(Object.fromEntries(shapes))}\n`);
  });
});
