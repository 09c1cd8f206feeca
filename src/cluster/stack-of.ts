import { IConstruct } from 'constructs';
import { ClusterProfile } from './cluster-profile';
import { MonitoringStack } from './monitoring-stack';

/** Finds the stack a platform-level construct chose for `scope`, if any; registered from the layer above. */
export type MonitoringStackChooser = (scope: IConstruct) => MonitoringStack | undefined;

const CHOOSERS = new WeakMap<IConstruct, MonitoringStackChooser>();

/**
 * Lets a construct above this layer (PlatformObservability) choose the stack for every scope of its app. The cluster
 * layer owns this hook so that it never imports the platform layer.
 */
export function registerMonitoringStackChooser(scope: IConstruct, chooser: MonitoringStackChooser): void {
  CHOOSERS.set(scope.node.root, chooser);
}

/**
 * The Prometheus installation that scrapes and evaluates what `scope` emits: the PlatformObservability's stack when
 * one applies, else the ClusterProfile's prometheus-operator add-on, else kube-prometheus-stack's defaults.
 * Internal (not exported from the package).
 */
export function monitoringStackOf(scope: IConstruct): MonitoringStack {
  const chosen = CHOOSERS.get(scope.node.root)?.(scope);
  return chosen ?? ClusterProfile.of(scope).monitoringStack ?? MonitoringStack.kubePrometheusStack();
}

/**
 * The Prometheus installation the app declares for `scope`: the PlatformObservability's stack when one applies, else
 * the ClusterProfile's prometheus-operator add-on's; undefined when neither exists (no kube-prometheus-stack
 * guess, for a value such as a query address that must not be made up). Internal (not exported from the package).
 */
export function declaredMonitoringStackOf(scope: IConstruct): MonitoringStack | undefined {
  return CHOOSERS.get(scope.node.root)?.(scope) ?? ClusterProfile.of(scope).monitoringStack;
}
