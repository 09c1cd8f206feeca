import { App, Chart } from 'cdk8s';
import { GpuModel } from '../src/accelerators/gpu-model';
import { GpuNodePool } from '../src/accelerators/gpu-node-pool';
import { GpuRequest } from '../src/accelerators/gpu-request';
import { AiTenant } from '../src/platform/ai-tenant';
import { PlatformObservability } from '../src/platform/observability/platform-observability';
import { WorkloadMonitoring } from '../src/platform/observability/workload-monitoring';
import { InferenceService } from '../src/serving/inference-service';
import { InferenceServiceDeclaration, InferenceServiceProps } from '../src/serving/inference-service-props';
import { ModelServer } from '../src/serving/model-server';
import { ModelSource } from '../src/serving/model-source';

/** Services per tenant: a fleet of N services has N / 10 tenants. */
export const SERVICES_PER_TENANT = 10;
/** Services per GPU node pool (each pool: 64 nodes x 8 H100 = 512 GPUs, 50 tenants x 10 guaranteed GPUs). */
export const SERVICES_PER_POOL = 500;
const GPUS_PER_NODE = 8;
const NODES_PER_POOL = 64;

/** A few model repositories, reused across the fleet like a real platform's catalogue. */
const MODELS = [
  'meta-llama/Llama-3.1-8B-Instruct',
  'Qwen/Qwen3-8B',
  'mistralai/Mistral-7B-Instruct-v0.3',
  'google/gemma-3-12b-it',
  'ibm-granite/granite-3.3-8b-instruct',
];

/**
 * The fleet: N InferenceServices, each with one H100 (a DRA ResourceClaimTemplate), a route from the shared
 * gateway (InferencePool, endpoint picker, HTTPRoute), its monitors (the service's PodMonitor and the picker's
 * ServiceMonitor, plus a WorkloadMonitoring PrometheusRule with its alerts), in AiTenants of 10 services with GPU
 * quotas on GPU node pools, API-server and model-download egress; one PlatformObservability for the whole chart.
 * Deterministic: same N, same objects. Synth must be clean: no validation error, no warning.
 */
export function buildFleet(app: App, n: number, propsPerService = false): Chart {
  const chart = new Chart(app, 'fleet', { disableResourceNameHashes: true });
  new PlatformObservability(chart, 'observability');
  const pools: GpuNodePool[] = [];
  for (let p = 0; p * SERVICES_PER_POOL < n; p++) {
    pools.push(new GpuNodePool(chart, `h100-${p}`, { gpu: GpuModel.NVIDIA_H100_80_GB, gpusPerNode: GPUS_PER_NODE, maxNodes: NODES_PER_POOL }));
  }
  // Value objects are immutable: built once and shared by every service, as a platform repo would write it (from
  // Python or Go each one built per service would be one more call into the library's runtime).
  const models = MODELS.map((m) => ModelSource.huggingFace(m, { tokenSecret: 'hf-token' }));
  const server = ModelServer.vllm();
  const gpus = GpuRequest.of(1, { model: GpuModel.NVIDIA_H100_80_GB });
  const route = { gateway: 'gateways/inference-gateway' };
  // Props are values too: the services of one model on one pool share one props object, built once (from Python or
  // Go each struct built is checked field by field in that language before it crosses). `propsPerService` builds
  // a fresh props object for every service instead, as the fleet did until then: the same objects and bytes.
  const shared = new Map<string, InferenceServiceProps>();
  // One AiTenant, one InferenceService.declareMany and one WorkloadMonitoring.forServices per tenant: the same
  // objects as `new InferenceService` and `WorkloadMonitoring.forService` per service, in two calls per tenant (from
  // Python or Go each call crosses into the library's runtime once).
  for (let t = 0; t * SERVICES_PER_TENANT < n; t++) {
    const first = t * SERVICES_PER_TENANT;
    const pool = pools[Math.floor(first / SERVICES_PER_POOL)];
    const tenant = new AiTenant(chart, `team-${t}`, {
      team: `team-${t}`,
      owner: `oncall-${t}`,
      costCenter: `cc-${1000 + (t % 37)}`,
      groups: [`team-${t}-engineers`],
      gpuQuota: [{ pool, gpus: SERVICES_PER_TENANT, borrowingLimit: SERVICES_PER_TENANT }],
      // The endpoint pickers watch the API server; the model servers download from the Hugging Face Hub.
      apiServer: { cidrs: ['10.0.0.1/32'], port: 443 },
      modelDownloads: { cidrs: ['0.0.0.0/0'], excludedCidrs: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] },
    });
    const declarations: InferenceServiceDeclaration[] = [];
    for (let i = first; i < Math.min(n, first + SERVICES_PER_TENANT); i++) {
      const model = i % MODELS.length;
      const poolIndex = Math.floor(i / SERVICES_PER_POOL);
      const key = `${model}/${poolIndex}`;
      let props = propsPerService ? undefined : shared.get(key);
      if (!props) {
        props = { model: models[model], server, gpus, nodePool: pools[poolIndex], route };
        if (!propsPerService) shared.set(key, props);
      }
      declarations.push({ id: `model-${i}`, props });
    }
    const services = InferenceService.declareMany(tenant, declarations);
    WorkloadMonitoring.forServices(services); // their pods, names and vLLM's metric names (ServingMetrics.vllm())
  }
  return chart;
}
