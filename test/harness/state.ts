/**
 * Connection info handed from jest's globalSetup to the test workers through a
 * JSON file whose path is in `CDK8S_AI_TESTENV_STATE` (workers inherit the
 * environment of the jest parent process).
 */
import * as fs from 'node:fs';
import type { EnvironmentName } from './environments';

export const STATE_ENV_VAR = 'CDK8S_AI_TESTENV_STATE';

export interface EnvironmentConnection {
  readonly name: EnvironmentName;
  /** `https://127.0.0.1:<port>` */
  readonly server: string;
  readonly port: number;
  /** Bearer token of the `admin` user (group `system:masters`). */
  readonly token: string;
  /** PEM file of the self-signed serving certificate, to trust as CA. */
  readonly caFile: string;
  /** Kubernetes minor the environment behaves like (`1.34`, `1.37`). */
  readonly kubernetesVersion: string;
  /** gitVersion of the binary (`v1.37.2`). */
  readonly binaryVersion: string;
  readonly emulatedVersion?: string;
  /** Effective state of every feature gate, read from the server's `kubernetes_feature_enabled` metric. */
  readonly featureGates: Readonly<Record<string, boolean>>;
  readonly runtimeConfig: Readonly<Record<string, boolean>>;
  /** Names of the CRDs installed at start-up. */
  readonly crds: readonly string[];
  /** kube-apiserver process id (for diagnostics). */
  readonly pid: number;
  readonly logFile: string;
}

export interface TestEnvState {
  readonly tempDir: string;
  readonly etcd: { readonly url: string; readonly pid: number; readonly logFile: string };
  readonly environments: Partial<Record<EnvironmentName, EnvironmentConnection>>;
  readonly timings: Readonly<Record<string, number>>;
}

let cached: { file: string; state: TestEnvState } | undefined;

/** Reads the state file written by globalSetup; throws a clear error when there is none. */
export function readState(): TestEnvState {
  const file = process.env[STATE_ENV_VAR];
  if (!file) {
    throw new Error(`${STATE_ENV_VAR} is not set: the apiserver harness needs jest's globalSetup `
      + '(test/harness/global-setup.ts) to have started the test environment');
  }
  if (cached?.file !== file) {
    cached = { file, state: JSON.parse(fs.readFileSync(file, 'utf8')) as TestEnvState };
  }
  return cached.state;
}

export function writeState(file: string, state: TestEnvState): void {
  fs.writeFileSync(file, JSON.stringify(state, undefined, 2), { mode: 0o600 });
}

/** Connection to one environment; throws when it was not started. */
export function connection(name: EnvironmentName): EnvironmentConnection {
  const state = readState();
  const conn = state.environments[name];
  if (!conn) {
    const running = Object.keys(state.environments).join(', ') || 'none';
    throw new Error(`test environment '${name}' is not running (running: ${running}); `
      + 'check CDK8S_AI_TESTENV_ENVIRONMENTS');
  }
  return conn;
}
