import { ApiObject, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import * as monitoring from '../imports/monitoring';
import { claimName } from '../internal/names';

/**
 * prometheus-operator monitors for the pods and Services our constructs emit. Kept in one small module so the
 * serving and observability layers generate scrape targets the same way.
 */
export interface ScrapeTarget {
  /** The construct that owns the monitor (name claims and errors are reported on it). */
  readonly scope: Construct;
  /** The construct id of the monitor object. */
  readonly id: string;
  /** The monitor's name. */
  readonly name: string;
  readonly namespace?: string;
  /** Labels of the monitor itself (e.g. the label your Prometheus selects monitors by). */
  readonly labels: { [key: string]: string };
  /** The pods (PodMonitor) or Services (ServiceMonitor) to scrape, by label. */
  readonly selector: { [key: string]: string };
  /** The name of the container port (PodMonitor) or Service port (ServiceMonitor). */
  readonly port: string;
  readonly path: string;
  readonly interval?: Duration;
  /** Pod labels copied onto every series (e.g. app.kubernetes.io/instance, so queries can tell services apart). */
  readonly podTargetLabels?: string[];
}

function interval(d: Duration | undefined): string | undefined {
  return d ? `${d.toSeconds()}s` : undefined;
}

/** A PodMonitor (monitoring.coreos.com/v1) scraping `port`/`path` of the selected pods. */
export function podMonitor(t: ScrapeTarget): ApiObject {
  claimName(t.scope, 'PodMonitor', t.namespace, t.name);
  return new monitoring.PodMonitor(t.scope, t.id, {
    metadata: { name: t.name, namespace: t.namespace, labels: t.labels },
    spec: {
      selector: { matchLabels: t.selector },
      podMetricsEndpoints: [{ port: t.port, path: t.path, interval: interval(t.interval) }],
      podTargetLabels: t.podTargetLabels,
    },
  });
}

/** A ServiceMonitor (monitoring.coreos.com/v1) scraping `port`/`path` of the selected Services. */
export function serviceMonitor(t: ScrapeTarget): ApiObject {
  claimName(t.scope, 'ServiceMonitor', t.namespace, t.name);
  return new monitoring.ServiceMonitor(t.scope, t.id, {
    metadata: { name: t.name, namespace: t.namespace, labels: t.labels },
    spec: {
      selector: { matchLabels: t.selector },
      endpoints: [{ port: t.port, path: t.path, interval: interval(t.interval) }],
      podTargetLabels: t.podTargetLabels,
    },
  });
}
