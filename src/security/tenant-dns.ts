/**
 * Where the cluster DNS runs.
 */
export interface TenantDns {
  /**
   * The DNS namespace.
   *
   * @default 'kube-system'
   */
  readonly namespace?: string;

  /**
   * The DNS pods' labels.
   *
   * @default { 'k8s-app': 'kube-dns' }
   */
  readonly podLabels?: { [key: string]: string };
}
