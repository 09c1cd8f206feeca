/**
 * fast-check over wide expert parallelism (issue 18): generated expert-parallel services (GPUs per pod, tensor size,
 * pods per replica as a LeaderWorkerSet group, replicas, the all-to-all backend or its default, the load balancer
 * and redundant experts, RDMA NICs aligned with the GPUs or not, 1.34 or 1.37) synthesize, every object and every
 * pod template (as a Pod, under Pod Security restricted) passes the real apiserver, and the invariants vLLM's
 * data-parallel ranks rely on hold on every pod of a group: the same world (`--data-parallel-size` = GPUs of the
 * replica / tensor), whole ranks per pod, the leader at rank 0 on its pod IP, each worker headless from
 * LWS_WORKER_INDEX x local ranks, expert parallel with one backend everywhere, and only vLLM 0.25.1 flags. Half the
 * runs are disaggregated services with EP in both roles, data parallel over their GPUs, the prefill role spanning pods
 * (DeepEP high-throughput in prefill pods, low-latency in decode pods unless chosen). Generated invalid expert settings throw the library's error and write no
 * YAML.
 */
import * as fc from 'fast-check';
import { lwsPods, newChart, objectsOf, validatable } from './fixtures';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { NicRequest } from '../../src/accelerators/nic-request';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { ClusterProfile } from '../../src/cluster/cluster-profile';
import { KubernetesVersion } from '../../src/cluster/kubernetes-version';
import { ValidationError } from '../../src/internal/errors';
import { VLLM_V0_25_1_FLAGS } from '../../src/serving/engines/vllm-flags';
import { AllToAllBackend } from '../../src/serving/expert-parallelism-props';
import { InferenceService } from '../../src/serving/inference-service';
import { ModelSource } from '../../src/serving/model-source';
import { checkProperty } from '../harness';

const APISERVER_TIMEOUT = 600_000;
const BACKENDS = Object.values(AllToAllBackend);

const caseArb = fc.record({
  gpusPerPod: fc.constantFrom(2, 4, 8),
  tensor: fc.constantFrom(1, 2),
  nodes: fc.integer({ min: 1, max: 4 }),
  replicas: fc.integer({ min: 1, max: 3 }),
  allToAll: fc.option(fc.constantFrom(...BACKENDS), { nil: undefined }),
  loadBalancing: fc.boolean(),
  redundantExperts: fc.option(fc.integer({ min: 0, max: 64 }), { nil: undefined }),
  nics: fc.constantFrom('none', 'aligned', 'one'),
  latest: fc.boolean(),
  /** Disaggregated instead: EP in both roles, data parallel; the prefill role spans `nodes` pods. */
  disaggregated: fc.boolean(),
});
type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

function build(c: Case): any[] {
  return c.disaggregated ? buildDisaggregated(c) : buildWide(c);
}

/**
 * Both roles expert parallel, data parallel over their GPUs: decode on one pod, prefill over `nodes` pods (a
 * LeaderWorkerSet group when more than one); DeepEP high-throughput in prefill pods, low-latency in decode pods.
 */
function buildDisaggregated(c: Case): any[] {
  const { chart } = newChart();
  new ClusterProfile(chart, 'Cluster', { kubernetesVersion: c.latest ? KubernetesVersion.V1_37 : KubernetesVersion.V1_34, addons: ClusterAddon.defaults() });
  const expert = { allToAll: c.allToAll, loadBalancing: c.loadBalancing };
  const decodeData = c.gpusPerPod / c.tensor;
  const prefillData = (c.gpusPerPod * c.nodes) / c.tensor;
  new InferenceService(chart, 'moe', {
    model: ModelSource.huggingFace('deepseek-ai/DeepSeek-V3-0324'),
    gpus: GpuRequest.of(c.gpusPerPod),
    replicas: c.replicas,
    parallelism: { tensor: c.tensor, data: decodeData, expert },
    disaggregation: {
      prefill: { replicas: 1, parallelism: { tensor: c.tensor, data: prefillData, expert }, multiNode: c.nodes > 1 ? {} : undefined },
    },
    route: { gateway: 'inference-gateway' },
  });
  const objects = objectsOf(chart);
  const prefillPods = c.nodes > 1 ? lwsPods(objects).map((p) => p.spec)
    : [objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'moe-prefill').spec.template.spec];
  const decodePod = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'moe').spec.template.spec;
  const roles: [string, any[], string, number][] = [
    ['decode', [decodePod], 'deepep_low_latency', decodeData], ['prefill', prefillPods, 'deepep_high_throughput', prefillData],
  ];
  for (const [role, specs, backend, data] of roles) {
    for (const spec of specs) {
      const args: string[] = spec.containers.find((k: any) => k.name === 'server').args;
      const value = (f: string) => (args.includes(f) ? args[args.indexOf(f) + 1] : undefined);
      const got = [args.includes('--enable-expert-parallel'), value('--all2all-backend'), value('--data-parallel-size'), value('--kv-transfer-config') !== undefined];
      const want = [true, c.allToAll ?? backend, data > 1 ? String(data) : undefined, true];
      if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`invariant broken: ${role} ${JSON.stringify(got)} in ${JSON.stringify(c)}`);
    }
  }
  return [...validatable(objects), ...(c.nodes > 1 ? lwsPods(objects) : [])];
}

function buildWide(c: Case): any[] {
  const { chart } = newChart();
  new ClusterProfile(chart, 'Cluster', {
    kubernetesVersion: c.latest ? KubernetesVersion.V1_37 : KubernetesVersion.V1_34,
    addons: [...ClusterAddon.defaults(), ClusterAddon.DRANET],
  });
  const data = (c.gpusPerPod * c.nodes) / c.tensor;
  const nics = c.nics === 'aligned' ? NicRequest.of(c.gpusPerPod, { alignWithGpus: true }) : c.nics === 'one' ? NicRequest.of(1) : undefined;
  new InferenceService(chart, 'moe', {
    model: ModelSource.huggingFace('deepseek-ai/DeepSeek-V3-0324'),
    gpus: GpuRequest.of(c.gpusPerPod),
    replicas: c.replicas,
    parallelism: {
      tensor: c.tensor,
      data,
      expert: {
        allToAll: c.allToAll,
        loadBalancing: c.loadBalancing,
        redundantExperts: c.loadBalancing ? c.redundantExperts : undefined,
        nicsPerPod: nics,
      },
    },
    multiNode: c.nodes > 1 ? {} : undefined,
  });
  const objects = objectsOf(chart);
  checkInvariants(c, objects, data);
  const pods = c.nodes > 1 ? lwsPods(objects) : [];
  return [...validatable(objects), ...pods];
}

function checkInvariants(c: Case, objects: any[], data: number): void {
  const fail = (what: string) => { throw new Error(`invariant broken: ${what} in ${JSON.stringify(c)}`); };
  const value = (args: string[], name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] ?? '' : undefined);
  const local = data / c.nodes;
  const containers: { role: string; c: any }[] = [];
  if (c.nodes === 1) {
    const d = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'moe');
    containers.push({ role: 'single', c: d.spec.template.spec.containers.find((x: any) => x.name === 'server') });
  } else {
    const lws = objects.find((o) => o.kind === 'LeaderWorkerSet');
    if (lws.spec.leaderWorkerTemplate.size !== c.nodes) fail(`group size ${lws.spec.leaderWorkerTemplate.size}`);
    for (const p of lwsPods(objects)) containers.push({ role: p.metadata.name.endsWith('leader') ? 'leader' : 'worker', c: p.spec.containers[0] });
  }
  const backends = new Set<string | undefined>();
  for (const { role, c: k } of containers) {
    const args: string[] = k.args;
    if (value(args, '--enable-expert-parallel') === undefined) fail(`${role} without --enable-expert-parallel`);
    backends.add(value(args, '--all2all-backend'));
    if (Number(value(args, '--data-parallel-size') ?? '1') !== data) fail(`${role} --data-parallel-size ${value(args, '--data-parallel-size')}`);
    const unknown = args.filter((a) => a.startsWith('-') && !VLLM_V0_25_1_FLAGS.flags.includes(a));
    if (unknown.length) fail(`${role} flags outside vLLM 0.25.1: ${unknown.join(' ')}`);
    const eplb = value(args, '--enable-eplb') !== undefined;
    if (eplb !== c.loadBalancing) fail(`${role} --enable-eplb ${eplb}`);
    const redundant = c.loadBalancing && c.redundantExperts ? JSON.stringify({ num_redundant_experts: c.redundantExperts }) : undefined;
    if (value(args, '--eplb-config') !== redundant) fail(`${role} --eplb-config ${value(args, '--eplb-config')}`);
    if (role === 'single') continue;
    if (Number(value(args, '--data-parallel-size-local')) !== local) fail(`${role} --data-parallel-size-local`);
    if (role === 'leader') {
      if (value(args, '--data-parallel-start-rank') !== '0' || value(args, '--data-parallel-address') !== '$(POD_IP)') fail('leader ranks');
      if (args.includes('--headless')) fail('headless leader');
    } else {
      const start = local > 1 ? k.command[2] : value(args, '--data-parallel-start-rank');
      const expected = local > 1 ? `exec vllm serve "$@" --data-parallel-start-rank "$$((LWS_WORKER_INDEX * ${local}))"` : '$(LWS_WORKER_INDEX)';
      if (start !== expected || !args.includes('--headless') || value(args, '--data-parallel-address') !== '$(LWS_LEADER_ADDRESS)') fail(`worker ranks ${start}`);
    }
    const env = Object.fromEntries(k.env.map((e: any) => [e.name, e.value]));
    if (env.GLOO_SOCKET_IFNAME !== 'eth0') fail(`${role} GLOO_SOCKET_IFNAME ${env.GLOO_SOCKET_IFNAME}`);
    const deepEp = [...backends][0]?.startsWith('deepep');
    if (deepEp !== (env.NVSHMEM_REMOTE_TRANSPORT === 'ibgda')) fail(`${role} NVSHMEM_REMOTE_TRANSPORT ${env.NVSHMEM_REMOTE_TRANSPORT}`);
  }
  const expected = c.allToAll ?? (c.nodes > 1 ? 'deepep_low_latency' : 'allgather_reducescatter');
  if (backends.size !== 1 || !backends.has(expected)) fail(`backends ${[...backends].join(', ')}, expected ${expected}`);
  const claims = objects.filter((o) => o.kind === 'ResourceClaimTemplate');
  const nicRequests = claims.flatMap((t) => t.spec.spec.devices.requests).filter((r: any) => r.name.startsWith('nics'));
  const wantNics = c.nics === 'aligned' ? c.gpusPerPod : c.nics === 'one' ? 1 : 0;
  if (nicRequests.reduce((n: number, r: any) => n + r.exactly.count, 0) !== wantNics) fail(`NIC requests ${JSON.stringify(nicRequests)}`);
}

/** Invalid expert settings: one rank, redundant experts without the balancer, an unknown backend, a negative count. */
const badArb = fc.oneof(
  fc.record({ kind: fc.constant('one-rank' as const), pipeline: fc.constantFrom(1, 2) }),
  fc.record({ kind: fc.constant('redundant' as const), n: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('backend' as const), name: fc.constantFrom('pplx', 'naive', 'deepep', 'DEEPEP_LOW_LATENCY', '') }),
  fc.record({ kind: fc.constant('negative' as const), n: fc.integer({ min: -64, max: -1 }) }),
);

describe('fast-check: generated wide-EP services on the real apiserver', () => {
  beforeAll(() => jest.spyOn(console, 'warn').mockImplementation(() => undefined));
  afterAll(() => jest.restoreAllMocks());

  test('150 generated expert-parallel services (wide over a group, or in both roles of a disaggregated service)', async () => {
    const report = await checkProperty(caseArb, build, { numRuns: 150 });
    console.log(`[wide-EP properties] ${JSON.stringify(report)}`);
    expect(report.numRuns).toBe(150);
    expect(report.objects).toBeGreaterThanOrEqual(150 * 5);
  }, APISERVER_TIMEOUT);

  test('generated invalid expert settings throw the library\'s error naming parallelism.expert', () => {
    fc.assert(fc.property(badArb, (b) => {
      const { app, chart } = newChart();
      new ClusterProfile(chart, 'Cluster', { addons: ClusterAddon.defaults() });
      const expert = b.kind === 'redundant' ? { redundantExperts: b.n }
        : b.kind === 'backend' ? { allToAll: b.name as AllToAllBackend }
          : b.kind === 'negative' ? { loadBalancing: true, redundantExperts: b.n } : {};
      const one = b.kind === 'one-rank';
      let error: unknown;
      try {
        new InferenceService(chart, 'moe', {
          model: ModelSource.huggingFace('deepseek-ai/DeepSeek-V3-0324'),
          gpus: GpuRequest.of(one ? 1 : 8),
          parallelism: one ? { tensor: 1, pipeline: (b as any).pipeline, expert } : { tensor: 1, data: 8, expert },
          multiNode: one && (b as any).pipeline === 2 ? {} : undefined,
        });
        app.synth();
      } catch (e) {
        error = e;
      }
      expect(ValidationError.isValidationError(error)).toBe(true);
      expect((error as ValidationError).prop.startsWith('parallelism.expert')).toBe(true);
    }), { numRuns: 100 });
  });
});
