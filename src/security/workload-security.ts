/**
 * Security settings of a workload's pods. Every pod we generate passes the Pod Security `restricted` profile;
 * these props only choose among settings that keep it so.
 */
export interface WorkloadSecurityProps {
  /**
   * Mount the container root filesystems read-only. Writable paths the workload needs (`/tmp`, caches) get
   * `emptyDir` volumes instead.
   *
   * @default true
   */
  readonly readOnlyRootFilesystem?: boolean;

  /**
   * The user id the containers run as. Must not be 0: `restricted` forbids root. Keep it at 10000 or above so it
   * cannot collide with a user of the node (checkov CKV_K8S_40).
   *
   * @default 65532 (the `nonroot` user of distroless images; the library points `HOME` and caches at writable volumes)
   */
  readonly runAsUser?: number;

  /**
   * The primary group id of the containers.
   *
   * @default 65532
   */
  readonly runAsGroup?: number;

  /**
   * The group that owns mounted volumes, so a non-root user can write to them.
   *
   * @default 65532
   */
  readonly fsGroup?: number;
}
