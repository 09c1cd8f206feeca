import { Size, SizeRoundingBehavior } from 'cdk8s';
import {
  EngineLoadMetrics, EngineSettings, envVars, flags, KvTransfer, LaunchContext, LaunchRole, LaunchSpec, ProbeTiming, ReplicaParallelism, ServerEngine,
} from '../server-engine';
import { ServingMetrics } from '../serving-metrics';
import { VLLM_EXPERT_FLAGS, vllmExpertArgs, vllmExpertEnv } from './vllm-expert';
import { VLLM_V0_25_1_FLAGS } from './vllm-flags';

/**
 * The vLLM image the library pins (vllm-project/vllm release v0.25.1). Every flag below is in that release's flag
 * table (VLLM_V0_25_1_FLAGS, read from `vllm/engine/arg_utils.py` and `vllm/entrypoints/openai/cli_args.py` of the
 * PyPI sdist vllm-0.25.1.tar.gz).
 */
export const VLLM_IMAGE = 'vllm/vllm-openai:v0.25.1';
/** Port torch.distributed listens on in the leader of a multi-node group. */
export const VLLM_MASTER_PORT = 29500;
/**
 * Port of the data-parallel handshake (ZMQ) on the leader of a multi-node data-parallel group: KServe's default
 * (kserve/kserve v0.20.0 config/llmisvcconfig/config-llm-worker-data-parallel.yaml, `--data-parallel-rpc-port` 5555).
 */
export const VLLM_DATA_PARALLEL_RPC_PORT = 5555;
/** The environment variable the leader of a multi-node data-parallel group gets its own pod IP from. */
export const VLLM_POD_IP_ENV = 'POD_IP';

/**
 * vLLM's NIXL connector for prefill/decode disaggregation, as llm-d-router v0.10.0 configures both roles
 * (test/sidecar/config/nixl/qwen-{prefiller,decoder}-pod.yaml, the NixlConnector-only form; KServe v0.20.0
 * docs/samples/llmisvc/single-node-gpu/llm-inference-service-pd-qwen2-7b-gpu.yaml passes the same connector):
 * `kv_both` on every pod, so a prefill pod can also serve a whole request when the gateway fails open to it.
 */
export const VLLM_NIXL_KV_TRANSFER_CONFIG = '{"kv_connector":"NixlConnector","kv_role":"kv_both"}';
/**
 * The NIXL handshake (side channel) port: vLLM 0.25.1 vllm/envs.py `VLLM_NIXL_SIDE_CHANNEL_PORT` default 5600; each
 * data-parallel rank adds its index (vllm/distributed/kv_transfer/kv_connector/v1/nixl/base_scheduler.py). Set
 * explicitly, as llm-d-router v0.10.0 test/sidecar/config/nixl does, with the host from the pod IP (vLLM's default
 * host is `localhost`, which a remote pod cannot reach).
 */
export const VLLM_NIXL_SIDE_CHANNEL_PORT = 5600;
/**
 * The port vLLM listens on in a decode pod, behind the routing sidecar that takes the serving port: the sidecar's
 * default `--model-server-port` (llm-d-router v0.10.0 pkg/sidecar/proxy/options.go `defaultVLLMPort` 8200; the
 * decode Deployment of deploy/components/vllm-decode runs vLLM on 8200 behind the sidecar on 8000).
 */
export const VLLM_DECODE_SERVER_PORT = 8200;

/** vLLM's KV transfer for P/D: NIXL, which the routing sidecar drives as `nixlv2` (its default connector, v0.10.0). */
const VLLM_KV_TRANSFER: KvTransfer = {
  sidecarConnector: 'nixlv2',
  decodeServerPort: VLLM_DECODE_SERVER_PORT,
  // Data parallelism inside a role runs as it does without disaggregation: the leader of a replica serves its ranks
  // (internal load balancing), and NIXL needs no per-rank addressing from the picker or the sidecar. Each prefill rank
  // returns its own side channel in the response's kv_transfer_params (vLLM v0.25.1 nixl/pull_scheduler.py
  // remote_host, remote_port; nixl/base_scheduler.py: VLLM_NIXL_SIDE_CHANNEL_PORT + the rank's data_parallel_index, the
  // host from the pod's IP), which the routing sidecar passes to the decode leg untouched in NIXL's READ mode
  // (llm-d-router v0.10.0 pkg/sidecar/proxy/connector_nixlv2.go: rank pinning is MoRI-IO WRITE mode only), and the
  // decode rank reads the KV cache from there. KServe v0.20.0 runs P/D the same way
  // (config/llmisvcconfig/config-llm-{prefill,decode}-worker-data-parallel.yaml: the sidecar without
  // --data-parallel-size in front of a leader serving every rank). llm-d v0.9.0 guides/wide-ep-lws serves one API
  // server per rank instead (--data-parallel-multi-port-external-lb, the sidecar's --data-parallel-size), which this
  // library does not render.
  problem: () => undefined,
};

/**
 * Readiness as KServe probes vLLM's `/health`: every second, 1 s timeout, 2 failures (kserve/kserve v0.20.0
 * config/llmisvcconfig/config-llm-template.yaml; llm-d/llm-d-router v0.10.0 config/manifests/vllm/gpu-deployment.yaml
 * probes the same every second with 1 failure). A pod that stops answering leaves the pool within about 2 s.
 */
const VLLM_READINESS: ProbeTiming = { periodSeconds: 1, timeoutSeconds: 1, failureThreshold: 2 };

export interface VllmSettings extends EngineSettings {
  readonly maxModelLen?: number;
  readonly gpuMemoryUtilization?: number;
  readonly enablePrefixCaching?: boolean;
  /** vLLM v0.25.1 `--kv-offloading-size` (GiB, float) with `--kv-offloading-backend native` (vllm/config/cache.py). */
  readonly kvOffloadingSize?: Size;
}

/**
 * `--shutdown-timeout`: how long vLLM drains in-flight requests after SIGTERM before it aborts them (0, its default,
 * aborts at once). KServe's formula (kserve/kserve v0.20.0 pkg/controller/v1alpha2/llmisvc/config_merge.go
 * `shutdownTimeout`): grace period - preStop sleep - min(5, grace period), at least 0, so the drain ends before the
 * kubelet's SIGKILL. The flag landed in vLLM 0.18.0 (vllm-project/vllm#36666) and is in v0.25.1 (arg_utils.py
 * `--shutdown-timeout`, type int, "0 = abort, >0 = wait").
 */
export function vllmShutdownTimeout(gracePeriodSeconds: number, preStopSeconds: number): number {
  return Math.max(0, gracePeriodSeconds - preStopSeconds - Math.min(5, gracePeriodSeconds));
}

/**
 * vLLM's OpenAI-compatible server (`vllm serve`). Multi-node groups need no Ray cluster:
 * - tensor/pipeline parallelism across pods uses the multiprocessing executor (`--nnodes/--node-rank/--master-addr`,
 *   workers `--headless`; vLLM v0.25.1 docs/serving/parallelism_scaling.md, vllm-project/vllm#23691);
 * - data parallelism across pods places whole data-parallel ranks on each pod (`--data-parallel-size-local`), the
 *   leader runs the API server and ranks 0.., the workers run `--headless` from `--data-parallel-start-rank`
 *   (vLLM v0.25.1 docs/serving/data_parallel_deployment.md "Internal Load Balancing"; KServe v0.20.0
 *   config/llmisvcconfig/config-llm-worker-data-parallel.yaml).
 */
export class VllmEngine implements ServerEngine {
  public readonly kind = 'vllm';
  public readonly displayName = 'vLLM';
  public readonly image: string;
  public readonly port: number;
  public readonly healthPath = '/health';
  public readonly readinessPath = '/health';
  public readonly readinessProbe = VLLM_READINESS;
  public readonly metricsPath = '/metrics';
  public readonly eppEngineType = 'vllm';
  public readonly servingMetrics = ServingMetrics.vllm();
  public readonly metrics: EngineLoadMetrics = this.servingMetrics;
  public readonly parallelism = { tensor: true, pipeline: true, data: true, multiNode: true, expert: true };
  public readonly supportsLora = true;
  public readonly kvTransfer = VLLM_KV_TRANSFER;
  public readonly sendsTraces = true;
  public readonly downloadsFromHub = true;
  /** With their short forms at v0.25.1 (arg_utils.py `add_argument` names). */
  public readonly ownedFlags = [
    '--port', '--served-model-name', '--revision', '--tensor-parallel-size', '-tp', '--pipeline-parallel-size', '-pp',
    '--data-parallel-size', '-dp', '--data-parallel-size-local', '-dpl', '--data-parallel-address', '-dpa',
    '--data-parallel-rpc-port', '-dpp', '--data-parallel-start-rank', '-dpr', '--data-parallel-rank', '-dpn',
    '--nnodes', '-n', '--node-rank', '-r', '--master-addr', '--master-port', '--headless',
    '--distributed-executor-backend', '--enable-lora', '--lora-modules', '--max-loras', '--max-lora-rank', '--model',
    '--shutdown-timeout', ...VLLM_EXPERT_FLAGS,
  ];
  public readonly flagTable = VLLM_V0_25_1_FLAGS;
  public readonly extraArgs: string[];
  public readonly extraEnv: { [name: string]: string };
  public readonly hostMemoryBytes?: number;
  public readonly publishesKvEvents: boolean;

  constructor(private readonly settings: VllmSettings) {
    this.image = settings.image ?? VLLM_IMAGE;
    this.port = settings.port ?? 8000;
    this.extraArgs = [...(settings.extraArgs ?? [])];
    this.extraEnv = { ...(settings.env ?? {}) };
    // KV events are the prefix cache's (vLLM v0.25.1 vllm/v1/core/block_pool.py cache_full_blocks): none without it.
    this.publishesKvEvents = settings.enablePrefixCaching !== false;
    if (settings.kvOffloadingSize) this.hostMemoryBytes = settings.kvOffloadingSize.toKibibytes({ rounding: SizeRoundingBehavior.NONE }) * 1024;
  }

  public multiNodeProblem(p: ReplicaParallelism): string | undefined {
    if (p.data > 1 && p.data % p.nodes !== 0) {
      return `a data-parallel rank (tensor x pipeline = ${p.tensor * p.pipeline} GPUs) would span pods; vLLM runs data ` +
        'parallelism across nodes with whole ranks on each node (--data-parallel-size-local, vLLM v0.25.1 ' +
        'docs/serving/data_parallel_deployment.md): make tensor x pipeline a divisor of the GPUs of a pod, or use data 1';
    }
    return undefined;
  }

  /**
   * The API server's traces (vLLM v0.25.1 `--otlp-traces-endpoint`; vllm/tracing/otel.py exports over the protocol in
   * OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, gRPC by default, and the OpenTelemetry SDK is a dependency of the release).
   * Headless workers run no API server. The user's own flag in `extraArgs` wins.
   */
  private traceArgs(ctx: LaunchContext): string[] {
    if (!ctx.traceEndpoint || ctx.role === LaunchRole.WORKER) return [];
    if (this.extraArgs.some((a) => a === '--otlp-traces-endpoint' || a.startsWith('--otlp-traces-endpoint='))) return [];
    return ['--otlp-traces-endpoint', ctx.traceEndpoint];
  }

  public launch(ctx: LaunchContext): LaunchSpec {
    const s = this.settings;
    const dataAcrossPods = ctx.role !== LaunchRole.SINGLE && ctx.data > 1;
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
      ...(this.hostMemoryBytes ? ['--kv-offloading-size', String(this.hostMemoryBytes / 2 ** 30), '--kv-offloading-backend', 'native'] : []),
      ...this.loraArgs(ctx),
      ...(ctx.role === LaunchRole.SINGLE ? [] : dataAcrossPods ? this.dataParallelArgs(ctx) : this.multiNodeArgs(ctx)),
      ...vllmExpertArgs(ctx),
      ...flags([['--shutdown-timeout', vllmShutdownTimeout(ctx.gracePeriodSeconds, ctx.preStopSeconds)]]),
      ...this.traceArgs(ctx),
      ...(ctx.disaggregation ? ['--kv-transfer-config', VLLM_NIXL_KV_TRANSFER_CONFIG] : []),
      ...(ctx.kvEvents ? ['--kv-events-config', JSON.stringify({
        enable_kv_cache_events: true, publisher: 'zmq', endpoint: `tcp://*:${ctx.kvEvents.port}`, topic: ctx.kvEvents.topic,
      })] : []),
      ...this.extraArgs,
    ];
    const env = envVars({ VLLM_NO_USAGE_STATS: '1', ...vllmExpertEnv(ctx, this.extraEnv), ...this.extraEnv });
    if (ctx.disaggregation) {
      env.push(
        { name: 'VLLM_NIXL_SIDE_CHANNEL_HOST', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'VLLM_NIXL_SIDE_CHANNEL_PORT', value: String(VLLM_NIXL_SIDE_CHANNEL_PORT) },
      );
    }
    if (dataAcrossPods) env.push({ name: VLLM_POD_IP_ENV, valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } });
    else if (ctx.kvEvents) env.push({ name: ctx.kvEvents.podIpEnv, valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } });
    const local = ctx.data / ctx.nodes;
    if (dataAcrossPods && ctx.role === LaunchRole.WORKER && local > 1) {
      // The first rank of worker i is i x local; the kubelet's $(VAR) expansion cannot multiply, so a shell does
      // (KServe computes START_RANK the same way). `$$` is the kubelet's escape for a literal `$`.
      return {
        command: ['/bin/sh', '-c', `exec vllm serve "$@" --data-parallel-start-rank "$$((LWS_WORKER_INDEX * ${local}))"`, 'vllm-serve'],
        args,
        env,
      };
    }
    return { command: ['vllm', 'serve'], args, env };
  }

  /** Tensor/pipeline parallelism across the pods of a group (one data-parallel rank or none). */
  private multiNodeArgs(ctx: LaunchContext): string[] {
    return [
      ...flags([
        ['--distributed-executor-backend', 'mp'],
        ['--nnodes', ctx.nodes],
        ['--node-rank', ctx.role === LaunchRole.LEADER ? '0' : '$(LWS_WORKER_INDEX)'],
        ['--master-addr', '$(LWS_LEADER_ADDRESS)'],
        ['--master-port', VLLM_MASTER_PORT],
      ]),
      ...(ctx.role === LaunchRole.WORKER ? ['--headless'] : []),
    ];
  }

  /**
   * Data parallelism across the pods of a group: each pod runs `local` whole ranks. The leader binds the handshake
   * socket on `--data-parallel-address`, and ZMQ binds to an IP, not a DNS name (KServe's template resolves
   * LWS_LEADER_ADDRESS with getent for that reason), so the leader passes its own pod IP; the workers connect to
   * the leader through LWS_LEADER_ADDRESS, which LeaderWorkerSet injects into every container (LWS v0.10.0
   * pkg/utils/pod/pod_utils.go, with LWS_WORKER_INDEX, 0 on the leader).
   */
  private dataParallelArgs(ctx: LaunchContext): string[] {
    const local = ctx.data / ctx.nodes;
    const leader = ctx.role === LaunchRole.LEADER;
    return [
      ...flags([
        ['--data-parallel-size-local', local],
        ['--data-parallel-address', leader ? `$(${VLLM_POD_IP_ENV})` : '$(LWS_LEADER_ADDRESS)'],
        ['--data-parallel-rpc-port', VLLM_DATA_PARALLEL_RPC_PORT],
        // The leader holds ranks 0..local-1 (vLLM treats start rank 0 as internal load balancing, arg_utils.py).
        // A worker with one rank per pod starts at its index; with several, the shell in launch() computes it.
        ['--data-parallel-start-rank', leader ? 0 : local === 1 ? '$(LWS_WORKER_INDEX)' : undefined],
      ]),
      ...(leader ? [] : ['--headless']),
    ];
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
