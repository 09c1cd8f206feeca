/**
 * The README's model artifact claims: each snippet synthesizes and emits what the README says.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Chart, Size } from 'cdk8s';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { InferenceService } from '../../src/serving/inference-service';
import { ModelSource } from '../../src/serving/model-source';
import { OciModelFallback } from '../../src/serving/oci-model-fallback';
import { SharedModelVolume } from '../../src/serving/shared-model-volume';

const README = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
const SECTION = README.slice(README.indexOf('#### Model artifacts: download once, start fast'), README.indexOf('### Training: `GangTrainingJob`'));
const DIGEST = `registry.example.com/models/llama@sha256:${'a'.repeat(64)}`;

function synth(model: ModelSource): any[] {
  const app = new App();
  const chart = new Chart(app, 'readme', { namespace: 'serving', disableResourceNameHashes: true });
  new InferenceService(chart, 'llama', { model, gpus: GpuRequest.of(1) });
  return chart.toJson();
}

beforeAll(() => {
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});

test('the README shows each artifact source', () => {
  for (const line of [
    "ModelSource.ociImage('registry.example.com/models/llama@sha256:<digest>', { fallback: OciModelFallback.MODELCAR })",
    "sharedVolume: SharedModelVolume.newClaim({ size: Size.gibibytes(40), storageClassName: 'filestore' }),",
    "ModelSource.storageUri('gs://models/llama-3.1-8b', { credentialsSecret: 'gcs-key', size: Size.gibibytes(40) })",
  ]) expect(SECTION).toContain(line);
});

test('OCI image on the default 1.34 profile: the modelcar fallback (native sidecar, shared process namespace)', () => {
  const pod = synth(ModelSource.ociImage(DIGEST, { fallback: OciModelFallback.MODELCAR })).find((o) => o.kind === 'Deployment').spec.template.spec;
  expect(pod.shareProcessNamespace).toBe(true);
  expect(pod.initContainers.find((c: any) => c.name === 'modelcar')).toMatchObject({ image: DIGEST, restartPolicy: 'Always' });
});

test('shared volume: the Job named after the service and the URI hash, the marker, the servers waiting read-only', () => {
  const objects = synth(ModelSource.storageUri('s3://models/llama-3.1-8b', {
    credentialsSecret: 's3-credentials',
    sharedVolume: SharedModelVolume.newClaim({ size: Size.gibibytes(40), storageClassName: 'filestore' }),
  }));
  const job = objects.find((o) => o.kind === 'Job');
  expect(job.metadata.name).toMatch(/^llama-model-[0-9a-f]{12}$/);
  expect(job.spec.template.spec.volumes).toContainEqual({ name: 'tmp', emptyDir: { sizeLimit: '2Gi' } });
  const server = objects.find((o) => o.kind === 'Deployment').spec.template.spec;
  expect(server.initContainers.map((c: any) => c.name)).toContain('model-wait');
  expect(server.volumes).toContainEqual({ name: 'model', persistentVolumeClaim: { claimName: 'llama-model', readOnly: true } });
});

test('per-pod download: ephemeral storage requested; unsized 100Gi; credentials as files, secretKeyRef for Azure Files and https headers', () => {
  const sized = synth(ModelSource.storageUri('gs://models/llama-3.1-8b', { credentialsSecret: 'gcs-key', size: Size.gibibytes(40) }))
    .find((o) => o.kind === 'Deployment').spec.template.spec;
  expect(sized.initContainers[0].resources.requests['ephemeral-storage']).toBe('40Gi');
  expect(sized.initContainers[0].env).toContainEqual({ name: 'GOOGLE_APPLICATION_CREDENTIALS', value: '/var/run/secrets/model-storage/credentials' });
  const unsized = synth(ModelSource.storageUri('https://acme.file.core.windows.net/share/llama', { credentialsSecret: 'azure' }))
    .find((o) => o.kind === 'Deployment').spec.template.spec.initContainers[0];
  expect(unsized.resources.requests['ephemeral-storage']).toBe('100Gi');
  expect(unsized.env).toContainEqual({ name: 'AZURE_STORAGE_ACCESS_KEY', valueFrom: { secretKeyRef: { name: 'azure', key: 'credentials' } } });
});
