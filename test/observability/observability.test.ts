import * as fc from 'fast-check';
import { DcgmLabels } from '../../src/accelerators/dcgm-labels';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { ClusterProfile } from '../../src/cluster/cluster-profile';
import { MonitoringStack } from '../../src/cluster/monitoring-stack';
import { AiTenant } from '../../src/platform/ai-tenant';
import { PlatformObservability } from '../../src/platform/observability/platform-observability';
import { WorkloadMonitoring } from '../../src/platform/observability/workload-monitoring';
import { ServingMetrics } from '../../src/serving/serving-metrics';
import { badInputCatalogue, checkProperty, validateChart } from '../harness';
import { GpuServer, platform } from '../security/fixtures';

const APISERVER_TIMEOUT = 600_000;
const SEED_PANELS = ['GPU utilization', 'GPU memory', 'Request latency p95', 'Error rate', 'Queue time p90', 'Pod restarts (1h)', 'Cost per namespace (USD/h)'];

function observed(stack?: MonitoringStack, dcgm?: DcgmLabels) {
  const p = platform();
  const obs = new PlatformObservability(p.chart, 'Observability', {
    stack,
    dcgmLabels: dcgm,
    gpuPrices: [{ model: GpuModel.NVIDIA_H100_80_GB, pricePerHour: 4.5 }, { model: GpuModel.NVIDIA_L4, pricePerHour: 0.8 }],
    runbookBaseUrl: 'https://runbooks.example.com/ai',
    dashboardFolder: 'AI Platform',
    tracing: { endpoint: 'http://otel-collector.observability.svc:4317' },
  });
  const a = new AiTenant(p.chart, 'research', { team: 'r', owner: 'o', costCenter: 'c', gpuQuota: [{ pool: p.pool, gpus: 8 }] });
  const b = new AiTenant(p.chart, 'prod', { team: 'p', owner: 'o', costCenter: 'c', gpuQuota: [{ pool: p.pool, gpus: 8 }] });
  new GpuServer(a, 'llm', { pool: p.pool, gpus: 1 });
  new GpuServer(b, 'chat', { pool: p.pool, gpus: 1, replicas: 2 });
  return { ...p, obs };
}

const rulesOf = (o: any) => o.spec.groups.flatMap((g: any) => g.rules);

describe('observability', () => {
  test('monitors and rules carry the stack selector labels (kube-prometheus-stack selects release only)', () => {
    const { chart } = observed(MonitoringStack.kubePrometheusStack('kps'));
    const monitors = chart.toJson().filter((o: any) => ['PodMonitor', 'PrometheusRule'].includes(o.kind));
    expect(monitors).toHaveLength(5);
    for (const m of monitors) expect(m.metadata.labels.release).toBe('kps');
    const plain = observed(MonitoringStack.kubePrometheus()).chart.toJson().filter((o: any) => o.kind === 'PodMonitor');
    expect(plain[0].metadata.labels.release).toBeUndefined();
  });

  test('GPU queries use exported_namespace/exported_pod by default and namespace/pod with honorLabels', () => {
    const exported = JSON.stringify(observed().chart.toJson());
    expect(exported).toContain('label_replace(DCGM_FI_DEV_GPU_UTIL{exported_namespace!=\\"\\"}, \\"namespace\\", \\"$1\\", \\"exported_namespace\\", \\"(.*)\\")');
    expect(exported).toContain('exported_pod=~\\"research-llm-.*\\"');
    const honored = JSON.stringify(observed(undefined, DcgmLabels.HONORED).chart.toJson());
    expect(honored).not.toMatch(/DCGM_FI_[A-Z_]+\{[^}]*exported_/);
    expect(honored).not.toContain('exported_pod');
  });

  test('vLLM metric names follow the version', () => {
    expect(ServingMetrics.vllm('0.9.2').kvCacheUsage).toBe('vllm:gpu_cache_usage_perc');
    expect(ServingMetrics.vllm('0.10.1').kvCacheUsage).toBe('vllm:kv_cache_usage_perc');
    expect(ServingMetrics.vllm('0.10.1').interTokenLatencyHistogram).toBe('vllm:time_per_output_token_seconds');
    expect(ServingMetrics.vllm('v0.11.0').interTokenLatencyHistogram).toBe('vllm:inter_token_latency_seconds');
  });

  test('workload alerts: GPU, restarts, latency, error rate, KV cache; every alert links a runbook', () => {
    const { chart } = observed();
    const rule = chart.toJson().find((o: any) => o.kind === 'PrometheusRule' && o.metadata.name === 'research-llm');
    expect(rulesOf(rule).map((r: any) => r.alert)).toEqual([
      'ResearchLlmRestarting', 'ResearchLlmGpusIdle', 'ResearchLlmGpuMemoryPressure', 'ResearchLlmLatencyHigh', 'ResearchLlmErrorRateHigh', 'ResearchLlmKvCacheFull',
    ]);
    for (const r of rulesOf(rule)) expect(r.annotations.runbook_url).toBe(`https://runbooks.example.com/ai#${r.alert.toLowerCase()}`);
    const latency = rulesOf(rule).find((r: any) => r.alert === 'ResearchLlmLatencyHigh');
    expect(latency.expr).toBe('histogram_quantile(0.95, sum by (le, namespace) (rate(vllm:e2e_request_latency_seconds_bucket{namespace="research", pod=~"research-llm-.*"}[5m]))) > 10');
  });

  test('queued training workloads get a Kueue queue-time alert', () => {
    const p = platform();
    const t = new AiTenant(p.chart, 't', { team: 't', owner: 'o', costCenter: 'c' });
    const m = new WorkloadMonitoring(t, 'train', { podLabels: { app: 'train' }, podNamePrefix: 'train', localQueue: t.queueName, thresholds: { queueWaitSeconds: 600 } });
    expect(m.podMonitor).toBeUndefined();
    const q = rulesOf(m.rules.toJson()).find((r: any) => r.alert === 'TrainQueueWaitLong');
    // Kueue's own ServiceMonitor sets no honorLabels: the LocalQueue's namespace arrives as exported_namespace.
    expect(q.expr).toBe('histogram_quantile(0.9, sum by (le, namespace, name) ('
      + 'label_replace(rate(kueue_local_queue_admission_wait_time_seconds_bucket{exported_namespace="t", name="t"}[30m]), "namespace", "$1", "exported_namespace", "(.*)") '
      + 'or rate(kueue_local_queue_admission_wait_time_seconds_bucket{exported_namespace="", namespace="t", name="t"}[30m]))) > 600');
  });

  test('cost per namespace = GPUs held x the given price per model; the dashboard has the seed panels', () => {
    const { obs } = observed();
    const records = Object.fromEntries(rulesOf(obs.rules.toJson()).filter((r: any) => r.record).map((r: any) => [r.record, r.expr]));
    expect(records['gpu:price_per_hour']).toBe('label_replace(vector(4.5), "modelName", "NVIDIA H100 80GB HBM3", "", "") or label_replace(vector(4.5), "modelName", "NVIDIA H100 PCIe", "", "") or label_replace(vector(0.8), "modelName", "NVIDIA L4", "", "")');
    expect(records['namespace:gpu_cost_per_hour:sum']).toBe('sum by (namespace) (namespace_model:gpu_allocated:count * on (modelName) group_left() gpu:price_per_hour)');
    const cm = obs.dashboard.toJson();
    expect(cm.metadata.labels.grafana_dashboard).toBe('1');
    expect(cm.metadata.annotations).toEqual({ 'k8s-sidecar-target-directory': 'AI Platform' });
    const dashboard = JSON.parse(cm.data['observability.json']);
    expect(dashboard.panels.map((p: any) => p.title)).toEqual(SEED_PANELS);
    expect(dashboard.templating.list[1].query).toBe('prod,research');
    for (const p of dashboard.panels) expect(records[p.targets[0].expr.replace(/\{.*$/, '')]).toBeDefined();
  });
});

describe('observability on the real apiserver', () => {
  test('PodMonitors, PrometheusRules and the dashboard ConfigMap are accepted', async () => {
    await validateChart(observed().chart);
  }, APISERVER_TIMEOUT);

  test('property: 200 generated monitoring setups are accepted', async () => {
    const arbitrary = fc.record({
      release: fc.constantFrom('kube-prometheus-stack', 'kps', 'monitoring-stack'),
      plain: fc.boolean(),
      honored: fc.boolean(),
      server: fc.constantFrom('vllm', 'sglang', 'tgi'),
      version: fc.constantFrom('0.9.0', '0.10.2', '0.11.1', '0.12.0'),
      price: fc.double({ min: 0, max: 20, noNaN: true }),
      latency: fc.integer({ min: 1, max: 120 }),
      errorRatio: fc.double({ min: 0, max: 1, noNaN: true }),
      queue: fc.boolean(),
      gpus: fc.boolean(),
      runbooks: fc.boolean(),
    });
    const report = await checkProperty(arbitrary, (v) => {
      const p = platform();
      new PlatformObservability(p.chart, 'Obs', {
        stack: v.plain ? MonitoringStack.kubePrometheus() : MonitoringStack.kubePrometheusStack(v.release),
        dcgmLabels: v.honored ? DcgmLabels.HONORED : DcgmLabels.EXPORTED,
        gpuPrices: [{ model: GpuModel.NVIDIA_H100_80_GB, pricePerHour: v.price }],
        runbookBaseUrl: v.runbooks ? 'https://runbooks.example.com' : undefined,
      });
      const t = new AiTenant(p.chart, 'team', { team: 't', owner: 'o', costCenter: 'c', gpuQuota: [{ pool: p.pool, gpus: 4 }] });
      const serving = v.server === 'vllm' ? ServingMetrics.vllm(v.version) : v.server === 'sglang' ? ServingMetrics.sglang() : ServingMetrics.tgi();
      new WorkloadMonitoring(t, 'srv', {
        podLabels: { app: 'srv' },
        podNamePrefix: 'team-srv',
        metricsPort: 'http',
        serving,
        gpus: v.gpus,
        localQueue: v.queue ? t.queueName : undefined,
        thresholds: { latencyP95Seconds: v.latency, errorRatio: v.errorRatio },
      });
      return p.chart;
    }, { numRuns: 200 });
    expect(report.numRuns).toBe(200);
  }, APISERVER_TIMEOUT);
});

badInputCatalogue([
  { name: 'negative GPU price', build: (s) => { new PlatformObservability(s, 'o', { gpuPrices: [{ model: GpuModel.NVIDIA_L4, pricePerHour: -1 }] }); }, error: '[bad-input/o] gpuPrices[0].pricePerHour (gpu_prices[0].price_per_hour): got -1; expected a price >= 0' },
  { name: 'two prices for one GPU model', build: (s) => { new PlatformObservability(s, 'o', { gpuPrices: [{ model: GpuModel.NVIDIA_L4, pricePerHour: 1 }, { model: GpuModel.NVIDIA_L4, pricePerHour: 2 }] }); }, error: '[bad-input/o] gpuPrices[1].model (gpu_prices[1].model): got "nvidia-l4"; expected one price per GPU model' },
  { name: 'currency that is not ISO 4217', build: (s) => { new PlatformObservability(s, 'o', { currency: 'dollars' }); }, error: '[bad-input/o] currency: got "dollars"; expected an ISO 4217 code such as "USD"' },
  { name: 'runbook base that is not a URL', build: (s) => { new PlatformObservability(s, 'o', { runbookBaseUrl: 'wiki/runbooks' }); }, error: '[bad-input/o] runbookBaseUrl (runbook_base_url): got "wiki/runbooks"; expected an http(s) URL' },
  { name: 'scrape interval that is not a duration', build: (s) => { new PlatformObservability(s, 'o', { scrapeInterval: '30' }); }, error: '[bad-input/o] scrapeInterval (scrape_interval): got "30"; expected a duration such as "30s"' },
  { name: 'tracing endpoint that is not a URL', build: (s) => { new PlatformObservability(s, 'o', { tracing: { endpoint: 'otel:4317' } }); }, error: '[bad-input/o] tracing.endpoint: got "otel:4317"; expected an http(s) URL' },
  { name: 'monitoring stack with a bad selector label', build: () => { MonitoringStack.custom({ selectorLabels: { release: 'not ok!' } }); }, error: '[MonitoringStack.custom] selectorLabels.release (selector_labels.release): got "not ok!"' },
  { name: 'vLLM version that is not a version', build: () => { ServingMetrics.vllm('latest'); }, error: '[ServingMetrics.vllm] version: got "latest"; expected a version such as "0.11.2"' },
  { name: 'custom server metric that is not a metric name', build: () => { ServingMetrics.custom({ server: 'x', requestLatencyHistogram: 'lat-ency', requestsTotal: 'r', errorMatcher: 'code="500"' }); }, error: '[ServingMetrics.x] requestLatencyHistogram (request_latency_histogram): got "lat-ency"; expected a Prometheus metric name' },
  { name: 'workload monitoring without pod labels', build: (s) => { new WorkloadMonitoring(s, 'm', { podLabels: {}, podNamePrefix: 'x' }); }, error: '[bad-input/m] podLabels (pod_labels): got {}; expected at least one label selecting the workload\'s pods' },
  { name: 'error-ratio threshold above 1', build: (s) => { new WorkloadMonitoring(s, 'm', { podLabels: { a: 'b' }, podNamePrefix: 'x', thresholds: { errorRatio: 5 } }); }, error: '[bad-input/m] thresholds.errorRatio (thresholds.error_ratio): got 5; expected a number from 0 to 1' },
  { name: 'metrics port that is not a port name', build: (s) => { new WorkloadMonitoring(s, 'm', { podLabels: { a: 'b' }, podNamePrefix: 'x', metricsPort: '8000' }); }, error: '[bad-input/m] metricsPort (metrics_port): got "8000"; expected a container port name (IANA_SVC_NAME)' },
  {
    name: 'monitoring on a cluster without prometheus-operator',
    build: (s) => { new ClusterProfile(s, 'Cluster', { addons: [] }); new WorkloadMonitoring(s, 'm', { podLabels: { a: 'b' }, podNamePrefix: 'x' }); },
    error: '[bad-input/m] monitoring: WorkloadMonitoring (PodMonitor, PrometheusRule) needs prometheus-operator (monitoring.coreos.com), which the ClusterProfile',
  },
], { title: 'observability bad inputs' });
