// Shared fixtures for the NIC tests: a gang job whose workers get GPUs and DRA NICs, on a profile with DRANET.
import { App, Chart } from 'cdk8s';
import { Env } from './fixtures';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { NicRequest } from '../../src/accelerators/nic-request';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { ClusterProfile, ClusterProfileProps } from '../../src/cluster/cluster-profile';
import { KubernetesVersion } from '../../src/cluster/kubernetes-version';
import { GangScheduler } from '../../src/training/gang-scheduler';
import { GangTrainingJob, GangTrainingJobProps } from '../../src/training/gang-training-job';

export const NIC_NAMESPACE = 'rdma';
export const NIC_ADDONS = [...ClusterAddon.defaults(), ClusterAddon.SCHEDULER_PLUGINS, ClusterAddon.DRANET];

/** An app for `env` whose profile lists DRANET (unless `profile` says otherwise), and a chart in NIC_NAMESPACE. */
export function nicApp(env: Env = 'default', profile: ClusterProfileProps = {}): { app: App; chart: Chart } {
  const app = new App({ outdir: '/tmp/cdk8s-ai-nic-tests' });
  new ClusterProfile(app, 'Cluster', {
    kubernetesVersion: env === 'latest' ? KubernetesVersion.V1_37 : KubernetesVersion.V1_34,
    addons: NIC_ADDONS,
    ...profile,
  });
  return { app, chart: new Chart(app, 'c', { namespace: NIC_NAMESPACE }) };
}

/** A 2-worker gang `ft` with 8 H100s and 8 aligned RDMA NICs per worker, unless `props` overrides. */
export function nicGang(chart: Chart, props: Partial<GangTrainingJobProps> = {}): GangTrainingJob {
  return new GangTrainingJob(chart, 'ft', {
    image: 'ghcr.io/acme/train@sha256:' + 'c'.repeat(64),
    command: ['train.py'],
    workers: 2,
    gpusPerWorker: GpuRequest.of(8, { model: GpuModel.NVIDIA_H100_80_GB }),
    nicsPerWorker: NicRequest.of(8, { alignWithGpus: true }),
    scheduler: GangScheduler.podGroup(),
    ...props,
  });
}
