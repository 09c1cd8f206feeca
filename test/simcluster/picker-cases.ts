/**
 * An app of routed services that differ only in their picker- or server-side props, one per case, on one L4 pool:
 * what the picker suites (pickers.sim.test.ts, pickers-flow-control.sim.test.ts) start the real picker against.
 */
import { App, Chart } from 'cdk8s';
import { synthesize, SynthesizedApp } from './apps';
import {
  ClusterAddon, ClusterProfile, GpuModel, GpuNodePool, GpuRequest, InferenceService, InferenceServiceProps, KubernetesVersion,
  ModelSource,
} from '../../src';
import { KubeObject } from '../harness/objects';

/** Each case's props over the common service (Qwen 0.5B, one L4, two replicas, routed from the shared gateway). */
export type PickerCases = Record<string, Partial<InferenceServiceProps>>;

export function pickerCasesApp(namespace: string, cases: PickerCases): SynthesizedApp {
  const a = new App();
  new ClusterProfile(a, 'Cluster', { kubernetesVersion: KubernetesVersion.V1_34, addons: ClusterAddon.defaults() });
  const chart = new Chart(a, namespace, { namespace, disableResourceNameHashes: true });
  const pool = new GpuNodePool(chart, 'pool', { name: 'l4', gpu: GpuModel.NVIDIA_L4, gpusPerNode: 8, maxNodes: 2 });
  for (const [name, extra] of Object.entries(cases)) {
    new InferenceService(chart, name, {
      model: ModelSource.huggingFace('Qwen/Qwen2.5-0.5B-Instruct'),
      gpus: GpuRequest.of(1, { model: GpuModel.NVIDIA_L4 }),
      nodePool: pool,
      replicas: 2,
      route: { gateway: 'gateways/inference-gateway' },
      ...extra,
    });
  }
  return synthesize(a);
}

/** A case's picker Deployment, its InferencePool and its servers (a disaggregated service's decode and prefill). */
export function pickerOf(out: SynthesizedApp, name: string): { deployment: KubeObject; pool: KubeObject; servers: KubeObject[] } {
  const deployment = out.objects.find((o) => o.kind === 'Deployment' && o.metadata.name === `${name}-epp`)!;
  const pool = out.objects.find((o) => o.kind === 'InferencePool' && o.metadata.name === name)!;
  const servers = out.objects.filter((o) => o.kind === 'Deployment' && [name, `${name}-prefill`].includes(String(o.metadata.name)));
  return { deployment, pool, servers };
}
