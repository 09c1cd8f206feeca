/**
 * RDMA NICs aligned with GPUs on the simulated cluster: kwok nodes with 8 H100s over 4 PCIe roots and a fake DRANET
 * slice (one RDMA NIC per root, listed so that a first-fit allocation would mispair them, plus a non-RDMA NIC). The
 * real kube-scheduler allocates each worker's claim so that every group's 2 GPUs and its RDMA NIC share a root.
 */
import { App, Chart } from 'cdk8s';
import { synthesize, SynthesizedApp } from './apps';
import { SimCluster } from './cluster';
import { claimsAllocated, expectRunningOnPools, GITOPS_MANAGER } from './expectations';
import {
  ClusterAddon, ClusterProfile, GangScheduler, GangTrainingJob, GpuModel, GpuNodePool, GpuRequest, KubernetesVersion,
  NicRequest, TrainingBackend,
} from '../../src';

const SIM_TIMEOUT = 600_000;
const PCIE_ROOT = 'resource.kubernetes.io/pcieRoot';

function rdmaGangApp(): SynthesizedApp {
  const app = new App();
  new ClusterProfile(app, 'Cluster', {
    kubernetesVersion: KubernetesVersion.V1_37,
    featureGates: { GenericWorkload: true },
    addons: [...ClusterAddon.defaults(), ClusterAddon.DRANET],
  });
  const chart = new Chart(app, 'rdma', { namespace: 'rdma', disableResourceNameHashes: true });
  const pool = new GpuNodePool(chart, 'h100', { name: 'h100', gpu: GpuModel.NVIDIA_H100_80_GB, gpusPerNode: 8, maxNodes: 2 });
  new GangTrainingJob(chart, 'pretrain', {
    image: 'ghcr.io/acme/train@sha256:' + 'c'.repeat(64),
    command: ['train.py'],
    workers: 2,
    gpusPerWorker: GpuRequest.of(8, { model: GpuModel.NVIDIA_H100_80_GB }),
    nicsPerWorker: NicRequest.of(4, { alignWithGpus: true }),
    nodePool: pool,
    backend: TrainingBackend.jobSet(),
    scheduler: GangScheduler.workloadApi(),
  });
  // The DeviceClass a platform creates for DRANET, which ships none (DRANET docs, user/nvidia-dranet.md).
  const dranet = {
    apiVersion: 'resource.k8s.io/v1',
    kind: 'DeviceClass',
    metadata: { name: 'dranet' },
    spec: { selectors: [{ cel: { expression: 'device.driver == "dra.net"' } }] },
  };
  const out = synthesize(app);
  return { ...out, objects: [dranet, ...out.objects] };
}

describe('RDMA NICs aligned with GPUs, allocated by the real kube-scheduler (1.37)', () => {
  let cluster: SimCluster;
  let out: SynthesizedApp;

  beforeAll(async () => {
    out = rdmaGangApp();
    cluster = await SimCluster.start({ environment: 'latest', pools: out.pools, nodeOptions: { h100: { pcieRoots: 4 } } });
    await cluster.api.createNamespace('rdma');
  }, SIM_TIMEOUT);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  test('each worker\'s GPU pairs and RDMA NICs share a PCIe root', async () => {
    await cluster.api.applyAll(out.objects, GITOPS_MANAGER);
    await expectRunningOnPools(cluster, out.objects, 120_000);
    const devices = await claimsAllocated(cluster, out.objects, 60_000);
    const claims = [...new Set(devices.map((d) => d.claim))];
    expect(claims).toHaveLength(2);
    for (const claim of claims) {
      const mine = devices.filter((d) => d.claim === claim);
      expect(mine.map((d) => d.request).sort()).toEqual(['gpus-0', 'gpus-0', 'gpus-1', 'gpus-1', 'gpus-2', 'gpus-2', 'gpus-3', 'gpus-3',
        'nics-0', 'nics-1', 'nics-2', 'nics-3']);
      for (const group of [0, 1, 2, 3]) {
        const roots = mine.filter((d) => d.request.endsWith(`-${group}`)).map((d) => d.attributes[PCIE_ROOT]);
        expect(new Set(roots).size).toBe(1);
      }
      const nics = mine.filter((d) => d.request.startsWith('nics'));
      expect(nics.map((d) => d.attributes.rdma)).toEqual(['true', 'true', 'true', 'true']);
      expect(new Set(mine.map((d) => d.node)).size).toBe(1);
    }
  }, SIM_TIMEOUT);
});
