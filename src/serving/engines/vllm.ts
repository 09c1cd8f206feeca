import { ServingMetrics } from '../../observability/serving-metrics';
import { EngineLoadMetrics, EngineSettings, envVars, flags, LaunchContext, LaunchRole, LaunchSpec, ServerEngine } from '../server-engine';

/** The vLLM image the library pins (vllm-project/vllm release v0.25.1). */
export const VLLM_IMAGE = 'vllm/vllm-openai:v0.25.1';
/** Port torch.distributed listens on in the leader of a multi-node group. */
export const VLLM_MASTER_PORT = 29500;

export interface VllmSettings extends EngineSettings {
  readonly maxModelLen?: number;
  readonly gpuMemoryUtilization?: number;
  readonly enablePrefixCaching?: boolean;
}

/**
 * vLLM's OpenAI-compatible server (`vllm serve`). Multi-node groups use vLLM's multiprocessing executor
 * (`--nnodes/--node-rank/--master-addr`, workers `--headless`, vllm-project/vllm#23691), so no Ray cluster is needed.
 */
export class VllmEngine implements ServerEngine {
  public readonly kind = 'vllm';
  public readonly displayName = 'vLLM';
  public readonly image: string;
  public readonly port: number;
  public readonly healthPath = '/health';
  public readonly readinessPath = '/health';
  public readonly readinessTimeoutSeconds = 5;
  public readonly metricsPath = '/metrics';
  public readonly eppEngineType = 'vllm';
  public readonly servingMetrics = ServingMetrics.vllm();
  public readonly metrics: EngineLoadMetrics = this.servingMetrics;
  public readonly parallelism = { tensor: true, pipeline: true, data: true, multiNode: true };
  public readonly supportsLora = true;
  public readonly downloadsFromHub = true;
  public readonly ownedFlags = [
    '--port', '--served-model-name', '--revision', '--tensor-parallel-size', '-tp', '--pipeline-parallel-size', '-pp',
    '--data-parallel-size', '-dp', '--nnodes', '--node-rank', '--master-addr', '--master-port', '--headless',
    '--distributed-executor-backend', '--enable-lora', '--lora-modules', '--max-loras', '--max-lora-rank', '--model',
  ];
  public readonly extraArgs: string[];
  public readonly extraEnv: { [name: string]: string };

  constructor(private readonly settings: VllmSettings) {
    this.image = settings.image ?? VLLM_IMAGE;
    this.port = settings.port ?? 8000;
    this.extraArgs = [...(settings.extraArgs ?? [])];
    this.extraEnv = { ...(settings.env ?? {}) };
  }

  public launch(ctx: LaunchContext): LaunchSpec {
    const s = this.settings;
    const multiNode = ctx.role !== LaunchRole.SINGLE;
    const args = [
      ctx.model,
      ...flags([
        ['--served-model-name', ctx.servedModelName],
        ['--port', ctx.port],
        ['--revision', ctx.revision],
        ['--tensor-parallel-size', ctx.tensor > 1 ? ctx.tensor : undefined],
        ['--pipeline-parallel-size', ctx.pipeline > 1 ? ctx.pipeline : undefined],
        ['--data-parallel-size', ctx.data > 1 ? ctx.data : undefined],
        ['--max-model-len', s.maxModelLen],
        ['--gpu-memory-utilization', s.gpuMemoryUtilization],
      ]),
      ...(s.enablePrefixCaching === false ? ['--no-enable-prefix-caching'] : []),
      ...this.loraArgs(ctx),
      ...(multiNode ? [
        ...flags([
          ['--distributed-executor-backend', 'mp'],
          ['--nnodes', ctx.nodes],
          ['--node-rank', ctx.role === LaunchRole.LEADER ? '0' : '$(LWS_WORKER_INDEX)'],
          ['--master-addr', '$(LWS_LEADER_ADDRESS)'],
          ['--master-port', VLLM_MASTER_PORT],
        ]),
        ...(ctx.role === LaunchRole.WORKER ? ['--headless'] : []),
      ] : []),
      ...this.extraArgs,
    ];
    return {
      command: ['vllm', 'serve'],
      args,
      env: envVars({ VLLM_NO_USAGE_STATS: '1', ...this.extraEnv }),
    };
  }

  private loraArgs(ctx: LaunchContext): string[] {
    if (ctx.adapters.length === 0) return [];
    return [
      '--enable-lora',
      '--lora-modules', ...ctx.adapters.map((a) => `${a.name}=${a.source}`),
      ...flags([['--max-loras', ctx.maxLoras], ['--max-lora-rank', ctx.maxLoraRank]]),
    ];
  }
}
