/**
 * The simulated cluster's binaries and upstream data directories, from tools/simcluster/build.sh (built once, cached;
 * a warm call takes about a second).
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../harness/paths';

export const SIMCLUSTER_BUILD_SCRIPT = path.join(PROJECT_ROOT, 'tools', 'simcluster', 'build.sh');

export interface SimBinaries {
  readonly kubeScheduler: string;
  readonly kubeControllerManager: string;
  readonly launcher: string;
  readonly kwok: string;
  readonly kueue: string;
  readonly jobset: string;
  readonly lws: string;
  /** The KubeRay operator (v1.6.2; the proxy refuses v1.7.0's source, tools/simcluster/README.md). */
  readonly kuberay: string;
  readonly promtool: string;
  /** The agent-sandbox controller (v0.5.6, with its extensions controllers). */
  readonly agentSandbox: string;
  readonly epp: string;
  /** Module directories in the Go module cache (stage documents, webhook manifests, extra CRDs). */
  readonly kwokModule: string;
  readonly kueueModule: string;
  /** cluster-autoscaler's API module (the ProvisioningRequest CRD), at the version Kueue requires. */
  readonly autoscalerApisModule: string;
  readonly jobsetModule: string;
  readonly lwsModule: string;
}

let cached: SimBinaries | undefined;

/** Builds what is missing (inherits stderr for progress) and returns the paths. */
export function simBinaries(): SimBinaries {
  if (cached) return cached;
  const res = spawnSync('bash', [SIMCLUSTER_BUILD_SCRIPT], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1024 * 1024 });
  if (res.status !== 0) {
    throw new Error(`${SIMCLUSTER_BUILD_SCRIPT} failed (${res.error?.message ?? `exit ${res.status}`})`);
  }
  const vars = Object.fromEntries(res.stdout.split('\n').filter((l) => l.includes('=')).map((l) => {
    const i = l.indexOf('=');
    return [l.slice(0, i), l.slice(i + 1)];
  }));
  const need = (key: string): string => {
    if (!vars[key]) throw new Error(`${SIMCLUSTER_BUILD_SCRIPT} printed no ${key}= line`);
    return vars[key];
  };
  cached = {
    kubeScheduler: need('KUBE_SCHEDULER'),
    kubeControllerManager: need('KUBE_CONTROLLER_MANAGER'),
    launcher: need('LAUNCHER'),
    kwok: need('KWOK'),
    kueue: need('KUEUE'),
    jobset: need('JOBSET'),
    lws: need('LWS'),
    kuberay: need('KUBERAY'),
    promtool: need('PROMTOOL'),
    agentSandbox: need('AGENT_SANDBOX'),
    epp: need('EPP'),
    kwokModule: need('KWOK_MODULE'),
    kueueModule: need('KUEUE_MODULE'),
    autoscalerApisModule: need('AUTOSCALER_APIS_MODULE'),
    jobsetModule: need('JOBSET_MODULE'),
    lwsModule: need('LWS_MODULE'),
  };
  return cached;
}
