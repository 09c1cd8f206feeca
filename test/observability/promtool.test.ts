/**
 * Every PrometheusRule the library synthesizes, checked and unit-tested by Prometheus' own promtool:
 *
 * - `promtool check rules` accepts every rule file (the `spec.groups` of each PrometheusRule) of the example platform
 *   and of apps configured to emit every alert the library has;
 * - every alert has a `promtool test rules` case in which it fires (with the labels and annotations Alertmanager
 *   receives) and one in which it stays silent, over synthetic series labelled as their exporters deliver them
 *   (alert-cases.ts); an alert kind without cases fails the test;
 * - the platform's recording rules compute what the dashboard shows (`promql_expr_test`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Chart } from 'cdk8s';
import { ALERT_KINDS_WITH_CASES, AlertCase, alertCases, alertKind, seriesName } from './alert-cases';
import { PromRule, PromtoolWorkspace, RuleFile, checkRules, promtoolPath, testRules } from './promtool';
import { DcgmLabels } from '../../src/accelerators/dcgm-labels';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { ClusterProfile } from '../../src/cluster/cluster-profile';
import { PlatformObservability } from '../../src/platform/observability/platform-observability';
import { WorkloadMonitoring } from '../../src/platform/observability/workload-monitoring';
import { ServingMetrics } from '../../src/serving/serving-metrics';
import { synthExample } from '../scanners/example-app';
import { KubeObject, PROJECT_ROOT, parseYamlObjects } from '../scanners/scanners';

/** A cold build of the simulated cluster's binaries (promtool among them) takes a while; warm, about a second. */
const BUILD_TIMEOUT = 90 * 60_000;
const H100 = 'NVIDIA H100 80GB HBM3';

/**
 * Apps that emit every alert the library has: the platform rules (with GPU prices, so the cost rules exist) and
 * workload monitors for every known model server (vLLM current and pre-0.10 names, SGLang, TGI), queued and not, with
 * DCGM's default `exported_*` labels and with `honorLabels: true`, default and custom thresholds.
 */
function everyAlertApps(): { label: string; objects: KubeObject[] }[] {
  const build = (label: string, namespace: string, dcgmLabels: DcgmLabels | undefined, thresholds: boolean) => {
    const app = new App();
    new ClusterProfile(app, 'Cluster');
    const chart = new Chart(app, 'alerts', { namespace, disableResourceNameHashes: true });
    new PlatformObservability(chart, 'Observability', {
      dcgmLabels,
      gpuPrices: [{ model: GpuModel.NVIDIA_H100_80_GB, pricePerHour: 2.5 }, { model: GpuModel.NVIDIA_L4, pricePerHour: 0.8 }],
      runbookBaseUrl: 'https://runbooks.example.com/ai',
    });
    const servers: [string, ServingMetrics][] = [['vllm', ServingMetrics.vllm()], ['vllm-legacy', ServingMetrics.vllm('0.9.2')], ['sglang', ServingMetrics.sglang()], ['tgi', ServingMetrics.tgi()]];
    for (const [id, serving] of servers) {
      new WorkloadMonitoring(chart, id, {
        podLabels: { 'app.kubernetes.io/instance': id },
        podNamePrefix: id,
        metricsPort: 'http',
        serving,
        thresholds: thresholds ? { latencyP95Seconds: 2.5, errorRatio: 0.01 } : undefined,
      });
    }
    new WorkloadMonitoring(chart, 'finetune', {
      podLabels: { 'app.kubernetes.io/instance': 'finetune' },
      podNamePrefix: 'finetune',
      localQueue: 'team-queue',
      thresholds: thresholds ? { gpuIdlePercent: 80, gpuMemoryRatio: 0.9, queueWaitSeconds: 600, restartsPerHour: 0 } : undefined,
    });
    return { label, objects: parseYamlObjects(app.synthYaml(), label) };
  };
  return [
    build('every alert, DCGM exported_* labels, default thresholds', 'ai-apps', undefined, false),
    build('every alert, DCGM honorLabels, custom thresholds', 'team-b', DcgmLabels.HONORED, true),
  ];
}

/** Recording-rule checks on a platform rule file: what the dashboard panels read, from one set of series. */
function recordingRuleTests(file: RuleFile): any | undefined {
  const recorded = new Set(file.rules.map((r) => r.record).filter((r) => r));
  if (!recorded.has('namespace:gpu_utilization:avg')) return undefined;
  const exported = file.rules.find((r) => r.record === 'namespace:gpu_utilization:avg')!.expr.includes('exported_namespace');
  const gpu = (metric: string, i: number) => {
    const workload = { namespace: 'research', pod: `llm-7c9d8f6b5-x2k4p${i}`, container: 'main' };
    const placed = exported
      ? { ...Object.fromEntries(Object.entries(workload).map(([k, v]) => [`exported_${k}`, v])), namespace: 'gpu-operator', pod: 'nvidia-dcgm-exporter-8xq2v' }
      : workload;
    return seriesName(metric, { gpu: String(i), modelName: H100, Hostname: 'gpu-node-1', ...placed });
  };
  const kueue = (le: string) => seriesName('kueue_local_queue_admission_wait_time_seconds_bucket', { name: 'research', exported_namespace: 'research', namespace: 'kueue-system', le });
  const vllm = (status: string) => seriesName('http_requests_total', { namespace: 'research', pod: 'llm-7c9d8f6b5-x2k4p', handler: '/v1/chat/completions', method: 'POST', status });
  const sample = (expr: string, labels: string, value: number) => ({ expr, eval_time: '20m', exp_samples: [{ labels, value }] });
  const tests = [
    sample('namespace:gpu_utilization:avg', 'namespace:gpu_utilization:avg{namespace="research"}', 40),
    sample('namespace:gpu_memory_used:ratio', 'namespace:gpu_memory_used:ratio{namespace="research"}', 0.75),
    sample('namespace_model:gpu_allocated:count', `namespace_model:gpu_allocated:count{modelName="${H100}", namespace="research"}`, 2),
    // Kueue delivers the LocalQueue's namespace as exported_namespace; the rule puts it back in namespace. All
    // observations beyond the largest finite bucket: p90 is that bucket's bound.
    sample('namespace:kueue_admission_wait_seconds:p90', 'namespace:kueue_admission_wait_seconds:p90{namespace="research"}', 120),
    sample('namespace:model_request_errors:ratio', 'namespace:model_request_errors:ratio{namespace="research"}', 0.1),
  ];
  if (recorded.has('namespace:gpu_cost_per_hour:sum')) {
    tests.push(sample(`gpu:price_per_hour{modelName="${H100}"}`, `gpu:price_per_hour{modelName="${H100}"}`, 2.5));
    tests.push(sample('namespace:gpu_cost_per_hour:sum', 'namespace:gpu_cost_per_hour:sum{namespace="research"}', 5));
  }
  return {
    name: 'platform recording rules',
    interval: '1m',
    input_series: [
      { series: gpu('DCGM_FI_DEV_GPU_UTIL', 0), values: '30x30' },
      { series: gpu('DCGM_FI_DEV_GPU_UTIL', 1), values: '50x30' },
      { series: gpu('DCGM_FI_DEV_FB_USED', 0), values: '60000x30' },
      { series: gpu('DCGM_FI_DEV_FB_FREE', 0), values: '20000x30' },
      { series: gpu('DCGM_FI_DEV_FB_USED', 1), values: '60000x30' },
      { series: gpu('DCGM_FI_DEV_FB_FREE', 1), values: '20000x30' },
      { series: kueue('60'), values: '0x30' },
      { series: kueue('120'), values: '0x30' },
      { series: kueue('+Inf'), values: '0+60x30' },
      { series: vllm('2xx'), values: '0+90x30' },
      { series: vllm('5xx'), values: '0+10x30' },
    ],
    promql_expr_test: tests,
  };
}

describe('PrometheusRules under promtool', () => {
  const sources = [{ label: 'examples/main.ts', objects: synthExample().objects }, ...everyAlertApps()];
  const ws = new PromtoolWorkspace();
  const files: RuleFile[] = sources.flatMap((s) => ws.ruleFiles(s.objects, s.label));
  const alerts = files.flatMap((f) => f.rules.filter((r) => r.alert).map((rule) => ({ file: f, rule })));
  const cases = new Map<PromRule, AlertCase[] | undefined>(
    alerts.map(({ file, rule }) => [rule, alertCases(rule, { namespace: file.object.metadata.namespace })]));

  beforeAll(() => {
    promtoolPath();
  }, BUILD_TIMEOUT);
  afterAll(() => ws.cleanup());

  test('promtool check rules accepts every PrometheusRule', () => {
    expect(files.length).toBeGreaterThanOrEqual(1 + 2 * 6);
    const result = checkRules(files.map((f) => f.path));
    if (!result.ok) throw new Error(`promtool check rules failed:\n${result.output}`);
    expect(result.output).not.toMatch(/FAILED|WARNING/);
  });

  test('every alert the library emits has a firing and a silent case', () => {
    const missing = alerts.filter(({ rule }) => !cases.get(rule)).map(({ file, rule }) => `${rule.alert} (kind ${alertKind(rule)}) in ${file.source}`);
    expect(missing).toEqual([]);
    for (const { rule } of alerts) {
      expect({ alert: rule.alert, outcomes: cases.get(rule)!.map((c) => c.fires).sort() }).toEqual({ alert: rule.alert, outcomes: [false, true] });
    }
    // The apps above emit every kind of alert that has cases, and every kind has cases.
    const emitted = [...new Set(alerts.map(({ rule }) => alertKind(rule)))].sort();
    expect(emitted).toEqual(ALERT_KINDS_WITH_CASES);
  });

  test('no alert is written where these apps cannot reach it', () => {
    // Only these files build PrometheusRules, and every alert kind they name is emitted above. A new construct with
    // rules, or a new alert, must be added to everyAlertApps() and given cases in alert-cases.ts.
    const src = path.join(PROJECT_ROOT, 'src');
    const walk = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? (e.name === 'imports' ? [] : walk(path.join(dir, e.name))) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []);
    const builders = walk(src).filter((f) => /kind: 'PrometheusRule'/.test(fs.readFileSync(f, 'utf8'))).map((f) => path.relative(PROJECT_ROOT, f)).sort();
    expect(builders).toEqual(['src/platform/observability/platform-observability.ts', 'src/platform/observability/workload-monitoring.ts']);
    const named = builders.flatMap((f) => [...fs.readFileSync(path.join(PROJECT_ROOT, f), 'utf8').matchAll(/alert\('(\w+)'/g)].map((m) => m[1]));
    expect([...new Set(named)].sort()).toEqual(ALERT_KINDS_WITH_CASES);
  });

  test('every alert fires when it should and stays silent when it should not (promtool test rules)', () => {
    const testFiles = files.flatMap((f) => {
      const groups = f.rules.filter((r) => r.alert).flatMap((r) => (cases.get(r) ?? []).map((c) => c.group));
      if (!groups.length) return [];
      return [ws.testFile(path.basename(f.path, '.yaml'), { rule_files: [f.path], evaluation_interval: '1m', fuzzy_compare: true, tests: groups })];
    });
    const result = testRules(testFiles);
    const total = [...cases.values()].reduce((n, c) => n + (c?.length ?? 0), 0);
    if (!result.ok) throw new Error(`promtool test rules failed (${alerts.length} alerts, ${total} cases):\n${result.output}`);
    expect(total).toBe(2 * alerts.length);
    console.log(`promtool: ${files.length} rule files, ${alerts.length} alerts of ${ALERT_KINDS_WITH_CASES.length} kinds, ${total} alert cases passed`);
  });

  test('the platform recording rules compute what the dashboard shows', () => {
    const platformFiles = files.filter((f) => recordingRuleTests(f));
    expect(platformFiles.length).toBe(3);
    const testFiles = platformFiles.map((f) => ws.testFile(`recording-${path.basename(f.path, '.yaml')}`, {
      rule_files: [f.path], evaluation_interval: '1m', fuzzy_compare: true, tests: [recordingRuleTests(f)],
    }));
    const result = testRules(testFiles);
    if (!result.ok) throw new Error(`promtool test rules failed on the recording rules:\n${result.output}`);
  });

  test('a case expecting the wrong outcome fails: the runner reports failures', () => {
    const { file, rule } = alerts.find(({ rule: r }) => alertKind(r) === 'KvCacheFull')!;
    const [firing] = cases.get(rule)!;
    const wrong = { ...firing.group, alert_rule_test: firing.group.alert_rule_test.map((t: any) => ({ ...t, exp_alerts: [] })) };
    const result = testRules([ws.testFile('expected-failure', { rule_files: [file.path], evaluation_interval: '1m', tests: [wrong] })]);
    expect(result.ok).toBe(false);
    expect(result.output).toContain(rule.alert);
  });
});
