// Model artifacts on the real apiserver: an OCI image as an image volume (Kubernetes 1.37, the `latest`
// environment), the modelcar fallback, a shared volume with its download Job, and per-pod downloads with
// ephemeral-storage requests and limits (Kubernetes 1.34, `default`). Every pod template is also sent as a Pod, so
// Pod Security `restricted` (enforced on the namespace, and only on Pods) admits each one.
import { Size } from 'cdk8s';
import { llama, newChart, objectsOf, validatable } from './fixtures';
import { ClusterProfile } from '../../src/cluster/cluster-profile';
import { KubernetesVersion } from '../../src/cluster/kubernetes-version';
import { ModelCache } from '../../src/serving/model-cache';
import { ModelServer } from '../../src/serving/model-server';
import { ModelSource } from '../../src/serving/model-source';
import { OciModelFallback } from '../../src/serving/oci-model-fallback';
import { SharedModelVolume } from '../../src/serving/shared-model-volume';
import { validateObjects } from '../harness';

const DIGEST = `registry.example.com/models/llama@sha256:${'a'.repeat(64)}`;

/** The pods the Deployments and Jobs would create, as Pods. */
function templatePods(objects: any[]): any[] {
  return objects.filter((o) => o.kind === 'Deployment' || o.kind === 'Job').map((o) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { ...o.spec.template.metadata, name: `${o.metadata.name}-pod`, namespace: o.metadata.namespace },
    spec: o.spec.template.spec,
  }));
}

async function validate(objects: any[], environment: 'default' | 'latest'): Promise<void> {
  const sent = [...validatable(objects), ...templatePods(objects)];
  const results = await validateObjects(sent, { environment });
  expect(results.length).toBeGreaterThanOrEqual(sent.length);
}

beforeAll(() => {
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});

test('OCI image volume on Kubernetes 1.37', async () => {
  const { app, chart } = newChart();
  new ClusterProfile(app, 'Cluster', { kubernetesVersion: KubernetesVersion.V1_37 });
  llama(chart, 'llama', ModelServer.vllm(), { model: ModelSource.ociImage(DIGEST) });
  const objects = objectsOf(chart);
  expect(objects.find((o) => o.kind === 'Deployment').spec.template.spec.volumes).toEqual(expect.arrayContaining([{ name: 'model', image: { reference: DIGEST, pullPolicy: 'IfNotPresent' } }]));
  await validate(objects, 'latest');
});

test('modelcar, shared volume with its Job, sized and unsized downloads, https credentials on Kubernetes 1.34', async () => {
  const { chart } = newChart();
  llama(chart, 'car', ModelServer.vllm(), { model: ModelSource.ociImage(DIGEST, { fallback: OciModelFallback.MODELCAR }) });
  llama(chart, 'shared', ModelServer.sglang(), {
    model: ModelSource.storageUri('s3://models/llama', {
      credentialsSecret: 's3', sharedVolume: SharedModelVolume.newClaim({ size: Size.gibibytes(40), storageClassName: 'filestore' }),
    }),
    replicas: 2,
  });
  llama(chart, 'sized', ModelServer.vllm(), {
    model: ModelSource.storageUri('gs://models/llama', { credentialsSecret: 'gcs', size: Size.gibibytes(40) }),
    modelCache: ModelCache.emptyDir(Size.gibibytes(10)),
  });
  llama(chart, 'blob', ModelServer.vllm(), { model: ModelSource.storageUri('https://acme.blob.core.windows.net/models/llama', { credentialsSecret: 'azure' }) });
  llama(chart, 'web', ModelServer.vllm(), { model: ModelSource.storageUri('https://models.example.com/llama.tar.gz', { credentialsSecret: 'web' }) });
  const objects = objectsOf(chart);
  expect(objects.filter((o) => o.kind === 'Job')).toHaveLength(1);
  await validate(objects, 'default');
});
