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
   * The user id the containers run as. Must not be 0: `restricted` forbids root.
   *
   * @default 1000
   */
  readonly runAsUser?: number;

  /**
   * The primary group id of the containers.
   *
   * @default 1000
   */
  readonly runAsGroup?: number;

  /**
   * The group that owns mounted volumes, so a non-root user can write to them.
   *
   * @default 1000
   */
  readonly fsGroup?: number;
}
