/**
 * The README's node-local model cache claims (issue 18): the snippet synthesizes a local PersistentVolume with the
 * pool's node affinity, a DaemonSet on the pool and read-only servers; no pod mounts a hostPath; without the opt-in it
 * is refused.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Chart, Size } from 'cdk8s';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuNodePool } from '../../src/accelerators/gpu-node-pool';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { ClusterProfile } from '../../src/cluster/cluster-profile';
import { InferenceService } from '../../src/serving/inference-service';
import { ModelSource } from '../../src/serving/model-source';
import { SharedModelVolume } from '../../src/serving/shared-model-volume';

const README = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
const SECTION = README.slice(README.indexOf('#### Model artifacts: download once, start fast'));

function build(allow: boolean | undefined): any[] {
  const app = new App();
  const chart = new Chart(app, 'readme', { namespace: 'serving', disableResourceNameHashes: true });
  new ClusterProfile(chart, 'Cluster');
  const h100 = new GpuNodePool(chart, 'h100', { gpu: GpuModel.NVIDIA_H100_80_GB, gpusPerNode: 8, maxNodes: 4 });
  new InferenceService(chart, 'llama', {
    model: ModelSource.storageUri('hf://meta-llama/Llama-3.1-8B-Instruct', {
      credentialsSecret: 'hf-token',
      sharedVolume: SharedModelVolume.nodeLocal({
        nodePool: h100,
        nodePath: '/mnt/nvme/models',
        size: Size.gibibytes(40),
        allowLocalPersistentVolume: allow,
      }),
    }),
    gpus: GpuRequest.of(1, { model: GpuModel.NVIDIA_H100_80_GB }),
    nodePool: h100,
  });
  app.synth();
  return chart.toJson();
}

test('the README\'s node-local snippet: a local volume on the pool, a DaemonSet filling it, read-only servers, no hostPath', () => {
  expect(SECTION).toContain("sharedVolume: SharedModelVolume.nodeLocal({ nodePool: h100, nodePath: '/mnt/nvme/models', size: Size.gibibytes(40),");
  expect(SECTION).toContain('allowLocalPersistentVolume: true }),');
  const objects = build(true);
  const pv = objects.find((o) => o.kind === 'PersistentVolume');
  expect(pv.spec.local).toEqual({ path: '/mnt/nvme/models' });
  expect(pv.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions).toEqual([{ key: 'ai.cdk8s.io/gpu-node-pool', operator: 'In', values: ['h100'] }]);
  expect(pv.spec.claimRef.name).toBe(objects.find((o) => o.kind === 'PersistentVolumeClaim').metadata.name);
  const ds = objects.find((o) => o.kind === 'DaemonSet');
  expect(ds.spec.template.spec.initContainers[0].resources.requests['ephemeral-storage']).toBe('2Gi');
  expect(SECTION).toContain('2Gi\nof scratch requested as ephemeral storage');
  const server = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'llama');
  expect(server.spec.template.spec.volumes).toEqual(expect.arrayContaining([{ name: 'model', persistentVolumeClaim: { claimName: 'llama-model', readOnly: true } }]));
  for (const o of objects.filter((x) => ['Deployment', 'DaemonSet'].includes(x.kind))) {
    expect(o.spec.template.spec.volumes.filter((v: any) => v.hostPath)).toEqual([]);
  }
  expect(SECTION).toContain('No pod mounts a hostPath');
});

test('without allowLocalPersistentVolume the node-local cache is refused at synth, as the README says', () => {
  expect(SECTION).toContain('refused at synth\nunless `allowLocalPersistentVolume: true` accepts it');
  expect(() => build(undefined)).toThrow(/allowLocalPersistentVolume .*is not true: a node-local model volume writes to \/mnt\/nvme\/models/);
});
