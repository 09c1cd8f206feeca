/**
 * Models served from OCI images (ModelSource.ociImage) on the simulated cluster: an image volume on a 1.37 profile and
 * apiserver (the ImageVolume gate on by default) and KServe's modelcar on a 1.34 profile and apiserver
 * (OciModelFallback.MODELCAR).
 *
 * What is real: the apiserver keeps the image volume and the modelcar's native sidecar (nothing
 * is dropped from what the Deployment controller stamps into the pods), the Deployment and ReplicaSet controllers
 * create the pods, the scheduler places them on the pool with their DRA claims allocated, and Pod Security restricted
 * is enforced. What is not: kwok pulls no image and runs no container, so the mounted model files, the modelcar's
 * link into the shared emptyDir and the server loading them are not executed.
 */
import { Chart } from 'cdk8s';
import { profiledApp, synthesize, SynthesizedApp } from './apps';
import { SimCluster } from './cluster';
import { claimsAllocated, expectRunningOnPools, GITOPS_MANAGER, podsOf } from './expectations';
import { GpuModel, GpuNodePool, GpuRequest, InferenceService, KubernetesVersion, ModelServer, ModelSource, OciModelFallback } from '../../src';
import { KubeObject } from '../harness/objects';

const SIM_TIMEOUT = 600_000;
const VLLM = 'ghcr.io/acme/vllm@sha256:' + 'f'.repeat(64);
const MODEL_IMAGE = 'registry.example.com/models/qwen@sha256:' + 'a'.repeat(64);

/** One service reading its model from an OCI image, on a profile of `version`. */
function ociApp(ns: string, version: KubernetesVersion, fallback?: OciModelFallback): SynthesizedApp {
  const app = profiledApp(version);
  const chart = new Chart(app, ns, { disableResourceNameHashes: true, namespace: ns });
  const pool = new GpuNodePool(chart, 'pool', { name: ns, gpu: GpuModel.NVIDIA_L4, gpusPerNode: 8, maxNodes: 1 });
  new InferenceService(chart, 'llm', {
    model: ModelSource.ociImage(MODEL_IMAGE, { fallback }),
    server: ModelServer.vllm({ image: VLLM }),
    gpus: GpuRequest.of(1, { model: GpuModel.NVIDIA_L4 }),
    nodePool: pool,
    replicas: 2,
  });
  return synthesize(app);
}

const server = (objects: readonly KubeObject[]) => objects.filter((o) => o.kind === 'Deployment' && o.metadata.name === 'llm');

/** A simulated cluster of `environment` running `out`. */
function simulate(environment: 'default' | 'latest', out: () => SynthesizedApp): { cluster: () => SimCluster; objects: () => KubeObject[] } {
  let cluster: SimCluster;
  let synthesized: SynthesizedApp;
  beforeAll(async () => {
    synthesized = out();
    cluster = await SimCluster.start({ pools: synthesized.pools, environment });
    await cluster.api.createNamespace(String(server(synthesized.objects)[0].metadata.namespace));
    await cluster.api.applyAll(synthesized.objects, GITOPS_MANAGER);
  }, SIM_TIMEOUT);
  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);
  return { cluster: () => cluster, objects: () => synthesized.objects };
}

describe('an image volume on Kubernetes 1.37 (ImageVolume on by default) with the real controllers and scheduler', () => {
  const sim = simulate('latest', () => ociApp('oci-volume', KubernetesVersion.V1_37));

  test('the pods keep the image volume read-only, run on the pool and get their GPU', async () => {
    const objects = sim.objects();
    await expectRunningOnPools(sim.cluster(), objects, 180_000);
    const pods = await podsOf(sim.cluster(), server(objects));
    expect(pods).toHaveLength(2);
    const templateVolume = (server(objects)[0].spec as any).template.spec.volumes.find((v: any) => v.image);
    expect(templateVolume.image.reference).toBe(MODEL_IMAGE);
    for (const pod of pods) {
      expect(pod.spec.volumes.find((v: any) => v.name === templateVolume.name)?.image?.reference).toBe(MODEL_IMAGE);
      const mount = pod.spec.containers[0].volumeMounts.find((m: any) => m.name === templateVolume.name);
      expect(mount?.readOnly).toBe(true);
    }
    expect(await claimsAllocated(sim.cluster(), objects, 60_000)).toHaveLength(2);
  }, SIM_TIMEOUT);
});

describe('the modelcar on Kubernetes 1.34 with the real controllers and scheduler', () => {
  const sim = simulate('default', () => ociApp('oci-modelcar', KubernetesVersion.V1_34, OciModelFallback.MODELCAR));

  test('the pods keep its native sidecar and a shared process namespace, run on the pool and get their GPU', async () => {
    const objects = sim.objects();
    await expectRunningOnPools(sim.cluster(), objects, 180_000);
    const pods = await podsOf(sim.cluster(), server(objects));
    expect(pods).toHaveLength(2);
    for (const pod of pods) {
      const sidecar = pod.spec.initContainers.find((c: any) => c.image === MODEL_IMAGE);
      expect(sidecar?.restartPolicy).toBe('Always');
      expect(pod.spec.shareProcessNamespace).toBe(true);
      expect(pod.spec.volumes.some((v: any) => v.image)).toBe(false);
    }
    expect(await claimsAllocated(sim.cluster(), objects, 60_000)).toHaveLength(2);
  }, SIM_TIMEOUT);
});
