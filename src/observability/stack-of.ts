import { IConstruct } from 'constructs';
import { MonitoringStack } from './monitoring-stack';
import { PlatformObservability } from './platform-observability';
import { ClusterProfile } from '../platform/cluster-profile';

/**
 * The Prometheus installation that scrapes and evaluates what `scope` emits: the PlatformObservability's stack when
 * one applies, else the ClusterProfile's prometheus-operator add-on, else kube-prometheus-stack's defaults.
 * Internal (not exported from the package).
 */
export function monitoringStackOf(scope: IConstruct): MonitoringStack {
  return PlatformObservability.of(scope)?.stack ?? ClusterProfile.of(scope).monitoringStack ?? MonitoringStack.kubePrometheusStack();
}
