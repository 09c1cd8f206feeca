import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { findObject, lwsPods } from './fixtures';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { NicRequest } from '../../src/accelerators/nic-request';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { ClusterProfile } from '../../src/cluster/cluster-profile';
import { warnings } from '../../src/cluster/platform-warnings';
import { VLLM_V0_25_1_FLAGS } from '../../src/serving/engines/vllm-flags';
import { AllToAllBackend } from '../../src/serving/expert-parallelism-props';
import { InferenceService } from '../../src/serving/inference-service';
import { InferenceServiceProps } from '../../src/serving/inference-service-props';
import { ModelServer } from '../../src/serving/model-server';
import { ModelSource } from '../../src/serving/model-source';
import { badInputCatalogue } from '../harness';

/**
 * Wide expert parallelism (`parallelism.expert`): what vLLM gets on each pod of a LeaderWorkerSet group, the
 * all-to-all backend per role, the env and NICs, and every refusal with the error it must produce.
 */

const R1 = ModelSource.huggingFace('deepseek-ai/DeepSeek-R1-0528');
const H100 = GpuModel.NVIDIA_H100_80_GB;
const ROUTED = [ClusterAddon.GATEWAY_API, ClusterAddon.INFERENCE_EXTENSION, ClusterAddon.LLM_D_ROUTER];

function build(props: Partial<InferenceServiceProps>, addons: ClusterAddon[] = [...ClusterAddon.defaults(), ClusterAddon.DRANET]): any[] {
  const app = Testing.app();
  new ClusterProfile(app, 'Cluster', { addons });
  const chart = new Chart(app, 'c', { namespace: 'wep', disableResourceNameHashes: true });
  new InferenceService(chart, 'r1', { model: R1, gpus: GpuRequest.of(8, { model: H100 }), ...props });
  return Testing.synth(chart);
}

/** The server container of the pod of a Deployment, or of the leader and worker of a LeaderWorkerSet. */
function servers(objects: any[]): { [pod: string]: any } {
  const out: { [pod: string]: any } = {};
  for (const d of objects.filter((o) => o.kind === 'Deployment')) out[d.metadata.name] = d.spec.template.spec.containers.find((c: any) => c.name === 'server');
  for (const p of lwsPods(objects)) out[p.metadata.name] = p.spec.containers.find((c: any) => c.name === 'server');
  for (const name of Object.keys(out)) if (!out[name]) delete out[name];
  return out;
}

function envOf(container: any): { [name: string]: string | undefined } {
  return Object.fromEntries(container.env.map((e: any) => [e.name, e.value]));
}

/** `--flag value` of an args list (undefined when absent; '' for a flag without value). */
function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const next = args[i + 1];
  return next === undefined || next.startsWith('--') ? '' : next;
}

const WIDE_EP: Partial<InferenceServiceProps> = { parallelism: { tensor: 1, data: 16, expert: {} }, multiNode: {} };

describe('wide-EP over a LeaderWorkerSet group (2 pods x 8 GPUs, DP 16)', () => {
  const objects = build(WIDE_EP);
  const { 'r1-lws-leader': leader, 'r1-lws-worker': worker } = servers(objects);

  test('a group of 2 pods, recreated as one on any restart', () => {
    const lws = findObject(objects, 'LeaderWorkerSet', 'r1-lws');
    expect(lws.spec.leaderWorkerTemplate.size).toBe(2);
    expect(lws.spec.leaderWorkerTemplate.restartPolicy).toBe('RecreateGroupOnPodRestart');
  });

  test('the leader serves ranks 0-7 and binds the DP handshake on its pod IP; the worker runs ranks 8-15 headless', () => {
    expect(leader.command).toEqual(['vllm', 'serve']);
    expect([flag(leader.args, '--data-parallel-size'), flag(leader.args, '--data-parallel-size-local'),
      flag(leader.args, '--data-parallel-start-rank'), flag(leader.args, '--data-parallel-address'),
      flag(leader.args, '--data-parallel-rpc-port'), flag(leader.args, '--headless')]).toEqual(['16', '8', '0', '$(POD_IP)', '5555', undefined]);
    expect(leader.env.find((e: any) => e.name === 'POD_IP').valueFrom).toEqual({ fieldRef: { fieldPath: 'status.podIP' } });
    // LWS_WORKER_INDEX x 8 in a shell: the kubelet's $(VAR) expansion cannot multiply.
    expect(worker.command).toEqual(['/bin/sh', '-c', 'exec vllm serve "$@" --data-parallel-start-rank "$$((LWS_WORKER_INDEX * 8))"', 'vllm-serve']);
    expect([flag(worker.args, '--data-parallel-size'), flag(worker.args, '--data-parallel-size-local'),
      flag(worker.args, '--data-parallel-address'), flag(worker.args, '--headless')]).toEqual(['16', '8', '$(LWS_LEADER_ADDRESS)', '']);
  });

  test('both pods run expert parallel with DeepEP low-latency (a replica spanning pods)', () => {
    for (const c of [leader, worker]) {
      expect(flag(c.args, '--enable-expert-parallel')).toBe('');
      expect(flag(c.args, '--all2all-backend')).toBe('deepep_low_latency');
      expect(flag(c.args, '--tensor-parallel-size')).toBeUndefined();
      expect(flag(c.args, '--enable-eplb')).toBeUndefined();
    }
  });

  test('the env llm-d\'s wide-EP pods set: pod-network bootstrap, NVSHMEM over IBGDA, GDRCopy, the engines\' startup budget', () => {
    for (const c of [leader, worker]) {
      expect(envOf(c)).toMatchObject({
        GLOO_SOCKET_IFNAME: 'eth0',
        NCCL_SOCKET_IFNAME: 'eth0',
        NVSHMEM_REMOTE_TRANSPORT: 'ibgda',
        NVSHMEM_IB_ENABLE_IBGDA: 'true',
        NVSHMEM_BOOTSTRAP_UID_SOCK_IFNAME: 'eth0',
        NVIDIA_GDRCOPY: 'enabled',
        VLLM_ENGINE_READY_TIMEOUT_S: '1800',
      });
    }
  });

  test('every flag emitted is a vLLM 0.25.1 flag', () => {
    const emitted = [leader, worker].flatMap((c) => c.args.filter((a: string) => a.startsWith('-')));
    expect(emitted.filter((f: string) => !VLLM_V0_25_1_FLAGS.flags.includes(f))).toEqual([]);
    expect(VLLM_V0_25_1_FLAGS.flags).toEqual(expect.arrayContaining(['--data-parallel-start-rank', '--enable-eplb', '--eplb-config']));
  });

  test('the pods stay Pod Security restricted (no capabilities added) with 8Gi of /dev/shm for the 8 local ranks', () => {
    for (const p of lwsPods(objects)) {
      const c = p.spec.containers.find((x: any) => x.name === 'server');
      expect(c.securityContext.capabilities).toEqual({ drop: ['ALL'] });
      expect(p.spec.volumes.find((v: any) => v.emptyDir?.medium === 'Memory').emptyDir.sizeLimit).toBe('8Gi');
    }
  });
});

describe('expert parallelism options', () => {
  test('one pod: vLLM\'s default all-to-all, no NVSHMEM or socket pinning', () => {
    const c = servers(build({ parallelism: { tensor: 1, data: 8, expert: {} } })).r1;
    expect([flag(c.args, '--enable-expert-parallel'), flag(c.args, '--all2all-backend'), flag(c.args, '--data-parallel-size')])
      .toEqual(['', 'allgather_reducescatter', '8']);
    const env = envOf(c);
    expect(env.VLLM_ENGINE_READY_TIMEOUT_S).toBe('1800');
    expect(Object.keys(env).filter((n) => /^(NVSHMEM|GLOO|NCCL)_/.test(n))).toEqual([]);
  });

  test('tensor parallel EP (EP size = tensor x data = 8)', () => {
    const c = servers(build({ parallelism: { expert: {} } })).r1;
    expect([flag(c.args, '--tensor-parallel-size'), flag(c.args, '--enable-expert-parallel')]).toEqual(['8', '']);
  });

  test('a chosen backend, the load balancer with redundant experts, and the startup budget', () => {
    const { Duration } = jest.requireActual('cdk8s');
    const c = servers(build({
      ...WIDE_EP,
      parallelism: { data: 16, tensor: 1, expert: { allToAll: AllToAllBackend.DEEPEP_HIGH_THROUGHPUT, loadBalancing: true, redundantExperts: 32 } },
      maxStartupTime: Duration.minutes(50),
    }))['r1-lws-leader'];
    expect([flag(c.args, '--all2all-backend'), flag(c.args, '--enable-eplb'), flag(c.args, '--eplb-config')])
      .toEqual(['deepep_high_throughput', '', '{"num_redundant_experts":32}']);
    expect(envOf(c).VLLM_ENGINE_READY_TIMEOUT_S).toBe('3000');
  });

  test('load balancing without redundant experts passes no --eplb-config', () => {
    const c = servers(build({ parallelism: { tensor: 1, data: 8, expert: { loadBalancing: true } } })).r1;
    expect([flag(c.args, '--enable-eplb'), flag(c.args, '--eplb-config')]).toEqual(['', undefined]);
  });

  test('FlashInfer over multi-node NVLink: no NVSHMEM env', () => {
    const c = servers(build({ ...WIDE_EP, parallelism: { tensor: 1, data: 16, expert: { allToAll: AllToAllBackend.FLASHINFER_NVLINK_ONE_SIDED } } }))['r1-lws-worker'];
    expect(flag(c.args, '--all2all-backend')).toBe('flashinfer_nvlink_one_sided');
    expect(envOf(c)).toMatchObject({ GLOO_SOCKET_IFNAME: 'eth0' });
    expect(envOf(c).NVSHMEM_REMOTE_TRANSPORT).toBeUndefined();
  });

  test('the user\'s env wins over the defaults, without a duplicate', () => {
    const c = servers(build({
      ...WIDE_EP,
      env: { NCCL_SOCKET_IFNAME: 'ib', NVSHMEM_REMOTE_TRANSPORT: 'ibrc' },
      server: ModelServer.vllm({ env: { GLOO_SOCKET_IFNAME: 'enp0' } }),
    }))['r1-lws-leader'];
    const names = c.env.map((e: any) => e.name);
    expect(names.filter((n: string, i: number) => names.indexOf(n) !== i)).toEqual([]);
    expect(envOf(c)).toMatchObject({ NCCL_SOCKET_IFNAME: 'ib', NVSHMEM_REMOTE_TRANSPORT: 'ibrc', GLOO_SOCKET_IFNAME: 'enp0', NVSHMEM_IB_ENABLE_IBGDA: 'true' });
  });

  test('RDMA NICs aligned with the GPUs join the GPU claim; their NCCL variables replace the bootstrap default', () => {
    const objects = build({ ...WIDE_EP, parallelism: { tensor: 1, data: 16, expert: { nicsPerPod: NicRequest.of(8, { alignWithGpus: true }) } } });
    const claims = objects.filter((o) => o.kind === 'ResourceClaimTemplate');
    expect(claims).toHaveLength(1);
    const requests = claims[0].spec.spec.devices.requests.map((r: any) => `${r.name}:${r.exactly.deviceClassName}`);
    expect(requests.filter((r: string) => r.startsWith('nics'))).toHaveLength(8);
    expect(requests).toContain('nics-0:dranet');
    for (const c of Object.values(servers(objects))) {
      expect(envOf(c)).toMatchObject({ NCCL_SOCKET_IFNAME: '=eth0', NCCL_NET_GDR_LEVEL: 'PHB', GLOO_SOCKET_IFNAME: 'eth0' });
    }
  });

  test('unaligned NICs get a claim of their own, on every pod of the group', () => {
    const objects = build({ ...WIDE_EP, parallelism: { tensor: 1, data: 16, expert: { nicsPerPod: NicRequest.of(2) } } });
    expect(objects.filter((o) => o.kind === 'ResourceClaimTemplate').map((o) => o.metadata.name).sort()).toEqual(['r1-gpus', 'r1-nics']);
    for (const p of lwsPods(objects)) expect(p.spec.resourceClaims.map((r: any) => r.name).sort()).toEqual(['gpus', 'nics']);
  });

  test('disaggregated: DeepEP high-throughput in prefill pods, low-latency in decode pods (tensor-parallel roles)', () => {
    const objects = build({
      parallelism: { expert: {} },
      route: { gateway: 'inference-gateway' },
      disaggregation: { prefill: { parallelism: { expert: {} } } },
    }, [...ClusterAddon.defaults(), ...ROUTED]);
    const s = servers(objects);
    expect(flag(s['r1-prefill'].args, '--all2all-backend')).toBe('deepep_high_throughput');
    expect(flag(s.r1.args, '--all2all-backend')).toBe('deepep_low_latency');
    expect(flag(s.r1.args, '--kv-transfer-config')).toBeDefined();
  });

  test('DeepEP across pods without RDMA NICs warns; with NICs, or with FlashInfer over NVLink, it does not', () => {
    const warned = (props: Partial<InferenceServiceProps>) => {
      const app = Testing.app();
      new ClusterProfile(app, 'Cluster', { addons: [...ClusterAddon.defaults(), ClusterAddon.DRANET] });
      const chart = new Chart(app, 'c', { namespace: 'wep', disableResourceNameHashes: true });
      new InferenceService(chart, 'r1', { model: R1, gpus: GpuRequest.of(8, { model: H100 }), ...props });
      return warnings(app).filter((w) => w.includes('parallelism.expert: DeepEP between the pods'));
    };
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(warned(WIDE_EP)).toEqual([expect.stringContaining('[c/r1] parallelism.expert: DeepEP between the pods of a group runs NVSHMEM')]);
      expect(warned({ ...WIDE_EP, parallelism: { tensor: 1, data: 16, expert: { nicsPerPod: NicRequest.of(8) } } })).toEqual([]);
      const nvlink = { allToAll: AllToAllBackend.FLASHINFER_NVLINK_TWO_SIDED };
      expect(warned({ ...WIDE_EP, parallelism: { tensor: 1, data: 16, expert: nvlink } })).toEqual([]);
      expect(warned({ parallelism: { tensor: 1, data: 8, expert: {} } })).toEqual([]);
    } finally {
      stderr.mockRestore();
    }
  });

  test('disaggregated wide-EP as llm-d\'s guide: prefill and decode groups of 2 pods, DP 16 each, with NIXL between any ranks', () => {
    const objects = build({
      ...WIDE_EP,
      route: { gateway: 'inference-gateway' },
      disaggregation: { prefill: { parallelism: { tensor: 1, data: 16, expert: {} }, multiNode: {} } },
    }, [...ClusterAddon.defaults(), ...ROUTED]);
    const s = servers(objects);
    expect(Object.keys(s).sort()).toEqual(['r1-lws-leader', 'r1-lws-worker', 'r1-prefill-lws-leader', 'r1-prefill-lws-worker']);
    for (const [pod, backend, port] of [['r1-prefill-lws', 'deepep_high_throughput', '8000'], ['r1-lws', 'deepep_low_latency', '8200']]) {
      for (const role of ['leader', 'worker']) {
        const c = s[`${pod}-${role}`];
        expect([flag(c.args, '--all2all-backend'), flag(c.args, '--data-parallel-size'), flag(c.args, '--data-parallel-size-local'), flag(c.args, '--port')])
          .toEqual([backend, '16', '8', port]);
        expect(flag(c.args, '--kv-transfer-config')).toBe('{"kv_connector":"NixlConnector","kv_role":"kv_both"}');
        // Each rank's NIXL side channel is 5600 + its rank on its own pod's IP (vLLM 0.25.1 nixl/base_scheduler.py).
        expect(c.env.find((e: any) => e.name === 'VLLM_NIXL_SIDE_CHANNEL_HOST').valueFrom).toEqual({ fieldRef: { fieldPath: 'status.podIP' } });
        expect(envOf(c).VLLM_NIXL_SIDE_CHANNEL_PORT).toBe('5600');
      }
      expect(flag(s[`${pod}-worker`].args, '--headless')).toBe('');
    }
    // The routing sidecar fronts the decode leader's API (internal load balancing), without --data-parallel-size.
    const decode = findObject(objects, 'LeaderWorkerSet', 'r1-lws').spec.leaderWorkerTemplate.leaderTemplate.spec;
    expect(decode.initContainers[0].args.filter((a: string) => a.startsWith('--data-parallel'))).toEqual([]);
    // The pool selects the leaders of both roles, which serve the API.
    const pool = findObject(objects, 'InferencePool');
    expect(pool.spec.selector.matchLabels).toMatchObject({ 'llm-d.ai/inference-serving': 'true' });
    for (const p of lwsPods(objects)) {
      const selected = Object.entries(pool.spec.selector.matchLabels).every(([k, v]) => p.metadata.labels[k] === v);
      expect([p.metadata.name, selected]).toEqual([p.metadata.name, p.metadata.name.endsWith('leader')]);
    }
  });

  test('a service without parallelism.expert renders no expert flags or env', () => {
    const c = servers(build({ parallelism: { tensor: 1, data: 16 }, multiNode: {} }))['r1-lws-leader'];
    expect(c.args.filter((a: string) => /expert|all2all|eplb/.test(a))).toEqual([]);
    expect(Object.keys(envOf(c)).filter((n) => /^(NVSHMEM|GLOO|NCCL)_|ENGINE_READY/.test(n))).toEqual([]);
  });
});

const P = '[bad-input/llm]';

function ep(scope: Construct, extra: Partial<InferenceServiceProps> = {}, addons: ClusterAddon[] = ClusterAddon.defaults()): InferenceService {
  new ClusterProfile(scope, 'Cluster', { addons });
  return new InferenceService(scope, 'llm', {
    model: R1, gpus: GpuRequest.of(8), parallelism: { tensor: 1, data: 16, expert: {} }, multiNode: {}, ...extra,
  });
}

beforeAll(() => {
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});

badInputCatalogue([
  {
    name: 'SGLang',
    error: `${P} parallelism.expert: is set but the server is SGLang, whose expert parallelism is not wired here; use ModelServer.vllm()`,
    build: (s) => ep(s, { server: ModelServer.sglang() }),
  },
  {
    name: 'TGI',
    error: 'parallelism.expert: is set but the server is TGI',
    build: (s) => ep(s, { server: ModelServer.tgi(), parallelism: { tensor: 8, expert: {} }, multiNode: undefined }),
  },
  {
    name: 'a custom server',
    error: /parallelism\.expert: is set but the server is .*expert parallelism is not wired here/,
    build: (s) => ep(s, {
      server: ModelServer.custom({ name: 'acme', image: 'ghcr.io/acme/server:1.0', port: 8000, args: ['--model', '{model}'], tensorParallel: true }),
      parallelism: { tensor: 8, expert: {} },
      multiNode: undefined,
    }),
  },
  {
    name: 'one rank (tensor 1, data 1)',
    error: `${P} parallelism.expert: got {}; expected unset, or tensor x data above 1: expert parallelism splits the experts over the tensor x data ranks`,
    build: (s) => ep(s, { gpus: GpuRequest.of(1), parallelism: { expert: {} }, multiNode: undefined }),
  },
  {
    name: 'pipeline stages only (tensor 1, data 1)',
    error: 'this replica has one (tensor 1, data 1)',
    build: (s) => ep(s, { gpus: GpuRequest.of(1), parallelism: { tensor: 1, pipeline: 2, expert: {} } }),
  },
  {
    name: 'expert parallelism without GPUs',
    error: 'parallelism.expert: got {}; expected unset, or tensor x data above 1',
    build: (s) => ep(s, { gpus: undefined, parallelism: { expert: {} }, multiNode: undefined }),
  },
  {
    name: 'expert given as true',
    error: 'parallelism.expert: got true; expected a ExpertParallelismProps object',
    build: (s) => ep(s, { parallelism: { data: 16, expert: true as any } }),
  },
  {
    name: 'an unknown all-to-all backend',
    error: 'parallelism.expert.allToAll (parallelism.expert.all_to_all): got "pplx"; expected one of "allgather_reducescatter", "deepep_high_throughput"',
    build: (s) => ep(s, { parallelism: { data: 16, tensor: 1, expert: { allToAll: 'pplx' as AllToAllBackend } } }),
  },
  {
    name: 'redundant experts without the load balancer',
    error: 'parallelism.expert.redundantExperts (parallelism.expert.redundant_experts): is 32 but loadBalancing is off',
    build: (s) => ep(s, { parallelism: { data: 16, tensor: 1, expert: { redundantExperts: 32 } } }),
  },
  {
    name: 'a negative number of redundant experts',
    error: 'parallelism.expert.redundantExperts (parallelism.expert.redundant_experts): got -1; expected an integer from 0 to 4096',
    build: (s) => ep(s, { parallelism: { data: 16, tensor: 1, expert: { loadBalancing: true, redundantExperts: -1 } } }),
  },
  {
    name: 'a fractional number of redundant experts',
    error: 'got 1.5; expected an integer from 0 to 4096',
    build: (s) => ep(s, { parallelism: { data: 16, tensor: 1, expert: { loadBalancing: true, redundantExperts: 1.5 } } }),
  },
  {
    name: 'loadBalancing given as a string',
    error: 'parallelism.expert.loadBalancing (parallelism.expert.load_balancing): got "yes"',
    build: (s) => ep(s, { parallelism: { data: 16, tensor: 1, expert: { loadBalancing: 'yes' as any } } }),
  },
  {
    name: 'NICs given as a number',
    error: 'parallelism.expert.nicsPerPod (parallelism.expert.nics_per_pod): got 8 (a number); expected a NicRequest such as NicRequest.of(8',
    build: (s) => ep(s, { parallelism: { data: 16, tensor: 1, expert: { nicsPerPod: 8 as any } } }),
  },
  {
    name: 'NICs on a cluster without the DRA network driver',
    error: /parallelism\.expert\.nicsPerPod.*DRANET/,
    build: (s) => ep(s, { parallelism: { data: 16, tensor: 1, expert: { nicsPerPod: NicRequest.of(8) } } }),
  },
  {
    name: 'the expert flag in extraArgs',
    error: 'server.extraArgs (server.extra_args): sets --enable-expert-parallel, which the InferenceService generates',
    build: (s) => ep(s, { server: ModelServer.vllm({ extraArgs: ['--enable-expert-parallel'] }) }),
  },
  {
    name: 'the all-to-all backend in extraArgs',
    error: 'sets --all2all-backend, which the InferenceService generates',
    build: (s) => ep(s, { server: ModelServer.vllm({ extraArgs: ['--all2all-backend=deepep_low_latency'] }) }),
  },
  {
    name: 'the load balancer config in extraArgs',
    error: 'sets --eplb-config, which the InferenceService generates',
    build: (s) => ep(s, { server: ModelServer.vllm({ extraArgs: ['--eplb_config', '{}'] }) }),
  },
  {
    name: 'an expert-parallel prefill role on SGLang',
    error: 'disaggregation: is set but the server is SGLang',
    build: (s) => ep(s, {
      server: ModelServer.sglang(),
      parallelism: undefined,
      multiNode: undefined,
      route: { gateway: 'inference-gateway' },
      disaggregation: { prefill: { parallelism: { expert: {} } } },
    }, [...ClusterAddon.defaults(), ...ROUTED]),
  },
  {
    name: 'a one-rank prefill role',
    error: 'disaggregation.prefill.parallelism.expert: got {}; expected unset, or tensor x data above 1',
    build: (s) => ep(s, {
      parallelism: { expert: {} },
      multiNode: undefined,
      route: { gateway: 'inference-gateway' },
      disaggregation: { prefill: { gpus: GpuRequest.of(1), parallelism: { expert: {} } } },
    }, [...ClusterAddon.defaults(), ...ROUTED]),
  },
], { title: 'InferenceService parallelism.expert: bad inputs' });
