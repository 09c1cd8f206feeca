import { Chart, Duration, Size } from 'cdk8s';
import { Construct } from 'constructs';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuNodePool } from '../../src/accelerators/gpu-node-pool';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { ClusterProfile } from '../../src/cluster/cluster-profile';
import { EndpointPickerConfig, EppScorer } from '../../src/serving/endpoint-picker-config';
import { EppVersion } from '../../src/serving/epp-version';
import { GatewayProvider } from '../../src/serving/gateway-provider';
import { InferenceRoute, InferenceRouteProps } from '../../src/serving/inference-route';
import { InferenceService } from '../../src/serving/inference-service';
import { InferenceServiceProps } from '../../src/serving/inference-service-props';
import { LoraAdapter } from '../../src/serving/lora-adapter';
import { ModelCache } from '../../src/serving/model-cache';
import { ModelServer } from '../../src/serving/model-server';
import { ModelSource } from '../../src/serving/model-source';
import { ServerMetric, ServingAutoscaling } from '../../src/serving/serving-autoscaling';
import { badInputCatalogue } from '../harness';

/**
 * Every refusal of InferenceService, InferenceRoute and their value objects, with the error it must produce.
 * Rules enforced only by upstream webhooks or controllers (LeaderWorkerSet, parallelism, rewrite weights) are here
 * because the apiserver alone would accept them.
 */

const metric = (m: ServerMetric, target: number, minReplicas = 1, maxReplicas = 2) =>
  ServingAutoscaling.serverMetric({ minReplicas, maxReplicas, metric: m, target });

const HF = ModelSource.huggingFace('meta-llama/Llama-3.1-8B-Instruct');

function svc(scope: Construct, extra: Partial<InferenceServiceProps> = {}, id = 'llm'): InferenceService {
  return new InferenceService(scope, id, { model: HF, gpus: GpuRequest.of(1), ...extra });
}

function route(scope: Construct, props: Partial<InferenceRouteProps>): InferenceRoute {
  return new InferenceRoute(scope, 'route', { gateway: 'inference-gateway', ...props });
}

function profile(scope: Construct, addons: ClusterAddon[]): void {
  new ClusterProfile(scope, 'Cluster', { addons });
}

const BASE_ADDONS = [ClusterAddon.GATEWAY_API, ClusterAddon.INFERENCE_EXTENSION, ClusterAddon.LLM_D_ROUTER, ClusterAddon.PROMETHEUS_OPERATOR];

beforeAll(() => {
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});

badInputCatalogue([
  // --- replicas, autoscaling, disruption budget
  {
    name: 'replicas together with autoscaling',
    error: 'replicas: is set together with autoscaling',
    build: (s) => svc(s, { replicas: 2, autoscaling: ServingAutoscaling.cpu({ minReplicas: 1, maxReplicas: 2 }) }),
  },
  { name: 'replicas zero', error: 'replicas: got 0; expected an integer from 1 to 1000', build: (s) => svc(s, { replicas: 0 }) },
  { name: 'replicas fractional', error: 'replicas: got 1.5', build: (s) => svc(s, { replicas: 1.5 }) },
  {
    name: 'autoscaling min above max',
    error: 'autoscaling.maxReplicas (autoscaling.max_replicas): got 2; expected an integer from 3 to 1000',
    build: (s) => svc(s, { autoscaling: metric(ServerMetric.QUEUE_DEPTH, 4, 3, 2) }),
  },
  {
    name: 'autoscaling KV-cache target above 1',
    error: 'autoscaling.target: got 80; expected a fraction above 0 and at most 1',
    build: (s) => svc(s, { autoscaling: metric(ServerMetric.KV_CACHE_USAGE, 80) }),
  },
  {
    name: 'autoscaling queue target fractional',
    error: 'autoscaling.target: got 2.5; expected an integer from 1 to 100000',
    build: (s) => svc(s, { autoscaling: metric(ServerMetric.QUEUE_DEPTH, 2.5) }),
  },
  {
    name: 'autoscaling metric name with a slash',
    error: 'autoscaling.metricName (autoscaling.metric_name): got "a/b"',
    build: (s) => svc(s, { autoscaling: ServingAutoscaling.serverMetric({ minReplicas: 1, maxReplicas: 2, metric: ServerMetric.QUEUE_DEPTH, target: 2, metricName: 'a/b' }) }),
  },
  {
    name: 'CPU autoscaling without a CPU request',
    error: 'autoscaling: scales on CPU utilisation, a percentage of the CPU request, but resources.cpu is not set',
    build: (s) => svc(s, { autoscaling: ServingAutoscaling.cpu({ minReplicas: 1, maxReplicas: 2 }) }),
  },
  {
    name: 'KV-cache autoscaling on TGI, which exports no KV metric',
    error: 'autoscaling.metric: got "KvCacheUsage"; expected a metric TGI exports',
    build: (s) => svc(s, { server: ModelServer.tgi(), autoscaling: metric(ServerMetric.KV_CACHE_USAGE, 0.5) }),
  },
  {
    name: 'KEDA without the KEDA add-on',
    error: 'A KEDA ScaledObject needs KEDA (keda.sh)',
    build: (s) => svc(s, { autoscaling: ServingAutoscaling.keda({ minReplicas: 0, maxReplicas: 2, metric: ServerMetric.QUEUE_DEPTH, target: 5, prometheusAddress: 'http://prometheus:9090' }) }),
  },
  {
    name: 'KEDA with a bad Prometheus address',
    error: 'autoscaling.prometheusAddress (autoscaling.prometheus_address): got "prometheus:9090"',
    build: (s) => svc(s, { autoscaling: ServingAutoscaling.keda({ minReplicas: 1, maxReplicas: 2, metric: ServerMetric.QUEUE_DEPTH, target: 5, prometheusAddress: 'prometheus:9090' }) }),
  },
  {
    name: 'KEDA without monitoring',
    error: 'KEDA scales on the metrics the generated PodMonitor scrapes',
    build: (s) => {
      profile(s, [...BASE_ADDONS, ClusterAddon.KEDA]);
      svc(s, { monitoring: { enabled: false }, autoscaling: ServingAutoscaling.keda({ minReplicas: 1, maxReplicas: 2, metric: ServerMetric.QUEUE_DEPTH, target: 5, prometheusAddress: 'http://p:9090' }) });
    },
  },
  { name: 'PDB maxUnavailable 0 (blocks node drains)', error: 'maxUnavailable (max_unavailable): got 0; expected an integer from 1 to 1000', build: (s) => svc(s, { replicas: 3, maxUnavailable: 0 }) },
  { name: 'maxUnavailable without a PDB', error: 'maxUnavailable (max_unavailable): is set but podDisruptionBudget is false', build: (s) => svc(s, { maxUnavailable: 1, podDisruptionBudget: false }) },

  // --- parallelism and multi-node (webhook-only rules)
  {
    name: 'TP size larger than GPUs requested',
    error: 'parallelism: tensor 2 x pipeline 1 x data 1 = 2 GPU(s) per replica, but each pod gets only 1 (gpus)',
    build: (s) => svc(s, { parallelism: { tensor: 2 } }),
  },
  { name: 'parallelism leaving GPUs idle', error: '2 would sit idle', build: (s) => svc(s, { gpus: GpuRequest.of(4), parallelism: { tensor: 2 } }) },
  {
    name: 'parallelism not a multiple of GPUs per pod',
    error: 'tensor 6 x pipeline 1 x data 1 = 6 GPU(s) per replica is not a multiple of the 4 GPU(s)',
    build: (s) => svc(s, { gpus: GpuRequest.of(4), parallelism: { tensor: 6 }, multiNode: {} }),
  },
  {
    name: 'parallelism without GPUs',
    error: 'parallelism: got {"tensor":2,"pipeline":1,"data":1}; expected a single rank: the service requests no GPUs',
    build: (s) => svc(s, { gpus: undefined, parallelism: { tensor: 2 } }),
  },
  {
    name: 'tensor parallel over MIG devices',
    error: 'NCCL cannot span MIG devices',
    build: (s) => svc(s, { gpus: GpuRequest.mig('1g.10gb', { count: 2, model: GpuModel.NVIDIA_A100_80_GB }) }),
  },
  {
    name: 'pipeline parallel on TGI',
    error: 'parallelism.pipeline: got 2; expected 1: TGI has no pipeline parallelism',
    build: (s) => svc(s, { server: ModelServer.tgi(), gpus: GpuRequest.of(2), parallelism: { tensor: 1, pipeline: 2 } }),
  },
  {
    name: 'tensor parallel on a custom server that cannot shard',
    error: 'parallelism.tensor: got 2; expected 1: x has no tensor parallelism here',
    build: (s) => svc(s, { server: ModelServer.custom({ name: 'x', image: 'x:1', args: ['{model}'] }), gpus: GpuRequest.of(2) }),
  },
  {
    name: 'multi-node on TGI',
    error: 'multiNode (multi_node): TGI cannot serve one replica from several pods',
    build: (s) => svc(s, { server: ModelServer.tgi(), gpus: GpuRequest.of(8), parallelism: { tensor: 16 }, multiNode: {} }),
  },
  {
    name: 'multiNode set but the replica fits one pod',
    error: 'multiNode (multi_node): is set but the parallelism (8 x 1 x 1) fits the 8 GPU(s) of one pod',
    build: (s) => svc(s, { gpus: GpuRequest.of(8), multiNode: {} }),
  },
  {
    name: 'multi-node without the LeaderWorkerSet add-on',
    error: 'A multi-node replica (LeaderWorkerSet) needs LeaderWorkerSet',
    build: (s) => { profile(s, BASE_ADDONS); svc(s, { gpus: GpuRequest.of(8), parallelism: { tensor: 8, pipeline: 2 }, multiNode: {} }); },
  },
  {
    name: 'multi-node service whose LeaderWorkerSet name would start with a digit',
    error: 'id: gives the LeaderWorkerSet the name "7b-lws", which must start with a letter',
    build: (s) => svc(s, { gpus: GpuRequest.of(8), parallelism: { tensor: 8, pipeline: 2 }, multiNode: {} }, '7b'),
  },
  {
    name: 'a service named like the headless Service of a multi-node service\'s group',
    error: 'id: the Service name "big-lws" is already used by',
    build: (s) => {
      svc(s, { gpus: GpuRequest.of(8), parallelism: { tensor: 8, pipeline: 2 }, multiNode: {} }, 'big');
      svc(s, {}, 'big-lws');
    },
  },
  {
    name: 'LeaderWorkerSet sub-group size not dividing the group',
    error: 'multiNode.subGroupSize (multi_node.sub_group_size): got 2; expected a divisor of 3',
    build: (s) => svc(s, { gpus: GpuRequest.of(8), parallelism: { tensor: 8, pipeline: 3 }, multiNode: { subGroupSize: 2 } }),
  },
  {
    name: 'LeaderWorkerSet sub-group larger than the group',
    error: 'multiNode.subGroupSize (multi_node.sub_group_size): got 4; expected an integer from 1 to the group size 2',
    build: (s) => svc(s, { gpus: GpuRequest.of(8), parallelism: { tensor: 8, pipeline: 2 }, multiNode: { subGroupSize: 4 } }),
  },
  {
    name: 'allOnNode over several nodes',
    error: 'GpuRequest.allOnNode() (all_on_node()) serves each replica from one node',
    build: (s) => {
      const pool = new GpuNodePool(s, 'pool', { gpu: GpuModel.NVIDIA_H100_80_GB, gpusPerNode: 8, maxNodes: 4 });
      svc(s, { gpus: GpuRequest.allOnNode(), nodePool: pool, parallelism: { tensor: 8, pipeline: 2 }, multiNode: {} });
    },
  },
  {
    name: 'nodePool without gpus',
    error: 'nodePool (node_pool): is set but gpus is not',
    build: (s) => svc(s, { gpus: undefined, nodePool: new GpuNodePool(s, 'pool', { gpu: GpuModel.NVIDIA_L4, gpusPerNode: 1 }) }),
  },

  // --- server options
  {
    name: 'extraArgs setting a flag the construct owns',
    error: 'server.extraArgs (server.extra_args): sets --tensor-parallel-size, which the InferenceService generates',
    build: (s) => svc(s, { server: ModelServer.vllm({ extraArgs: ['--tensor-parallel-size', '2'] }) }),
  },
  {
    name: 'extraArgs setting the port as --port=1',
    error: 'server.extraArgs (server.extra_args): sets --port',
    build: (s) => svc(s, { server: ModelServer.sglang({ extraArgs: ['--port=1'] }) }),
  },
  {
    name: 'extraArgs with a flag the pinned vLLM does not have',
    error: 'server.extraArgs (server.extra_args): got "--max-model-length" (did you mean --max-model-len?); expected flags vLLM 0.25.1 registers',
    build: (s) => svc(s, { server: ModelServer.vllm({ extraArgs: ['--max-model-length', '8192'] }) }),
  },
  {
    name: 'extraArgs with a flag the pinned SGLang does not have',
    error: 'server.extraArgs (server.extra_args): got "--gpu-memory-utilization"; expected flags SGLang 0.5.16 registers',
    build: (s) => svc(s, { server: ModelServer.sglang({ extraArgs: ['--gpu-memory-utilization', '0.8'] }) }),
  },
  { name: 'server port out of range', error: 'server.port: got 70000; expected an integer from 1 to 65535', build: (s) => svc(s, { server: ModelServer.vllm({ port: 70000 }) }) },
  { name: 'server image with a space', error: 'server.image: got "vllm latest"', build: (s) => svc(s, { server: ModelServer.vllm({ image: 'vllm latest' }) }) },
  {
    name: 'vLLM GPU memory utilisation above 1',
    error: 'server.gpuMemoryUtilization (server.gpu_memory_utilization): got 1.5; expected a fraction above 0 and at most 1',
    build: (s) => svc(s, { server: ModelServer.vllm({ gpuMemoryUtilization: 1.5 }) }),
  },
  { name: 'vLLM max model length fractional', error: 'server.maxModelLen (server.max_model_len): got 1000.5', build: (s) => svc(s, { server: ModelServer.vllm({ maxModelLen: 1000.5 }) }) },
  { name: 'server env name invalid', error: 'server.env.1BAD: got "1BAD"', build: (s) => svc(s, { server: ModelServer.vllm({ env: { '1BAD': 'x' } }) }) },
  {
    name: 'custom server name not a DNS label',
    error: 'server.name: got "My_Server"',
    build: (s) => svc(s, { server: ModelServer.custom({ name: 'My_Server', image: 'x:1', args: ['{model}'] }) }),
  },
  {
    name: 'custom server that never loads {model}',
    error: 'server.args: no argument uses {model}',
    build: (s) => svc(s, { server: ModelServer.custom({ name: 'x', image: 'x:1', args: ['--port', '{port}'] }) }),
  },
  {
    name: 'custom server with an unknown picker engine',
    error: 'server.eppEngineType (server.epp_engine_type): got "tgi"; expected one of "vllm", "sglang"',
    build: (s) => svc(s, { server: ModelServer.custom({ name: 'x', image: 'x:1', args: ['{model}'], eppEngineType: 'tgi' }) }),
  },
  {
    name: 'custom server health path not absolute',
    error: 'server.healthPath (server.health_path): got "health"',
    build: (s) => svc(s, { server: ModelServer.custom({ name: 'x', image: 'x:1', args: ['{model}'], healthPath: 'health' }) }),
  },
  { name: 'custom server without an image', error: 'server.image: got ""', build: (s) => svc(s, { server: ModelServer.custom({ name: 'x', image: '', args: ['{model}'] }) }) },

  // --- model source, cache, adapters
  { name: 'Hugging Face id malformed', error: 'model: got "meta llama"', build: (s) => svc(s, { model: ModelSource.huggingFace('meta llama') }) },
  { name: 'Hugging Face revision malformed', error: 'model.revision: got "-x y"', build: (s) => svc(s, { model: ModelSource.huggingFace('a/b', { revision: '-x y' }) }) },
  {
    name: 'token key without token Secret',
    error: 'model.tokenSecretKey (model.token_secret_key): is set but tokenSecret is not',
    build: (s) => svc(s, { model: ModelSource.huggingFace('a/b', { tokenSecretKey: 'hf' }) }),
  },
  { name: 'token Secret name invalid', error: 'model.tokenSecret (model.token_secret): got "HF_Token"', build: (s) => svc(s, { model: ModelSource.huggingFace('a/b', { tokenSecret: 'HF_Token' }) }) },
  { name: 'PVC name invalid', error: 'model: got "Models"', build: (s) => svc(s, { model: ModelSource.persistentVolumeClaim('Models') }) },
  { name: 'PVC path escaping the volume', error: 'model.path: got "../etc"', build: (s) => svc(s, { model: ModelSource.persistentVolumeClaim('models', { path: '../etc' }) }) },
  {
    name: 'storage URI with an unknown scheme',
    error: 'model: got "ftp://x/y"; expected a URI with one of the schemes s3://, gs://, https://, hf://, oci://',
    build: (s) => svc(s, { model: ModelSource.storageUri('ftp://x/y') }),
  },
  { name: 'OCI model path on an S3 URI', error: 'model.ociModelPath (model.oci_model_path): got "/models"', build: (s) => svc(s, { model: ModelSource.storageUri('s3://b/m', { ociModelPath: '/models' }) }) },
  { name: 'initializer image on an OCI URI', error: 'model.initializerImage (model.initializer_image): got "x:1"', build: (s) => svc(s, { model: ModelSource.storageUri('oci://r/m:1', { initializerImage: 'x:1' }) }) },
  {
    name: 'Hub revision on a server that does not download',
    error: 'model.revision: x does not download from the Hub itself',
    build: (s) => svc(s, { model: ModelSource.huggingFace('a/b', { revision: 'main' }), server: ModelServer.custom({ name: 'x', image: 'x:1', args: ['{model}'] }) }),
  },
  { name: 'model cache claim invalid', error: 'modelCache (model_cache): got "Cache"', build: (s) => svc(s, { modelCache: ModelCache.persistentVolumeClaim('Cache') }) },
  {
    name: 'model cache claim with an empty subdomain part',
    error: '[Default/llm] modelCache (model_cache): got "hf..cache"; expected a PersistentVolumeClaim name (DNS-1123 subdomain)',
    build: (s) => svc(s, { modelCache: ModelCache.persistentVolumeClaim('hf..cache') }),
  },
  {
    name: 'storage credentials key without the Secret',
    error: '[Default/llm] model.credentialsSecretKey (model.credentials_secret_key): is set but credentialsSecret is not; name the Secret that holds the credentials',
    build: (s) => svc(s, { model: ModelSource.storageUri('s3://b/m', { credentialsSecretKey: 'aws' }) }),
  },
  {
    name: 'storage credentials on an OCI URI',
    error: '[Default/llm] model.credentialsSecret (model.credentials_secret): got "regcred"; expected unset for an oci:// URI (the kubelet pulls the model image: give the pod an image pull secret)',
    build: (s) => svc(s, { model: ModelSource.storageUri('oci://r/m:1', { credentialsSecret: 'regcred' }) }),
  },
  {
    name: 'storage credentials key that is not a Secret key',
    error: '[Default/llm] model.credentialsSecretKey (model.credentials_secret_key): got "a b"; expected a Secret key ([-._a-zA-Z0-9]+)',
    build: (s) => svc(s, { model: ModelSource.storageUri('s3://b/m', { credentialsSecret: 's3', credentialsSecretKey: 'a b' }) }),
  },
  {
    name: 'LoRA on TGI',
    error: 'loraAdapters (lora_adapters): got ["a"]; expected none: TGI does not serve LoRA adapters here',
    build: (s) => svc(s, { server: ModelServer.tgi(), loraAdapters: [LoraAdapter.huggingFace('a', 'o/a')] }),
  },
  {
    name: 'LoRA adapter named like the served model',
    error: 'loraAdapters (lora_adapters): got "llama"; expected adapter names unique',
    build: (s) => svc(s, { servedModelName: 'llama', loraAdapters: [LoraAdapter.huggingFace('llama', 'o/a')] }),
  },
  {
    name: 'LoRA adapter names duplicated',
    error: 'loraAdapters (lora_adapters): got "a"',
    build: (s) => svc(s, { loraAdapters: [LoraAdapter.huggingFace('a', 'o/a'), LoraAdapter.huggingFace('a', 'o/b')] }),
  },
  { name: 'LoRA adapter name with "="', error: 'loraAdapters[0].name (lora_adapters[0].name): got "a=b"', build: (s) => svc(s, { loraAdapters: [LoraAdapter.huggingFace('a=b', 'o/a')] }) },
  {
    name: 'LoRA model-path adapter without a model volume',
    error: 'a model-path adapter needs a model volume',
    build: (s) => svc(s, { loraAdapters: [LoraAdapter.modelPath('a', 'adapters/a')] }),
  },
  {
    name: 'max LoRA rank on SGLang',
    error: 'maxLoraRank (max_lora_rank): got 64; expected unset: only vLLM takes a maximum LoRA rank here',
    build: (s) => svc(s, { server: ModelServer.sglang(), loraAdapters: [LoraAdapter.huggingFace('a', 'o/a')], maxLoraRank: 64 }),
  },
  { name: 'maxLoras without adapters', error: 'maxLoras (max_loras): is set but there are no loraAdapters', build: (s) => svc(s, { maxLoras: 2 }) },
  { name: 'served model name with a space', error: 'servedModelName (served_model_name): got "my model"', build: (s) => svc(s, { servedModelName: 'my model' }) },

  // --- pod: env, resources, shared memory, probes
  { name: 'literal Hugging Face token in env', error: 'env.HF_TOKEN: a token must not be a literal in the YAML', build: (s) => svc(s, { env: { HF_TOKEN: 'hf_abc' } }) },
  {
    name: 'env overriding HOME the construct sets',
    error: 'env.HOME: got "HOME"; expected a variable set once (the construct sets it',
    build: (s) => svc(s, { env: { HOME: '/home/x' } }),
  },
  {
    name: 'secretEnv with an invalid Secret name',
    error: 'secretEnv.API_KEY.secretName (secret_env.API_KEY.secret_name): got "Bad_Secret"',
    build: (s) => svc(s, { secretEnv: { API_KEY: { secretName: 'Bad_Secret', key: 'k' } } }),
  },
  { name: 'memory not a quantity', error: 'resources.memory: got "32 GB"', build: (s) => svc(s, { resources: { memory: '32 GB' } }) },
  {
    name: 'memory limit not above /dev/shm',
    error: 'resources.memory: 8Gi is not above the 8Gi /dev/shm',
    build: (s) => svc(s, { gpus: GpuRequest.of(2), resources: { memory: '8Gi' } }),
  },
  { name: 'shared memory below 64Mi', error: 'sharedMemory (shared_memory): got "32Mi"; expected at least 64Mi', build: (s) => svc(s, { sharedMemory: Size.mebibytes(32) }) },
  { name: 'startup budget below a minute', error: 'maxStartupTime (max_startup_time): got "30 seconds"; expected a whole number of seconds from 60 to 86400', build: (s) => svc(s, { maxStartupTime: Duration.seconds(30) }) },
  { name: 'drain timeout fractional', error: 'drainTimeout (drain_timeout): got', build: (s) => svc(s, { drainTimeout: Duration.millis(1500) }) },
  {
    name: 'monitoring without prometheus-operator',
    error: 'A PodMonitor needs prometheus-operator',
    build: (s) => { profile(s, [ClusterAddon.GATEWAY_API]); svc(s, { monitoring: { enabled: true } }); },
  },
  {
    name: 'monitor labels with monitoring off',
    error: 'monitoring: labels or interval are set but monitoring is off',
    build: (s) => svc(s, { monitoring: { enabled: false, labels: { release: 'x' } } }),
  },
  { name: 'monitor label value invalid', error: 'monitoring.labels.release: got "a b"', build: (s) => svc(s, { monitoring: { labels: { release: 'a b' } } }) },
  {
    name: 'monitor label key with an empty prefix part',
    error: '[Default/llm] monitoring.labels.a..b/release: got "a..b/release"; expected a qualified label key such as "example.com/team"',
    build: (s) => svc(s, { monitoring: { labels: { 'a..b/release': 'x' } } }),
  },

  // --- pool, endpoint picker, objectives, rewrites
  { name: 'picker settings on a service in no route', error: 'endpointPicker (endpoint_picker): set, but the service is in no route', build: (s) => svc(s, { endpointPicker: { replicas: 2 } }) },
  {
    name: 'picker flag removed in v0.10.0',
    error: 'endpointPicker.extraFlags.model-server-metrics-scheme (endpoint_picker.extra_flags.model-server-metrics-scheme): got "--model-server-metrics-scheme"; expected a flag the endpoint picker v0.10.0 accepts (removed in v0.10.0',
    build: (s) => svc(s, { route: { gateway: 'gw' }, endpointPicker: { extraFlags: { 'model-server-metrics-scheme': 'https' } } }),
  },
  {
    name: 'picker flag the construct owns',
    error: 'endpointPicker.extraFlags.secure-serving (endpoint_picker.extra_flags.secure-serving): --secure-serving is set by the InferenceService',
    build: (s) => svc(s, { route: { gateway: 'gw' }, endpointPicker: { extraFlags: { 'secure-serving': 'false' } } }),
  },
  {
    name: 'picker flag with dashes',
    error: 'endpointPicker.extraFlags.--v (endpoint_picker.extra_flags.--v): got "--v"; expected the flag name without the leading "--"',
    build: (s) => svc(s, { route: { gateway: 'gw' }, endpointPicker: { extraFlags: { '--v': '2' } } }),
  },
  {
    name: 'HA picker on EPP v0.9.0',
    error: 'endpointPicker.replicas (endpoint_picker.replicas): got 2; expected 1 with EppVersion v0.9.0',
    build: (s) => svc(s, { route: { gateway: 'gw' }, endpointPicker: { version: EppVersion.V0_9_0, replicas: 2 } }),
  },
  { name: 'picker replicas zero', error: 'endpointPicker.replicas (endpoint_picker.replicas): got 0', build: (s) => svc(s, { route: { gateway: 'gw' }, endpointPicker: { replicas: 0 } }) },
  {
    name: 'a v0.10.0 flag on the v0.9.0 picker',
    error: 'endpointPicker.extraFlags.drain-timeout (endpoint_picker.extra_flags.drain-timeout): got "--drain-timeout"; expected a flag the endpoint picker v0.9.0 accepts: --grpc-port',
    build: (s) => svc(s, { route: { gateway: 'gw' }, endpointPicker: { version: EppVersion.V0_9_0, extraFlags: { 'drain-timeout': '10s' } } }),
  },
  {
    name: 'a deprecated metric flag the picker refuses at start',
    error: 'endpointPicker.extraFlags.lora-info-metric (endpoint_picker.extra_flags.lora-info-metric): got "--lora-info-metric"; expected a flag the endpoint picker v0.10.0 starts with (--lora-info-metric is deprecated',
    build: (s) => svc(s, { route: { gateway: 'gw' }, endpointPicker: { extraFlags: { 'lora-info-metric': 'x' } } }),
  },
  {
    name: 'the experimental-plugins flag through extraFlags',
    error: 'endpointPicker.extraFlags.allow-experimental-plugins (endpoint_picker.extra_flags.allow-experimental-plugins): --allow-experimental-plugins is set by the InferenceService',
    build: (s) => svc(s, { route: { gateway: 'gw' }, endpointPicker: { extraFlags: { 'allow-experimental-plugins': 'true' } } }),
  },
  {
    name: 'an Alpha plugin with experimental plugins refused',
    error: 'endpointPicker.allowExperimentalPlugins (endpoint_picker.allow_experimental_plugins): is false, but the scheduling profile uses session-affinity-scorer, Alpha in the endpoint picker v0.10.0',
    build: (s) => svc(s, { route: { gateway: 'gw' }, endpointPicker: { allowExperimentalPlugins: false, config: EndpointPickerConfig.of({ scorers: [EppScorer.sessionAffinity()] }) } }),
  },
  {
    name: 'experimental plugins on a picker without the flag',
    error: 'endpointPicker.allowExperimentalPlugins (endpoint_picker.allow_experimental_plugins): got true; expected false or unset with EppVersion v0.9.0',
    build: (s) => svc(s, { route: { gateway: 'gw' }, endpointPicker: { version: EppVersion.V0_9_0, allowExperimentalPlugins: true } }),
  },
  {
    name: 'a plugin type the picker does not register',
    error: 'endpointPicker.config.scorers[0].type (endpoint_picker.config.scorers[0].type): got "token-magic-scorer"; expected a plugin type the endpoint picker v0.10.0 registers',
    build: (s) => svc(s, { route: { gateway: 'gw' }, endpointPicker: { config: EndpointPickerConfig.of({ scorers: [EppScorer.custom('token-magic-scorer', 1)] }) } }),
  },
  { name: 'flow-control settings with flow control off', error: 'endpointPicker.flowControl.maxRequests (endpoint_picker.flow_control.maxRequests): is set, but flow control is off', build: (s) => svc(s, { route: { gateway: 'gw' }, endpointPicker: { flowControl: { maxRequests: 100 } } }) },
  { name: 'flow-control queue limit fractional', error: 'endpointPicker.flowControl.maxRequests (endpoint_picker.flow_control.maxRequests): got 1.5; expected an integer >= 1', build: (s) => svc(s, { route: { gateway: 'gw' }, endpointPicker: { flowControl: { enabled: true, maxRequests: 1.5 } } }) },
  {
    name: 'flow-control request TTL in fractions of a second',
    error: 'endpointPicker.flowControl.requestTtl (endpoint_picker.flow_control.requestTtl): got "1 second 500 millis"; expected a whole number of seconds, 0 or more',
    build: (s) => svc(s, { route: { gateway: 'gw' }, endpointPicker: { flowControl: { enabled: true, requestTtl: Duration.millis(1500) } } }),
  },
  {
    name: 'queue scorer for TGI, which the picker cannot read',
    error: 'queue-scorer reads the server\'s Queue metric, which TGI does not export to the endpoint picker',
    build: (s) => svc(s, { server: ModelServer.tgi(), route: { gateway: 'gw' }, endpointPicker: { config: EndpointPickerConfig.defaults() } }),
  },
  {
    name: 'LoRA-affinity scorer without adapters',
    error: 'lora-affinity-scorer reads the server\'s Lora metric',
    build: (s) => svc(s, { route: { gateway: 'gw' }, endpointPicker: { config: EndpointPickerConfig.of({ scorers: [EppScorer.loraAffinity()] }) } }),
  },
  {
    name: 'scheduling profile with a scorer twice',
    error: 'endpointPicker.config (endpoint_picker.config): got "queue-scorer"; expected each plugin at most once',
    build: (s) => svc(s, { route: { gateway: 'gw' }, endpointPicker: { config: EndpointPickerConfig.of({ scorers: [EppScorer.queue(1), EppScorer.queue(2)] }) } }),
  },
  {
    name: 'scheduling profile without scorers',
    error: 'endpointPicker.config.scorers (endpoint_picker.config.scorers): is empty',
    build: (s) => svc(s, { route: { gateway: 'gw' }, endpointPicker: { config: EndpointPickerConfig.of({ scorers: [] }) } }),
  },
  {
    name: 'scorer weight fractional',
    error: 'endpointPicker.config.scorers[0].weight (endpoint_picker.config.scorers[0].weight): got 1.5; expected an integer from 1 to 1000',
    build: (s) => svc(s, { route: { gateway: 'gw' }, endpointPicker: { config: EndpointPickerConfig.of({ scorers: [EppScorer.prefixCache(1.5)] }) } }),
  },
  {
    name: 'prefix-cache match weight above 1',
    error: 'endpointPicker.config.scorers[0].matchLengthWeight (endpoint_picker.config.scorers[0].match_length_weight): got 2',
    build: (s) => svc(s, { route: { gateway: 'gw' }, endpointPicker: { config: EndpointPickerConfig.of({ scorers: [EppScorer.prefixCache(3, { matchLengthWeight: 2 })] }) } }),
  },
  {
    name: 'custom scorer type malformed',
    error: 'endpointPicker.config.scorers[0].type (endpoint_picker.config.scorers[0].type): got "Queue Scorer"',
    build: (s) => svc(s, { route: { gateway: 'gw' }, endpointPicker: { config: EndpointPickerConfig.of({ scorers: [EppScorer.custom('Queue Scorer', 1)] }) } }),
  },
  {
    name: 'objective names duplicated',
    error: 'objectives[1].name: got "batch"; expected a name no other objective of the service has',
    build: (s) => svc(s, { route: { gateway: 'gw' }, objectives: [{ name: 'batch', priority: 1 }, { name: 'batch', priority: 2 }] }),
  },
  { name: 'objective name invalid', error: 'objectives[0].name: got "Batch"', build: (s) => svc(s, { route: { gateway: 'gw' }, objectives: [{ name: 'Batch', priority: 1 }] }) },
  { name: 'objective priority fractional', error: 'objectives[0].priority: got 1.5', build: (s) => svc(s, { route: { gateway: 'gw' }, objectives: [{ name: 'b', priority: 1.5 }] }) },
  {
    name: 'objectives without the llm-d router CRDs',
    error: 'An InferenceObjective needs llm-d router',
    build: (s) => { profile(s, [ClusterAddon.GATEWAY_API, ClusterAddon.INFERENCE_EXTENSION]); svc(s, { route: { gateway: 'gw' }, objectives: [{ name: 'b', priority: 1 }] }); },
  },
  {
    name: 'rewrite weights all-or-none',
    error: 'modelRewrites[0].targets (model_rewrites[0].targets): 1 of 2 targets have a weight; either every target has a weight or none has',
    build: (s) => svc(s, {
      route: { gateway: 'gw' },
      loraAdapters: [LoraAdapter.huggingFace('v1', 'o/v1'), LoraAdapter.huggingFace('v2', 'o/v2')],
      modelRewrites: [{ model: 'sql', targets: [{ model: 'v1', weight: 9 }, { model: 'v2' }] }],
    }),
  },
  {
    name: 'rewrite to a model the service does not serve',
    error: 'modelRewrites[0].targets[0].model (model_rewrites[0].targets[0].model): got "v3"; expected a model the service serves',
    build: (s) => svc(s, { route: { gateway: 'gw' }, modelRewrites: [{ model: 'sql', targets: [{ model: 'v3' }] }] }),
  },
  { name: 'rewrite without targets', error: 'modelRewrites[0].targets (model_rewrites[0].targets): is empty', build: (s) => svc(s, { route: { gateway: 'gw' }, modelRewrites: [{ model: 'sql', targets: [] }] }) },
  {
    name: 'rewrite aliases duplicated',
    error: 'modelRewrites[1].model (model_rewrites[1].model): got "sql"',
    build: (s) => svc(s, { route: { gateway: 'gw' }, servedModelName: 'm', modelRewrites: [{ model: 'sql', targets: [{ model: 'm' }] }, { model: 'sql', targets: [{ model: 'm' }] }] }),
  },
  {
    name: 'rewrite weight above 1,000,000',
    error: 'modelRewrites[0].targets[0].weight (model_rewrites[0].targets[0].weight): got 2000000',
    build: (s) => svc(s, { route: { gateway: 'gw' }, servedModelName: 'm', modelRewrites: [{ model: 'sql', targets: [{ model: 'm', weight: 2000000 }] }] }),
  },
  {
    name: 'rewrite alias shadowing the served model',
    error: 'modelRewrites (model_rewrites): got "m"; expected a client-visible name that is not already the served model',
    build: (s) => svc(s, { servedModelName: 'm', modelRewrites: [{ model: 'm', targets: [{ model: 'm' }] }] }),
  },
  {
    name: 'route without the Inference Extension',
    error: 'An InferencePool needs Gateway API Inference Extension',
    build: (s) => { profile(s, [ClusterAddon.GATEWAY_API]); svc(s, { route: { gateway: 'gw' } }); },
  },
  { name: 'route without Gateway API', error: 'An HTTPRoute needs Gateway API', build: (s) => { profile(s, [ClusterAddon.INFERENCE_EXTENSION]); svc(s, { route: { gateway: 'gw' } }); } },

  // --- gateway providers
  {
    name: 'kgateway with a plaintext picker',
    error: 'kgateway cannot reach a plaintext endpoint picker (kgateway-dev/kgateway#11429)',
    build: (s) => svc(s, { route: { gateway: 'gw', provider: GatewayProvider.kgateway({ eppTls: false }) } }),
  },
  {
    name: 'kgateway with weighted pools',
    error: 'has 2 InferencePool backends; kgateway does not route a rule with several weighted InferencePool backends',
    build: (s) => route(s, { provider: GatewayProvider.kgateway(), backends: [{ service: svc(s, {}, 'a'), weight: 50 }, { service: svc(s, {}, 'b'), weight: 50 }] }),
  },
  {
    name: 'Envoy AI Gateway with two pools in a rule',
    error: 'Envoy AI Gateway allows one InferencePool per route rule',
    build: (s) => route(s, { provider: GatewayProvider.envoyAiGateway(), backends: [{ service: svc(s, {}, 'a'), weight: 50 }, { service: svc(s, {}, 'b'), weight: 50 }] }),
  },
  {
    name: 'one pool behind two providers',
    error: 'provider: Default/a is already routed through istio',
    build: (s) => {
      const a = svc(s, { route: { gateway: 'gw', provider: GatewayProvider.istio() } }, 'a');
      route(s, { provider: GatewayProvider.agentgateway(), backends: [{ service: a }] });
    },
  },
  {
    name: 'two GKE timeouts for one pool',
    error: 'requestTimeout (request_timeout): 60s conflicts with 300s',
    build: (s) => {
      const a = svc(s, { route: { gateway: 'gw', provider: GatewayProvider.gke(), requestTimeout: Duration.minutes(5) } }, 'a');
      route(s, { provider: GatewayProvider.gke(), requestTimeout: Duration.minutes(1), backends: [{ service: a }] });
    },
  },

  // --- routes: weights, backends, model names, Gateway reference
  {
    name: 'weights not summing to 100',
    error: 'backends: weights 90 + 20 = 110; the weights of a rule are percentages and must add up to 100',
    build: (s) => route(s, { backends: [{ service: svc(s, {}, 'a'), weight: 90 }, { service: svc(s, {}, 'b'), weight: 20 }] }),
  },
  {
    name: 'weight missing in a split',
    error: 'backends[1].weight: is missing; a rule with 2 backends needs a weight on each',
    build: (s) => route(s, { backends: [{ service: svc(s, {}, 'a'), weight: 90 }, { service: svc(s, {}, 'b') }] }),
  },
  { name: 'weight above 100', error: 'backends[0].weight: got 150; expected an integer from 0 to 100', build: (s) => route(s, { backends: [{ service: svc(s), weight: 150 }] }) },
  { name: 'only backend at weight 0', error: 'backends: the only backend has weight 0', build: (s) => route(s, { backends: [{ service: svc(s), weight: 0 }] }) },
  {
    name: 'duplicate model names on one route',
    error: 'models[1].modelName (models[1].model_name): got "m"; expected a model name no other rule of the route matches',
    build: (s) => {
      const a = svc(s, { servedModelName: 'm' }, 'a');
      route(s, { models: [{ modelName: 'm', backends: [{ service: a }] }, { modelName: 'm', backends: [{ service: a }] }] });
    },
  },
  {
    name: 'same service twice in a rule',
    error: 'backends[1].service: Default/a is already a backend of this rule',
    build: (s) => { const a = svc(s, {}, 'a'); route(s, { backends: [{ service: a, weight: 50 }, { service: a, weight: 50 }] }); },
  },
  {
    name: 'model rule to a service that does not serve the model',
    error: 'models[0].backends[0].service: got "Default/a"; expected a service that serves "qwen"',
    build: (s) => route(s, { models: [{ modelName: 'qwen', backends: [{ service: svc(s, { servedModelName: 'llama' }, 'a') }] }] }),
  },
  { name: 'route without backends', error: 'backends: the route has no backends', build: (s) => route(s, {}) },
  {
    name: 'rule with more than 16 backends',
    error: 'backends: got 17; expected at most 16 backends (Gateway API)',
    build: (s) => route(s, { backends: Array.from({ length: 17 }, (_, i) => ({ service: svc(s, { gpus: undefined }, `s${i}`), weight: i === 0 ? 84 : 1 })) }),
  },
  {
    name: 'unknown Gateway namespace format (three parts)',
    error: 'gateway: got "a/b/c"; expected "name" or "namespace/name" of a Gateway',
    build: (s) => route(s, { gateway: 'a/b/c', backends: [{ service: svc(s) }] }),
  },
  { name: 'unknown Gateway namespace format (uppercase namespace)', error: 'gateway: got "Gateways/gw"', build: (s) => route(s, { gateway: 'Gateways/gw', backends: [{ service: svc(s) }] }) },
  { name: 'unknown Gateway namespace format (empty namespace)', error: 'gateway: got "/gw"', build: (s) => route(s, { gateway: '/gw', backends: [{ service: svc(s) }] }) },
  { name: 'listener name invalid', error: 'gatewaySection (gateway_section): got "HTTP"', build: (s) => route(s, { gatewaySection: 'HTTP', backends: [{ service: svc(s) }] }) },
  { name: 'hostname invalid', error: 'hostnames: got "LLM.example.com"', build: (s) => route(s, { hostnames: ['LLM.example.com'], backends: [{ service: svc(s) }] }) },
  { name: 'wildcard hostname with an empty label', error: 'hostnames: got "*.llm..example.com"; expected a lowercase DNS name, optionally starting with "*."', build: (s) => route(s, { hostnames: ['*.llm..example.com'], backends: [{ service: svc(s) }] }) },
  { name: 'hostnames duplicated', error: 'hostnames: got ["a.io","a.io"]; expected unique hostnames', build: (s) => route(s, { hostnames: ['a.io', 'a.io'], backends: [{ service: svc(s) }] }) },
  { name: 'more than 16 hostnames', error: 'hostnames: got 17', build: (s) => route(s, { hostnames: Array.from({ length: 17 }, (_, i) => `h${i}.io`), backends: [{ service: svc(s) }] }) },
  { name: 'path prefix with a dot segment', error: 'pathPrefix (path_prefix): got "/v1/../admin"', build: (s) => route(s, { pathPrefix: '/v1/../admin', backends: [{ service: svc(s) }] }) },
  { name: 'path prefix relative', error: 'pathPrefix (path_prefix): got "v1"', build: (s) => route(s, { pathPrefix: 'v1', backends: [{ service: svc(s) }] }) },
  { name: 'model-name header invalid', error: 'modelNameHeader (model_name_header): got "x model"', build: (s) => route(s, { modelNameHeader: 'x model', backends: [{ service: svc(s) }] }) },
  { name: 'request timeout fractional', error: 'requestTimeout (request_timeout): got', build: (s) => route(s, { requestTimeout: Duration.millis(1500), backends: [{ service: svc(s) }] }) },
  {
    name: 'route and service in different namespaces, one unset',
    error: 'the route\'s namespace ("gateways") and Default/a\'s (undefined) differ and one is unset',
    build: (s) => {
      const a = svc(s, {}, 'a');
      const other = new Chart(s.node.root as Construct, 'routes', { namespace: 'gateways' });
      route(other, { backends: [{ service: a }] });
    },
  },

  // --- canary hooks
  {
    name: 'holding the only backend',
    error: 'holdBackend (hold_backend): holding Default/a would leave the default rule with no backend taking traffic',
    build: (s) => { const a = svc(s, {}, 'a'); route(s, { backends: [{ service: a }] }).holdBackend(a, 'eval pending'); },
  },
  {
    name: 'holding a service that is not a backend',
    error: 'holdBackend (hold_backend): Default/b is not a backend of this route',
    build: (s) => { const a = svc(s, {}, 'a'); const b = svc(s, {}, 'b'); route(s, { backends: [{ service: a }] }).holdBackend(b, 'x'); },
  },
  {
    name: 'weights changed so they no longer add up',
    error: 'weights: weights 50 + 10 = 60',
    build: (s) => {
      const a = svc(s, {}, 'a');
      const b = svc(s, {}, 'b');
      route(s, { backends: [{ service: a, weight: 90 }, { service: b, weight: 10 }] }).setBackendWeight(a, 50);
    },
  },
], { scope: (app) => new Chart(app, 'Default') });
