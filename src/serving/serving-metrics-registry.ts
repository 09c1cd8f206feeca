import { IConstruct } from 'constructs';
import { ServingMetrics } from './serving-metrics';

const RECORDED = new WeakMap<IConstruct, ServingMetrics[]>();

/** Records that a model server with these metrics runs in `scope`'s app, so the platform rules cover its names. */
export function recordServingMetrics(scope: IConstruct, metrics: ServingMetrics): void {
  const all = RECORDED.get(scope.node.root) ?? [];
  all.push(metrics);
  RECORDED.set(scope.node.root, all);
}

/** The model-server metrics recorded in `scope`'s app, in recording order. */
export function servingMetricsIn(scope: IConstruct): ServingMetrics[] {
  return RECORDED.get(scope.node.root) ?? [];
}
