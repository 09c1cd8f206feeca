/**
 * Issue 18 on the real endpoint picker (llm-d-router v0.10.0, built from the pinned source): each new config shape the
 * library renders — flow control with priority bands, a global byte limit, a negative-priority template band, the
 * round-robin fairness and earliest-deadline ordering policies, in-flight eviction and a feature gate set off; a
 * header-selected set of scheduling profiles (the Alpha header-profile-handler) with an explicit data layer
 * (`injectDefaults: false`); a custom server whose metric names the picker reads through `engineConfigs`; and
 * precise prefix-cache routing (token-producer, precise-prefix-cache-producer subscribing per pod through the
 * endpoint-notification-source, the prefix-cache scorer bound to it) — starts
 * with the Deployment's exact args and ConfigMap, reports ready on its gRPC health port and scrapes exactly its pool's
 * pods. The picker refuses unknown plugins, parameters, feature gates and dangling references at start, so starting is
 * the proof the shape is accepted. A KV-cache offloading server is scheduled and Running like any other.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Duration, Size } from 'cdk8s';
import * as YAML from 'yaml';
import { SynthesizedApp } from './apps';
import { SimCluster } from './cluster';
import { expectPickerServes, FakeModelServers, gauge, scrape, startEpp, stopEpp, withPickerPorts } from './epp';
import { expectRunningOnPools, GITOPS_MANAGER, podsOf } from './expectations';
import { pickerCasesApp, PickerCases, pickerOf } from './picker-cases';
import { EndpointPickerConfig, EndpointPickerProfiles, EppFairnessPolicy, EppOrderingPolicy, EppScorer, ModelServer } from '../../src';
import { KubeObject } from '../harness/objects';

const SIM_TIMEOUT = 600_000;
const IMAGE = (name: string) => `ghcr.io/acme/${name}@sha256:${'e'.repeat(64)}`;

const CASES: PickerCases = {
  'flow-bands': {
    server: ModelServer.vllm({ image: IMAGE('vllm') }),
    objectives: [{ name: 'interactive', priority: 10 }, { name: 'standard', priority: 0 }, { name: 'batch', priority: -1 }],
    endpointPicker: {
      featureGates: { haPopulateNonLeaderDatastore: false },
      flowControl: {
        maxRequests: 500,
        maxBytes: Size.gibibytes(2),
        requestTtl: Duration.seconds(30),
        eviction: true,
        priorityBands: [
          { priority: 10, maxRequests: 200, fairness: EppFairnessPolicy.roundRobin(), ordering: EppOrderingPolicy.earliestDeadline() },
          { priority: 0, maxBytes: Size.mebibytes(512), ordering: EppOrderingPolicy.firstComeFirstServed() },
        ],
        defaultPriorityBand: { maxRequests: 1000, fairness: EppFairnessPolicy.globalStrict() },
        defaultNegativePriorityBand: { maxRequests: 10 },
      },
    },
  },
  'profiles': {
    server: ModelServer.vllm({ image: IMAGE('vllm') }),
    endpointPicker: {
      config: EndpointPickerProfiles.selectedByHeader({
        header: 'x-routing-profile',
        defaultProfile: 'cache',
        profiles: [
          { name: 'latency', config: EndpointPickerConfig.of({ scorers: [EppScorer.queue(3), EppScorer.kvCacheUtilization(1)] }) },
          { name: 'cache', config: EndpointPickerConfig.of({ scorers: [EppScorer.prefixCache(5, { matchLengthWeight: 0.5 }), EppScorer.queue(1)] }) },
          { name: 'spread', config: EndpointPickerConfig.of({ scorers: [EppScorer.prefixCache(2)] }) },
        ],
      }),
      dataLayer: { injectDefaults: false },
    },
  },
  'acme': {
    server: ModelServer.custom({
      name: 'acme',
      image: IMAGE('acme'),
      args: ['--model', '{model}', '--port', '{port}'],
      eppMetrics: { queuedRequests: 'acme_requests{state=waiting}', runningRequests: 'acme_requests{state=running}', kvCacheUsage: 'acme_kv_usage' },
    }),
    endpointPicker: {
      config: EndpointPickerConfig.of({ scorers: [EppScorer.queue(2), EppScorer.runningRequests(1), EppScorer.kvCacheUtilization(2)] }),
    },
  },
  'precise': {
    server: ModelServer.vllm({ image: IMAGE('vllm') }),
    endpointPicker: {
      config: EndpointPickerConfig.of({ scorers: [EppScorer.precisePrefixCache(3), EppScorer.queue(1), EppScorer.kvCacheUtilization(1)] }),
    },
  },
  'offload': {
    server: ModelServer.vllm({ image: IMAGE('vllm'), kvOffloadingSize: Size.gibibytes(16) }),
  },
};

const app = (): SynthesizedApp => pickerCasesApp('flowctl', CASES);
const picker = pickerOf;

describe('the endpoint picker accepts the flow-control, profile-set and engine-config shapes', () => {
  let cluster: SimCluster;
  let out: SynthesizedApp;

  beforeAll(async () => {
    out = app();
    cluster = await SimCluster.start({ pools: out.pools });
    await cluster.api.createNamespace('flowctl');
    await cluster.api.applyAll(out.objects, GITOPS_MANAGER);
    await expectRunningOnPools(cluster, out.objects, 180_000);
  }, SIM_TIMEOUT);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  test.each(['flow-bands', 'profiles', 'acme'])('%s: the picker starts, is ready and reads its pool', async (name) => {
    const { deployment, pool, servers } = picker(out, name);
    const podIps = (await podsOf(cluster, servers)).map((p) => p.status.podIP).sort();
    expect(podIps).toHaveLength(2);
    await expectPickerServes(cluster, deployment, out.objects, { pool, podIps });
  }, SIM_TIMEOUT);

  test('precise: the picker starts, reads its pool and dials every pod\'s KV-events port', async () => {
    const { deployment, pool, servers } = picker(out, 'precise');
    const pods = await podsOf(cluster, servers);
    const podIps = pods.map((p) => p.status.podIP).sort();
    const port = Number(pods[0].spec.containers[0].ports.find((p: any) => p.name === 'kv-events').containerPort);
    // Stands in for the servers' ZMQ publishers: records which pod IPs the picker's subscribers connect to.
    const dialed = new Set<string>();
    const sockets: net.Socket[] = [];
    const zmq = net.createServer((socket) => {
      dialed.add(socket.localAddress ?? '');
      sockets.push(socket);
      socket.on('error', () => undefined);
      socket.resume(); // read (and drop) the ZMQ greeting, so the peer's close ends the socket
    });
    await new Promise<void>((resolve, reject) => zmq.once('error', reject).listen(port, '0.0.0.0', () => resolve()));
    try {
      await expectPickerServes(cluster, deployment, out.objects, { pool, podIps });
    } finally {
      const closed = new Promise<void>((resolve) => zmq.close(() => resolve()));
      sockets.forEach((s) => s.destroy());
      await closed;
    }
    expect([...dialed].sort()).toEqual(podIps);
  }, SIM_TIMEOUT);

  /** Starts `deployment`'s picker (with `objects`) and returns how it ended within a minute, with its log. */
  async function exitOf(deployment: KubeObject, objects: KubeObject[]): Promise<{ code: string; log: string }> {
    return withPickerPorts(async () => {
      const run = await startEpp(cluster, deployment, objects);
      let timer: NodeJS.Timeout | undefined;
      const code = await Promise.race([run.process.exited, new Promise<string>((r) => {
        timer = setTimeout(() => r('still running'), 60_000);
      })]);
      clearTimeout(timer);
      return { code, log: await stopEpp(run) };
    });
  }

  test('flow control runs with the bands, and the custom engine\'s KV metric is what the picker reads for its pool', async () => {
    // The flow-bands picker logged the effective config (loader/configloader.go) and started flow control (runner.go).
    const log = fs.readFileSync(path.join(cluster.dir, 'epp-flow-bands-epp.log'), 'utf8');
    expect(log).toContain('Initializing Flow Control layer');
    expect(log).toMatch(/PriorityBands: \[\{Priority: 10, MaxRequests: 200, FairnessPolicyRef: round-robin-fairness-policy, OrderingPolicyRef: edf-ordering-policy\}/);
    expect(log).toContain('EnableEviction: true');
    // The stand-in servers export acme_kv_usage 0.37 (vLLM's gauge is 0.1): the acme pool's average is read through engineConfigs.
    const { deployment, pool, servers } = picker(out, 'acme');
    const podIps = (await podsOf(cluster, servers)).map((p) => p.status.podIP);
    await withPickerPorts(async () => {
      const fake = await FakeModelServers.listen((pool.spec as any).targetPorts[0].number);
      const run = await startEpp(cluster, deployment, out.objects);
      try {
        await cluster.waitFor('the acme pool\'s KV-cache average from acme_kv_usage', async () => {
          if (run.process.hasExited()) throw new Error(`the picker exited: ${await run.process.exited}`);
          const text = await scrape(run.metricsPort!).catch(() => '');
          const kv = gauge(text, 'llm_d_epp_average_kv_cache_utilization', { name: 'acme' });
          return kv === 0.37 || `llm_d_epp_average_kv_cache_utilization=${kv}`;
        }, 60_000);
        expect([...fake.scraped.keys()].sort()).toEqual([...podIps].sort());
      } catch (err) {
        throw new Error(`${(err as Error).message}\n${await stopEpp(run)}`);
      } finally {
        await fake.close();
      }
      await stopEpp(run);
    });
  }, SIM_TIMEOUT);

  test('the shapes are what the picker checks: an unknown feature gate, or the profile set without experimental plugins, stops it', async () => {
    const bands = picker(out, 'flow-bands');
    const cm = out.objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'flow-bands-epp')!;
    const file = Object.keys((cm as any).data)[0];
    const doc = YAML.parse((cm as any).data[file]);
    doc.featureGates = [...doc.featureGates, 'noSuchGate'];
    const broken = { ...cm, data: { [file]: YAML.stringify(doc) } } as KubeObject;
    const gate = await exitOf(bands.deployment, out.objects.map((o) => (o === cm ? broken : o)));
    expect(gate.code).toMatch(/exit code [1-9]/);
    expect(gate.log).toMatch(/noSuchGate/);

    const profiles = JSON.parse(JSON.stringify(picker(out, 'profiles').deployment));
    const c = profiles.spec.template.spec.containers[0];
    c.args = c.args.filter((a: string) => a !== '--allow-experimental-plugins');
    const alpha = await exitOf(profiles, out.objects);
    expect(alpha.code).toMatch(/exit code [1-9]/);
    expect(alpha.log).toMatch(/header-profile-handler/);
  }, SIM_TIMEOUT);

  test('the KV-offloading server runs with its offload flags and the buffer in its memory request', async () => {
    const { servers } = picker(out, 'offload');
    const pods = await podsOf(cluster, servers);
    expect(pods).toHaveLength(2);
    for (const p of pods) {
      const c = p.spec.containers.find((x: any) => x.name === (servers[0].spec as any).template.spec.containers[0].name);
      expect(c.args.join(' ')).toContain('--kv-offloading-size 16 --kv-offloading-backend native');
      expect(c.resources.requests.memory).toBe('33Gi');
      expect(p.status.phase).toBe('Running');
    }
  }, SIM_TIMEOUT);
});
