/**
 * Wide expert parallelism on the simulated cluster (issue 18): a DeepSeek-style service served data parallel (DP 16)
 * with expert parallelism across the 2 pods of a LeaderWorkerSet group, each pod with 8 H100s and 4 RDMA NICs aligned
 * with them (kwok nodes with 4 PCIe roots and a fake DRANET slice). The real LeaderWorkerSet controller and webhook
 * create the group, the real kube-scheduler allocates each pod's claim: the pods run on two nodes of the pool, each
 * pod's GPU pairs and NIC share a PCIe root, and the ranks come out as vLLM needs them: the leader (worker index 0)
 * holds ranks 0-7 on its pod IP, the worker (index 1) ranks 8-15 from LWS_WORKER_INDEX x 8, headless, connecting to
 * the leader through the LWS_LEADER_ADDRESS the webhook injected.
 */
import { App, Chart } from 'cdk8s';
import { synthesize, SynthesizedApp } from './apps';
import { SimCluster } from './cluster';
import { claimsAllocated, expectRunningOnPools, GITOPS_MANAGER, podsOf } from './expectations';
import {
  ClusterAddon, ClusterProfile, GpuModel, GpuNodePool, GpuRequest, InferenceService, KubernetesVersion, ModelServer, ModelSource, NicRequest,
} from '../../src';

const SIM_TIMEOUT = 600_000;
const VLLM = 'ghcr.io/acme/vllm@sha256:' + 'e'.repeat(64);
const NS = 'wep';
const PCIE_ROOT = 'resource.kubernetes.io/pcieRoot';

function wideEpApp(): SynthesizedApp {
  const app = new App();
  new ClusterProfile(app, 'Cluster', { kubernetesVersion: KubernetesVersion.V1_34, addons: [...ClusterAddon.defaults(), ClusterAddon.DRANET] });
  const chart = new Chart(app, NS, { disableResourceNameHashes: true, namespace: NS });
  const pool = new GpuNodePool(chart, 'pool', { name: 'wep', gpu: GpuModel.NVIDIA_H100_80_GB, gpusPerNode: 8, maxNodes: 2 });
  new InferenceService(chart, 'moe', {
    model: ModelSource.huggingFace('deepseek-ai/DeepSeek-R1-0528'),
    server: ModelServer.vllm({ image: VLLM }),
    gpus: GpuRequest.of(8, { model: GpuModel.NVIDIA_H100_80_GB }),
    nodePool: pool,
    parallelism: {
      tensor: 1,
      data: 16,
      expert: { loadBalancing: true, redundantExperts: 32, nicsPerPod: NicRequest.of(4, { alignWithGpus: true }) },
    },
    multiNode: {},
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

describe('wide-EP: a DP 16 expert-parallel group of 2 pods with the real LeaderWorkerSet controller and kube-scheduler', () => {
  let cluster: SimCluster;
  let out: SynthesizedApp;

  beforeAll(async () => {
    out = wideEpApp();
    cluster = await SimCluster.start({ pools: out.pools, nodeOptions: { wep: { pcieRoots: 4 } } });
    await cluster.api.createNamespace(NS);
  }, SIM_TIMEOUT);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  test('both pods Running on their own node, each claim\'s GPU pairs and RDMA NIC on one PCIe root, ranks 0-7 and 8-15', async () => {
    await cluster.api.applyAll(out.objects, GITOPS_MANAGER);
    await expectRunningOnPools(cluster, out.objects, 180_000);

    const pods = (await podsOf(cluster, out.objects)).filter((p) => p.metadata.labels?.['leaderworkerset.sigs.k8s.io/name'] === 'moe-lws');
    expect(pods).toHaveLength(2);
    expect(new Set(pods.map((p) => p.spec.nodeName)).size).toBe(2);

    const devices = await claimsAllocated(cluster, out.objects, 60_000);
    const claims = [...new Set(devices.map((d) => d.claim))];
    expect(claims).toHaveLength(2);
    for (const claim of claims) {
      const mine = devices.filter((d) => d.claim === claim);
      expect(mine.filter((d) => d.request.startsWith('gpus'))).toHaveLength(8);
      expect(mine.filter((d) => d.request.startsWith('nics')).map((d) => d.attributes.rdma)).toEqual(['true', 'true', 'true', 'true']);
      for (const group of [0, 1, 2, 3]) {
        expect(new Set(mine.filter((d) => d.request.endsWith(`-${group}`)).map((d) => d.attributes[PCIE_ROOT])).size).toBe(1);
      }
      expect(new Set(mine.map((d) => d.node)).size).toBe(1);
    }

    // The ranks each pod runs, from its command line and the env the LeaderWorkerSet webhook injected.
    const ranks = pods.map((p) => {
      const c = p.spec.containers.find((x: any) => x.name === 'server');
      const env = Object.fromEntries(c.env.filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));
      const arg = (name: string) => (c.args.includes(name) ? c.args[c.args.indexOf(name) + 1] ?? '' : undefined);
      const index = Number(p.metadata.labels['leaderworkerset.sigs.k8s.io/worker-index']);
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
      };
    }).sort((a, b) => a.index - b.index);
    const expert = [true, 'deepep_low_latency', '{"num_redundant_experts":32}'];
    expect(ranks).toEqual([
      {
        index: 0,
        workerIndexEnv: '0',
        ranks: [0, 7],
        world: '16',
        headless: false,
        address: '$(POD_IP)',
        leaderAddress: `moe-lws-0.moe-lws.${NS}`,
        expert,
        nccl: ['=eth0', 'ibgda'],
        command: 'vllm serve',
      },
      {
        index: 1,
        workerIndexEnv: '1',
        ranks: [8, 15],
        world: '16',
        headless: true,
        address: '$(LWS_LEADER_ADDRESS)',
        leaderAddress: `moe-lws-0.moe-lws.${NS}`,
        expert,
        nccl: ['=eth0', 'ibgda'],
        command: '/bin/sh -c exec vllm serve "$@" --data-parallel-start-rank "$$((LWS_WORKER_INDEX * 8))" vllm-serve',
      },
    ]);
  }, SIM_TIMEOUT);
});
