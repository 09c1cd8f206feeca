import { Duration } from 'cdk8s';

/**
 * Compute resources of a container: requests, with the memory limit equal to the memory request (a pod that uses
 * more is OOM-killed rather than starving its neighbours); no CPU limit (throttling hurts token latency).
 */
export interface ServingResources {
  /**
   * CPU request, e.g. `'4'` or `'500m'`.
   *
   * @default - none
   */
  readonly cpu?: string;

  /**
   * Memory request and limit, e.g. `'32Gi'`. A memory-backed `/dev/shm` counts against it.
   *
   * @default - none
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
 * A key of a Secret, referenced by name: the value never appears in the generated YAML.
 */
export interface SecretKeyReference {
  /**
   * The Secret's name (in the workload's namespace).
   */
  readonly secretName: string;

  /**
   * The key inside the Secret.
   */
  readonly key: string;
}

/**
 * prometheus-operator monitors for a service's pods.
 */
export interface ServingMonitoringOptions {
  /**
   * Generate monitors. Needs prometheus-operator in the ClusterProfile.
   *
   * @default - true when the ClusterProfile lists prometheus-operator
   */
  readonly enabled?: boolean;

  /**
   * Labels of the monitor objects, e.g. the label your Prometheus selects monitors by
   * (`{ release: 'kube-prometheus-stack' }`).
   *
   * @default - the standard app.kubernetes.io labels only
   */
  readonly labels?: { [key: string]: string };

  /**
   * Scrape interval.
   *
   * @default - Prometheus' global interval
   */
  readonly interval?: Duration;
}
