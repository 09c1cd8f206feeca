import { EppEngineMetrics } from '../epp-data-layer';
import { plainMetricName } from '../epp-data-layer-render';
import { defaultReadiness, EngineLoadMetrics, envVars, LaunchContext, LaunchSpec, ServerEngine } from '../server-engine';
import { ServingMetrics } from '../serving-metrics';

export interface CustomSettings {
  readonly name: string;
  readonly image: string;
  readonly command?: string[];
  readonly args?: string[];
  readonly port?: number;
  readonly healthPath?: string;
  readonly readinessPath?: string;
  readonly metricsPath?: string;
  readonly env?: { [name: string]: string };
  readonly eppEngineType?: string;
  readonly eppMetrics?: EppEngineMetrics;
  readonly downloadsFromHub?: boolean;
  readonly tensorParallel?: boolean;
}

/** Placeholders a custom server's args may use, replaced per pod. */
export const CUSTOM_PLACEHOLDERS = ['{model}', '{servedModelName}', '{port}', '{tensorParallelSize}', '{cacheDir}'];

/**
 * The engines the llm-d endpoint picker knows (llm-d-router v0.10.0 core-metrics-extractor): the full catalogue
 * (ServingMetrics) where the library has one, else only the load gauges the picker reads.
 */
const KNOWN_ENGINES: { [engine: string]: { readonly serving?: () => ServingMetrics; readonly load: () => EngineLoadMetrics } } = {
  'vllm': { serving: () => ServingMetrics.vllm(), load: () => ServingMetrics.vllm() },
  'sglang': { serving: () => ServingMetrics.sglang(), load: () => ServingMetrics.sglang() },
  'trtllm-serve': {
    load: () => ({ requestsWaiting: 'trtllm_num_requests_waiting', requestsRunning: 'trtllm_num_requests_running', kvCacheUsage: 'trtllm_kv_cache_utilization' }),
  },
  'triton-tensorrt-llm': { load: () => ({}) },
  'triton': { load: () => ({}) },
};

/** Engine types the llm-d endpoint picker v0.10.0 has built in (pod label `llm-d.ai/engine-type`). */
export const EPP_ENGINE_TYPES = Object.keys(KNOWN_ENGINES);

/**
 * A server image of the user's: command and args are theirs, with placeholders for what the construct decides.
 */
export class CustomEngine implements ServerEngine {
  public readonly kind: string;
  public readonly displayName: string;
  public readonly image: string;
  public readonly port: number;
  public readonly healthPath: string;
  public readonly readinessPath: string;
  public readonly readinessProbe = defaultReadiness(5);
  public readonly metricsPath: string;
  public readonly eppEngineType?: string;
  public readonly eppEngineMetrics?: EppEngineMetrics;
  public readonly metrics: EngineLoadMetrics;
  public readonly servingMetrics?: ServingMetrics;
  public readonly parallelism: { tensor: boolean; pipeline: boolean; data: boolean; multiNode: boolean };
  public readonly supportsLora = false;
  public readonly sendsTraces = false;
  public readonly downloadsFromHub: boolean;
  public readonly ownedFlags: string[] = [];
  public readonly extraArgs: string[];
  public readonly extraEnv: { [name: string]: string };

  constructor(private readonly settings: CustomSettings) {
    this.kind = settings.name;
    this.displayName = settings.name;
    this.image = settings.image;
    this.port = settings.port ?? 8000;
    this.healthPath = settings.healthPath ?? '/health';
    this.readinessPath = settings.readinessPath ?? this.healthPath;
    this.metricsPath = settings.metricsPath ?? '/metrics';
    const own = settings.eppEngineType === undefined ? settings.eppMetrics : undefined;
    // A server with metric names of its own is its own picker engine, labelled with its name (engineConfigs).
    this.eppEngineType = settings.eppEngineType ?? (own ? settings.name : undefined);
    this.eppEngineMetrics = own;
    const known = settings.eppEngineType !== undefined ? KNOWN_ENGINES[settings.eppEngineType] : undefined;
    this.metrics = known ? known.load() : own ? {
      requestsWaiting: plainMetricName(own.queuedRequests),
      requestsRunning: plainMetricName(own.runningRequests),
      kvCacheUsage: plainMetricName(own.kvCacheUsage),
    } : {};
    this.servingMetrics = known?.serving?.();
    this.parallelism = { tensor: settings.tensorParallel ?? false, pipeline: false, data: false, multiNode: false };
    this.downloadsFromHub = settings.downloadsFromHub ?? false;
    this.extraArgs = [...(settings.args ?? [])];
    this.extraEnv = { ...(settings.env ?? {}) };
  }

  public launch(ctx: LaunchContext): LaunchSpec {
    const values: { [placeholder: string]: string } = {
      '{model}': ctx.model,
      '{servedModelName}': ctx.servedModelName,
      '{port}': String(ctx.port),
      '{tensorParallelSize}': String(ctx.tensor),
      '{cacheDir}': ctx.cacheDir,
    };
    const expand = (arg: string) => CUSTOM_PLACEHOLDERS.reduce((out, p) => out.split(p).join(values[p]), arg);
    return {
      command: this.settings.command ? [...this.settings.command] : [],
      args: this.extraArgs.map(expand),
      env: envVars(this.extraEnv),
    };
  }
}
