/**
 * Runs the pinned llm-d-router endpoint picker the way the synthesized EPP Deployment would run it: the container's
 * exact args, its env (field references resolved as the kubelet would), the ConfigMap's content as the mounted config
 * file, and its ServiceAccount's token (a TokenRequest) as credentials, so our RBAC is what it gets. The only change
 * is where the config volume lives: the mount path in the args is replaced by a local directory holding the same file.
 *
 * The picker listens on the ports its args name; two pickers with the same ports cannot run at once, so callers run
 * them one after another.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as http2 from 'node:http2';
import * as os from 'node:os';
import * as path from 'node:path';
import { SimCluster } from './cluster';
import { startComponent } from './components';
import { KubeObject } from '../harness/objects';
import { ServerProcess, stopServer } from '../harness/processes';

export interface EppRun {
  readonly process: ServerProcess;
  readonly healthPort: number;
  readonly readinessService: string;
  readonly metricsPort?: number;
}

function container(deployment: KubeObject): any {
  return (deployment.spec as any).template.spec.containers[0];
}

function argValue(args: readonly string[], flag: string): string | undefined {
  const i = args.findIndex((a) => a === `--${flag}` || a.startsWith(`--${flag}=`));
  if (i < 0) return undefined;
  return args[i].includes('=') ? args[i].slice(args[i].indexOf('=') + 1) : args[i + 1];
}

const PORTS_LOCK = path.join(os.tmpdir(), 'cdk8s-ai-epp-ports.lock');

/**
 * Runs `task` while holding a machine-wide lock: the pickers listen on the fixed ports of their args (9002, 9003,
 * 9090) and the stand-in model servers on the pods' port, so two jest workers must not run pickers at once. A lock
 * left by a dead process is taken over.
 */
export async function withPickerPorts<T>(task: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 600_000;
  for (;;) {
    try {
      fs.writeFileSync(PORTS_LOCK, String(process.pid), { flag: 'wx' });
      break;
    } catch {
      const owner = Number(fs.readFileSync(PORTS_LOCK, { encoding: 'utf8', flag: 'a+' }) || 0);
      if (owner && !alive(owner)) fs.rmSync(PORTS_LOCK, { force: true });
      if (Date.now() > deadline) throw new Error(`waited 10 minutes for ${PORTS_LOCK} (held by pid ${owner})`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await task();
  } finally {
    fs.rmSync(PORTS_LOCK, { force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Starts the picker of `deployment` (found with its ConfigMap and ServiceAccount in `objects`). */
export async function startEpp(cluster: SimCluster, deployment: KubeObject, objects: readonly KubeObject[]): Promise<EppRun> {
  const ns = String(deployment.metadata.namespace);
  const podSpec = (deployment.spec as any).template.spec;
  const c = container(deployment);
  const dir = path.join(cluster.dir, `epp-${deployment.metadata.name}`);
  fs.mkdirSync(dir, { recursive: true });

  let args: string[] = [...(c.args ?? [])];
  for (const mount of c.volumeMounts ?? []) {
    const volume = podSpec.volumes.find((v: any) => v.name === mount.name);
    if (!volume?.configMap) continue;
    const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.namespace === ns && o.metadata.name === volume.configMap.name);
    if (!cm) throw new Error(`${deployment.metadata.name}: ConfigMap ${volume.configMap.name} is not in the app`);
    const local = path.join(dir, mount.name);
    fs.mkdirSync(local, { recursive: true });
    for (const [file, text] of Object.entries((cm as any).data ?? {})) fs.writeFileSync(path.join(local, file), String(text));
    args = args.map((a) => a.split(mount.mountPath).join(local));
  }

  const sa = podSpec.serviceAccountName ?? 'default';
  const token = await cluster.api.post(`/api/v1/namespaces/${ns}/serviceaccounts/${sa}/token`,
    { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } });
  const kubeconfig = cluster.kubeconfig(`epp-${deployment.metadata.name}`, token.status.token);

  const podName = `${deployment.metadata.name}-sim`;
  const env: Record<string, string> = {};
  for (const e of c.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom?.fieldRef?.fieldPath === 'metadata.namespace') env[e.name] = ns;
    else if (e.valueFrom?.fieldRef?.fieldPath === 'metadata.name') env[e.name] = podName;
    else if (e.valueFrom?.fieldRef?.fieldPath === 'status.podIP') env[e.name] = '127.0.0.1';
    else throw new Error(`${deployment.metadata.name}: env ${e.name} has a source the simulation cannot resolve: ${JSON.stringify(e.valueFrom)}`);
  }
  const saved = { ...process.env };
  Object.assign(process.env, env, { KUBECONFIG: kubeconfig, HOME: dir });
  let proc: ServerProcess;
  try {
    proc = startComponent({ bin: cluster.bin, dir: cluster.dir, kubeconfig }, `epp-${deployment.metadata.name}`, cluster.bin.epp, args);
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
  const probe = c.readinessProbe?.grpc;
  if (!probe) throw new Error(`${deployment.metadata.name}: the picker has no gRPC readiness probe`);
  const metrics = argValue(args, 'metrics-port');
  return { process: proc, healthPort: probe.port, readinessService: probe.service ?? '', metricsPort: metrics ? Number(metrics) : undefined };
}

/** A gRPC health check (grpc.health.v1.Health/Check) over plaintext HTTP/2, as the kubelet's gRPC probe makes it. */
export function grpcHealth(port: number, service: string): Promise<'SERVING' | 'NOT_SERVING' | 'UNKNOWN' | 'SERVICE_UNKNOWN' | 'ERROR'> {
  return new Promise((resolve) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    const done = (v: any) => {
      session.close();
      resolve(v);
    };
    session.on('error', () => done('ERROR'));
    const name = Buffer.from(service, 'utf8');
    const message = name.length ? Buffer.concat([Buffer.from([0x0a, name.length]), name]) : Buffer.alloc(0);
    const frame = Buffer.concat([Buffer.from([0, 0, 0, 0, message.length]), message]);
    const req = session.request({ ':method': 'POST', ':path': '/grpc.health.v1.Health/Check', 'content-type': 'application/grpc', 'te': 'trailers' });
    const chunks: Buffer[] = [];
    req.setTimeout(3000, () => {
      req.close();
      done('ERROR');
    });
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => done('ERROR'));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      // 5-byte gRPC frame header, then HealthCheckResponse { status (field 1, varint) }
      const status = body.length >= 7 && body[5] === 0x08 ? body[6] : 0;
      done(['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'][status] ?? 'UNKNOWN');
    });
    req.end(frame);
  });
}

/**
 * Stands in for the model servers of a pool: pods get loopback IPs (components.ts POD_CIDR), so an HTTP server on the
 * pods' port answers the picker's scrapes of `http://<pod IP>:<port>/metrics` with the vLLM metrics the picker reads
 * (llm-d-router v0.10.0 pkg/epp/.../metrics mappings: num_requests_waiting/running, kv_cache_usage_perc, lora and
 * cache info), and records which pod IPs were scraped.
 */
export class FakeModelServers {
  static async listen(port: number): Promise<FakeModelServers> {
    const scraped = new Map<string, number>();
    const server = http.createServer((req, res) => {
      const ip = req.socket.localAddress ?? '';
      if (req.url?.startsWith('/metrics')) scraped.set(ip, (scraped.get(ip) ?? 0) + 1);
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end([
        '# TYPE vllm:num_requests_waiting gauge', 'vllm:num_requests_waiting{model_name="sim"} 0',
        '# TYPE vllm:num_requests_running gauge', 'vllm:num_requests_running{model_name="sim"} 0',
        '# TYPE vllm:kv_cache_usage_perc gauge', 'vllm:kv_cache_usage_perc{model_name="sim"} 0.1',
        '# TYPE vllm:lora_requests_info gauge', 'vllm:lora_requests_info{max_lora="0",running_lora_adapters="",waiting_lora_adapters=""} 1',
        '# TYPE vllm:cache_config_info gauge', 'vllm:cache_config_info{block_size="16",num_gpu_blocks="1000"} 1',
        '# TYPE sglang:num_queue_reqs gauge', 'sglang:num_queue_reqs{model_name="sim"} 0',
        '# TYPE sglang:num_running_reqs gauge', 'sglang:num_running_reqs{model_name="sim"} 0',
        '# TYPE sglang:token_usage gauge', 'sglang:token_usage{model_name="sim"} 0.1',
        '# TYPE sglang:cache_config_info gauge', 'sglang:cache_config_info{page_size="16",num_pages="1000"} 1',
        // A server the picker knows only through engineConfigs (pickers-flow-control.sim.test.ts).
        '# TYPE acme_requests gauge', 'acme_requests{state="waiting"} 0', 'acme_requests{state="running"} 0',
        '# TYPE acme_kv_usage gauge', 'acme_kv_usage 0.37', '',
      ].join('\n'));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '0.0.0.0', () => resolve());
    });
    return new FakeModelServers(server, scraped);
  }

  private constructor(private readonly server: http.Server, public readonly scraped: Map<string, number>) {}

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** The picker's Prometheus text on its metrics port (plain HTTP when metrics TLS is off). */
export function scrape(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/metrics', timeout: 3000, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve(text));
    }).on('error', reject);
  });
}

/** The value of a gauge sample whose labels include `labels`. */
export function gauge(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const m = /^[^{ ]+(?:\{([^}]*)\})? (\S+)/.exec(line);
    if (!m) continue;
    const have = Object.fromEntries([...(m[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[2]);
  }
  return undefined;
}

/** Stops the picker; returns its log without the health-check lines (they repeat every probe). */
export async function stopEpp(run: EppRun): Promise<string> {
  const tail = fs.readFileSync(run.process.logFile, 'utf8').split('\n').filter((l) => !l.includes('"logger":"health"')).slice(-60).join('\n');
  await stopServer(run.process, 5_000);
  return tail;
}

export interface PickerExpectation {
  /** The InferencePool the picker serves. */
  readonly pool: KubeObject;
  /** The IPs of the pool's pods. */
  readonly podIps: readonly string[];
  /** The engine exports no metrics the picker reads: it must scrape nothing. */
  readonly metricFree?: boolean;
}

/**
 * Starts the picker of `deployment`, waits until its readiness probe's gRPC health check is SERVING and (unless the
 * engine is metric-free) until it reports the pool's pods ready from their scraped metrics; then checks it scraped
 * exactly the pool's pods on the port the InferencePool names. Stops the picker whatever happened.
 */
export async function expectPickerServes(
  cluster: SimCluster, deployment: KubeObject, objects: readonly KubeObject[], want: PickerExpectation,
): Promise<void> {
  await withPickerPorts(() => pickerServes(cluster, deployment, objects, want));
}

async function pickerServes(cluster: SimCluster, deployment: KubeObject, objects: readonly KubeObject[], want: PickerExpectation): Promise<void> {
  const name = String(deployment.metadata.name);
  const fake = await FakeModelServers.listen((want.pool.spec as any).targetPorts[0].number);
  const run = await startEpp(cluster, deployment, objects);
  try {
    await cluster.waitFor(`${name} ready`, async () => {
      if (run.process.hasExited()) throw new Error(`${name} exited: ${await run.process.exited}`);
      const s = await grpcHealth(run.healthPort, run.readinessService);
      return s === 'SERVING' || `health ${run.readinessService}: ${s}`;
    }, 90_000);
    if (!want.metricFree) {
      await cluster.waitFor(`${name} lists the pool's ${want.podIps.length} pods`, async () => {
        const ready = gauge(await scrape(run.metricsPort!), 'inference_pool_ready_pods', { name: String(want.pool.metadata.name) });
        return ready === want.podIps.length || `inference_pool_ready_pods=${ready}`;
      }, 60_000);
    }
    // Scraped: every pod of its pool and nothing else; nothing for a metric-free engine (dataLayer.injectDefaults: false).
    expect([...fake.scraped.keys()].sort()).toEqual(want.metricFree ? [] : [...want.podIps].sort());
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${await stopEpp(run)}`);
  } finally {
    await fake.close();
  }
  await stopEpp(run);
}
