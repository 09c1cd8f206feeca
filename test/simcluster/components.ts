/**
 * The upstream controllers of the simulated cluster, each started on loopback against the test apiserver with the
 * flags and configuration files its release would run with, minus what only matters in a real cluster (leader
 * election, in-cluster certificates). Every process starts through tools/simcluster/launcher, which makes the kernel
 * kill it when the jest worker dies.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { SimBinaries } from './binaries';
import { ServerProcess, startServer } from '../harness/processes';

export interface ComponentContext {
  readonly bin: SimBinaries;
  readonly dir: string;
  readonly kubeconfig: string;
  /** The apiserver's --emulated-version (e.g. `1.34`), passed on to kube components. */
  readonly emulatedVersion?: string;
  /** The apiserver's feature gates, passed on to kube components so they agree on APIs. */
  readonly featureGates?: string;
}

/** Starts `binary args` through the launcher, logging to `<dir>/<name>.log`. */
export function startComponent(ctx: ComponentContext, name: string, binary: string, args: readonly string[]): ServerProcess {
  return startServer(name, ctx.bin.launcher, [String(process.pid), binary, ...args], path.join(ctx.dir, `${name}.log`));
}

function versionArgs(ctx: ComponentContext): string[] {
  return [
    ...(ctx.emulatedVersion ? [`--emulated-version=${ctx.emulatedVersion}`] : []),
    ...(ctx.featureGates ? [`--feature-gates=${ctx.featureGates}`] : []),
  ];
}

export function startControllerManager(ctx: ComponentContext, port: number, saKeyFile: string, caFile: string): ServerProcess {
  return startComponent(ctx, 'kube-controller-manager', ctx.bin.kubeControllerManager, [
    `--kubeconfig=${ctx.kubeconfig}`, `--authentication-kubeconfig=${ctx.kubeconfig}`, `--authorization-kubeconfig=${ctx.kubeconfig}`,
    '--controllers=*', '--leader-elect=false', '--bind-address=127.0.0.1', `--secure-port=${port}`,
    `--service-account-private-key-file=${saKeyFile}`, `--root-ca-file=${caFile}`, '--use-service-account-credentials=false',
    // kwok nodes are never really unreachable; keep pods bound when a heartbeat is late on a loaded machine
    '--node-monitor-grace-period=5m',
    ...versionArgs(ctx),
  ]);
}

/** kube-scheduler with the default profile (no configuration file). */
export function startScheduler(ctx: ComponentContext, port: number): ServerProcess {
  return startComponent(ctx, 'kube-scheduler', ctx.bin.kubeScheduler, [
    `--kubeconfig=${ctx.kubeconfig}`, `--authentication-kubeconfig=${ctx.kubeconfig}`, `--authorization-kubeconfig=${ctx.kubeconfig}`,
    '--leader-elect=false', '--bind-address=127.0.0.1', `--secure-port=${port}`,
    ...versionArgs(ctx),
  ]);
}

/** The kwok stages a node and a long-running pod need (kwok's own kustomize/stage/ documents at the pinned version). */
const KWOK_STAGES = ['node/fast/node-initialize.yaml', 'node/heartbeat-with-lease/node-heartbeat-with-lease.yaml',
  'pod/fast/pod-ready.yaml', 'pod/fast/pod-delete.yaml'];

export const POD_CIDR = '127.1.0.1/16';

/** kwok, managing the nodes annotated `kwok.x-k8s.io/node: fake` (nodes.ts creates them). */
export function startKwok(ctx: ComponentContext, port: number): ServerProcess {
  const stages = KWOK_STAGES.map((s) => fs.readFileSync(path.join(ctx.bin.kwokModule, 'kustomize', 'stage', s), 'utf8').trim());
  const config = path.join(ctx.dir, 'kwok-stages.yaml');
  fs.writeFileSync(config, `${stages.join('\n---\n')}\n`);
  return startComponent(ctx, 'kwok', ctx.bin.kwok, [
    `--kubeconfig=${ctx.kubeconfig}`, `--config=${config}`, '--manage-all-nodes=false',
    '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake', `--server-address=127.0.0.1:${port}`,
    // Pod IPs on loopback (127.0.0.0/8 is all local on Linux): a fake model server listening on the pods' port then
    // answers what the endpoint picker scrapes from each pod.
    `--cidr=${POD_CIDR}`, '--node-ip=127.0.0.1',
  ]);
}

export interface WebhookServing {
  readonly webhookPort: number;
  readonly healthPort: number;
  readonly certDir: string;
}

/**
 * Kueue with the Configuration a platform team applies: the upstream release's config/components/manager/
 * controller_manager_config.yaml (frameworks, client connection) plus what cdk8s-ai's PlatformReport says the
 * cluster needs (`resources.deviceClassMappings`), with its webhooks on 127.0.0.1. Kueue reads metrics certificates
 * from a fixed path (/etc/kueue/metrics/certs, cmd/kueue/main.go v0.19.2) when it does not manage certificates
 * itself, so it runs in a mount namespace of its own with an overlay on /etc that holds them (which needs root).
 */
export function startKueue(ctx: ComponentContext, serving: WebhookServing, extra: Record<string, unknown>): ServerProcess {
  const upstream = fs.readFileSync(path.join(ctx.bin.kueueModule, 'config', 'components', 'manager', 'controller_manager_config.yaml'), 'utf8');
  const frameworks = [...upstream.matchAll(/^\s*-\s*"([^"]+)"/gm)].map((m) => m[1]);
  const config = {
    apiVersion: 'config.kueue.x-k8s.io/v1beta2',
    kind: 'Configuration',
    namespace: 'kueue-system',
    health: { healthProbeBindAddress: `127.0.0.1:${serving.healthPort}` },
    metrics: { bindAddress: '0' },
    webhook: { port: serving.webhookPort, host: '127.0.0.1', certDir: serving.certDir },
    leaderElection: { leaderElect: false },
    internalCertManagement: { enable: false },
    clientConnection: { qps: 300, burst: 500 },
    integrations: { frameworks },
    // The on-demand visibility API is an aggregated API server on :8082 with certificates at /visibility; nothing here
    // reads it (cmd/kueue/main.go and pkg/visibility/server.go v0.19.2).
    featureGates: { VisibilityOnDemand: false },
    ...extra,
  };
  const file = path.join(ctx.dir, 'kueue-config.yaml');
  fs.writeFileSync(file, stringify(config));
  const overlay = path.join(ctx.dir, 'kueue-etc');
  for (const d of ['upper/kueue/metrics', 'work']) fs.mkdirSync(path.join(overlay, d), { recursive: true });
  fs.cpSync(serving.certDir, path.join(overlay, 'upper', 'kueue', 'metrics', 'certs'), { recursive: true });
  const mount = `mount -t overlay overlay -o lowerdir=/etc,upperdir=${overlay}/upper,workdir=${overlay}/work /etc && exec "$0" "$@"`;
  return startComponent(ctx, 'kueue', 'unshare', ['-m', '--propagation', 'private', 'sh', '-c', mount,
    ctx.bin.kueue, `--config=${file}`, `--kubeconfig=${ctx.kubeconfig}`]);
}

/** A controller-runtime manager configured by a file in its own config API (JobSet, LeaderWorkerSet). */
function startManager(ctx: ComponentContext, name: string, binary: string, apiVersion: string, serving: WebhookServing): ServerProcess {
  const config = {
    apiVersion,
    kind: 'Configuration',
    health: { healthProbeBindAddress: `127.0.0.1:${serving.healthPort}` },
    metrics: { bindAddress: '0' },
    webhook: { port: serving.webhookPort, host: '127.0.0.1', certDir: serving.certDir },
    leaderElection: { leaderElect: false },
    internalCertManagement: { enable: false },
  };
  const file = path.join(ctx.dir, `${name}-config.yaml`);
  fs.writeFileSync(file, stringify(config));
  return startComponent(ctx, name, binary, [`--kubeconfig=${ctx.kubeconfig}`, `--config=${file}`]);
}

/** JobSet with its release's configuration (config/components/manager/controller_manager_config.yaml v0.12.0). */
export function startJobSet(ctx: ComponentContext, serving: WebhookServing): ServerProcess {
  return startManager(ctx, 'jobset', ctx.bin.jobset, 'config.jobset.x-k8s.io/v1alpha1', serving);
}

/** LeaderWorkerSet with its release's configuration (config/manager/controller_manager_config.yaml). */
export function startLws(ctx: ComponentContext, serving: WebhookServing): ServerProcess {
  return startManager(ctx, 'lws', ctx.bin.lws, 'config.lws.x-k8s.io/v1alpha1', serving);
}

/**
 * The agent-sandbox controller with its extensions controllers (SandboxTemplate, SandboxWarmPool, SandboxClaim), as
 * its release's manager runs it (cmd/agent-sandbox-controller/main.go v0.5.6 flags) minus leader election and the
 * conversion webhook (the test apiserver serves the CRDs without conversion; everything here is v1beta1).
 */
export function startAgentSandbox(ctx: ComponentContext, healthPort: number): ServerProcess {
  return startComponent(ctx, 'agent-sandbox', ctx.bin.agentSandbox, [
    `--kubeconfig=${ctx.kubeconfig}`, '--extensions', '--leader-elect=false', '--enable-webhook=false', '--manage-webhook-certs=false',
    `--health-probe-bind-address=127.0.0.1:${healthPort}`, '--metrics-bind-address=0',
  ]);
}

/**
 * The KubeRay operator v1.6.2 with the flags of its release manifest (ray-operator/config/manager/manager.yaml:
 * `--feature-gates=RayClusterStatusConditions=true`, on by default since v1.3) minus leader election, metrics off, and
 * no webhooks (ray-operator/main.go registers its RayCluster validating webhook only with ENABLE_WEBHOOKS=true, which
 * the release's default manifest does not set). Its default feature gates (pkg/features/features.go v1.6.2) stand:
 * RayClusterStatusConditions, RayJobDeletionPolicy and RayMultiHostIndexing on; RayCronJob, AsyncJobInfoQuery and
 * RayServiceIncrementalUpgrade off. No batch scheduler: Kueue gangs RayJobs through its own integration.
 */
export function startKubeRay(ctx: ComponentContext, healthPort: number): ServerProcess {
  return startComponent(ctx, 'kuberay', 'env', ['ENABLE_WEBHOOKS=false', ctx.bin.kuberay,
    `--kubeconfig=${ctx.kubeconfig}`, '--enable-leader-election=false', '--metrics-addr=0',
    `--health-probe-bind-address=127.0.0.1:${healthPort}`, '--feature-gates=RayClusterStatusConditions=true',
    '--log-stdout-encoder=console']);
}
