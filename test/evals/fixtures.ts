import * as path from 'node:path';
import { App, Chart, Testing } from 'cdk8s';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { ClusterProfile } from '../../src/cluster/cluster-profile';
import { InferenceRoute } from '../../src/serving/inference-route';
import { InferenceService } from '../../src/serving/inference-service';
import { InferenceServiceProps } from '../../src/serving/inference-service-props';
import { ModelServer } from '../../src/serving/model-server';
import { ModelSource } from '../../src/serving/model-source';

/** lm-evaluation-harness-shaped results files written for these tests. */
export const RESULTS_DIR = path.join(__dirname, 'results');
export const resultsFile = (name: string) => path.join(RESULTS_DIR, name);

export const MODEL = 'meta-llama/Llama-3.1-8B-Instruct';

/** Every add-on an eval gate may need. */
export const ALL_ADDONS = [...ClusterAddon.defaults(), ClusterAddon.ARGO_ROLLOUTS, ClusterAddon.FLUX];

export interface Canary {
  readonly app: App;
  readonly chart: Chart;
  /** The chart of the route (the serving chart unless `routeChart` was asked for). */
  readonly routeChart: Chart;
  readonly stable: InferenceService;
  readonly candidate: InferenceService;
  readonly route: InferenceRoute;
}

export interface CanaryOptions {
  readonly namespace?: string;
  readonly server?: () => ModelServer;
  readonly canaryWeight?: number;
  /** Put the route in a chart of its own (Flux). */
  readonly routeChart?: boolean;
  readonly candidate?: Partial<InferenceServiceProps>;
  readonly addons?: ClusterAddon[];
}

/** A stable and a candidate vLLM service behind one InferenceRoute. */
export function canary(options: CanaryOptions = {}): Canary {
  const app = Testing.app();
  new ClusterProfile(app, 'Cluster', { addons: options.addons ?? ALL_ADDONS });
  const namespace = options.namespace ?? 'serving';
  const chart = new Chart(app, 'ai', { namespace, disableResourceNameHashes: true });
  const server = options.server ?? (() => ModelServer.vllm());
  const props = (extra: Partial<InferenceServiceProps> = {}): InferenceServiceProps => ({
    model: ModelSource.huggingFace(MODEL, { tokenSecret: 'hf-token' }),
    server: server(),
    gpus: GpuRequest.of(1, { model: GpuModel.NVIDIA_H100_80_GB }),
    servedModelName: MODEL,
    ...extra,
  });
  const stable = new InferenceService(chart, 'stable', props({ replicas: 2 }));
  const candidate = new InferenceService(chart, 'candidate', props(options.candidate));
  const routeChart = options.routeChart ? new Chart(app, 'routes', { namespace, disableResourceNameHashes: true }) : chart;
  const w = options.canaryWeight ?? 10;
  const route = new InferenceRoute(routeChart, 'chat', {
    gateway: 'gateways/inference-gateway',
    backends: [{ service: stable, weight: 100 - w }, { service: candidate, weight: w }],
  });
  return { app, chart, routeChart, stable, candidate, route };
}

/** Every object of every chart of the app (nested charts included). */
export function appObjects(app: App): any[] {
  return app.charts.flatMap((c) => c.toJson());
}

export function find(objects: any[], kind: string, name?: string): any {
  const found = objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (!found) throw new Error(`no ${kind}${name ? ` ${name}` : ''} in ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
}

export function weightsOf(objects: any[], routeName = 'chat'): number[] {
  const route = find(objects, 'HTTPRoute', routeName);
  return route.spec.rules.flatMap((r: any) => r.backendRefs.map((b: any) => b.weight));
}
