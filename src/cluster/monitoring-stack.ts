import { ValidationError } from '../internal/errors';
import { requireDnsLabel } from '../internal/names';
import { requireLabelValue, requireLabels, requireQualifiedName } from '../internal/qualified-name';
import { checkProps, opt, requireKind } from '../internal/runtime-checks';

/**
 * Props for a monitoring stack of your own (`MonitoringStack.custom`).
 */
export interface MonitoringStackProps {
  /**
   * Labels every ServiceMonitor, PodMonitor and PrometheusRule carries so that the Prometheus instance selects it
   * (its `serviceMonitorSelector`, `podMonitorSelector`, `ruleSelector`).
   *
   * @default - none (a Prometheus whose selectors are `{}`)
   */
  readonly selectorLabels?: { [key: string]: string };

  /**
   * The namespace Prometheus (and Grafana) run in.
   *
   * Tenant NetworkPolicies let it scrape metrics ports.
   *
   * @default 'monitoring'
   */
  readonly namespace?: string;

  /**
   * Labels of the Prometheus pods, for the scrape NetworkPolicy.
   *
   * @default { 'app.kubernetes.io/name': 'prometheus' }
   */
  readonly prometheusPodLabels?: { [key: string]: string };

  /**
   * The label the Grafana dashboard sidecar watches for, and its value.
   *
   * @default 'grafana_dashboard'
   */
  readonly dashboardLabel?: string;

  /**
   * The value of `dashboardLabel`.
   *
   * @default '1'
   */
  readonly dashboardLabelValue?: string;

  /**
   * The namespace the dashboard ConfigMap goes to (the sidecar's `searchNamespace`).
   *
   * @default - `namespace`
   */
  readonly dashboardNamespace?: string;

  /**
   * The URL that queries this Prometheus (KEDA's Prometheus triggers use it).
   *
   * @default - `http://prometheus-operated.<namespace>.svc:9090`: the governing Service the prometheus-operator creates
   * for every Prometheus without `spec.serviceName`, in the Prometheus' namespace, port 9090 (prometheus-operator
   * v0.93.0, commit b9090747e04d, pkg/prometheus/server/statefulset.go L38 `governingServiceName` and
   * pkg/prometheus/common.go L494-513 `BuildStatefulSetService`)
   */
  readonly prometheusAddress?: string;
}

/**
 * The Prometheus/Grafana installation that picks up the generated monitors, rules and dashboards.
 * kube-prometheus-stack (the Helm chart) selects only objects labelled `release: <Helm release>`; plain
 * kube-prometheus selects everything but can only scrape namespaces it has RBAC for.
 */
export class MonitoringStack {
  /**
   * The kube-prometheus-stack Helm chart: monitors and rules labelled `release: <release>`, dashboards
   * `grafana_dashboard: "1"`.
   *
   * The chart's Prometheus selects ServiceMonitors, PodMonitors and PrometheusRules by `matchLabels: { release:
   * <Helm release name> }` in every namespace: `serviceMonitorSelectorNilUsesHelmValues`,
   * `podMonitorSelectorNilUsesHelmValues` and `ruleSelectorNilUsesHelmValues` default to true, the namespace
   * selectors to `{}` (prometheus-community/helm-charts kube-prometheus-stack-88.5.3, commit ea930baeebeb,
   * charts/kube-prometheus-stack/values.yaml L4441-4511 and templates/prometheus/prometheus.yaml L193-224, L277-286).
   *
   * @param release The Helm release name (default `kube-prometheus-stack`, the chart's name: the chart README installs
   * it as `helm install [RELEASE_NAME] ...kube-prometheus-stack`, so check `helm list -A` for yours).
   * @param namespace The namespace it runs in (default `monitoring`).
   */
  public static kubePrometheusStack(release?: string, namespace?: string): MonitoringStack {
    const rel = release ?? 'kube-prometheus-stack';
    return MonitoringStack.custom({ selectorLabels: { release: rel }, namespace }, 'kube-prometheus-stack');
  }

  /**
   * The kube-prometheus jsonnet manifests, whose Prometheus selects every monitor.
   *
   * Grant it RBAC in tenant namespaces yourself.
   *
   * @param namespace The namespace it runs in (default `monitoring`).
   */
  public static kubePrometheus(namespace?: string): MonitoringStack {
    return MonitoringStack.custom({ selectorLabels: {}, namespace }, 'kube-prometheus');
  }

  /**
   * Any other installation.
   *
   * @param description Which installation this is, for reports and error messages (default `custom`).
   */
  public static custom(props: MonitoringStackProps, description?: string): MonitoringStack {
    props = checkProps('MonitoringStack.custom', 'MonitoringStackProps', props, {
      selectorLabels: opt('string-map'),
      namespace: opt('string'),
      prometheusPodLabels: opt('string-map'),
      dashboardLabel: opt('string'),
      dashboardLabelValue: opt('string'),
      dashboardNamespace: opt('string'),
      prometheusAddress: opt('string'),
    });
    requireKind('MonitoringStack.custom', 'description', description, opt('string'));
    return new MonitoringStack(props, description ?? 'custom');
  }

  /** Labels every monitor and rule carries. */
  public readonly selectorLabels: { [key: string]: string };
  /** Prometheus' namespace. */
  public readonly namespace: string;
  /** Labels of the Prometheus pods. */
  public readonly prometheusPodLabels: { [key: string]: string };
  /** The dashboard sidecar label. */
  public readonly dashboardLabel: string;
  /** The dashboard sidecar label value. */
  public readonly dashboardLabelValue: string;
  /** Where dashboard ConfigMaps go. */
  public readonly dashboardNamespace: string;
  /** Which installation, for reports. */
  public readonly description: string;
  /** The URL that queries this Prometheus. */
  public readonly prometheusAddress: string;

  private constructor(props: MonitoringStackProps, description: string) {
    const where = `MonitoringStack.${description}`;
    this.selectorLabels = requireLabels(where, 'selectorLabels', props.selectorLabels ?? {});
    this.namespace = props.namespace ?? 'monitoring';
    this.prometheusPodLabels = requireLabels(where, 'prometheusPodLabels', props.prometheusPodLabels ?? { 'app.kubernetes.io/name': 'prometheus' });
    this.dashboardLabel = requireQualifiedName(where, 'dashboardLabel', props.dashboardLabel ?? 'grafana_dashboard', 'grafana_dashboard');
    this.dashboardLabelValue = requireLabelValue(where, 'dashboardLabelValue', props.dashboardLabelValue ?? '1');
    this.dashboardNamespace = props.dashboardNamespace ?? this.namespace;
    this.description = description;
    this.prometheusAddress = props.prometheusAddress ?? `http://prometheus-operated.${this.namespace}.svc:9090`;
    if (!/^https?:\/\/[^\s/]+(\/\S*)?$/.test(this.prometheusAddress)) {
      throw new ValidationError(where, 'prometheusAddress', `got ${JSON.stringify(this.prometheusAddress)}; expected an http:// or https:// URL of a Prometheus server`);
    }
    for (const [prop, ns] of [['namespace', this.namespace], ['dashboardNamespace', this.dashboardNamespace]]) {
      requireDnsLabel(where, prop, ns);
    }
  }
}
