import { defaultReadiness, EngineLoadMetrics, EngineSettings, envVars, flags, LaunchContext, LaunchRole, LaunchSpec, ServerEngine } from '../server-engine';
import { ServingMetrics } from '../serving-metrics';
import { SGLANG_V0_5_16_FLAGS } from './sglang-flags';

/**
 * The SGLang image the library pins (sgl-project/sglang release v0.5.16). Every flag below is in that release's flag
 * table (SGLANG_V0_5_16_FLAGS, read from `python/sglang/srt/server_args.py` at v0.5.16).
 */
export const SGLANG_IMAGE = 'lmsysorg/sglang:v0.5.16';
/** Port the leader of a multi-node group listens on for the other ranks (`--dist-init-addr`). */
export const SGLANG_DIST_INIT_PORT = 20000;

export interface SglangSettings extends EngineSettings {
  readonly memFractionStatic?: number;
  readonly contextLength?: number;
}

/**
 * SGLang's server (`python3 -m sglang.launch_server`). Metrics need `--enable-metrics`; readiness runs a short
 * generation (`/health_generate`), as llm-d's SGLang manifest does.
 */
export class SglangEngine implements ServerEngine {
  public readonly kind = 'sglang';
  public readonly displayName = 'SGLang';
  public readonly image: string;
  public readonly port: number;
  public readonly healthPath = '/health';
  public readonly readinessPath = '/health_generate';
  public readonly readinessProbe = defaultReadiness(30);
  public readonly metricsPath = '/metrics';
  public readonly eppEngineType = 'sglang';
  public readonly servingMetrics = ServingMetrics.sglang();
  public readonly metrics: EngineLoadMetrics = this.servingMetrics;
  public readonly parallelism = { tensor: true, pipeline: true, data: true, multiNode: true };
  public readonly supportsLora = true;
  public readonly sendsTraces = false;
  public readonly downloadsFromHub = true;
  public readonly ownedFlags = [
    '--model-path', '--model', '--served-model-name', '--host', '--port', '--revision', '--tensor-parallel-size', '--tp-size', '--tp',
    '--pipeline-parallel-size', '--pp-size', '--data-parallel-size', '--dp-size', '--dp', '--enable-metrics', '--lora-paths',
    '--max-loras-per-batch', '--dist-init-addr', '--nnodes', '--node-rank',
  ];
  public readonly flagTable = SGLANG_V0_5_16_FLAGS;
  public readonly extraArgs: string[];
  public readonly extraEnv: { [name: string]: string };

  constructor(private readonly settings: SglangSettings) {
    this.image = settings.image ?? SGLANG_IMAGE;
    this.port = settings.port ?? 8000;
    this.extraArgs = [...(settings.extraArgs ?? [])];
    this.extraEnv = { ...(settings.env ?? {}) };
  }

  public launch(ctx: LaunchContext): LaunchSpec {
    const s = this.settings;
    const args = [
      ...flags([
        ['--model-path', ctx.model],
        ['--served-model-name', ctx.servedModelName],
        ['--host', '0.0.0.0'],
        ['--port', ctx.port],
        ['--revision', ctx.revision],
        ['--tensor-parallel-size', ctx.tensor > 1 ? ctx.tensor : undefined],
        ['--pipeline-parallel-size', ctx.pipeline > 1 ? ctx.pipeline : undefined],
        ['--data-parallel-size', ctx.data > 1 ? ctx.data : undefined],
        ['--mem-fraction-static', s.memFractionStatic],
        ['--context-length', s.contextLength],
      ]),
      '--enable-metrics',
      ...(ctx.adapters.length ? ['--lora-paths', ...ctx.adapters.map((a) => `${a.name}=${a.source}`)] : []),
      ...flags([['--max-loras-per-batch', ctx.adapters.length ? ctx.maxLoras : undefined]]),
      ...(ctx.role !== LaunchRole.SINGLE ? flags([
        ['--dist-init-addr', `$(LWS_LEADER_ADDRESS):${SGLANG_DIST_INIT_PORT}`],
        ['--nnodes', ctx.nodes],
        ['--node-rank', ctx.role === LaunchRole.LEADER ? '0' : '$(LWS_WORKER_INDEX)'],
      ]) : []),
      ...this.extraArgs,
    ];
    return { command: ['python3', '-m', 'sglang.launch_server'], args, env: envVars(this.extraEnv) };
  }
}
