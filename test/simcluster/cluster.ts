/**
 * A simulated cluster: the harness's etcd + kube-apiserver (the same build and start-up as the validation tests, with
 * every shared CRD installed) plus the real kube-controller-manager and kube-scheduler (default profile, DRA on),
 * kwok nodes made from our GpuNodePools with a fake DRA driver, and the real Kueue, JobSet and LeaderWorkerSet
 * controllers with their admission webhooks served on 127.0.0.1 and registered by URL (and, when a test asks, the
 * agent-sandbox controller and the KubeRay operator). Everything stops at the end,
 * whatever happened (and dies with the jest worker if it is killed).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { simBinaries, SimBinaries } from './binaries';
import {
  ComponentContext, startAgentSandbox, startControllerManager, startJobSet, startKubeRay, startKueue, startKwok, startLws, startScheduler,
  WebhookServing,
} from './components';
import { KubeApi } from './kube-api';
import { cpuNodes, driverDeviceClasses, NodeOptions, PoolContract, poolNodes } from './nodes';
import { makeWebhookPki } from './pki';
import { jobsetWebhookSource, kueueWebhookSource, lwsWebhookSource, webhookConfigurations } from './webhooks';
import { startTestEnv, RunningTestEnv } from '../harness/control-plane';
import { applyCrd, loadCrds, waitForCrds } from '../harness/crds';
import { Discovery } from '../harness/discovery';
import { DEFAULT_ENVIRONMENTS, ENVIRONMENTS, formatKeyValues } from '../harness/environments';
import { KubeObject } from '../harness/objects';
import { freePorts, logTail, ServerProcess, stopServer, Watchdog } from '../harness/processes';

export interface SimClusterOptions {
  /** The harness environment the apiserver runs as (default: `default`, Kubernetes 1.34). */
  readonly environment?: 'default' | 'latest';
  /** The pools to make nodes for. */
  readonly pools: readonly PoolContract[];
  /** Per pool name: MIG layout, device plugin, DRA. */
  readonly nodeOptions?: Readonly<Record<string, NodeOptions>>;
  /** Plain CPU nodes (default 2). */
  readonly cpuNodes?: number;
  /** Also run the agent-sandbox controller (default false). */
  readonly agentSandbox?: boolean;
  /** Also run the KubeRay operator (v1.6.2 against the v1.7.0 CRDs of ../shared/crds/kuberay; default false). */
  readonly kuberay?: boolean;
  /** Extra CPU nodes with these labels (e.g. the nodes of a sandbox runtime), named `labelled-<i>` (default none). */
  readonly labelledNodes?: { readonly count: number; readonly labels: Record<string, string> };
  /** Kueue Configuration fields beyond the release defaults (e.g. `resources.deviceClassMappings`). */
  readonly kueueConfig?: Record<string, unknown>;
  /** Progress messages. */
  readonly log?: (message: string) => void;
}

interface Controller {
  readonly name: string;
  readonly process: ServerProcess;
  /** An HTTPS (controller-runtime) or HTTP health endpoint to poll until ready. */
  readonly ready: () => Promise<boolean>;
}

/**
 * Kueue's MultiKueue kinds its manager indexes at start-up (not in ../shared/crds/kueue; the provisioning kinds come
 * with the harness's module CRDs).
 */
const EXTRA_KUEUE_CRDS = ['multikueueclusters', 'multikueueconfigs'];

export class SimCluster {
  static async start(options: SimClusterOptions): Promise<SimCluster> {
    const log = options.log ?? (() => undefined);
    const bin = simBinaries();
    const t0 = Date.now();
    const environment = options.environment ?? 'default';
    // Both harness environments, as jest's global setup starts them: their etcd snapshot (CRDs installed) is the one
    // the global setup made, so no CRD is installed under load here; the other apiserver idles.
    const env = await startTestEnv({ environments: DEFAULT_ENVIRONMENTS, log });
    const cluster = new SimCluster(env, bin, log, environment);
    try {
      await cluster.boot(options);
      cluster.timings.startMs = Date.now() - t0;
      log(`simulated cluster ready in ${cluster.timings.startMs} ms`);
      return cluster;
    } catch (err) {
      const logs = cluster.controllers.map((c) => `--- ${c.name} (${c.process.logFile})\n${logTail(c.process.logFile, 15)}`).join('\n');
      await cluster.stop();
      throw new Error(`${(err as Error).message}\n${logs}`);
    }
  }

  public readonly api: KubeApi;
  public readonly dir: string;
  public readonly timings: Record<string, number> = {};
  private readonly controllers: Controller[] = [];
  private readonly watchdog: Watchdog;
  private stopped = false;

  private constructor(private readonly env: RunningTestEnv, public readonly bin: SimBinaries, private readonly log: (m: string) => void,
    private readonly environment: 'default' | 'latest') {
    const conn = env.state.environments[environment]!;
    this.dir = path.join(env.state.tempDir, 'sim');
    fs.mkdirSync(this.dir, { recursive: true });
    this.api = new KubeApi(conn.port, conn.token, conn.caFile);
    this.watchdog = new Watchdog(path.join(this.dir, 'watchdog.json'), { parent: process.pid, pids: [], dir: this.dir });
  }

  get connection() {
    return this.env.state.environments[this.environment]!;
  }

  /** Writes a kubeconfig for `token` (default: the admin token). */
  kubeconfig(name: string, token = this.connection.token): string {
    const file = path.join(this.dir, `${name}.kubeconfig`);
    const text = [
      'apiVersion: v1', 'kind: Config',
      'clusters:', '- name: sim', '  cluster:', `    server: ${this.connection.server}`, `    certificate-authority: ${this.connection.caFile}`,
      'users:', '- name: user', '  user:', `    token: ${token}`,
      'contexts:', '- name: sim', '  context: {cluster: sim, user: user}', 'current-context: sim', '',
    ].join('\n');
    fs.writeFileSync(file, text, { mode: 0o600 });
    return file;
  }

  private register(name: string, proc: ServerProcess, ready: () => Promise<boolean>): void {
    this.controllers.push({ name, process: proc, ready });
    const pids = this.controllers.flatMap((c) => (c.process.child.pid ? [c.process.child.pid] : []));
    this.watchdog.update({ parent: process.pid, pids, dir: this.dir });
  }

  private async boot(options: SimClusterOptions): Promise<void> {
    const t = Date.now();
    const discovery = new Discovery(this.api.client);
    const extraCrds = [
      ...loadCrds(path.join(this.bin.kueueModule, 'config', 'components', 'crd', 'bases'))
        .filter((c) => EXTRA_KUEUE_CRDS.some((n) => String(c.metadata.name).startsWith(`${n}.`))),
      ...loadCrds(path.join(this.bin.lwsModule, 'config', 'crd', 'bases'))
        .filter((c) => !String(c.metadata.name).startsWith('leaderworkersets.')),
    ];
    for (const crd of extraCrds) await applyCrd(this.api.client, crd);
    await waitForCrds(this.api.client, discovery, extraCrds);

    // The scheduler and controller-manager run with the apiserver's emulated version and feature gates, so they
    // agree on which APIs exist.
    const def = ENVIRONMENTS[this.environment];
    const ctx: ComponentContext = {
      bin: this.bin,
      dir: this.dir,
      kubeconfig: this.kubeconfig('admin'),
      emulatedVersion: def.emulatedVersion,
      featureGates: Object.keys(def.featureGates).length ? formatKeyValues(def.featureGates) : undefined,
    };
    const pki = makeWebhookPki(this.dir);
    const [kcmPort, schedPort, kwokPort, sandboxHealthPort, kuberayHealthPort, ...ports] = await freePorts(11);
    const saKey = path.join(this.env.state.tempDir, 'sa.key');
    this.register('kube-controller-manager', startControllerManager(ctx, kcmPort, saKey, this.connection.caFile), () => this.api.httpsOk(kcmPort, '/healthz'));
    this.register('kube-scheduler', startScheduler(ctx, schedPort), () => this.api.httpsOk(schedPort, '/healthz'));
    this.register('kwok', startKwok(ctx, kwokPort), () => this.api.httpOk(kwokPort, '/healthz'));

    const serving = (i: number): WebhookServing => ({ webhookPort: ports[2 * i], healthPort: ports[2 * i + 1], certDir: pki.certDir });
    const kueue = serving(0);
    const jobset = serving(1);
    const lws = serving(2);
    this.register('kueue', startKueue(ctx, kueue, options.kueueConfig ?? {}), () => this.api.httpOk(kueue.healthPort, '/readyz'));
    this.register('jobset', startJobSet(ctx, jobset), () => this.api.httpOk(jobset.healthPort, '/readyz'));
    this.register('lws', startLws(ctx, lws), () => this.api.httpOk(lws.healthPort, '/readyz'));
    if (options.agentSandbox) {
      this.register('agent-sandbox', startAgentSandbox(ctx, sandboxHealthPort), () => this.api.httpOk(sandboxHealthPort, '/readyz'));
    }
    if (options.kuberay) {
      this.register('kuberay', startKubeRay(ctx, kuberayHealthPort), () => this.api.httpOk(kuberayHealthPort, '/readyz'));
    }
    await this.waitControllersReady(120_000);
    this.timings.controllersReadyMs = Date.now() - t;

    // Webhooks after the servers answer: a registered webhook whose server is not up fails every request it covers.
    const hooks = [
      ...webhookConfigurations(kueueWebhookSource(this.bin.kueueModule), 'kueue', kueue.webhookPort, pki.caBundle),
      ...webhookConfigurations(jobsetWebhookSource(this.bin.jobsetModule), 'jobset', jobset.webhookPort, pki.caBundle),
      ...webhookConfigurations(lwsWebhookSource(this.bin.lwsModule), 'lws', lws.webhookPort, pki.caBundle),
    ];
    await this.api.applyAll(hooks, 'simcluster');

    const contracts = options.pools;
    const nodes = [
      ...driverDeviceClasses(contracts),
      ...cpuNodes(options.cpuNodes ?? 2),
      ...(options.labelledNodes ? cpuNodes(options.labelledNodes.count, options.labelledNodes.labels, 'labelled') : []),
      ...contracts.flatMap((c) => poolNodes(c, options.nodeOptions?.[c.name])),
    ];
    await this.addNodes(nodes);
    await this.api.createNamespace('monitoring');
    this.timings.nodesReadyMs = Date.now() - t;
  }

  /** Creates nodes (and their ResourceSlices) and waits until kwok reports them Ready. */
  async addNodes(objects: readonly KubeObject[]): Promise<void> {
    await this.api.applyAll(objects, 'simcluster');
    const names = new Set(objects.filter((o) => o.kind === 'Node').map((o) => String(o.metadata.name)));
    await this.waitFor('the new nodes Ready', async () => {
      const list = (await this.api.list('v1', 'Node')).filter((n) => names.has(n.metadata.name));
      const notReady = list.filter((n) => !(n.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'));
      return list.length === names.size && notReady.length === 0 ? true : `${notReady.length + names.size - list.length} of ${names.size} not Ready`;
    }, 60_000);
  }

  private async waitControllersReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const c of this.controllers) {
      for (;;) {
        if (c.process.hasExited()) throw new Error(`${c.name} exited (${await c.process.exited}) while starting`);
        if (await c.ready().catch(() => false)) break;
        if (Date.now() > deadline) throw new Error(`${c.name} not ready after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 200));
      }
      this.log(`${c.name} ready`);
    }
  }

  /** Throws with every controller's log tail when one of them has died. */
  assertControllersAlive(): void {
    const dead = this.controllers.filter((c) => c.process.hasExited());
    if (dead.length) {
      throw new Error(dead.map((c) => `${c.name} exited; log ${c.process.logFile}:\n${logTail(c.process.logFile)}`).join('\n'));
    }
  }

  /**
   * Polls `check` until it returns true; a string return is the current state, shown when the wait times out.
   */
  async waitFor(what: string, check: () => Promise<true | string>, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      this.assertControllersAlive();
      const result = await check();
      if (result === true) return;
      last = result;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${last}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** Log tail of one controller. */
  logTail(name: string, lines = 40): string {
    const c = this.controllers.find((x) => x.name === name);
    return c ? logTail(c.process.logFile, lines) : `(no controller ${name})`;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const c of [...this.controllers].reverse()) await stopServer(c.process, 5_000);
    this.watchdog.stop();
    this.api.close();
    await this.env.stop();
  }
}
