/**
 * Generated scenarios on the simulated cluster: fast-check generates apps (model servers with every GPU request
 * shape, multi-node servers on LeaderWorkerSet, routes with endpoint pickers, gangs under Kueue in tenants), each in
 * its own namespace on its own pool; everything that synthesizes must run (pods Running on their pool, claims
 * allocated, gangs admitted), and everything that does not must have been refused with the library's error.
 */
import { Chart, Size } from 'cdk8s';
import * as fc from 'fast-check';
import { profiledApp, synthesize, SynthesizedApp } from './apps';
import { SimCluster } from './cluster';
import { claimsAllocated, expectRunningOnPools, GITOPS_MANAGER } from './expectations';
import { NodeOptions } from './nodes';
import {
  AiTenant, GangScheduler, GangTrainingJob, GpuModel, GpuNodePool, GpuRequest, GpuSharing, InferenceService, KubernetesVersion, ModelServer,
  ModelSource, TrainingBackend,
} from '../../src';
import { ValidationError } from '../../src/internal/errors';

const SIM_TIMEOUT = 900_000;
const APPS = Number(process.env.CDK8S_AI_SIM_APPS ?? 50);
const BATCH = 10;
const IMAGE = 'ghcr.io/acme/train@sha256:' + 'c'.repeat(64);
const VLLM = 'ghcr.io/acme/vllm@sha256:' + 'd'.repeat(64);

const MODELS: Record<string, GpuModel> = {
  h100: GpuModel.NVIDIA_H100_80_GB, a100: GpuModel.NVIDIA_A100_80_GB, a100s: GpuModel.NVIDIA_A100_40_GB, l4: GpuModel.NVIDIA_L4,
};

type RequestShape = 'count' | 'memory' | 'firstAvailable' | 'shared' | 'mig';

interface ServerSpec {
  readonly replicas: number;
  readonly gpus: number;
  readonly shape: RequestShape;
  readonly route: boolean;
  readonly nodes: number;
}
interface GangSpec { readonly workers: number; readonly gpus: number }

interface Scenario {
  readonly model: string;
  readonly gpusPerNode: number;
  readonly nodes: number;
  readonly tenant: boolean;
  readonly servers: readonly ServerSpec[];
  readonly gang?: GangSpec;
}

const serverArb = fc.record({
  replicas: fc.integer({ min: 1, max: 2 }),
  gpus: fc.integer({ min: 1, max: 4 }),
  shape: fc.constantFrom<RequestShape>('count', 'count', 'memory', 'firstAvailable', 'shared', 'mig'),
  route: fc.boolean(),
  nodes: fc.constantFrom(1, 1, 1, 2),
});

// Servers or a gang per app, not both: serving pods spread across nodes can leave no node with room for a whole
// worker although the pool's total fits (the pool's capacity check is a sum), which says nothing about our YAML.
const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  model: fc.constantFrom(...Object.keys(MODELS)),
  gpusPerNode: fc.constantFrom(4, 8),
  nodes: fc.integer({ min: 1, max: 3 }),
  tenant: fc.boolean(),
  servers: fc.array(serverArb, { minLength: 1, maxLength: 2 }),
  gang: fc.option(fc.record({ workers: fc.integer({ min: 1, max: 3 }), gpus: fc.integer({ min: 1, max: 8 }) }), { nil: undefined, freq: 3 }),
}).map((s) => {
  const gpus = (n: number) => Math.min(n, s.gpusPerNode);
  if (s.gang) return { ...s, servers: [], gang: { workers: Math.min(s.gang.workers, s.nodes), gpus: gpus(s.gang.gpus) } };
  // A pool's nodes are MIG-partitioned or not (mig-parted configures whole nodes): when one server asks for MIG, all
  // do. MIG needs a MIG-capable model, a single rank per replica, and (for now) no tenant: a tenant has no MIG quota.
  const mig = s.servers.some((x) => x.shape === 'mig') && MODELS[s.model].migProfiles.length > 0 && !s.tenant;
  const servers = s.servers.map((x) => ({
    ...x,
    gpus: gpus(x.gpus),
    nodes: mig ? 1 : Math.min(x.nodes, s.nodes),
    shape: mig ? 'mig' as RequestShape : x.shape === 'mig' ? 'count' as RequestShape : x.shape,
  }));
  return { ...s, servers };
});

function gpuRequest(model: GpuModel, s: ServerSpec): GpuRequest {
  switch (s.shape) {
    case 'memory': return GpuRequest.of(s.gpus, { minMemory: Size.gibibytes(Math.min(model.memoryGib, 20)) });
    case 'firstAvailable': return GpuRequest.firstAvailable([GpuRequest.of(s.gpus, { model: GpuModel.NVIDIA_B200 }), GpuRequest.of(s.gpus, { model })]);
    case 'shared': return GpuRequest.shared(GpuSharing.timeSlicing());
    case 'mig': return GpuRequest.mig(model.migProfiles[0], { model });
    default: return GpuRequest.of(s.gpus, { model });
  }
}

interface Built {
  readonly index: number;
  readonly scenario: Scenario;
  readonly out?: SynthesizedApp;
  readonly refused?: Error;
  readonly nodeOptions: NodeOptions;
}

/** One app: pool `p<i>` and everything in namespace `a<i>` (a tenant's, or a plain chart's). */
function build(index: number, s: Scenario): Built {
  const model = MODELS[s.model];
  // A pool publishes either whole GPUs or MIG instances (what mig-parted configured on its nodes).
  const mig = s.servers.some((x) => x.shape === 'mig') && model.migProfiles.length > 0;
  const nodeOptions: NodeOptions = mig ? { migProfile: model.migProfiles[0] } : {};
  const app = profiledApp(KubernetesVersion.V1_34);
  const ns = `a${index}`;
  const chart = new Chart(app, ns, { disableResourceNameHashes: true, namespace: s.tenant ? undefined : ns });
  try {
    const pool = new GpuNodePool(chart, 'pool', { name: `p${index}`, gpu: model, gpusPerNode: s.gpusPerNode, maxNodes: s.nodes });
    const tenant = s.tenant || s.gang ? new AiTenant(chart, 'tenant', {
      namespace: ns,
      team: ns,
      owner: 'sim',
      costCenter: 'cc-sim',
      queueName: ns,
      gpuQuota: mig ? [] : [{ pool, gpus: pool.gpuCapacity, borrowingLimit: 0 }],
      fairShare: { cohort: ns },
      apiServer: { cidrs: ['10.0.0.1/32'] },
    }) : undefined;
    const scope = tenant ?? chart;
    s.servers.forEach((x, i) => {
      new InferenceService(scope, `llm${i}`, {
        model: ModelSource.huggingFace('Qwen/Qwen2.5-0.5B-Instruct'),
        server: ModelServer.vllm({ image: VLLM }),
        gpus: gpuRequest(model, x),
        nodePool: pool,
        replicas: x.replicas,
        ...(x.nodes > 1 ? { parallelism: { tensor: x.gpus, pipeline: x.nodes }, multiNode: {} } : {}),
        ...(x.route ? { route: { gateway: 'gateways/inference-gateway' } } : {}),
      });
    });
    if (s.gang) {
      new GangTrainingJob(scope, 'train', {
        image: IMAGE,
        command: ['train.py'],
        workers: s.gang.workers,
        gpusPerWorker: mig ? GpuRequest.mig(model.migProfiles[0], { model }) : GpuRequest.of(s.gang.gpus, { model }),
        nodePool: pool,
        backend: TrainingBackend.jobSet(),
        scheduler: GangScheduler.kueue({ queue: ns }),
      });
    }
    return { index, scenario: s, out: synthesize(app), nodeOptions };
  } catch (err) {
    return { index, scenario: s, refused: err as Error, nodeOptions };
  }
}

describe('generated apps run on the simulated cluster, or synth refuses them clearly', () => {
  let cluster: SimCluster;
  let built: Built[];
  const seed = Number(process.env.CDK8S_AI_SIM_SEED ?? Math.floor(Math.random() * 0x7fffffff));

  beforeAll(async () => {
    const scenarios = fc.sample(scenarioArb, { numRuns: APPS, seed });
    built = scenarios.map((s, i) => build(i, s));
    const accepted = built.filter((b) => b.out);
    const mappings = new Map<string, string[]>();
    for (const b of accepted) for (const m of b.out!.deviceClassMappings) mappings.set(m.name, m.deviceClassNames);
    cluster = await SimCluster.start({
      pools: accepted.flatMap((b) => b.out!.pools),
      nodeOptions: Object.fromEntries(accepted.map((b) => [`p${b.index}`, b.nodeOptions])),
      kueueConfig: { resources: { deviceClassMappings: [...mappings].map(([name, deviceClassNames]) => ({ name, deviceClassNames })) } },
    });
  }, SIM_TIMEOUT);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  test(`${APPS} generated apps: refused with the library's error, or running`, async () => {
    const refused = built.filter((b) => b.refused);
    for (const b of refused) {
      // A refusal is the library's own error (thrown by a construct, or collected by cdk8s's validation at synth), and
      // every message names the construct path and the prop (with its Python spelling when that differs); anything else
      // (a TypeError) is a defect.
      const e = b.refused!;
      const ours = e instanceof ValidationError || (e.constructor === Error && e.message.startsWith('Validation failed with the following errors:'));
      const lines = e instanceof ValidationError ? [e.message] : e.message.split('\n').slice(1).map((l) => l.trim()).filter(Boolean);
      const named = /^\[a\d+(\/[^\]]*)?\] [A-Za-z][\w.[\]]*( \([\w.[\]]+\))?: /;
      expect({ index: b.index, scenario: b.scenario, ours, unnamed: lines.filter((l) => !named.test(l)) })
        .toEqual({ index: b.index, scenario: b.scenario, ours: true, unnamed: [] });
    }
    const accepted = built.filter((b) => b.out);
    for (let i = 0; i < accepted.length; i += BATCH) {
      const batch = accepted.slice(i, i + BATCH);
      // A chart outside a tenant writes into a namespace the platform already has (Argo CD's CreateNamespace=true).
      await Promise.all(batch.map(async (b) => {
        if (!b.out!.objects.some((o) => o.kind === 'Namespace')) await cluster.api.createNamespace(`a${b.index}`);
        await cluster.api.applyAll(b.out!.objects, GITOPS_MANAGER);
      }));
      for (const b of batch) {
        try {
          await expectRunningOnPools(cluster, b.out!.objects, 180_000);
          if (b.out!.objects.some((o) => o.kind === 'ResourceClaimTemplate' || o.kind === 'ResourceClaim')) {
            const devices = await claimsAllocated(cluster, b.out!.objects, 60_000);
            // Every device comes from the app's own pool, of its model, whole GPUs or the MIG profile asked for.
            const model = MODELS[b.scenario.model];
            const want = b.nodeOptions.migProfile ? `mig ${b.nodeOptions.migProfile} ${model.productNames[0]}` : `gpu - ${model.productNames[0]}`;
            expect(new Set(devices.map((d) => `${d.attributes.type} ${d.attributes.profile ?? '-'} ${d.attributes.productName}`))).toEqual(new Set([want]));
            expect(devices.filter((d) => !d.node.startsWith(`p${b.index}-`))).toEqual([]);
          }
        } catch (err) {
          throw new Error(`app ${b.index} (seed ${seed}) ${JSON.stringify(b.scenario)}: ${(err as Error).message}`);
        }
      }
    }
    console.log(`generated scenarios (seed ${seed}): ${accepted.length} apps running, ${refused.length} refused at synth${process.env.CDK8S_AI_SIM_VERBOSE ? `:\n${refused.map((b) => `${JSON.stringify(b.scenario)}: ${b.refused!.message}`).join('\n')}` : ''}`);
    expect(accepted.length).toBeGreaterThan(APPS / 2);
  }, SIM_TIMEOUT);
});
