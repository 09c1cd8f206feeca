import { Size } from 'cdk8s';
import { findObject, llama, newChart, objectsOf } from './fixtures';
import { ClusterProfile } from '../../src/cluster/cluster-profile';
import { KubernetesVersion } from '../../src/cluster/kubernetes-version';
import { ModelCache } from '../../src/serving/model-cache';
import { ModelServer } from '../../src/serving/model-server';
import { ModelSource } from '../../src/serving/model-source';
import { OciModelFallback } from '../../src/serving/oci-model-fallback';
import { ModelVolumeAccessMode, SharedModelVolume } from '../../src/serving/shared-model-volume';

/**
 * Model artifacts (issue 18): OCI images as image volumes or modelcars, a shared volume filled once by a Job,
 * ephemeral storage wherever a download lands on node disk, credentials as files (or secretKeyRef variables where
 * the storage initializer reads only the environment).
 */

const DIGEST = `registry.example.com/models/llama@sha256:${'a'.repeat(64)}`;
const server = (objects: any[], name: string) => findObject(objects, 'Deployment', name).spec.template.spec;

beforeAll(() => {
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});

describe('ModelSource.ociImage', () => {
  test('Kubernetes 1.35+: a read-only image volume mounted at /mnt/models from the image\'s /models', () => {
    const { app, chart } = newChart();
    new ClusterProfile(app, 'Cluster', { kubernetesVersion: KubernetesVersion.V1_35 });
    llama(chart, 'llama', ModelServer.vllm(), { model: ModelSource.ociImage(DIGEST) });
    const spec = server(objectsOf(chart), 'llama');
    expect(spec.volumes).toEqual(expect.arrayContaining([{ name: 'model', image: { reference: DIGEST, pullPolicy: 'IfNotPresent' } }]));
    const c = spec.containers[0];
    expect(c.volumeMounts).toEqual(expect.arrayContaining([{ name: 'model', mountPath: '/mnt/models', readOnly: true, subPath: 'models' }]));
    expect(c.args[0]).toBe('/mnt/models');
    expect(spec.initContainers ?? []).toEqual([]);
    // nothing downloaded into the pod: no ephemeral storage for the model
    expect(c.resources.requests['ephemeral-storage']).toBeUndefined();
    expect(spec.shareProcessNamespace).toBeUndefined();
  });

  test('a tag is re-resolved on every start (Always); the gate set on a 1.34 profile is enough; served name from the image', () => {
    const { app, chart } = newChart();
    new ClusterProfile(app, 'Cluster', { featureGates: { ImageVolume: true } });
    const svc = llama(chart, 'llama', ModelServer.vllm(), { model: ModelSource.ociImage('registry.example.com:5000/models/qwen:1.0', { path: '/' }) });
    const spec = server(objectsOf(chart), 'llama');
    expect(spec.volumes).toEqual(expect.arrayContaining([{ name: 'model', image: { reference: 'registry.example.com:5000/models/qwen:1.0', pullPolicy: 'Always' } }]));
    expect(spec.containers[0].volumeMounts).toEqual(expect.arrayContaining([{ name: 'model', mountPath: '/mnt/models', readOnly: true }]));
    expect(svc.servedModelName).toBe('qwen');
  });

  test('Kubernetes 1.34 without the gate: refused, naming the alternatives', () => {
    const { chart } = newChart();
    expect(() => llama(chart, 'llama', ModelServer.vllm(), { model: ModelSource.ociImage(DIGEST) }))
      .toThrow(/model: ModelSource.ociImage\(.*\) mounts the image as a Kubernetes image volume, which needs the feature gate ImageVolume .* off on the target Kubernetes 1.34; .*OciModelFallback.MODELCAR.*ModelSource.storageUri\("oci:\/\//);
  });

  test('modelcar fallback: a native sidecar links its /models into a shared emptyDir, the server starts once the link resolves', () => {
    const { chart } = newChart();
    llama(chart, 'llama', ModelServer.vllm(), { model: ModelSource.ociImage(DIGEST, { fallback: OciModelFallback.MODELCAR }) });
    const spec = server(objectsOf(chart), 'llama');
    expect(spec.shareProcessNamespace).toBe(true);
    const car = spec.initContainers.find((c: any) => c.name === 'modelcar');
    expect(car).toMatchObject({
      image: DIGEST,
      restartPolicy: 'Always',
      command: ['sh', '-c', 'ln -sfn /proc/$$$$/root/models /mnt/models && exec sleep infinity'],
      startupProbe: { exec: { command: ['test', '-d', '/mnt/models/'] } },
      resources: { requests: { cpu: '10m', memory: '15Mi' }, limits: { cpu: '10m', memory: '15Mi' } },
    });
    expect(car.volumeMounts).toEqual(expect.arrayContaining([{ name: 'modelcar', mountPath: '/mnt' }]));
    expect(car.securityContext).toMatchObject({ allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    expect(spec.containers[0].volumeMounts).toEqual(expect.arrayContaining([{ name: 'modelcar', mountPath: '/mnt', readOnly: true }]));
    expect(spec.containers[0].args[0]).toBe('/mnt/models');
    expect(spec.volumes.find((v: any) => v.image)).toBeUndefined();
  });
});

describe('shared volume filled once by a Job', () => {
  const { chart } = newChart();
  llama(chart, 'llama', ModelServer.vllm(), {
    model: ModelSource.storageUri('s3://models/llama', {
      credentialsSecret: 's3',
      sharedVolume: SharedModelVolume.newClaim({ size: Size.gibibytes(40), storageClassName: 'filestore' }),
    }),
    replicas: 3,
  });
  const objects = objectsOf(chart);
  const jobs = objects.filter((o) => o.kind === 'Job');

  test('a ReadWriteMany claim from the props, one deterministic Job (name carries a hash of the URI)', () => {
    expect(findObject(objects, 'PersistentVolumeClaim', 'llama-model').spec).toEqual({
      accessModes: ['ReadWriteMany'], storageClassName: 'filestore', resources: { requests: { storage: '40Gi' } },
    });
    expect(jobs).toHaveLength(1);
    expect(jobs[0].metadata.name).toMatch(/^llama-model-[0-9a-f]{12}$/);
    expect(jobs[0].metadata.labels).toMatchObject({ 'app.kubernetes.io/component': 'model-download', 'app.kubernetes.io/instance': 'llama' });
    const again = newChart();
    llama(again.chart, 'llama', ModelServer.vllm(), {
      model: ModelSource.storageUri('s3://models/llama', { sharedVolume: SharedModelVolume.existingClaim('models') }),
    });
    expect(objectsOf(again.chart).find((o) => o.kind === 'Job').metadata.name).toBe(jobs[0].metadata.name);
    expect(objectsOf(again.chart).find((o) => o.kind === 'PersistentVolumeClaim')).toBeUndefined();
  });

  test('the Job downloads with credentials as a file into the claim, then writes the marker; restricted, scratch limited', () => {
    const pod = jobs[0].spec.template.spec;
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.automountServiceAccountToken).toBe(false);
    const [download] = pod.initContainers;
    // The storage initializer, unless the marker is already there (a Job re-created after its TTL by a GitOps re-sync).
    expect(download.command.slice(0, 3)).toEqual(['/bin/sh', '-c', '[ -f "$2" ] && exit 0; exec "$3" "$0" "$1"']);
    expect(download.command[3]).toBe('s3://models/llama');
    expect(download.command[4]).toMatch(/^\/mnt\/models\/models\/[0-9a-f]{12}$/);
    expect(download.command[5]).toBe(`${download.command[4]}.complete`);
    expect(download.command[6]).toBe('/storage-initializer/scripts/initializer-entrypoint');
    expect(jobs[0].spec.ttlSecondsAfterFinished).toBe(86_400);
    expect(download.env).toEqual(expect.arrayContaining([{ name: 'AWS_SHARED_CREDENTIALS_FILE', value: '/var/run/secrets/model-storage/credentials' }]));
    expect(download.envFrom).toBeUndefined();
    expect(download.resources.requests['ephemeral-storage']).toBe('2Gi');
    expect(download.resources.limits['ephemeral-storage']).toBe('2Gi');
    const marker = pod.containers[0];
    expect(marker.command.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    expect(marker.command[4]).toBe(`${download.command[4]}.complete`);
    expect(pod.volumes).toEqual(expect.arrayContaining([{ name: 'model', persistentVolumeClaim: { claimName: 'llama-model' } }]));
    for (const c of [...pod.initContainers, ...pod.containers]) {
      expect(c.securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false });
    }
  });

  test('the servers mount the claim read-only and wait for the marker; they download nothing and hold no credentials', () => {
    const spec = server(objects, 'llama');
    expect(spec.volumes).toEqual(expect.arrayContaining([{ name: 'model', persistentVolumeClaim: { claimName: 'llama-model', readOnly: true } }]));
    const wait = spec.initContainers.find((c: any) => c.name === 'model-wait');
    const marker = jobs[0].spec.template.spec.containers[0].command[4];
    expect(wait.command).toEqual(expect.arrayContaining([marker]));
    expect(wait.volumeMounts).toEqual(expect.arrayContaining([{ name: 'model', mountPath: '/mnt/models', readOnly: true }]));
    expect(spec.initContainers.find((c: any) => c.name === 'model-download')).toBeUndefined();
    expect(JSON.stringify(spec)).not.toContain('model-credentials');
    expect(spec.containers[0].args[0]).toBe(jobs[0].spec.template.spec.initContainers[0].command[4]);
    expect(wait.securityContext.readOnlyRootFilesystem).toBe(true);
  });

  test('ReadWriteOnce from the props', () => {
    const c = newChart();
    llama(c.chart, 'one', ModelServer.vllm(), {
      model: ModelSource.storageUri('gs://b/m', { sharedVolume: SharedModelVolume.newClaim({ size: Size.gibibytes(10), accessMode: ModelVolumeAccessMode.READ_WRITE_ONCE }) }),
    });
    expect(findObject(objectsOf(c.chart), 'PersistentVolumeClaim', 'one-model').spec.accessModes).toEqual(['ReadWriteOnce']);
  });
});

describe('ephemeral storage where a download lands on node disk', () => {
  test('sized download and cache: requests on the download step and the server, one pod-wide limit (sum + 10Gi headroom)', () => {
    const { chart } = newChart();
    llama(chart, 'llama', ModelServer.vllm(), {
      model: ModelSource.storageUri('s3://models/llama', { size: Size.gibibytes(40) }),
      modelCache: ModelCache.emptyDir(Size.gibibytes(10)),
    });
    const spec = server(objectsOf(chart), 'llama');
    const init = spec.initContainers[0];
    expect(init.resources.requests['ephemeral-storage']).toBe('40Gi');
    expect(init.resources.limits['ephemeral-storage']).toBe('60Gi');
    expect(spec.containers[0].resources.requests['ephemeral-storage']).toBe('50Gi');
    expect(spec.containers[0].resources.limits['ephemeral-storage']).toBe('60Gi');
    expect(spec.volumes).toEqual(expect.arrayContaining([{ name: 'model', emptyDir: { sizeLimit: '40Gi' } }]));
  });

  test('unsized download: 100Gi requested (llm-d\'s request), nothing limited', () => {
    const { chart } = newChart();
    llama(chart, 'llama', ModelServer.vllm(), { model: ModelSource.storageUri('s3://models/llama') });
    llama(chart, 'hub', ModelServer.custom({ name: 'x', image: 'x:1', args: ['{model}'] }), { model: ModelSource.huggingFace('a/b') });
    for (const name of ['llama', 'hub']) {
      const spec = server(objectsOf(chart), name);
      expect(spec.initContainers[0].resources.requests['ephemeral-storage']).toBe('100Gi');
      expect(spec.initContainers[0].resources.limits['ephemeral-storage']).toBeUndefined();
      expect(spec.containers[0].resources.requests['ephemeral-storage']).toBe('100Gi');
      expect(spec.containers[0].resources.limits['ephemeral-storage']).toBeUndefined();
    }
  });

  test('a user ephemeral-storage request leaves ephemeral storage unlimited', () => {
    const { chart } = newChart();
    llama(chart, 'llama', ModelServer.vllm(), {
      model: ModelSource.storageUri('s3://models/llama', { size: Size.gibibytes(40) }),
      modelCache: ModelCache.emptyDir(Size.gibibytes(10)),
      resources: { ephemeralStorage: '200Gi' },
    });
    const spec = server(objectsOf(chart), 'llama');
    expect(spec.initContainers[0].resources.limits['ephemeral-storage']).toBeUndefined();
    expect(spec.containers[0].resources.requests['ephemeral-storage']).toBe('200Gi');
    expect(spec.containers[0].resources.limits['ephemeral-storage']).toBeUndefined();
  });
});

describe('credentials for https:// URIs', () => {
  const { chart } = newChart();
  llama(chart, 'blob', ModelServer.vllm(), { model: ModelSource.storageUri('https://acme.blob.core.windows.net/models/llama', { credentialsSecret: 'azure' }) });
  llama(chart, 'files', ModelServer.vllm(), {
    model: ModelSource.storageUri('https://acme.file.core.windows.net/share/llama', { credentialsSecret: 'azure-files', credentialsSecretKey: 'key' }),
  });
  llama(chart, 'web', ModelServer.vllm(), { model: ModelSource.storageUri('https://models.example.com/llama.tar.gz', { credentialsSecret: 'web' }) });
  const objects = objectsOf(chart);

  test('Azure Blob: the client certificate as a file; client and tenant ids by reference; no envFrom', () => {
    const spec = server(objects, 'blob');
    const init = spec.initContainers[0];
    expect(init.envFrom).toBeUndefined();
    expect(init.env).toEqual(expect.arrayContaining([
      { name: 'AZURE_CLIENT_CERTIFICATE_PATH', value: '/var/run/secrets/model-storage/credentials' },
      { name: 'AZURE_CLIENT_ID', valueFrom: { secretKeyRef: { name: 'azure', key: 'AZURE_CLIENT_ID' } } },
      { name: 'AZURE_TENANT_ID', valueFrom: { secretKeyRef: { name: 'azure', key: 'AZURE_TENANT_ID' } } },
    ]));
    expect(spec.volumes).toEqual(expect.arrayContaining([
      { name: 'model-credentials', secret: { secretName: 'azure', items: [{ key: 'credentials', path: 'credentials' }], defaultMode: 0o440 } },
    ]));
  });

  test('Azure Files and other hosts: one secretKeyRef variable (the initializer reads them from the environment only)', () => {
    const files = server(objects, 'files').initContainers[0];
    expect(files.envFrom).toBeUndefined();
    expect(files.env).toEqual(expect.arrayContaining([{ name: 'AZURE_STORAGE_ACCESS_KEY', valueFrom: { secretKeyRef: { name: 'azure-files', key: 'key' } } }]));
    const web = server(objects, 'web').initContainers[0];
    expect(web.envFrom).toBeUndefined();
    expect(web.env).toEqual(expect.arrayContaining([{ name: 'models.example.com-headers', valueFrom: { secretKeyRef: { name: 'web', key: 'credentials' } } }]));
    expect(JSON.stringify(server(objects, 'web').volumes)).not.toContain('model-credentials');
  });
});
