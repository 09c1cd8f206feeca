// The monitoring stack named by the ClusterProfile (`ClusterAddon.prometheusOperatorWith(stack)`), in a namespace of
// its own, is the Prometheus that the serving scrape NetworkPolicy admits and the eval gate queries (issue 16):
// monitoringStackOf() everywhere, not PlatformObservability-or-defaults.
import { Chart, Testing } from 'cdk8s';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { ClusterProfile } from '../../src/cluster/cluster-profile';
import { MonitoringStack } from '../../src/cluster/monitoring-stack';
import { EvalDelivery, EvalGate, EvalSuite, EvalThreshold } from '../../src/evals';
import { PlatformObservability } from '../../src/platform/observability/platform-observability';
import { ModelServer } from '../../src/serving/model-server';
import { appObjects, canary, find } from '../evals/fixtures';
import { llama } from '../serving/fixtures';

const OWN_STACK = MonitoringStack.custom(
  { selectorLabels: { prometheus: 'platform' }, namespace: 'observability', prometheusPodLabels: { 'app.kubernetes.io/instance': 'platform' } },
  'the platform Prometheus');
const addonsWith = (stack: MonitoringStack) => [
  ...ClusterAddon.defaults().filter((a) => a.id !== ClusterAddon.PROMETHEUS_OPERATOR.id), ClusterAddon.prometheusOperatorWith(stack),
  ClusterAddon.ARGO_ROLLOUTS,
];

/** A vLLM service in a chart of a cluster whose profile names OWN_STACK; `before` adds constructs ahead of it. */
function servingObjects(before?: (chart: Chart) => void): any[] {
  const app = Testing.app();
  new ClusterProfile(app, 'Cluster', { addons: addonsWith(OWN_STACK) });
  const chart = new Chart(app, 'ai', { namespace: 'serving', disableResourceNameHashes: true });
  before?.(chart);
  llama(chart, 'llama', ModelServer.vllm());
  return chart.toJson();
}

const scrapeRule = (objects: any[]) => find(objects, 'NetworkPolicy', 'llama').spec.ingress
  .find((r: any) => r.ports.some((p: any) => p.port === 'http'));

describe("the ClusterProfile's monitoring stack", () => {
  test('serving: the scrape NetworkPolicy admits its Prometheus pods in its namespace; the PodMonitor carries its selector labels', () => {
    const objects = servingObjects();
    expect(scrapeRule(objects).from).toEqual([{
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'observability' } },
      podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'platform' } },
    }]);
    expect(find(objects, 'PodMonitor').metadata.labels.prometheus).toBe('platform');
  });

  test("serving: a PlatformObservability's stack still wins over the profile's", () => {
    const objects = servingObjects((chart) => new PlatformObservability(chart, 'obs', { stack: MonitoringStack.kubePrometheusStack('kps', 'kps-system') }));
    expect(scrapeRule(objects).from[0].namespaceSelector).toEqual({ matchLabels: { 'kubernetes.io/metadata.name': 'kps-system' } });
  });

  test('eval gate: Prometheus thresholds query and reach the Prometheus in its namespace', () => {
    const c = canary({ addons: addonsWith(OWN_STACK) });
    new EvalGate(c.chart, 'gate', {
      target: c.candidate,
      suite: EvalSuite.lmEvalHarness({ tasks: ['gsm8k'], limit: 100 }),
      thresholds: [EvalThreshold.atLeast('gsm8k', 'exact_match,strict-match', 0.7), EvalThreshold.maxLatency(2.5)],
      delivery: EvalDelivery.argoRollouts({ currentStep: 0 }),
    });
    const at = find(appObjects(c.app), 'AnalysisTemplate', 'gate');
    const latency = at.spec.metrics.find((m: any) => m.provider.prometheus);
    expect(latency.provider.prometheus.address).toBe('http://prometheus-operated.observability.svc:9090');
  });
});
