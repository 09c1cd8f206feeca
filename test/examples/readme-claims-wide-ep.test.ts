/**
 * The README's wide expert parallelism claims: the snippet synthesizes, and what it says the service emits.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Chart } from 'cdk8s';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { NicRequest } from '../../src/accelerators/nic-request';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { ClusterProfile } from '../../src/cluster/cluster-profile';
import { InferenceService } from '../../src/serving/inference-service';
import { ModelSource } from '../../src/serving/model-source';

const README = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');

test('the README\'s wide-EP service emits what the README says', () => {
  const section = README.slice(README.indexOf('#### Wide expert parallelism (MoE across nodes)'));
  const snippet = section.slice(0, section.indexOf('#### ', 10));
  for (const line of [
    'gpus: GpuRequest.of(8, { model: GpuModel.NVIDIA_H200 }),',
    'data: 16,',
    'expert: { loadBalancing: true, redundantExperts: 32, nicsPerPod: NicRequest.of(8, { alignWithGpus: true }) },',
    'multiNode: {},',
  ]) expect(snippet).toContain(line);
  const app = new App();
  new ClusterProfile(app, 'Cluster', { addons: [...ClusterAddon.defaults(), ClusterAddon.DRANET] });
  const chart = new Chart(app, 'readme', { namespace: 'serving', disableResourceNameHashes: true });
  new InferenceService(chart, 'deepseek', {
    model: ModelSource.huggingFace('deepseek-ai/DeepSeek-R1-0528'),
    gpus: GpuRequest.of(8, { model: GpuModel.NVIDIA_H200 }),
    parallelism: {
      tensor: 1,
      data: 16,
      expert: { loadBalancing: true, redundantExperts: 32, nicsPerPod: NicRequest.of(8, { alignWithGpus: true }) },
    },
    multiNode: {},
  });
  const objects = chart.toJson();
  const lws = objects.find((o: any) => o.kind === 'LeaderWorkerSet');
  expect(lws.spec.leaderWorkerTemplate.size).toBe(2);
  const [leader, worker] = ['leaderTemplate', 'workerTemplate'].map((t) => lws.spec.leaderWorkerTemplate[t].spec.containers[0]);
  const arg = (c: any, name: string) => c.args[c.args.indexOf(name) + 1];
  for (const c of [leader, worker]) {
    expect(c.args).toContain('--enable-expert-parallel');
    expect(c.args).toContain('--enable-eplb');
    expect([arg(c, '--all2all-backend'), arg(c, '--eplb-config'), arg(c, '--data-parallel-size')])
      .toEqual(['deepep_low_latency', '{"num_redundant_experts":32}', '16']);
    const env = Object.fromEntries(c.env.map((e: any) => [e.name, e.value]));
    expect(env).toMatchObject({ NVSHMEM_REMOTE_TRANSPORT: 'ibgda', GLOO_SOCKET_IFNAME: 'eth0', VLLM_ENGINE_READY_TIMEOUT_S: '1800' });
    expect(c.securityContext.capabilities).toEqual({ drop: ['ALL'] });
  }
  // Ranks 0-7 on the leader's pod IP; the worker's 8-15 from LWS_WORKER_INDEX, headless.
  expect([arg(leader, '--data-parallel-start-rank'), arg(leader, '--data-parallel-address'), leader.args.includes('--headless')])
    .toEqual(['0', '$(POD_IP)', false]);
  expect(worker.command[2]).toContain('--data-parallel-start-rank "$$((LWS_WORKER_INDEX * 8))"');
  expect(worker.args).toContain('--headless');
  const claim = objects.find((o: any) => o.kind === 'ResourceClaimTemplate');
  const nics = claim.spec.spec.devices.requests.filter((r: any) => r.exactly.deviceClassName === 'dranet');
  expect(nics).toHaveLength(8);
  expect(claim.spec.spec.devices.constraints.map((c: any) => c.matchAttribute)).toEqual(Array(8).fill('resource.kubernetes.io/pcieRoot'));
});
