/**
 * Every ServiceMonitor, PodMonitor and PrometheusRule carries the labels the Prometheus of the ClusterProfile's
 * monitoring stack selects on: without them the Prometheus of a kube-prometheus-stack install (selectors
 * `matchLabels: { release: <Helm release> }`, kube-prometheus-stack-88.5.3 templates/prometheus/prometheus.yaml)
 * never scrapes the serving metrics, and the latency/error rules and the eval gate's Prometheus queries stay empty.
 */
import { ApiObject, App, Chart } from 'cdk8s';
import * as fc from 'fast-check';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { ClusterProfile } from '../../src/cluster/cluster-profile';
import { MonitoringStack } from '../../src/cluster/monitoring-stack';
import { PlatformObservability } from '../../src/platform/observability/platform-observability';
import { WorkloadMonitoring } from '../../src/platform/observability/workload-monitoring';
import { synthExample } from '../scanners/example-app';
import { sampleApps } from '../scanners/sample-apps';
import { KubeObject, parseYamlObjects } from '../scanners/scanners';
import { ROUTINGS, SERVERS, llama } from '../serving/fixtures';

const MONITOR_KINDS = ['ServiceMonitor', 'PodMonitor', 'PrometheusRule'];

const monitorsOf = (objects: readonly KubeObject[]) => objects.filter((o) => o.apiVersion.startsWith('monitoring.coreos.com/') && MONITOR_KINDS.includes(o.kind));

/** The monitors and rules a Prometheus selecting by `matchLabels: selectorLabels` would miss. */
function unselected(objects: readonly KubeObject[], selectorLabels: Record<string, string>): string[] {
  return monitorsOf(objects)
    .filter((o) => Object.entries(selectorLabels).some(([k, v]) => (o.metadata.labels as Record<string, string> | undefined)?.[k] !== v))
    .map((o) => `${o.kind}/${o.metadata.namespace ?? '-'}/${o.metadata.name} labels=${JSON.stringify(o.metadata.labels ?? {})}`);
}

/** kube-prometheus-stack's default selector for a release named like the chart. */
const KPS_DEFAULT = MonitoringStack.kubePrometheusStack().selectorLabels;

describe('monitors carry the labels the monitoring stack selects on', () => {
  test('the default stack is kube-prometheus-stack\'s selector: release=<release name>', () => {
    expect(KPS_DEFAULT).toEqual({ release: 'kube-prometheus-stack' });
    expect(ClusterAddon.PROMETHEUS_OPERATOR.monitoringStack?.selectorLabels).toEqual(KPS_DEFAULT);
    expect(new ClusterProfile(new App(), 'Cluster').monitoringStack?.selectorLabels).toEqual(KPS_DEFAULT);
  });

  test('the example platform: every PodMonitor, ServiceMonitor and PrometheusRule', () => {
    const { objects } = synthExample();
    const monitors = monitorsOf(objects);
    expect(new Set(monitors.map((o) => o.kind))).toEqual(new Set(['PodMonitor', 'ServiceMonitor', 'PrometheusRule']));
    expect(unselected(objects, KPS_DEFAULT)).toEqual([]);
  });

  test('generated apps (the scanners\' fast-check sample)', () => {
    let checked = 0;
    for (const app of sampleApps()) {
      const objects = app.objects();
      checked += monitorsOf(objects).length;
      expect({ app: app.label, unselected: unselected(objects, KPS_DEFAULT) }).toEqual({ app: app.label, unselected: [] });
    }
    expect(checked).toBeGreaterThan(0);
  });

  test('a profile naming its stack: every server, routing and monitor carries that stack\'s labels, and only those', () => {
    fc.assert(fc.property(
      fc.constantFrom(...Object.keys(SERVERS)),
      fc.constantFrom(...Object.keys(ROUTINGS)),
      fc.stringMatching(/^[a-z]([a-z0-9-]{0,20}[a-z0-9])?$/),
      fc.boolean(),
      (server, routing, release, platformRules) => {
        const stack = MonitoringStack.kubePrometheusStack(release, 'observability');
        const app = new App();
        new ClusterProfile(app, 'Cluster', { addons: [...ClusterAddon.defaults(), ClusterAddon.prometheusOperatorWith(stack)] });
        const chart = new Chart(app, 'apps', { namespace: 'ai-apps', disableResourceNameHashes: true });
        const obs = platformRules ? new PlatformObservability(chart, 'Observability') : undefined;
        ROUTINGS[routing](chart, SERVERS[server]);
        new WorkloadMonitoring(chart, 'train', { podLabels: { app: 'train' }, podNamePrefix: 'train', localQueue: 'q' });
        const objects = parseYamlObjects(app.synthYaml(), 'generated app');
        expect(monitorsOf(objects).length).toBeGreaterThanOrEqual(2);
        expect(unselected(objects, { release })).toEqual([]);
        if (obs) expect(obs.stack).toBe(stack);
        // Prometheus of that stack (its namespace) may scrape the servers.
        const metricsAllows = objects.filter((o) => o.kind === 'NetworkPolicy' && JSON.stringify(o).includes('"kubernetes.io/metadata.name":"observability"'));
        if (platformRules) expect(metricsAllows.length).toBeGreaterThan(0);
      },
    ), { numRuns: 12, seed: 20261207 });
  });

  test('the stack from the profile reaches monitors the user writes; labels the object already has win', () => {
    const app = new App();
    new ClusterProfile(app, 'Cluster', { addons: [...ClusterAddon.defaults(), ClusterAddon.prometheusOperatorWith(MonitoringStack.kubePrometheusStack('monitoring'))] });
    const chart = new Chart(app, 'apps', { namespace: 'ai-apps', disableResourceNameHashes: true });
    const own = new ApiObject(chart, 'Mine', { apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name: 'mine' }, spec: { selector: {}, endpoints: [] } });
    const explicit = llama(chart, 'llama', SERVERS.vllm(), { monitoring: { labels: { release: 'second-prometheus' } } });
    const objects = parseYamlObjects(app.synthYaml(), 'app');
    expect(own.metadata.getLabel('release')).toBe('monitoring');
    expect(objects.find((o) => o.kind === 'PodMonitor' && o.metadata.name === explicit.name)?.metadata.labels).toMatchObject({ release: 'second-prometheus' });
    // The profile lists one prometheus-operator: the explicit stack replaced the default one.
    expect(ClusterProfile.of(chart).addons.filter((a) => a.id === ClusterAddon.PROMETHEUS_OPERATOR.id)).toHaveLength(1);
  });

  test('kube-prometheus selects every monitor: no labels added; two stacks in one profile are refused', () => {
    const app = new App();
    new ClusterProfile(app, 'Cluster', { addons: [...ClusterAddon.defaults(), ClusterAddon.prometheusOperatorWith(MonitoringStack.kubePrometheus())] });
    const chart = new Chart(app, 'apps', { namespace: 'ai-apps', disableResourceNameHashes: true });
    llama(chart, 'llama', SERVERS.vllm());
    const monitors = monitorsOf(parseYamlObjects(app.synthYaml(), 'app'));
    expect(monitors.length).toBeGreaterThan(0);
    for (const m of monitors) expect((m.metadata.labels as any)?.release).toBeUndefined();

    expect(() => new ClusterProfile(new App(), 'Cluster', {
      addons: [
        ClusterAddon.prometheusOperatorWith(MonitoringStack.kubePrometheus()),
        ClusterAddon.prometheusOperatorWith(MonitoringStack.kubePrometheusStack()),
      ],
    })).toThrow(/at most one ClusterAddon.prometheusOperatorWith/);
  });
});
