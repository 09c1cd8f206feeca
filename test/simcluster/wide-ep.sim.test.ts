/**
 * Wide expert parallelism on the simulated cluster (issue 18), in both of llm-d's wide-EP forms: a DeepSeek-style
 * service served data parallel (DP 16) with expert parallelism across the 2 pods of a LeaderWorkerSet group, and the
 * guide's disaggregated form, whose prefill and decode roles are such groups each. Every pod gets 8 H100s and 4 RDMA
 * NICs aligned with them (kwok nodes with 4 PCIe roots and a fake DRANET slice). The real LeaderWorkerSet controller
 * and webhook create the groups and the real kube-scheduler allocates each pod's claim: the 6 pods run on 6 nodes of the
 * pool, each pod's GPU pairs and NIC share a PCIe root, and the ranks come out as vLLM needs them: each leader (worker
 * index 0) holds ranks 0-7 on its pod IP, each worker (index 1) ranks 8-15 from LWS_WORKER_INDEX x 8, headless,
 * connecting to its leader through the LWS_LEADER_ADDRESS the webhook injected. The pinned endpoint picker, started
 * with the disaggregated service's exact args and config, reads the two roles' leaders and no worker.
 */
import { Chart } from 'cdk8s';
import { profiledApp, synthesize, SynthesizedApp } from './apps';
import { SimCluster } from './cluster';
import { expectPickerServes } from './epp';
import { claimsAllocated, expectRunningOnPools, GITOPS_MANAGER, podsOf } from './expectations';
import {
  ClusterAddon, GpuModel, GpuNodePool, GpuRequest, InferenceService, InferenceServiceProps, KubernetesVersion, ModelServer, ModelSource, NicRequest,
} from '../../src';

const SIM_TIMEOUT = 600_000;
const VLLM = 'ghcr.io/acme/vllm@sha256:' + 'e'.repeat(64);
const NS = 'wep';
const PCIE_ROOT = 'resource.kubernetes.io/pcieRoot';

const WORKER_INDEX = 'leaderworkerset.sigs.k8s.io/worker-index';

function wideEpApp(): SynthesizedApp {
  const app = profiledApp(KubernetesVersion.V1_34, [ClusterAddon.DRANET]);
  const chart = new Chart(app, NS, { disableResourceNameHashes: true, namespace: NS });
  const pool = new GpuNodePool(chart, 'pool', { name: 'wep', gpu: GpuModel.NVIDIA_H100_80_GB, gpusPerNode: 8, maxNodes: 6 });
  const group: Partial<InferenceServiceProps> = {
    parallelism: {
      tensor: 1,
      data: 16,
      expert: { loadBalancing: true, redundantExperts: 32, nicsPerPod: NicRequest.of(4, { alignWithGpus: true }) },
    },
    multiNode: {},
  };
  const common = {
    model: ModelSource.huggingFace('deepseek-ai/DeepSeek-R1-0528'),
    server: ModelServer.vllm({ image: VLLM }),
    gpus: GpuRequest.of(8, { model: GpuModel.NVIDIA_H100_80_GB }),
    nodePool: pool,
  };
  new InferenceService(chart, 'moe', { ...common, ...group });
  // llm-d's guide: a DP 16 prefill group and a DP 16 decode group behind one pool.
  new InferenceService(chart, 'moepd', {
    ...common,
    ...group,
    route: { gateway: 'gateways/inference-gateway' },
    disaggregation: {
      prefill: { parallelism: group.parallelism, multiNode: {} },
      routingSidecarImage: 'ghcr.io/acme/disagg-sidecar@sha256:' + 'f'.repeat(64),
    },
  });
  // The DeviceClass a platform creates for DRANET, which ships none (as test/simcluster/nics.sim.test.ts).
  const dranet = {
    apiVersion: 'resource.k8s.io/v1',
    kind: 'DeviceClass',
    metadata: { name: 'dranet' },
    spec: { selectors: [{ cel: { expression: 'device.driver == "dra.net"' } }] },
  };
  const out = synthesize(app);
  return { ...out, objects: [dranet, ...out.objects] };
}

/** What a pod of a group runs: its ranks (from its command line and the env the LWS webhook injected) and its flags. */
function ranksOf(p: any): any {
  const c = p.spec.containers.find((x: any) => x.name === 'server');
  const env = Object.fromEntries(c.env.filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));
  const arg = (name: string) => (c.args.includes(name) ? c.args[c.args.indexOf(name) + 1] ?? '' : undefined);
  const index = Number(p.metadata.labels[WORKER_INDEX]);
  const local = Number(arg('--data-parallel-size-local'));
  // The worker's shell computes its first rank as LWS_WORKER_INDEX x local (engines/vllm.ts).
  const start = index === 0 ? Number(arg('--data-parallel-start-rank')) : Number(env.LWS_WORKER_INDEX) * local;
  return {
    index,
    workerIndexEnv: env.LWS_WORKER_INDEX,
    ranks: [start, start + local - 1],
    world: arg('--data-parallel-size'),
    headless: c.args.includes('--headless'),
    address: arg('--data-parallel-address'),
    leaderAddress: env.LWS_LEADER_ADDRESS,
    expert: [c.args.includes('--enable-expert-parallel'), arg('--all2all-backend'), arg('--eplb-config')],
    nccl: [env.NCCL_SOCKET_IFNAME, env.NVSHMEM_REMOTE_TRANSPORT],
    command: c.command.join(' '),
    kv: [arg('--kv-transfer-config'), env.VLLM_NIXL_SIDE_CHANNEL_PORT],
    sidecar: (p.spec.initContainers ?? []).map((i: any) => i.name),
  };
}

const WORKER_COMMAND = '/bin/sh -c exec vllm serve "$@" --data-parallel-start-rank "$$((LWS_WORKER_INDEX * 8))" vllm-serve';

/** The expected leader and worker of a group `lws`. */
function expectedGroup(lws: string, backend: string, kv: (string | undefined)[], sidecar: string[] = []): any[] {
  const expert = [true, backend, '{"num_redundant_experts":32}'];
  const nccl = ['=eth0', 'ibgda'];
  const leaderAddress = `${lws}-0.${lws}.${NS}`;
  return [
    {
      index: 0,
      workerIndexEnv: '0',
      ranks: [0, 7],
      world: '16',
      headless: false,
      address: '$(POD_IP)',
      leaderAddress,
      expert,
      nccl,
      command: 'vllm serve',
      kv,
      sidecar,
    },
    {
      index: 1,
      workerIndexEnv: '1',
      ranks: [8, 15],
      world: '16',
      headless: true,
      address: '$(LWS_LEADER_ADDRESS)',
      leaderAddress,
      expert,
      nccl,
      command: WORKER_COMMAND,
      kv,
      sidecar,
    },
  ];
}

describe('wide-EP: DP 16 expert-parallel groups of 2 pods with the real LeaderWorkerSet controller and kube-scheduler', () => {
  let cluster: SimCluster;
  let out: SynthesizedApp;
  let pods: any[];

  beforeAll(async () => {
    out = wideEpApp();
    cluster = await SimCluster.start({ pools: out.pools, nodeOptions: { wep: { pcieRoots: 4 } } });
    await cluster.api.createNamespace(NS);
    await cluster.api.applyAll(out.objects, GITOPS_MANAGER);
    await expectRunningOnPools(cluster, out.objects, 180_000);
    pods = (await podsOf(cluster, out.objects)).filter((p) => p.metadata.labels?.['leaderworkerset.sigs.k8s.io/name']);
  }, SIM_TIMEOUT);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  const groupPods = (lws: string) => pods.filter((p) => p.metadata.labels['leaderworkerset.sigs.k8s.io/name'] === lws)
    .sort((a, b) => Number(a.metadata.labels[WORKER_INDEX]) - Number(b.metadata.labels[WORKER_INDEX]));

  test('6 pods Running on 6 nodes; each claim\'s GPU pairs and RDMA NIC on one PCIe root', async () => {
    expect(pods).toHaveLength(6);
    expect(new Set(pods.map((p) => p.spec.nodeName)).size).toBe(6);
    const devices = await claimsAllocated(cluster, out.objects, 60_000);
    const claims = [...new Set(devices.map((d) => d.claim))];
    expect(claims).toHaveLength(6);
    for (const claim of claims) {
      const mine = devices.filter((d) => d.claim === claim);
      expect(mine.filter((d) => d.request.startsWith('gpus'))).toHaveLength(8);
      expect(mine.filter((d) => d.request.startsWith('nics')).map((d) => d.attributes.rdma)).toEqual(['true', 'true', 'true', 'true']);
      for (const g of [0, 1, 2, 3]) {
        expect(new Set(mine.filter((d) => d.request.endsWith(`-${g}`)).map((d) => d.attributes[PCIE_ROOT])).size).toBe(1);
      }
      expect(new Set(mine.map((d) => d.node)).size).toBe(1);
    }
  }, SIM_TIMEOUT);

  test('one service: ranks 0-7 on the leader, 8-15 on the worker, DeepEP low-latency', () => {
    expect(groupPods('moe-lws').map(ranksOf)).toEqual(expectedGroup('moe-lws', 'deepep_low_latency', [undefined, undefined]));
  });

  test('disaggregated: prefill ranks 0-15 with DeepEP high-throughput, decode ranks 0-15 with low-latency, NIXL on both', () => {
    const nixl = ['{"kv_connector":"NixlConnector","kv_role":"kv_both"}', '5600'];
    expect(groupPods('moepd-prefill-lws').map(ranksOf)).toEqual(expectedGroup('moepd-prefill-lws', 'deepep_high_throughput', nixl));
    expect(groupPods('moepd-lws').map(ranksOf)).toEqual(expectedGroup('moepd-lws', 'deepep_low_latency', nixl, ['routing-sidecar']));
  });

  test('the pinned endpoint picker reads the two roles\' leaders and no worker', async () => {
    const deployment = out.objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'moepd-epp')!;
    const pool = out.objects.find((o) => o.kind === 'InferencePool' && o.metadata.name === 'moepd')!;
    const leaders = [...groupPods('moepd-prefill-lws'), ...groupPods('moepd-lws')].filter((p) => p.metadata.labels[WORKER_INDEX] === '0');
    expect(leaders).toHaveLength(2);
    await expectPickerServes(cluster, deployment, out.objects, { pool, podIps: leaders.map((p) => p.status.podIP) });
  }, SIM_TIMEOUT);
});
