/**
 * jest globalSetup: builds the binaries if needed, starts etcd + the
 * requested kube-apiservers, installs the shared CRDs, and publishes the
 * connection info to the workers through CDK8S_AI_TESTENV_STATE.
 *
 * CDK8S_AI_TESTENV_ENVIRONMENTS=default|latest|default,latest|none selects
 * the environments (default: both).
 */
import { spawnSync } from 'node:child_process';
import { GLOBAL_HANDLE, startTestEnv } from './control-plane';
import { requestedEnvironments } from './environments';
import { BUILD_SCRIPT, binariesPresent } from './paths';
import { STATE_ENV_VAR } from './state';

function ensureBinaries(): void {
  if (binariesPresent()) {
    return;
  }
  process.stderr.write(`\n[testenv] binaries missing: running ${BUILD_SCRIPT} (cold build takes ~10 min)\n`);
  const res = spawnSync('bash', [BUILD_SCRIPT], { stdio: 'inherit' });
  if (res.status !== 0) {
    throw new Error(`${BUILD_SCRIPT} failed (${res.error?.message ?? `exit ${res.status}`})`);
  }
}

export default async function globalSetup(): Promise<void> {
  const environments = requestedEnvironments();
  if (environments.length === 0) {
    delete process.env[STATE_ENV_VAR];
    return;
  }
  ensureBinaries();
  const env = await startTestEnv({
    environments,
    log: process.env.CDK8S_AI_TESTENV_VERBOSE ? (m) => process.stderr.write(`[testenv] ${m}\n`) : undefined,
  });
  (globalThis as Record<string, unknown>)[GLOBAL_HANDLE] = env;
  process.env[STATE_ENV_VAR] = env.stateFile;
}
