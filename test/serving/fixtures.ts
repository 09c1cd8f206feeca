import { App, Chart, Duration, Testing } from 'cdk8s';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { GatewayProvider } from '../../src/serving/gateway-provider';
import { InferenceRoute } from '../../src/serving/inference-route';
import { InferenceService } from '../../src/serving/inference-service';
import { InferenceServiceProps } from '../../src/serving/inference-service-props';
import { LoraAdapter } from '../../src/serving/lora-adapter';
import { ModelServer } from '../../src/serving/model-server';
import { ModelSource } from '../../src/serving/model-source';

/** Kinds whose CRDs are not in ../shared/crds, so the apiserver cannot check them (none today: Istio, GKE and KEDA CRDs are installed). */
export const UNVALIDATABLE_KINDS: string[] = [];

export function validatable(objects: any[]): any[] {
  return objects.filter((o) => !UNVALIDATABLE_KINDS.includes(o.kind));
}

export const SERVERS: { [name: string]: () => ModelServer } = {
  vllm: () => ModelServer.vllm(),
  sglang: () => ModelServer.sglang(),
  tgi: () => ModelServer.tgi(),
  custom: () => ModelServer.custom({
    name: 'trtllm',
    image: 'nvcr.io/nvidia/tensorrt-llm/release:1.0.0',
    command: ['trtllm-serve'],
    args: ['{model}', '--host', '0.0.0.0', '--port', '{port}', '--tp_size', '{tensorParallelSize}'],
    eppEngineType: 'trtllm-serve',
    downloadsFromHub: true,
    tensorParallel: true,
  }),
};

export function newChart(namespace: string | undefined = 'serving'): { app: App; chart: Chart } {
  const app = Testing.app();
  const chart = new Chart(app, 'ai', { namespace, disableResourceNameHashes: true });
  return { app, chart };
}

export function llama(chart: Chart, id: string, server: ModelServer, extra: Partial<InferenceServiceProps> = {}): InferenceService {
  return new InferenceService(chart, id, {
    model: ModelSource.huggingFace('meta-llama/Llama-3.1-8B-Instruct', { tokenSecret: 'hf-token' }),
    server,
    gpus: GpuRequest.of(1, { model: GpuModel.NVIDIA_H100_80_GB }),
    ...extra,
  });
}

/** A routing shape: builds one or more services behind routes into `chart`. */
export type Routing = (chart: Chart, server: () => ModelServer) => void;

export const ROUTINGS: { [name: string]: Routing } = {
  'not routed': (chart, server) => {
    llama(chart, 'llama', server());
  },
  'route prop (generic gateway)': (chart, server) => {
    llama(chart, 'llama', server(), { route: { gateway: 'inference-gateway', hostnames: ['llm.example.com'], requestTimeout: Duration.seconds(300) } });
  },
  'route prop (istio)': (chart, server) => {
    llama(chart, 'llama', server(), { route: { gateway: 'istio-system/inference-gateway', provider: GatewayProvider.istio() } });
  },
  'route prop (agentgateway)': (chart, server) => {
    llama(chart, 'llama', server(), { route: { gateway: 'inference-gateway', provider: GatewayProvider.agentgateway() } });
  },
  'route prop (kgateway)': (chart, server) => {
    llama(chart, 'llama', server(), { route: { gateway: 'inference-gateway', provider: GatewayProvider.kgateway() } });
  },
  'route prop (envoy ai gateway)': (chart, server) => {
    llama(chart, 'llama', server(), { route: { gateway: 'inference-gateway', provider: GatewayProvider.envoyAiGateway() } });
  },
  'route prop (gke)': (chart, server) => {
    llama(chart, 'llama', server(), { route: { gateway: 'inference-gateway', provider: GatewayProvider.gke(), requestTimeout: Duration.minutes(5) } });
  },
  'canary 90/10': (chart, server) => {
    const stable = llama(chart, 'stable', server(), { replicas: 2 });
    const canary = llama(chart, 'canary', server(), { servedModelName: 'meta-llama/Llama-3.1-8B-Instruct' });
    new InferenceRoute(chart, 'chat', {
      gateway: 'gateways/inference-gateway',
      backends: [{ service: stable, weight: 90 }, { service: canary, weight: 10 }],
    });
  },
  'by model name': (chart, server) => {
    const a = llama(chart, 'llama', server(), { servedModelName: 'llama' });
    const b = new InferenceService(chart, 'qwen', {
      model: ModelSource.huggingFace('Qwen/Qwen3-8B'),
      server: server(),
      gpus: GpuRequest.of(1),
      servedModelName: 'qwen',
    });
    new InferenceRoute(chart, 'models', {
      gateway: 'inference-gateway',
      models: [{ modelName: 'llama', backends: [{ service: a }] }, { modelName: 'qwen', backends: [{ service: b }] }],
      backends: [{ service: a }],
    });
  },
  'objectives, HA picker': (chart, server) => {
    llama(chart, 'llama', server(), {
      route: { gateway: 'inference-gateway' },
      objectives: [{ name: 'interactive', priority: 10 }, { name: 'batch', priority: -1 }],
      endpointPicker: { replicas: 2, extraFlags: { v: '2' } },
    });
  },
};

/** vLLM with LoRA adapters and model rewrites: a LoRA canary behind one name. */
export function loraCanary(chart: Chart): InferenceService {
  return llama(chart, 'llama', ModelServer.vllm(), {
    loraAdapters: [LoraAdapter.huggingFace('sql-v1', 'acme/llama-sql-v1'), LoraAdapter.huggingFace('sql-v2', 'acme/llama-sql-v2')],
    maxLoras: 2,
    maxLoraRank: 64,
    modelRewrites: [{ model: 'sql', targets: [{ model: 'sql-v1', weight: 90 }, { model: 'sql-v2', weight: 10 }] }],
    route: { gateway: 'inference-gateway' },
  });
}

export function objectsOf(chart: Chart): any[] {
  return Testing.synth(chart);
}

export function findObject(objects: any[], kind: string, name?: string): any {
  const found = objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (!found) throw new Error(`no ${kind}${name ? ` ${name}` : ''} in ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
}

/**
 * The pods a LeaderWorkerSet would create (leader and worker), as Pods, so the apiserver's Pod Security admission
 * checks them too (it only warns on the workload itself).
 */
export function lwsPods(objects: any[]): any[] {
  return objects.filter((o) => o.kind === 'LeaderWorkerSet').flatMap((l) => ['leaderTemplate', 'workerTemplate']
    .filter((t) => l.spec.leaderWorkerTemplate[t])
    .map((t) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { ...l.spec.leaderWorkerTemplate[t].metadata, name: `${l.metadata.name}-${t === 'leaderTemplate' ? 'leader' : 'worker'}`, namespace: l.metadata.namespace },
      spec: l.spec.leaderWorkerTemplate[t].spec,
    })));
}
