// GpuOperatorPolicy: the DCGM exporter's ServiceMonitor, which the operator creates, carries the monitoring stack's
// selector labels (issue 16), so kube-prometheus-stack's Prometheus (serviceMonitorSelector `release: <release>`)
// selects it. The operator adds spec.dcgmExporter.serviceMonitor.additionalLabels to the ServiceMonitor's labels
// (gpu-operator v26.7.0 controllers/object_controls.go applyServiceMonitorCustomEdits).
import { Chart, Testing } from 'cdk8s';
import { ALL_ADDONS } from './fixtures';
import { GpuOperatorPolicy } from '../../src/accelerators/gpu-operator-policy';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { ClusterProfile } from '../../src/cluster/cluster-profile';
import { MonitoringStack } from '../../src/cluster/monitoring-stack';
import { PlatformObservability } from '../../src/platform/observability/platform-observability';

function monitorOf(addons: ClusterAddon[], build: (chart: Chart) => void = () => undefined): any {
  const app = Testing.app();
  new ClusterProfile(app, 'Cluster', { addons });
  const chart = new Chart(app, 'c', { namespace: 'platform' });
  new GpuOperatorPolicy(chart, 'p', { serviceMonitor: true });
  build(chart);
  return chart.toJson().find((o: any) => o.kind === 'ClusterPolicy').spec.dcgmExporter.serviceMonitor;
}

const withStack = (stack: MonitoringStack) => [
  ...ALL_ADDONS.filter((a) => a.id !== ClusterAddon.PROMETHEUS_OPERATOR.id), ClusterAddon.prometheusOperatorWith(stack),
];

describe('GpuOperatorPolicy: the DCGM exporter ServiceMonitor is selected by the monitoring stack', () => {
  test('the default prometheus-operator add-on (kube-prometheus-stack): release: kube-prometheus-stack', () => {
    expect(monitorOf(ALL_ADDONS)).toEqual({ enabled: true, additionalLabels: { release: 'kube-prometheus-stack' } });
  });

  test("the profile's own stack: its release name and any other selector label", () => {
    expect(monitorOf(withStack(MonitoringStack.kubePrometheusStack('prom', 'observability'))).additionalLabels).toEqual({ release: 'prom' });
    const custom = MonitoringStack.custom({ selectorLabels: { prometheus: 'gpu', team: 'ml' }, namespace: 'mon' });
    expect(monitorOf(withStack(custom)).additionalLabels).toEqual({ prometheus: 'gpu', team: 'ml' });
  });

  test("a PlatformObservability's stack wins, even when declared after the policy", () => {
    const monitor = monitorOf(ALL_ADDONS, (chart) => new PlatformObservability(chart, 'obs', { stack: MonitoringStack.kubePrometheusStack('platform-prom') }));
    expect(monitor.additionalLabels).toEqual({ release: 'platform-prom' });
  });

  test('a stack that selects every monitor (kube-prometheus) adds no labels; no ServiceMonitor, no labels', () => {
    expect(monitorOf(withStack(MonitoringStack.kubePrometheus()))).toEqual({ enabled: true });
    const app = Testing.app();
    new ClusterProfile(app, 'Cluster', { addons: ALL_ADDONS });
    const chart = new Chart(app, 'c');
    new GpuOperatorPolicy(chart, 'p', {});
    expect(chart.toJson()[0].spec.dcgmExporter.serviceMonitor).toBeUndefined();
  });
});
