import { Duration } from 'cdk8s';

/**
 * Compute resources of a container: CPU and memory requests and limits. Unset fields get the construct's defaults
 * (never instead of a value you give). The memory limit equals the memory request (a pod that uses more is
 * OOM-killed rather than starving its neighbours); the CPU limit equals the CPU request unless `cpuLimit` says
 * otherwise, which puts the pod in the Guaranteed QoS class (evicted last; exclusive cores under the static CPU
 * manager, so a busy neighbour does not steal the tokenizer's and scheduler's CPU).
 */
export interface ServingResources {
  /**
   * CPU request, e.g. `'4'` or `'500m'`.
   *
   * @default - model server: 4 cores per GPU, at least 2; endpoint picker: 8 (the llm-d chart's request, no CPU limit)
   */
  readonly cpu?: string;

  /**
   * CPU limit, when it should differ from the request (e.g. above it, to let the server burst).
   *
   * @default - the CPU request
   */
  readonly cpuLimit?: string;

  /**
   * Memory request and limit, e.g. `'32Gi'`. A memory-backed `/dev/shm` counts against it.
   *
   * @default - model server: 16Gi per GPU (8Gi without GPUs) plus the shared memory; endpoint picker: 8Gi requested, 16Gi limit
   */
  readonly memory?: string;

  /**
   * Ephemeral storage request, e.g. `'100Gi'` (downloads into emptyDir volumes count against it).
   *
   * @default - none, or the model cache / download size when those are sized
   */
  readonly ephemeralStorage?: string;
}

/**
 * The prometheus-operator monitors for a service's pods.
 */
export interface ServingMonitoringOptions {
  /**
   * Generate monitors. Needs prometheus-operator in the ClusterProfile.
   *
   * @default - true when the ClusterProfile lists prometheus-operator
   */
  readonly enabled?: boolean;

  /**
   * Extra labels of the monitor objects. The label your Prometheus selects monitors by is added without this: every
   * monitor gets the selector labels of the monitoring stack (the PlatformObservability's `stack`, else the
   * ClusterProfile's prometheus-operator add-on's, e.g. `release: kube-prometheus-stack`), unless it already has
   * that label key.
   *
   * @default - the standard app.kubernetes.io labels and the monitoring stack's selector labels
   */
  readonly labels?: { [key: string]: string };

  /**
   * Scrape interval.
   *
   * @default - Prometheus' global interval
   */
  readonly interval?: Duration;
}
