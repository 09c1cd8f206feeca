import { Size, SizeRoundingBehavior } from 'cdk8s';
import { IConstruct } from 'constructs';
import { CUSTOM_PLACEHOLDERS, CustomEngine, EPP_ENGINE_TYPES } from './engines/custom';
import { EngineFlagTable, flagsIn, imageRunsTable, unknownFlags } from './engines/flag-table';
import { SglangEngine } from './engines/sglang';
import { TgiEngine } from './engines/tgi';
import { VllmEngine } from './engines/vllm';
import { EppEngineMetrics } from './epp-data-layer';
import { checkEngineMetrics } from './epp-data-layer-render';
import { checkCustomServerOptions, checkServerOptions } from './model-server-checks';
import { flagNames, ServerEngine } from './server-engine';
import { ServingMetrics } from './serving-metrics';
import { invalidProp, requireInteger, requireOneOf, show, ValidationError } from '../internal/errors';
import { isDnsLabel } from '../internal/names';
import { requireEnvName } from '../security/env-name';

/**
 * Options every model server takes.
 */
export interface ModelServerOptions {
  /**
   * The container image, e.g. to pin a digest (`vllm/vllm-openai@sha256:...`) or use a mirror.
   *
   * @default - the tag this library pins for the server
   */
  readonly image?: string;

  /**
   * The port the server listens on for the OpenAI API, health and `/metrics` (the endpoint picker scrapes metrics
   * on the serving port).
   *
   * @default 8000
   */
  readonly port?: number;

  /**
   * Extra command-line arguments, appended after the generated ones. Flags the construct owns (model, port,
   * parallelism, LoRA, multi-node wiring) are refused: set them through the InferenceService props instead. For vLLM
   * and SGLang every flag must be one the pinned release registers, written in full (its flag table is read from
   * the release's source); the check is skipped when `image` names another version in its tag.
   *
   * @default - none
   */
  readonly extraArgs?: string[];

  /**
   * Extra environment variables for the server container, as plain values.
   *
   * Use `InferenceService` `secretEnv` for secrets.
   *
   * @default - none
   */
  readonly env?: { [name: string]: string };
}

/**
 * Options of the vLLM server.
 */
export interface VllmOptions extends ModelServerOptions {
  /**
   * Maximum context length (`--max-model-len`).
   *
   * @default - the model's own
   */
  readonly maxModelLen?: number;

  /**
   * Fraction of GPU memory vLLM may use, above 0 and at most 1 (`--gpu-memory-utilization`).
   *
   * @default - vLLM's default (0.9)
   */
  readonly gpuMemoryUtilization?: number;

  /**
   * Automatic prefix caching. The endpoint picker's prefix-cache scorer assumes it is on.
   *
   * @default true
   */
  readonly enablePrefixCaching?: boolean;

  /**
   * Offload KV-cache blocks to host memory with vLLM's native CPU offloading (`--kv-offloading-size <GiB>
   * --kv-offloading-backend native`, vLLM v0.25.1 vllm/config/cache.py; vllm/config/vllm.py wires it as the
   * OffloadingConnector): the buffer per pod, summed over its tensor-parallel ranks. It is pinned host memory, so it
   * is added to the server container's default memory request; a `resources.memory` you give must exceed it plus
   * `/dev/shm`. Not with prefill/decode disaggregation (vLLM replaces the NIXL connector with the offloading one).
   *
   * @default - no KV-cache offloading
   */
  readonly kvOffloadingSize?: Size;
}

/**
 * Options of the SGLang server.
 */
export interface SglangOptions extends ModelServerOptions {
  /**
   * Fraction of GPU memory for weights and KV cache, above 0 and at most 1 (`--mem-fraction-static`).
   *
   * @default - SGLang's default
   */
  readonly memFractionStatic?: number;

  /**
   * Maximum context length (`--context-length`).
   *
   * @default - the model's own
   */
  readonly contextLength?: number;
}

/**
 * Options of the text-generation-inference server.
 */
export interface TgiOptions extends ModelServerOptions {
  /**
   * Maximum input tokens per request (`--max-input-tokens`).
   *
   * @default - TGI's default
   */
  readonly maxInputTokens?: number;

  /**
   * Maximum input plus generated tokens per request (`--max-total-tokens`).
   *
   * @default - TGI's default
   */
  readonly maxTotalTokens?: number;
}

/**
 * A server image of your own.
 */
export interface CustomModelServerOptions {
  /**
   * A short name for the server (DNS label), used as `app.kubernetes.io/name`, e.g. `trtllm`.
   */
  readonly name: string;

  /**
   * The container image.
   */
  readonly image: string;

  /**
   * The container command.
   *
   * @default - the image's entrypoint
   */
  readonly command?: string[];

  /**
   * The container args. These placeholders are replaced: `{model}` (Hugging Face id or local path),
   * `{servedModelName}`, `{port}`, `{tensorParallelSize}`, `{cacheDir}` (Hugging Face cache directory).
   *
   * @default - none
   */
  readonly args?: string[];

  /**
   * The port of the OpenAI API, health and metrics.
   *
   * @default 8000
   */
  readonly port?: number;

  /**
   * The liveness and startup probe path.
   *
   * @default '/health'
   */
  readonly healthPath?: string;

  /**
   * The readiness probe path.
   *
   * @default - the health path
   */
  readonly readinessPath?: string;

  /**
   * The Prometheus metrics path (on `port`).
   *
   * @default '/metrics'
   */
  readonly metricsPath?: string;

  /**
   * Environment variables (plain values).
   *
   * @default - none
   */
  readonly env?: { [name: string]: string };

  /**
   * The endpoint picker engine whose metric names this server exports (`vllm`, `sglang`, `trtllm-serve`,
   * `triton-tensorrt-llm`, `triton`). Without it the picker's metric-based scorers are refused for this server.
   *
   * @default - none
   */
  readonly eppEngineType?: string;

  /**
   * The metric names the endpoint picker reads from this server when the picker has no engine for it (its
   * `core-metrics-extractor` `engineConfigs`, llm-d-router v0.10.0): the server's pods are labelled with its name as
   * their engine, and the picker's queue, running-requests and KV-cache scorers read the metrics you name here.
   * Not with `eppEngineType`.
   *
   * @default - none: the picker reads no metrics from the server (its metric-free scorers apply)
   */
  readonly eppMetrics?: EppEngineMetrics;

  /**
   * The server downloads a Hugging Face model itself from its id. When false, a Hugging Face source is downloaded
   * by an init container into `/mnt/models` and `{model}` is that path.
   *
   * @default false
   */
  readonly downloadsFromHub?: boolean;

  /**
   * The server can shard a model over the GPUs of its pod (`{tensorParallelSize}` > 1 allowed).
   *
   * @default false
   */
  readonly tensorParallel?: boolean;
}

/**
 * The model server an InferenceService runs. Each server knows its pinned image, command line for a model and
 * parallelism, port, health and metrics paths, the endpoint picker engine it maps to and whether it supports LoRA
 * and multi-node serving.
 *
 * ```ts
 * ModelServer.vllm()                                            // vLLM, pinned image, port 8000
 * ModelServer.vllm({ maxModelLen: 32768, image: 'registry.example.com/vllm-openai@sha256:...' })
 * ModelServer.sglang()
 * ModelServer.tgi()                                             // supported but archived upstream: warns
 * ModelServer.custom({ name: 'trtllm', image: '...', args: ['--model', '{model}', '--port', '{port}'] })
 * ```
 */
export class ModelServer {
  /**
   * The OpenAI-compatible server of vLLM. Supports tensor, pipeline and data parallelism, multi-node groups and LoRA.
   */
  public static vllm(options: VllmOptions = {}): ModelServer {
    options = checkServerOptions('vllm', options);
    return new ModelServer(new VllmEngine(options), options, (scope) => {
      optionalFraction(scope, 'server.gpuMemoryUtilization', options.gpuMemoryUtilization);
      optionalCount(scope, 'server.maxModelLen', options.maxModelLen);
      if (options.kvOffloadingSize !== undefined) checkKvOffloading(scope, options.kvOffloadingSize, options.extraArgs ?? []);
    });
  }

  /**
   * SGLang. Supports tensor, pipeline and data parallelism, multi-node groups and LoRA.
   */
  public static sglang(options: SglangOptions = {}): ModelServer {
    options = checkServerOptions('sglang', options);
    return new ModelServer(new SglangEngine(options), options, (scope) => {
      optionalFraction(scope, 'server.memFractionStatic', options.memFractionStatic);
      optionalCount(scope, 'server.contextLength', options.contextLength);
    });
  }

  /**
   * Hugging Face text-generation-inference. Upstream is archived: supported for existing users, with a warning at
   * synth. Tensor parallel within one pod only; no LoRA here; the endpoint picker has no built-in TGI engine, so
   * only its metric-free scorers apply.
   */
  public static tgi(options: TgiOptions = {}): ModelServer {
    options = checkServerOptions('tgi', options);
    return new ModelServer(new TgiEngine(options), options, (scope) => {
      optionalCount(scope, 'server.maxInputTokens', options.maxInputTokens);
      optionalCount(scope, 'server.maxTotalTokens', options.maxTotalTokens);
    });
  }

  /**
   * A server image of your own.
   */
  public static custom(options: CustomModelServerOptions): ModelServer {
    checkCustomServerOptions(options);
    return new ModelServer(new CustomEngine(options), { image: options.image, port: options.port, env: options.env }, (scope) => {
      if (!isDnsLabel(options.name)) {
        throw invalidProp(scope, 'server.name', options.name, 'a DNS-1123 label (lowercase letters, digits, \'-\')');
      }
      if (!options.image || /\s/.test(options.image)) throw invalidProp(scope, 'server.image', options.image, 'a container image reference');
      if (options.eppEngineType !== undefined) requireOneOf(scope, 'server.eppEngineType', options.eppEngineType, EPP_ENGINE_TYPES);
      if (options.eppMetrics !== undefined) {
        if (options.eppEngineType !== undefined) {
          throw new ValidationError(scope, 'server.eppMetrics', 'is set together with eppEngineType; give the metric names of a server the ' +
            'picker has no engine for, or the engine it has');
        }
        checkEngineMetrics(scope, 'server.eppMetrics', options.name, EPP_ENGINE_TYPES, options.eppMetrics);
      }
      for (const [prop, path] of [['healthPath', options.healthPath], ['readinessPath', options.readinessPath], ['metricsPath', options.metricsPath]]) {
        if (path !== undefined && !path.startsWith('/')) throw invalidProp(scope, `server.${prop}`, path, 'an absolute HTTP path starting with \'/\'');
      }
      const args = options.args ?? [];
      if (!args.some((a) => a.includes('{model}')) && !(options.command ?? []).some((a) => a.includes('{model}'))) {
        throw new ValidationError(scope, 'server.args', 'no argument uses {model}, so the server would not know which model to load; ' +
          `use the placeholders ${CUSTOM_PLACEHOLDERS.join(', ')}`);
      }
    });
  }

  /** The server's short name, e.g. `vllm`. */
  public readonly name: string;
  /** The container image. */
  public readonly image: string;
  /** The serving port (OpenAI API, health, metrics). */
  public readonly port: number;
  /** The liveness and startup probe path. */
  public readonly healthPath: string;
  /** The readiness probe path. */
  public readonly readinessPath: string;
  /** The Prometheus metrics path, on `port`. */
  public readonly metricsPath: string;
  /** The endpoint picker engine type (pod label `llm-d.ai/engine-type`), when the picker knows the server. */
  public readonly eppEngineType?: string;
  /** Whether LoRA adapters can be served. */
  public readonly supportsLora: boolean;
  /** Whether a replica can span nodes (LeaderWorkerSet). */
  public readonly supportsMultiNode: boolean;
  /** A warning printed at synth when this server is used (e.g. archived upstream). */
  public readonly warning?: string;
  /**
   * The server's metric names (the same catalogue the endpoint picker and autoscalers read), for WorkloadMonitoring
   * and dashboards.
   *
   * It is undefined for a custom server whose engine type the library has no catalogue for.
   */
  public readonly metrics?: ServingMetrics;

  /** @internal */
  public readonly _engine: ServerEngine;
  private readonly options: ModelServerOptions;
  private readonly validateOwn: (scope: IConstruct) => void;

  private constructor(engine: ServerEngine, options: ModelServerOptions, validateOwn: (scope: IConstruct) => void) {
    this._engine = engine;
    this.options = options;
    this.validateOwn = validateOwn;
    this.name = engine.kind;
    this.image = engine.image;
    this.port = engine.port;
    this.healthPath = engine.healthPath;
    this.readinessPath = engine.readinessPath;
    this.metricsPath = engine.metricsPath;
    this.eppEngineType = engine.eppEngineType;
    this.supportsLora = engine.supportsLora;
    this.supportsMultiNode = engine.parallelism.multiNode;
    this.warning = engine.warning;
    this.metrics = engine.servingMetrics;
  }

  /**
   * Checks the options against `scope` (the construct that uses the server).
   * @internal
   */
  public _validate(scope: IConstruct): void {
    const o = this.options;
    if (o.image !== undefined && (o.image.length === 0 || /\s/.test(o.image))) {
      throw invalidProp(scope, 'server.image', o.image, 'a container image reference without spaces');
    }
    if (o.port !== undefined) requireInteger(scope, 'server.port', o.port, 1, 65535);
    for (const name of Object.keys(o.env ?? {}).sort()) requireEnvName(scope, `server.env.${name}`, name);
    const extra = o.extraArgs ?? [];
    // The flags as the server reads them (vLLM reads `--tensor_parallel_size` as `--tensor-parallel-size`).
    const table = this._engine.flagTable && imageRunsTable(this._engine.flagTable, this._engine.image) ? this._engine.flagTable : undefined;
    const names = table ? flagsIn(table, extra).map((f) => f.name) : flagNames(extra);
    const owned = [...new Set(names.filter((f) => this._engine.ownedFlags.includes(f)))];
    if (owned.length) {
      throw new ValidationError(scope, 'server.extraArgs', `sets ${owned.join(', ')}, which the InferenceService generates ` +
        '(model, port, parallelism, LoRA, multi-node wiring); set those through its props instead');
    }
    if (table) checkKnownFlags(scope, table, this._engine.image, extra);
    this.validateOwn(scope);
  }
}

/** Refuses a flag the pinned release does not register (the server would exit at start: argparse's "unrecognized arguments"). */
function checkKnownFlags(scope: IConstruct, table: EngineFlagTable, image: string, args: string[]): void {
  const unknown = unknownFlags(table, args);
  if (!unknown.length) return;
  const listed = unknown.map((u) => `${show(u.flag)}${u.nearest ? ` (did you mean ${u.nearest}?)` : ''}`).join(', ');
  throw new ValidationError(scope, 'server.extraArgs', `got ${listed}; expected flags ${table.engine} ${table.version} registers ` +
    `(the release of ${image}; its flags are in ${table.sources.join(', ')} of that release), written in full`);
}

/** The offload buffer: at least 1 MiB (vLLM takes GiB as a float), and its flags not also in extraArgs. */
function checkKvOffloading(scope: IConstruct, size: Size, extraArgs: string[]): void {
  const kib = size.toKibibytes({ rounding: SizeRoundingBehavior.NONE });
  if (!(kib >= 1024) || !Number.isInteger(kib)) throw invalidProp(scope, 'server.kvOffloadingSize', size.asString(), 'at least 1Mi, a whole number of KiB');
  const dup = flagNames(extraArgs).find((f) => f === '--kv-offloading-size' || f === '--kv-offloading-backend' || f === '--kv-transfer-config');
  if (dup) {
    throw new ValidationError(scope, 'server.extraArgs', `sets ${dup}, which kvOffloadingSize generates (vLLM's offloading replaces the ` +
      'KV connector); use one or the other');
  }
}

function optionalFraction(scope: IConstruct, prop: string, value: number | undefined): void {
  if (value !== undefined && !(value > 0 && value <= 1)) throw invalidProp(scope, prop, value, 'a fraction above 0 and at most 1');
}

function optionalCount(scope: IConstruct, prop: string, value: number | undefined): void {
  if (value !== undefined) requireInteger(scope, prop, value, 1);
}
