// The public props of an AgentSandbox and the value types they take.
import type { SandboxLifecycle } from './sandbox-lifecycle';
import type { SandboxRuntime } from './sandbox-runtime';
import type { SecretKeyReference } from '../security/secret-reference';

/**
 * Pods a sandbox may call, e.g. the model server an agent uses (`InferenceService.selector`, its namespace and port).
 */
export interface AgentPeer {
  /**
   * The pods' namespace.
   *
   * @default - the sandbox's namespace
   */
  readonly namespace?: string;

  /**
   * Labels selecting the pods.
   */
  readonly podLabels: { [key: string]: string };

  /**
   * The TCP port.
   */
  readonly port: number;
}

/**
 * An endpoint outside the cluster a sandbox may call (a tool's API), by address range and port.
 */
export interface AgentToolEndpoint {
  /**
   * The address range, e.g. `203.0.113.10/32`. The cloud metadata address (169.254.169.254) is always left out.
   */
  readonly cidr: string;

  /**
   * The TCP port.
   */
  readonly port: number;
}

/**
 * A key of a Secret the sandbox reads as a file.
 */
export interface AgentSecretFile {
  /**
   * The Secret key.
   */
  readonly secret: SecretKeyReference;

  /**
   * The file name under `/var/run/secrets/agent/`.
   */
  readonly fileName: string;
}

/**
 * Props for an AgentSandbox.
 */
export interface AgentSandboxProps {
  /**
   * The image the sandbox runs (an agent, or the code-execution tool an agent calls).
   */
  readonly image: string;

  /**
   * The kernel boundary: `SandboxRuntime.gvisor()` or `SandboxRuntime.kata()`.
   */
  readonly runtime: SandboxRuntime;

  /**
   * The command.
   *
   * @default - the image's entrypoint
   */
  readonly command?: string[];

  /**
   * The arguments.
   *
   * @default - the image's
   */
  readonly args?: string[];

  /**
   * Plain environment variables (no credentials: those go in `secretFiles`).
   *
   * @default - none
   */
  readonly env?: { [name: string]: string };

  /**
   * Secret keys the sandbox reads, only as read-only files under `/var/run/secrets/agent/`, never as env variables.
   *
   * @default - none
   */
  readonly secretFiles?: AgentSecretFile[];

  /**
   * CPU of each sandbox (request and limit).
   *
   * @default '1'
   */
  readonly cpu?: string;

  /**
   * Memory of each sandbox (request and limit).
   *
   * @default '2Gi'
   */
  readonly memory?: string;

  /**
   * The TCP port the sandbox serves on: `callers` reach it, and the readiness and liveness probes check it.
   */
  readonly port: number;

  /**
   * Labels of the pods in the sandbox's namespace that may call it on `port`.
   *
   * @default - none
   */
  readonly callers?: { [key: string]: string };

  /**
   * Pods the sandbox may call, such as the model server it uses.
   *
   * @default - none
   */
  readonly modelEndpoints?: AgentPeer[];

  /**
   * Endpoints outside the cluster the sandbox may call.
   *
   * @default - none
   */
  readonly toolEndpoints?: AgentToolEndpoint[];

  /**
   * Sandboxes kept started and ready for claims (a SandboxWarmPool).
   *
   * @default 0 (no warm pool; with claims, a SandboxWarmPool of 0 replicas for them to name, so each starts cold)
   */
  readonly warmPool?: number;

  /**
   * The lifecycle of the claims declared with `addClaim`, field by field the default of each claim's own options.
   *
   * @default - claims never expire unless their options say when
   */
  readonly lifecycle?: SandboxLifecycle;

  /**
   * The SandboxTemplate name.
   *
   * @default - derived from the construct path
   */
  readonly name?: string;
}
