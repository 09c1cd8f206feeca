/**
 * The example platform (examples/main.ts, the app the README tells users to copy) synthesizes, and every object it
 * writes is accepted by a real kube-apiserver with every CRD installed: server-side apply, dry-run, strict field
 * validation, nothing dropped.
 */
import { validateObjects } from '../harness';
import { synthExample } from '../scanners/example-app';

const APISERVER_TIMEOUT = 120_000;

describe('the example platform', () => {
  const { objects, files } = synthExample();

  test('writes one file per chart, with every kind of object the platform needs', () => {
    expect(files).toEqual(['platform.k8s.yaml', 'tenants.k8s.yaml']);
    const kinds = new Set(objects.map((o) => o.kind));
    for (const kind of [
      'Namespace', 'ClusterQueue', 'LocalQueue', 'ResourceQuota', 'NetworkPolicy', 'JobSet', 'ResourceClaimTemplate',
      'Deployment', 'InferencePool', 'HTTPRoute', 'PodMonitor', 'PrometheusRule', 'DeviceClass', 'ClusterImagePolicy',
      'ValidatingAdmissionPolicy', 'Job', 'ConfigMap',
    ]) {
      expect({ kind, present: kinds.has(kind) }).toEqual({ kind, present: true });
    }
  });

  test('every object is accepted by the apiserver, with nothing dropped', async () => {
    const results = await validateObjects(objects);
    expect(results).toHaveLength(objects.length);
    // The eval gate's Job (the model download Job fills the stable Llama's shared volume and is no hook).
    const evalJob: any = objects.find((o) => o.kind === 'Job' && (o.metadata.labels as any)?.['app.kubernetes.io/component'] !== 'model-download');
    expect(evalJob?.metadata.annotations?.['argocd.argoproj.io/hook']).toBe('Sync');
    console.log(`example platform: ${results.length} objects accepted by the apiserver (${files.join(', ')})`);
  }, APISERVER_TIMEOUT);
});
