import { Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { findObject, llama, newChart, objectsOf } from './fixtures';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { gpuDemands } from '../../src/cluster/app-registry';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { ClusterProfile } from '../../src/cluster/cluster-profile';
import { warnings } from '../../src/cluster/platform-warnings';
import { InferenceService } from '../../src/serving/inference-service';
import { ModelCache } from '../../src/serving/model-cache';
import { ModelServer } from '../../src/serving/model-server';
import { ModelSource } from '../../src/serving/model-source';
import { ServerMetric, ServingAutoscaling } from '../../src/serving/serving-autoscaling';

const server = (objects: any[], name = 'llama') => findObject(objects, 'Deployment', name).spec.template.spec;

describe('InferenceService: the quick-start shape', () => {
  const { chart } = newChart();
  const llm = new InferenceService(chart, 'llama', {
    model: ModelSource.huggingFace('meta-llama/Llama-3.1-8B-Instruct'),
    server: ModelServer.vllm(),
    gpus: GpuRequest.of(1, { model: GpuModel.NVIDIA_H100_80_GB }),
    route: { gateway: 'inference-gateway' },
  });
  const objects = objectsOf(chart);

  test('emits the server, its Service, the pool, the picker and the route, and exposes them', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ConfigMap/llama-epp', 'Deployment/llama', 'Deployment/llama-epp', 'HTTPRoute/llama-route', 'InferencePool/llama',
      'NetworkPolicy/llama', 'NetworkPolicy/llama-epp', 'PodMonitor/llama', 'ResourceClaimTemplate/llama-gpus', 'Role/llama-epp', 'RoleBinding/llama-epp', 'Service/llama',
      'Service/llama-epp', 'ServiceAccount/llama-epp', 'ServiceMonitor/llama-epp',
    ]);
    expect(llm.deployment!.kind).toBe('Deployment');
    expect(llm.inferencePool!.kind).toBe('InferencePool');
    expect(llm.httpRoute!.kind).toBe('HTTPRoute');
    expect(llm.endpointPicker!.deployment.name).toBe('llama-epp');
    expect(llm.gpuClaimTemplate!.kind).toBe('ResourceClaimTemplate');
    expect(llm.routes).toEqual([llm.route]);
  });

  test('the pool selects exactly the server pods, on the server port, with the picker Service', () => {
    const pool = findObject(objects, 'InferencePool').spec;
    const podLabels = findObject(objects, 'Deployment', 'llama').spec.template.metadata.labels;
    for (const [k, v] of Object.entries(pool.selector.matchLabels)) expect(podLabels[k]).toBe(v);
    const eppLabels = findObject(objects, 'Deployment', 'llama-epp').spec.template.metadata.labels;
    expect(Object.entries(pool.selector.matchLabels).every(([k, v]) => eppLabels[k] === v)).toBe(false);
    expect(pool.targetPorts).toEqual([{ number: server(objects).containers[0].ports[0].containerPort }]);
    expect(pool.endpointPickerRef).toEqual({ kind: 'Service', name: 'llama-epp', port: { number: 9002 }, failureMode: 'FailOpen' });
    expect(findObject(objects, 'Service', 'llama-epp').spec.ports[0].port).toBe(9002);
  });

  test('the HTTPRoute sends everything to the pool', () => {
    const route = findObject(objects, 'HTTPRoute').spec;
    expect(route.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'inference-gateway' }]);
    expect(route.rules).toEqual([{
      matches: [{ path: { type: 'PathPrefix', value: '/' } }],
      backendRefs: [{ group: 'inference.networking.k8s.io', kind: 'InferencePool', name: 'llama' }],
      timeouts: { request: '300s' }, // the llm-d chart's default (llm-d-router-gateway/values.yaml)
    }]);
  });

  test('the picker reads pods and the pool, and nothing else; no leases with one replica', () => {
    expect(findObject(objects, 'Role').rules).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['inference.networking.k8s.io'], resources: ['inferencepools'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['inference.networking.x-k8s.io'], resources: ['inferenceobjectives', 'inferencemodelrewrites'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['llm-d.ai'], resources: ['inferenceobjectives', 'inferencemodelrewrites'], verbs: ['get', 'list', 'watch'] },
    ]);
    const epp = findObject(objects, 'Deployment', 'llama-epp').spec;
    expect(epp.strategy).toEqual({ type: 'Recreate' });
    expect(epp.template.spec.automountServiceAccountToken).toBe(true);
    expect(epp.template.spec.containers[0].args).toEqual([
      '--pool-name', 'llama', '--pool-namespace', 'serving', '--pool-group', 'inference.networking.k8s.io',
      '--config-file', '/config/epp-config.yaml', '--grpc-port', '9002', '--grpc-health-port', '9003', '--metrics-port', '9090',
      '--secure-serving=true', '--metrics-endpoint-auth=false', '--tracing=false', '--zap-encoder=json',
    ]);
    expect(epp.template.spec.containers[0].readinessProbe.grpc).toEqual({ port: 9003, service: 'readiness' });
    expect(epp.template.spec.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
  });

  test('the server: vLLM command line, startup budget, drain, no token, no service-account token', () => {
    const spec = server(objects);
    const c = spec.containers[0];
    expect(c.command).toEqual(['vllm', 'serve']);
    expect(c.args).toEqual(['meta-llama/Llama-3.1-8B-Instruct', '--served-model-name', 'meta-llama/Llama-3.1-8B-Instruct', '--port', '8000',
      '--shutdown-timeout', '95']);
    expect(c.startupProbe).toEqual({ httpGet: { path: '/health', port: 'http' }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 180 });
    expect(c.lifecycle).toEqual({ preStop: { sleep: { seconds: 30 } } });
    expect(spec.terminationGracePeriodSeconds).toBe(130);
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.enableServiceLinks).toBe(false);
    expect(c.env.map((e: any) => e.name)).toEqual(['HF_HOME', 'HOME', 'VLLM_NO_USAGE_STATS']);
    // GPU containers keep a writable root: the NVIDIA CDI hook writes into it (kserve/kserve#5711).
    expect(c.securityContext.readOnlyRootFilesystem).toBe(false);
    expect(spec.volumes.find((v: any) => v.name === 'dshm')).toEqual({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '1Gi' } });
    expect(findObject(objects, 'Deployment', 'llama').metadata.labels['app.kubernetes.io/name']).toBe('vllm');
    expect(findObject(objects, 'Deployment', 'llama').spec.template.metadata.labels['llm-d.ai/engine-type']).toBe('vllm');
  });

  test('one replica: no PodDisruptionBudget; synth is deterministic', () => {
    expect(objects.find((o) => o.kind === 'PodDisruptionBudget')).toBeUndefined();
    const again = newChart();
    new InferenceService(again.chart, 'llama', {
      model: ModelSource.huggingFace('meta-llama/Llama-3.1-8B-Instruct'),
      server: ModelServer.vllm(),
      gpus: GpuRequest.of(1, { model: GpuModel.NVIDIA_H100_80_GB }),
      route: { gateway: 'inference-gateway' },
    });
    expect(JSON.stringify(objectsOf(again.chart))).toBe(JSON.stringify(objects));
  });
});

describe('InferenceService: servers', () => {
  test('SGLang: metrics on, generation readiness probe, picker engine label and extractor', () => {
    const { chart } = newChart();
    llama(chart, 'llama', ModelServer.sglang({ memFractionStatic: 0.8 }), { route: { gateway: 'gw' } });
    const objects = objectsOf(chart);
    const c = server(objects).containers[0];
    expect(c.command).toEqual(['python3', '-m', 'sglang.launch_server']);
    expect(c.args).toContain('--enable-metrics');
    expect(c.args).toEqual(expect.arrayContaining(['--host', '0.0.0.0', '--mem-fraction-static', '0.8']));
    expect(c.readinessProbe.httpGet.path).toBe('/health_generate');
    expect(c.readinessProbe.timeoutSeconds).toBe(30);
    expect(findObject(objects, 'Deployment', 'llama').spec.template.metadata.labels['llm-d.ai/engine-type']).toBe('sglang');
    const config = findObject(objects, 'ConfigMap').data['epp-config.yaml'];
    expect(config).toContain('defaultEngine: sglang');
  });

  test('TGI: archived upstream, warns; metric-free picker profile, no data layer', () => {
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const { chart } = newChart();
    const llm = llama(chart, 'llama', ModelServer.tgi(), { gpus: GpuRequest.of(2), route: { gateway: 'gw' } });
    llama(chart, 'llama-2', ModelServer.tgi(), { gpus: GpuRequest.of(2) });
    const objects = objectsOf(chart);
    // through the platform warnings: once per service on stderr, and in the PlatformReport
    const tgi = warnings(chart).filter((w) => w.includes('text-generation-inference is archived upstream'));
    expect(tgi.map((w) => w.slice(0, w.indexOf(']') + 1))).toEqual(['[ai/llama]', '[ai/llama-2]']);
    expect(stderr.mock.calls.filter(([text]) => String(text).includes('archived upstream'))).toHaveLength(2);
    expect(llm.node.metadata.some((m) => m.type === 'cdk8s-ai:warning')).toBe(true);
    stderr.mockRestore();
    const c = server(objects).containers[0];
    expect(c.command).toEqual(['text-generation-launcher']);
    expect(c.args).toEqual(expect.arrayContaining(['--num-shard', '2', '--huggingface-hub-cache', '/var/cache/models/hub']));
    const config = findObject(objects, 'ConfigMap').data['epp-config.yaml'];
    expect(config).toContain('active-request-scorer');
    expect(config).not.toContain('metrics-data-source');
    expect(config).not.toContain('queue-scorer');
    expect(findObject(objects, 'Deployment', 'llama').spec.template.metadata.labels['llm-d.ai/engine-type']).toBeUndefined();
    expect(server(objects).volumes.find((v: any) => v.name === 'dshm').emptyDir.sizeLimit).toBe('8Gi');
  });

  test('custom server: placeholders expanded, image entrypoint kept when no command', () => {
    const { chart } = newChart();
    llama(chart, 'llama', ModelServer.custom({
      name: 'mine',
      image: 'registry.example.com/mine:1',
      args: ['--model={model}', '--name', '{servedModelName}', '--port', '{port}', '--cache', '{cacheDir}'],
      downloadsFromHub: true,
    }), { servedModelName: 'm' });
    const c = server(objectsOf(chart)).containers[0];
    expect(c.command).toBeUndefined();
    expect(c.args).toEqual(['--model=meta-llama/Llama-3.1-8B-Instruct', '--name', 'm', '--port', '8000', '--cache', '/var/cache/models/hub']);
  });

  test('a CPU server keeps a read-only root filesystem; an explicit choice wins on GPU pods', () => {
    const { chart } = newChart();
    llama(chart, 'cpu', ModelServer.vllm(), { gpus: undefined });
    llama(chart, 'gpu', ModelServer.vllm(), { security: { readOnlyRootFilesystem: true } });
    const objects = objectsOf(chart);
    expect(server(objects, 'cpu').containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
    expect(server(objects, 'cpu').resourceClaims).toBeUndefined();
    expect(server(objects, 'gpu').containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
  });
});

describe('InferenceService: model sources and secrets', () => {
  test('the Hugging Face token is a Secret mounted as a file (HF_TOKEN_PATH), never an environment variable or a value', () => {
    const { chart } = newChart();
    llama(chart, 'llama', ModelServer.vllm(), {
      model: ModelSource.huggingFace('org/private', { tokenSecret: 'hf', tokenSecretKey: 'hf-token', revision: 'abc123' }),
      secretEnv: { OPENAI_API_KEY: { secretName: 'api', key: 'key' } },
    });
    const spec = server(objectsOf(chart));
    const c = spec.containers[0];
    expect(spec.volumes).toEqual(expect.arrayContaining([
      { name: 'hf-token', secret: { secretName: 'hf', items: [{ key: 'hf-token', path: 'token' }], defaultMode: 0o440 } },
    ]));
    expect(c.volumeMounts).toEqual(expect.arrayContaining([{ name: 'hf-token', mountPath: '/var/run/secrets/huggingface', readOnly: true }]));
    expect(c.env).toEqual(expect.arrayContaining([{ name: 'HF_TOKEN_PATH', value: '/var/run/secrets/huggingface/token' },
      { name: 'OPENAI_API_KEY', valueFrom: { secretKeyRef: { name: 'api', key: 'key' } } }]));
    expect(c.env.map((e: any) => e.name)).not.toEqual(expect.arrayContaining(['HF_TOKEN']));
    expect(c.env.map((e: any) => e.name)).not.toEqual(expect.arrayContaining(['HUGGING_FACE_HUB_TOKEN']));
    expect(c.env.every((e: any) => e.value === undefined || !String(e.value).startsWith('hf_'))).toBe(true);
    expect(c.args).toEqual(expect.arrayContaining(['--revision', 'abc123']));
  });

  test('S3: storage initializer into /mnt/models with credentials from a Secret; sized volume requested as ephemeral storage', () => {
    const { chart } = newChart();
    llama(chart, 'llama', ModelServer.vllm(), {
      model: ModelSource.storageUri('s3://models/llama', { credentialsSecret: 's3', size: Size.gibibytes(40) }),
      modelCache: ModelCache.emptyDir(Size.gibibytes(10)),
    });
    const spec = server(objectsOf(chart));
    const init = spec.initContainers[0];
    expect(init.name).toBe('model-download');
    expect(init.image).toBe('kserve/storage-initializer:v0.20.0');
    expect(init.args).toEqual(['s3://models/llama', '/mnt/models']);
    // credentials as a file (boto3 reads both variables), never as environment variables (checkov CKV_K8S_35)
    expect(init.envFrom).toBeUndefined();
    expect(init.env).toEqual(expect.arrayContaining([
      { name: 'AWS_CONFIG_FILE', value: '/var/run/secrets/model-storage/credentials' },
      { name: 'AWS_SHARED_CREDENTIALS_FILE', value: '/var/run/secrets/model-storage/credentials' },
    ]));
    expect(init.volumeMounts).toEqual(expect.arrayContaining([{ name: 'model-credentials', mountPath: '/var/run/secrets/model-storage', readOnly: true }]));
    expect(spec.volumes).toEqual(expect.arrayContaining([
      { name: 'model-credentials', secret: { secretName: 's3', items: [{ key: 'credentials', path: 'credentials' }], defaultMode: 0o440 } },
    ]));
    // the server container never sees the credentials
    expect(JSON.stringify(spec.containers)).not.toContain('model-credentials');
    expect(init.securityContext.readOnlyRootFilesystem).toBe(true);
    // KServe's storage-initializer defaults, as requests and limits; its volume as ephemeral storage, and the pod-wide
    // limit (download + cache + 10Gi headroom) every sized pod carries.
    expect(init.resources).toEqual({
      requests: { 'cpu': '1', 'memory': '1Gi', 'ephemeral-storage': '40Gi' },
      limits: { 'cpu': '1', 'memory': '1Gi', 'ephemeral-storage': '60Gi' },
    });
    expect(init.imagePullPolicy).toBe('Always');
    const c = spec.containers[0];
    expect(c.args[0]).toBe('/mnt/models');
    expect(c.volumeMounts).toEqual(expect.arrayContaining([{ name: 'model', mountPath: '/mnt/models', readOnly: true }]));
    expect(c.resources.requests['ephemeral-storage']).toBe('50Gi');
  });

  test('storageUri credentials per scheme: GCS key file, hf:// token file, Azure Blob client certificate file', () => {
    const { chart } = newChart();
    llama(chart, 'gcs', ModelServer.vllm(), { model: ModelSource.storageUri('gs://models/llama', { credentialsSecret: 'gcs', credentialsSecretKey: 'key.json' }) });
    llama(chart, 'hf', ModelServer.vllm(), { model: ModelSource.storageUri('hf://acme/llama', { credentialsSecret: 'hf' }) });
    llama(chart, 'azure', ModelServer.vllm(), { model: ModelSource.storageUri('https://acme.blob.core.windows.net/models/llama', { credentialsSecret: 'azure' }) });
    const objects = objectsOf(chart);
    const init = (name: string) => findObject(objects, 'Deployment', name).spec.template.spec;
    const gcs = init('gcs');
    expect(gcs.initContainers[0].env).toEqual(expect.arrayContaining([{ name: 'GOOGLE_APPLICATION_CREDENTIALS', value: '/var/run/secrets/model-storage/credentials' }]));
    expect(gcs.initContainers[0].envFrom).toBeUndefined();
    expect(gcs.volumes).toEqual(expect.arrayContaining([
      { name: 'model-credentials', secret: { secretName: 'gcs', items: [{ key: 'key.json', path: 'credentials' }], defaultMode: 0o440 } },
    ]));
    const hf = init('hf');
    expect(hf.initContainers[0].env).toEqual(expect.arrayContaining([{ name: 'HF_TOKEN_PATH', value: '/var/run/secrets/huggingface/token' }]));
    expect(hf.initContainers[0].envFrom).toBeUndefined();
    expect(hf.volumes).toEqual(expect.arrayContaining([{ name: 'hf-token', secret: { secretName: 'hf', items: [{ key: 'token', path: 'token' }], defaultMode: 0o440 } }]));
    const azure = init('azure');
    expect(azure.initContainers[0].envFrom).toBeUndefined();
    expect(azure.initContainers[0].env).toEqual(expect.arrayContaining([{ name: 'AZURE_CLIENT_CERTIFICATE_PATH', value: '/var/run/secrets/model-storage/credentials' }]));
    expect(azure.volumes).toEqual(expect.arrayContaining([
      { name: 'model-credentials', secret: { secretName: 'azure', items: [{ key: 'credentials', path: 'credentials' }], defaultMode: 0o440 } },
    ]));
  });

  test('OCI: the model image copies itself in; PVC: mounted read-only with a sub-path', () => {
    const { chart } = newChart();
    llama(chart, 'oci', ModelServer.vllm(), { model: ModelSource.storageUri('oci://registry.example.com/m:1', { ociModelPath: '/weights' }) });
    llama(chart, 'pvc', ModelServer.vllm(), { model: ModelSource.persistentVolumeClaim('models', { path: 'llama' }), modelCache: ModelCache.persistentVolumeClaim('hf-cache') });
    const objects = objectsOf(chart);
    expect(server(objects, 'oci').initContainers[0]).toMatchObject({ name: 'model-copy', image: 'registry.example.com/m:1', command: ['cp', '-R', '/weights/.', '/mnt/models/'] });
    const pvc = server(objects, 'pvc');
    expect(pvc.volumes).toEqual(expect.arrayContaining([
      { name: 'model', persistentVolumeClaim: { claimName: 'models', readOnly: true } },
      { name: 'model-cache', persistentVolumeClaim: { claimName: 'hf-cache' } },
    ]));
    expect(pvc.containers[0].args[0]).toBe('/mnt/models/llama');
  });
});

describe('InferenceService: multi-node', () => {
  const { chart } = newChart();
  const llm = llama(chart, 'big', ModelServer.vllm(), {
    gpus: GpuRequest.of(8), parallelism: { tensor: 8, pipeline: 2 }, multiNode: {}, replicas: 2, route: { gateway: 'gw' },
  });
  const objects = objectsOf(chart);
  const lws = findObject(objects, 'LeaderWorkerSet', 'big-lws').spec;

  test('one LeaderWorkerSet group per replica, recreated as a whole', () => {
    expect(llm.leaderWorkerSet).toBeDefined();
    expect(llm.deployment).toBeUndefined();
    expect(llm.podsPerReplica).toBe(2);
    expect(lws.replicas).toBe(2);
    expect(lws.leaderWorkerTemplate.size).toBe(2);
    expect(lws.leaderWorkerTemplate.restartPolicy).toBe('RecreateGroupOnPodRestart');
  });

  test('leader serves the API; workers run headless ranks without probes', () => {
    const leader = lws.leaderWorkerTemplate.leaderTemplate.spec.containers[0];
    const worker = lws.leaderWorkerTemplate.workerTemplate.spec.containers[0];
    expect(leader.args).toEqual(expect.arrayContaining(['--tensor-parallel-size', '8', '--pipeline-parallel-size', '2', '--nnodes', '2',
      '--node-rank', '0', '--master-addr', '$(LWS_LEADER_ADDRESS)', '--distributed-executor-backend', 'mp']));
    expect(leader.args).not.toContain('--headless');
    expect(worker.args).toEqual(expect.arrayContaining(['--node-rank', '$(LWS_WORKER_INDEX)', '--headless']));
    expect(leader.readinessProbe).toBeDefined();
    expect(worker.readinessProbe).toBeUndefined();
    expect(worker.ports).toBeUndefined();
  });

  test('the pool and Service select leaders only; GPU demand counts every pod', () => {
    const selector = { 'app.kubernetes.io/component': 'model-server', 'app.kubernetes.io/instance': 'big', 'leaderworkerset.sigs.k8s.io/worker-index': '0' };
    expect(findObject(objects, 'InferencePool').spec.selector.matchLabels).toEqual(selector);
    expect(findObject(objects, 'Service', 'big').spec.selector).toEqual(selector);
    expect(findObject(objects, 'PodDisruptionBudget').spec.maxUnavailable).toBe(2);
    const demand = gpuDemands(llm).find((d) => d.scope === llm)!;
    expect([demand.devicesPerPod, demand.pods]).toEqual([8, 4]);
  });
});

describe('InferenceService: scaling and monitoring', () => {
  test('HPA on the server queue metric, replicas left to it', () => {
    const { chart } = newChart();
    llama(chart, 'llama', ModelServer.vllm(), {
      autoscaling: ServingAutoscaling.serverMetric({ minReplicas: 2, maxReplicas: 6, metric: ServerMetric.KV_CACHE_USAGE, target: 0.75 }),
    });
    const objects = objectsOf(chart);
    expect(findObject(objects, 'Deployment').spec.replicas).toBeUndefined();
    expect(findObject(objects, 'HorizontalPodAutoscaler').spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'llama' },
      minReplicas: 2,
      maxReplicas: 6,
      metrics: [{ type: 'Pods', pods: { metric: { name: 'vllm:kv_cache_usage_perc' }, target: { type: 'AverageValue', averageValue: '750m' } } }],
    });
    expect(findObject(objects, 'PodDisruptionBudget').spec.maxUnavailable).toBe(1);
  });

  test('KEDA: a Prometheus trigger over the PodMonitor\'s series of this service', () => {
    const { app, chart } = newChart();
    new ClusterProfile(app, 'Cluster', { addons: [...ClusterAddon.defaults(), ClusterAddon.KEDA] });
    llama(chart, 'llama', ModelServer.sglang(), {
      autoscaling: ServingAutoscaling.keda({
        minReplicas: 1,
        maxReplicas: 3,
        metric: ServerMetric.QUEUE_DEPTH,
        target: 4,
        prometheusAddress: 'http://prometheus-operated.monitoring.svc:9090',
        pollingInterval: Duration.seconds(15),
      }),
      monitoring: { labels: { release: 'kube-prometheus-stack' }, interval: Duration.seconds(15) },
    });
    const objects = objectsOf(chart);
    expect(findObject(objects, 'ScaledObject').spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'llama' },
      minReplicaCount: 1,
      maxReplicaCount: 3,
      pollingInterval: 15,
      triggers: [{
        type: 'prometheus',
        metadata: {
          serverAddress: 'http://prometheus-operated.monitoring.svc:9090',
          query: 'sum(sglang:num_queue_reqs{namespace="serving",app_kubernetes_io_instance="llama"})',
          threshold: '4',
        },
      }],
    });
    const monitor = findObject(objects, 'PodMonitor');
    expect(monitor.metadata.labels.release).toBe('kube-prometheus-stack');
    expect(monitor.spec.podMetricsEndpoints).toEqual([{ port: 'http', path: '/metrics', interval: '15s' }]);
    expect(monitor.spec.podTargetLabels).toEqual(['app.kubernetes.io/instance']);
  });

  test('no prometheus-operator: no monitors', () => {
    const { app, chart } = newChart();
    new ClusterProfile(app, 'Cluster', { addons: [ClusterAddon.GATEWAY_API, ClusterAddon.INFERENCE_EXTENSION] });
    llama(chart, 'llama', ModelServer.vllm(), { route: { gateway: 'gw' } });
    const kinds = objectsOf(chart).map((o) => o.kind);
    expect(kinds).not.toContain('PodMonitor');
    expect(kinds).not.toContain('ServiceMonitor');
    // Without the llm-d CRDs the picker gets no permission on them.
    expect(JSON.stringify(findObject(objectsOf(chart), 'Role').rules)).not.toContain('llm-d.ai');
  });
});

describe('InferenceService: scanner-clean defaults', () => {
  const { chart } = newChart();
  const llm = llama(chart, 'llama', ModelServer.vllm(), { replicas: 2, route: { gateway: 'gateways/inference-gateway' } });
  const objects = objectsOf(chart);
  const spec = server(objects);
  const c = spec.containers[0];

  test('runs as user 65532 with HOME and the model cache on writable volumes', () => {
    expect(spec.securityContext).toMatchObject({ runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, runAsNonRoot: true });
    expect(c.env).toEqual(expect.arrayContaining([{ name: 'HOME', value: '/tmp' }, { name: 'HF_HOME', value: '/var/cache/models' }]));
    expect(c.volumeMounts.map((m: any) => m.mountPath)).toEqual(expect.arrayContaining(['/tmp', '/var/cache/models', '/dev/shm']));
  });

  test('CPU and memory requests with equal limits: 4 cores and 16Gi per GPU plus the shared memory', () => {
    expect(c.resources).toEqual({
      requests: { 'cpu': '4', 'memory': '17Gi', 'ephemeral-storage': '100Gi' },
      limits: { cpu: '4', memory: '17Gi' },
      claims: [{ name: 'gpus' }],
    });
  });

  test('a value the user gives is never replaced; a CPU limit can differ from the request', () => {
    const { chart: c2 } = newChart();
    llama(c2, 'own', ModelServer.vllm(), { resources: { cpu: '6', cpuLimit: '12', memory: '40Gi' } });
    llama(c2, 'cpu-only', ModelServer.vllm(), { gpus: undefined });
    const objs = objectsOf(c2);
    expect(server(objs, 'own').containers[0].resources).toMatchObject({ requests: { cpu: '6', memory: '40Gi' }, limits: { cpu: '12', memory: '40Gi' } });
    expect(server(objs, 'cpu-only').containers[0].resources).toEqual({
      requests: { 'cpu': '2', 'memory': '9Gi', 'ephemeral-storage': '100Gi' }, limits: { cpu: '2', memory: '9Gi' },
    });
  });

  test('a tag is pulled Always, a digest IfNotPresent, unless the user says otherwise', () => {
    expect(c.imagePullPolicy).toBe('Always');
    const { chart: c2 } = newChart();
    llama(c2, 'pinned', ModelServer.vllm({ image: 'registry.example.com/vllm@sha256:' + 'a'.repeat(64) }));
    expect(server(objectsOf(c2), 'pinned').containers[0].imagePullPolicy).toBe('IfNotPresent');
  });

  test('replicas prefer different nodes', () => {
    expect(spec.affinity.podAntiAffinity).toEqual({
      preferredDuringSchedulingIgnoredDuringExecution: [{
        weight: 100,
        podAffinityTerm: { labelSelector: { matchLabels: findObject(objects, 'Deployment', 'llama').spec.selector.matchLabels }, topologyKey: 'kubernetes.io/hostname' },
      }],
    });
  });

  test('outside a tenant the server pods admit only the gateway, the picker and Prometheus', () => {
    const policy = findObject(objects, 'NetworkPolicy', 'llama');
    const selector = { 'app.kubernetes.io/component': 'model-server', 'app.kubernetes.io/instance': 'llama' };
    expect(policy.spec.podSelector).toEqual({ matchLabels: selector });
    expect(policy.spec.policyTypes).toEqual(['Ingress']);
    expect(policy.spec.ingress).toEqual([
      { ports: [{ port: 'http', protocol: 'TCP' }], from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } } }] },
      { ports: [{ port: 8000, protocol: 'TCP' }], from: [{ podSelector: { matchLabels: findObject(objects, 'Deployment', 'llama-epp').spec.selector.matchLabels } }] },
      { ports: [{ port: 8000, protocol: 'TCP' }], from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gateways' } }, podSelector: {} }] },
    ]);
    const epp = findObject(objects, 'NetworkPolicy', 'llama-epp');
    expect(epp.spec.ingress).toEqual(expect.arrayContaining([
      { ports: [{ port: 9002, protocol: 'TCP' }], from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gateways' } }, podSelector: {} }] },
    ]));
    expect(llm.networkPolicy).toBeDefined();
  });

  test('the server\'s metric names come from the one catalogue (ServingMetrics)', () => {
    const m = ModelServer.vllm().metrics!;
    expect([m.requestsWaiting, m.requestsRunning, m.kvCacheUsage]).toEqual(['vllm:num_requests_waiting', 'vllm:num_requests_running', 'vllm:kv_cache_usage_perc']);
    expect(ModelServer.custom({ name: 'x', image: 'x@sha256:' + 'b'.repeat(64), args: ['{model}'] }).metrics).toBeUndefined();
  });
});

describe('cdk8s-plus-28 interop', () => {
  test('a kplus NetworkPolicy can target the service pods', () => {
    const { chart } = newChart();
    const llm = llama(chart, 'llama', ModelServer.vllm());
    const policy = new kplus.NetworkPolicy(chart, 'allow', { selector: llm });
    policy.addIngressRule(kplus.Pods.all(chart, 'anyone'), [kplus.NetworkPolicyPort.tcp(8000)]);
    const client = new kplus.NetworkPolicy(chart, 'client', { selector: kplus.Pods.all(chart, 'clients') });
    client.addEgressRule(llm, [kplus.NetworkPolicyPort.tcp(8000)]);
    // The service's own isolation policy (named like the service) comes first; the user's kplus policies follow.
    const rendered = Testing.synth(chart).filter((o) => o.kind === 'NetworkPolicy' && o.metadata.name !== 'llama');
    const labels = { 'app.kubernetes.io/component': 'model-server', 'app.kubernetes.io/instance': 'llama' };
    expect(rendered[0].spec.podSelector.matchLabels).toEqual(labels);
    const peer = rendered[1].spec.egress[0].to[0];
    expect(peer.podSelector.matchLabels).toEqual(labels);
    expect(peer.namespaceSelector.matchLabels).toEqual({ 'kubernetes.io/metadata.name': 'serving' });
    expect(llm.toPodSelector()).toBe(llm);
    expect(llm.toNetworkPolicyPeerConfig().podSelector!.namespaces!.names).toEqual(['serving']);
  });
});
