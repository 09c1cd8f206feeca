/**
 * Starts etcd and one kube-apiserver per environment on loopback, waits for
 * readiness, installs the shared CRDs, and stops everything again.
 *
 * One etcd serves all environments; each apiserver uses its own key prefix
 * (`--etcd-prefix=/registry-<env>`), so their data never mixes.
 */
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { installCrds, loadCrds, waitForCrds } from './crds';
import { Discovery } from './discovery';
import { ENVIRONMENTS, EnvironmentName, formatKeyValues } from './environments';
import { KubeClient, delay, isSuccess } from './kube-client';
import { moduleCrds } from './module-crds';
import { KubeObject, canonicalJson } from './objects';
import { SHARED_CRDS_DIR, binaries, binaryDir } from './paths';
import { ServerProcess, Watchdog, freePorts, logTail, startServer, stopServer } from './processes';
import { EnvironmentConnection, TestEnvState, writeState } from './state';

export interface StartOptions {
  readonly environments: readonly EnvironmentName[];
  /** CRD directory to install into every environment (default: ../shared/crds and the upstream modules' CRDs, see module-crds.ts). */
  readonly crdsDir?: string;
  /** Progress messages (default: none). */
  readonly log?: (message: string) => void;
  readonly readyTimeoutMs?: number;
  /** Do not install the shared CRDs (default: install them). */
  readonly skipCrds?: boolean;
  /** Start from (and create) the cached etcd snapshot with the CRDs installed (default: on, unless CDK8S_AI_TESTENV_SNAPSHOT=off). */
  readonly snapshot?: boolean;
}

export interface RunningTestEnv {
  readonly state: TestEnvState;
  readonly stateFile: string;
  /** Stops every process and removes the temp dir; safe to call more than once. */
  stop(): Promise<void>;
}

interface Credentials {
  readonly token: string;
  readonly tokenFile: string;
  readonly saKeyFile: string;
}

function writeCredentials(dir: string): Credentials {
  const token = randomBytes(24).toString('hex');
  const tokenFile = path.join(dir, 'tokens.csv');
  fs.writeFileSync(tokenFile, `${token},admin,admin-uid,"system:masters"\n`, { mode: 0o600 });
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const saKeyFile = path.join(dir, 'sa.key');
  fs.writeFileSync(saKeyFile, privateKey, { mode: 0o600 });
  return { token, tokenFile, saKeyFile };
}

function etcdArgs(dir: string, clientPort: number, peerPort: number): string[] {
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  return [
    '--name=default', `--data-dir=${path.join(dir, 'etcd')}`,
    `--listen-client-urls=${client}`, `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`, `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=default=${peer}`, '--unsafe-no-fsync=true', '--log-level=warn',
    // Single member on loopback: elect itself in ~100 ms instead of ~1 s.
    '--heartbeat-interval=10', '--election-timeout=100',
  ];
}

function apiserverArgs(env: EnvironmentName, dir: string, port: number, etcdUrl: string, creds: Credentials): string[] {
  const def = ENVIRONMENTS[env];
  const args = [
    `--etcd-servers=${etcdUrl}`, `--etcd-prefix=/registry-${env}`,
    `--cert-dir=${path.join(dir, 'pki')}`, `--secure-port=${port}`,
    '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1',
    '--service-cluster-ip-range=10.0.0.0/24', '--allow-privileged=true',
    '--authorization-mode=RBAC', `--token-auth-file=${creds.tokenFile}`,
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${creds.saKeyFile}`, `--service-account-signing-key-file=${creds.saKeyFile}`,
    // No controller-manager creates the `default` ServiceAccount; everything else stays on
    // (NamespaceLifecycle, PodSecurity, Priority, RuntimeClass, ValidatingAdmissionPolicy, ...).
    '--disable-admission-plugins=ServiceAccount',
    '--endpoint-reconciler-type=none', '--profiling=false',
  ];
  if (def.emulatedVersion) {
    args.push(`--emulated-version=${def.emulatedVersion}`);
  }
  if (Object.keys(def.featureGates).length > 0) {
    args.push(`--feature-gates=${formatKeyValues(def.featureGates)}`);
  }
  if (Object.keys(def.runtimeConfig).length > 0) {
    args.push(`--runtime-config=${formatKeyValues(def.runtimeConfig)}`);
  }
  return args;
}

async function waitFor(what: string, server: ServerProcess, deadline: number, probe: () => Promise<boolean>): Promise<void> {
  for (;;) {
    if (server.hasExited()) {
      throw new Error(`${server.name} exited (${await server.exited}) while waiting for ${what}; log ${server.logFile}:\n${logTail(server.logFile)}`);
    }
    if (await probe().catch(() => false)) {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}; log ${server.logFile}:\n${logTail(server.logFile)}`);
    }
    await delay(100);
  }
}

function etcdHealthy(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(`${url}/health`, { agent: false, timeout: 2000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve(res.statusCode === 200 && /"health":\s*"true"/.test(text)));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/** Effective feature gates from the `kubernetes_feature_enabled` metric. */
export function parseFeatureMetrics(metrics: string): Record<string, boolean> {
  const gates: Record<string, boolean> = {};
  const re = /^kubernetes_feature_enabled\{name="([^"]+)",stage="[^"]*"\} (\d+)/gm;
  let m: RegExpExecArray | null;
  while ((m = re.exec(metrics)) !== null) {
    gates[m[1]] = m[2] === '1';
  }
  return gates;
}

interface StartedApiserver {
  readonly server: ServerProcess;
  readonly connection: EnvironmentConnection;
  readonly timings: Record<string, number>;
}

async function startApiserver(
  env: EnvironmentName, root: string, port: number, etcdUrl: string, creds: Credentials,
  crds: readonly KubeObject[], install: boolean, readyTimeoutMs: number, register: (s: ServerProcess) => void,
): Promise<StartedApiserver> {
  const def = ENVIRONMENTS[env];
  const dir = path.join(root, env);
  fs.mkdirSync(dir, { recursive: true });
  const started = Date.now();
  const server = startServer(`kube-apiserver (${env})`, binaries().kubeApiserver,
    apiserverArgs(env, dir, port, etcdUrl, creds), path.join(dir, 'kube-apiserver.log'));
  register(server);

  const insecure = new KubeClient({ port, token: creds.token }, 2);
  const deadline = Date.now() + readyTimeoutMs;
  try {
    await waitFor(`${env} /readyz`, server, deadline, async () => (await insecure.get('/readyz')).status === 200);
  } finally {
    insecure.close();
  }
  const caFile = path.join(dir, 'pki', 'apiserver.crt');
  const client = KubeClient.fromCaFile(port, creds.token, caFile);
  try {
    // NamespaceLifecycle: `default` appears asynchronously after start.
    await waitFor(`${env} namespace default`, server, deadline,
      async () => isSuccess(await client.get('/api/v1/namespaces/default')));
    const ready = Date.now();
    const version = (await client.get('/version')).body as { gitVersion?: string };
    const featureGates = parseFeatureMetrics((await client.get('/metrics', 'text/plain')).text);
    const crdStart = Date.now();
    const discovery = new Discovery(client);
    const crdTimes = install ? await installCrds(client, discovery, crds) : { applyMs: 0, waitMs: 0 };
    if (!install) {
      // Restored from a snapshot: the CRDs are stored already; wait until all are served.
      const w = Date.now();
      await waitForCrds(client, discovery, crds);
      crdTimes.waitMs = Date.now() - w;
    }
    const done = Date.now();
    return {
      server,
      connection: {
        name: env,
        server: `https://127.0.0.1:${port}`,
        port,
        token: creds.token,
        caFile,
        kubernetesVersion: def.kubernetesVersion,
        binaryVersion: version.gitVersion ?? 'unknown',
        emulatedVersion: def.emulatedVersion,
        featureGates,
        runtimeConfig: def.runtimeConfig,
        crds: crds.map((c) => String(c.metadata.name)),
        pid: server.child.pid ?? -1,
        logFile: server.logFile,
      },
      timings: {
        [`${env}.readyMs`]: ready - started,
        [`${env}.crdInstallMs`]: done - crdStart,
        [`${env}.crdApplyMs`]: crdTimes.applyMs,
        [`${env}.crdWaitMs`]: crdTimes.waitMs,
      },
    };
  } finally {
    client.close();
  }
}

interface Launched extends RunningTestEnv {
  /** Stops the processes but keeps the temp dir (to copy the etcd data from). */
  stopServers(): Promise<void>;
}

/** Starts etcd (optionally on a copy of `seedEtcdDir`) + the apiservers; on failure stops everything. */
async function launch(options: StartOptions, crds: readonly KubeObject[], install: boolean, seedEtcdDir?: string): Promise<Launched> {
  const log = options.log ?? (() => undefined);
  const readyTimeoutMs = options.readyTimeoutMs ?? 120_000;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ai-testenv-'));
  const servers: ServerProcess[] = [];
  const watchdog = new Watchdog(path.join(root, 'watchdog.json'), { parent: process.pid, pids: [], dir: root });
  const register = (s: ServerProcess): void => {
    servers.push(s);
    watchdog.update({ parent: process.pid, pids: servers.flatMap((x) => (x.child.pid ? [x.child.pid] : [])), dir: root });
  };
  const exitHook = (): void => {
    // Last resort on process exit without teardown: synchronous kill + cleanup.
    for (const s of servers) {
      if (!s.hasExited()) {
        s.child.kill('SIGKILL');
      }
    }
    fs.rmSync(root, { recursive: true, force: true });
  };
  process.on('exit', exitHook);
  const stopServers = async (): Promise<void> => {
    // apiservers first (they hold etcd connections), then etcd.
    await Promise.all(servers.filter((s) => !s.name.startsWith('etcd')).map((s) => stopServer(s)));
    await Promise.all(servers.filter((s) => s.name.startsWith('etcd')).map((s) => stopServer(s)));
  };
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) {
      return;
    }
    stopped = true;
    await stopServers();
    watchdog.stop();
    fs.rmSync(root, { recursive: true, force: true });
    process.removeListener('exit', exitHook);
  };

  try {
    const t0 = Date.now();
    const creds = writeCredentials(root);
    if (seedEtcdDir) {
      fs.cpSync(seedEtcdDir, path.join(root, 'etcd'), { recursive: true });
    }
    const [etcdClient, etcdPeer, ...apiPorts] = await freePorts(2 + options.environments.length);
    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    const etcd = startServer('etcd', binaries().etcd, etcdArgs(root, etcdClient, etcdPeer), path.join(root, 'etcd.log'));
    register(etcd);
    await waitFor('etcd /health', etcd, Date.now() + readyTimeoutMs, () => etcdHealthy(etcdUrl));
    const etcdReadyMs = Date.now() - t0;
    log(`etcd ready in ${etcdReadyMs} ms; starting ${options.environments.join(', ') || 'no'} apiserver(s), `
      + `${crds.length} CRDs ${install ? 'to install' : 'from snapshot'}`);

    const started = await Promise.all(options.environments.map((env, i) =>
      startApiserver(env, root, apiPorts[i], etcdUrl, creds, crds, install, readyTimeoutMs, register)));
    const timings: Record<string, number> = { etcdReadyMs, totalMs: Date.now() - t0 };
    const environments: Partial<Record<EnvironmentName, EnvironmentConnection>> = {};
    for (const s of started) {
      environments[s.connection.name] = s.connection;
      Object.assign(timings, s.timings);
    }
    const state: TestEnvState = {
      tempDir: root,
      etcd: { url: etcdUrl, pid: etcd.child.pid ?? -1, logFile: etcd.logFile },
      environments,
      timings,
    };
    const stateFile = path.join(root, 'state.json');
    writeState(stateFile, state);
    return { state, stateFile, stop, stopServers };
  } catch (err) {
    await stop();
    throw err;
  }
}

const SNAPSHOT_FORMAT = 1;
const SNAPSHOTS_KEPT = 3;

function fileFingerprint(file: string): string {
  try {
    return fs.readFileSync(`${file}.inputs`, 'utf8').trim();
  } catch {
    const st = fs.statSync(file);
    return `${st.size}:${st.mtimeMs}`;
  }
}

/** Identifies the etcd content after CRD install: binaries, environment flags and CRDs. */
export function snapshotKey(environments: readonly EnvironmentName[], crds: readonly KubeObject[]): string {
  const b = binaries();
  return createHash('sha256').update(canonicalJson({
    format: SNAPSHOT_FORMAT,
    apiserver: fileFingerprint(b.kubeApiserver),
    etcd: fileFingerprint(b.etcd),
    environments: [...environments].sort().map((e) => ENVIRONMENTS[e]),
    crds,
  })).digest('hex').slice(0, 24);
}

function pruneSnapshots(dir: string, keep: string): void {
  const entries = fs.readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== keep)
    .map((e) => ({ name: e.name, mtime: fs.statSync(path.join(dir, e.name)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const e of entries.slice(SNAPSHOTS_KEPT - 1)) {
    fs.rmSync(path.join(dir, e.name), { recursive: true, force: true });
  }
}

/** Installs the CRDs into a fresh control plane, stops it, and keeps its etcd data dir as the snapshot. */
async function createSnapshot(options: StartOptions, crds: readonly KubeObject[], target: string): Promise<Record<string, number>> {
  const env = await launch(options, crds, true);
  try {
    await env.stopServers();
    const tmp = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    fs.cpSync(path.join(env.state.tempDir, 'etcd'), path.join(tmp, 'etcd'), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'timings.json'), JSON.stringify(env.state.timings));
    try {
      fs.renameSync(tmp, target);
    } catch {
      fs.rmSync(tmp, { recursive: true, force: true }); // another run created it first
    }
    return env.state.timings;
  } finally {
    await env.stop();
  }
}

/**
 * Starts etcd + the requested apiservers with every CRD installed and served.
 *
 * The etcd content right after CRD installation is cached next to the
 * binaries (keyed by binaries, environment flags and CRD content): the first
 * run installs the CRDs and saves the data dir, later runs start from a copy
 * and only wait until the CRDs are served. CDK8S_AI_TESTENV_SNAPSHOT=off
 * installs the CRDs every time.
 */
export async function startTestEnv(options: StartOptions): Promise<RunningTestEnv> {
  const log = options.log ?? (() => undefined);
  const crds = options.environments.length > 0 && !options.skipCrds
    ? [...loadCrds(options.crdsDir ?? SHARED_CRDS_DIR), ...(options.crdsDir ? [] : moduleCrds())]
      .sort((a, b) => String(a.metadata.name).localeCompare(String(b.metadata.name)))
    : [];
  const useSnapshot = (options.snapshot ?? process.env.CDK8S_AI_TESTENV_SNAPSHOT !== 'off') && crds.length > 0;
  if (!useSnapshot) {
    const env = await launch(options, crds, true);
    log(`test environment ready: ${JSON.stringify(env.state.timings)}`);
    return env;
  }
  const snapshots = path.join(binaryDir(), 'snapshots');
  const key = snapshotKey(options.environments, crds);
  const dir = path.join(snapshots, key);
  let created: Record<string, number> | undefined;
  if (!fs.existsSync(path.join(dir, 'etcd'))) {
    fs.mkdirSync(snapshots, { recursive: true });
    const t0 = Date.now();
    created = await createSnapshot(options, crds, dir);
    log(`snapshot ${key} created in ${Date.now() - t0} ms: ${JSON.stringify(created)}`);
    pruneSnapshots(snapshots, key);
  }
  try {
    const env = await launch(options, crds, false, path.join(dir, 'etcd'));
    if (created) {
      Object.assign(env.state.timings as Record<string, number>, Object.fromEntries(
        Object.entries(created).map(([k, v]) => [`snapshot.${k}`, v])));
      writeState(env.stateFile, env.state);
    }
    log(`test environment ready: ${JSON.stringify(env.state.timings)}`);
    return env;
  } catch (err) {
    // A broken snapshot must not break the run: drop it and install from scratch.
    log(`starting from snapshot ${key} failed (${(err as Error).message}); installing CRDs from scratch`);
    fs.rmSync(dir, { recursive: true, force: true });
    return launch(options, crds, true);
  }
}

/** globalThis key under which globalSetup leaves the running environment for globalTeardown. */
export const GLOBAL_HANDLE = '__CDK8S_AI_TESTENV__';
