/**
 * Which labels carry a GPU's workload namespace and pod in DCGM exporter series. With the GPU Operator's default
 * ServiceMonitor (`honorLabels: false`) Prometheus renames the exporter's `namespace`/`pod` labels to
 * `exported_namespace`/`exported_pod`, because its own target labels (the exporter's namespace and pod) win.
 */
export class DcgmLabels {
  /** `exported_namespace` / `exported_pod` (GPU Operator default, `honorLabels: false`). */
  public static readonly EXPORTED = new DcgmLabels('exported_namespace', 'exported_pod', 'exported_container');
  /** `namespace` / `pod` (the exporter's ServiceMonitor sets `honorLabels: true`). */
  public static readonly HONORED = new DcgmLabels('namespace', 'pod', 'container');

  /** The label holding the workload namespace. */
  public readonly namespaceLabel: string;
  /** The label holding the workload pod. */
  public readonly podLabel: string;
  /** The label holding the workload container. */
  public readonly containerLabel: string;

  private constructor(namespaceLabel: string, podLabel: string, containerLabel: string) {
    this.namespaceLabel = namespaceLabel;
    this.podLabel = podLabel;
    this.containerLabel = containerLabel;
  }
}
