// When and how an agent-sandbox SandboxClaim ends: the shutdown policy and the lifecycle props (public API).
import type { Duration } from 'cdk8s';

/**
 * What the agent-sandbox controller does when a SandboxClaim expires, i.e. when its `shutdownTime` has passed or its
 * sandbox finished `ttlAfterFinished` ago (extensions/controllers/sandboxclaim_controller.go `Reconcile`,
 * kubernetes-sigs/agent-sandbox v0.5.6).
 */
export class SandboxShutdownPolicy {
  /**
   * Keep the claim, delete its sandbox: the controller deletes the Sandbox (and so its pod and Service) and leaves the
   * SandboxClaim with a `Ready` condition `False`, reason `ClaimExpired` (`reconcileExpired`). The upstream default
   * (`+kubebuilder:default=Retain`, extensions/api/v1beta1/sandboxclaim_types.go v0.5.6), and the one that suits a
   * claim kept in Git: the claim stays as the manifest says, so a GitOps sync changes nothing.
   */
  public static readonly RETAIN = new SandboxShutdownPolicy('Retain');

  /**
   * Delete the claim, and with it its sandbox (the garbage collector deletes it in the background). A claim kept in
   * Git and synced by a GitOps tool comes back at the next sync, with a new sandbox.
   */
  public static readonly DELETE = new SandboxShutdownPolicy('Delete');

  /**
   * Delete the claim with foreground cascading deletion: the claim stays (with a `deletionTimestamp`) until its Sandbox
   * and pod are gone, so whoever watches the claim sees when the shutdown has finished. A claim kept in Git and synced
   * by a GitOps tool comes back at the next sync, with a new sandbox.
   */
  public static readonly DELETE_FOREGROUND = new SandboxShutdownPolicy('DeleteForeground');

  /**
   * @param value The `lifecycle.shutdownPolicy` value.
   */
  private constructor(public readonly value: string) {}
}

/**
 * When a SandboxClaim expires and what then happens to it (the claim's `spec.lifecycle`, agent-sandbox v0.5.6).
 * A claim expires at the earlier of `shutdownTime` and `ttlAfterFinished` after its sandbox finished; a claim with
 * neither never expires.
 */
export interface SandboxLifecycle {
  /**
   * How long a claim is kept after its sandbox finished (`ttlSecondsAfterFinished`), in whole seconds from 0 (at once)
   * to 2^31-1. The clock starts at the sandbox's `Finished` condition, which the controller sets when the sandbox's pod
   * reaches `Succeeded` or `Failed` (controllers/sandbox_controller.go `computeFinishedCondition`, v0.5.6). The
   * library's sandbox pods restart their container when it exits (`restartPolicy: Always`), so a sandbox finishes when
   * its pod fails as a whole, e.g. when the kubelet evicts it: the TTL cleans up after such a failure.
   *
   * @default - no TTL: a finished sandbox is kept
   */
  readonly ttlAfterFinished?: Duration;

  /**
   * The instant the claim expires (`shutdownTime`), an RFC 3339 date-time with an explicit offset, e.g.
   * `2027-01-31T18:00:00Z`, rendered in UTC with milliseconds (`2027-01-31T18:00:00.000Z`). It is taken as given, never
   * computed: a synthesized app gives the same bytes every time, so the library offers no "shutdown N hours after the
   * claim is made" (agent-sandbox v0.5.6 has no such relative field either). A time already past when the claim is
   * applied expires it at once.
   *
   * @default - no fixed end
   */
  readonly shutdownTime?: string;

  /**
   * What happens when the claim expires.
   *
   * @default SandboxShutdownPolicy.RETAIN (the upstream default)
   */
  readonly shutdownPolicy?: SandboxShutdownPolicy;
}

/**
 * Options for a SandboxClaim of an AgentSandbox: the claim's lifecycle, each field overriding the sandbox's
 * `lifecycle` default, and its name.
 */
export interface SandboxClaimOptions extends SandboxLifecycle {
  /**
   * The SandboxClaim name (also the name of a sandbox started cold for it).
   *
   * @default - the AgentSandbox's name and the claim's id, e.g. `code-exec-session-1`
   */
  readonly name?: string;
}
