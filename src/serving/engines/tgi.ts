import { defaultReadiness, EngineLoadMetrics, EngineSettings, envVars, flags, LaunchContext, LaunchSpec, ServerEngine } from '../server-engine';
import { ServingMetrics } from '../serving-metrics';

/** The last text-generation-inference image line (huggingface/text-generation-inference 3.3.x). */
export const TGI_IMAGE = 'ghcr.io/huggingface/text-generation-inference:3.3.5';

export interface TgiSettings extends EngineSettings {
  readonly maxInputTokens?: number;
  readonly maxTotalTokens?: number;
}

/**
 * Hugging Face text-generation-inference (`text-generation-launcher`). Upstream is archived, so the construct warns;
 * sharding is tensor parallel only (`--num-shard`), within one pod. TGI is not one of the endpoint picker's built-in
 * engines, so the picker's metric-based scorers cannot read it.
 */
export class TgiEngine implements ServerEngine {
  public readonly kind = 'tgi';
  public readonly displayName = 'TGI';
  public readonly image: string;
  public readonly port: number;
  public readonly healthPath = '/health';
  public readonly readinessPath = '/health';
  public readonly readinessProbe = defaultReadiness(5);
  public readonly metricsPath = '/metrics';
  public readonly eppEngineType = undefined;
  public readonly servingMetrics = ServingMetrics.tgi();
  public readonly metrics: EngineLoadMetrics = this.servingMetrics;
  public readonly parallelism = { tensor: true, pipeline: false, data: false, multiNode: false };
  /** TGI names adapters by their Hub id only; not modelled here (prefer vLLM or SGLang for LoRA). */
  public readonly supportsLora = false;
  public readonly sendsTraces = false;
  public readonly downloadsFromHub = true;
  public readonly warning = 'text-generation-inference is archived upstream (maintenance mode since 2025-12, repository ' +
    'archived 2026-03): it gets no fixes; prefer ModelServer.vllm() or ModelServer.sglang() for new services';
  public readonly ownedFlags = ['--model-id', '--port', '--hostname', '--revision', '--num-shard', '--sharded', '--huggingface-hub-cache', '--lora-adapters'];
  public readonly extraArgs: string[];
  public readonly extraEnv: { [name: string]: string };

  constructor(private readonly settings: TgiSettings) {
    this.image = settings.image ?? TGI_IMAGE;
    this.port = settings.port ?? 8000;
    this.extraArgs = [...(settings.extraArgs ?? [])];
    this.extraEnv = { ...(settings.env ?? {}) };
  }

  public launch(ctx: LaunchContext): LaunchSpec {
    const s = this.settings;
    const args = [
      ...flags([
        ['--model-id', ctx.model],
        ['--hostname', '0.0.0.0'],
        ['--port', ctx.port],
        ['--revision', ctx.revision],
        ['--huggingface-hub-cache', ctx.cacheDir],
        ['--num-shard', ctx.tensor > 1 ? ctx.tensor : undefined],
        ['--max-input-tokens', s.maxInputTokens],
        ['--max-total-tokens', s.maxTotalTokens],
      ]),
      ...this.extraArgs,
    ];
    return { command: ['text-generation-launcher'], args, env: envVars(this.extraEnv) };
  }
}
