import { Duration, Size } from 'cdk8s';
import { findObject, llama, newChart, objectsOf } from './fixtures';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { VLLM_DATA_PARALLEL_RPC_PORT, vllmShutdownTimeout } from '../../src/serving/engines/vllm';
import { LoraAdapter } from '../../src/serving/lora-adapter';
import { ModelCache } from '../../src/serving/model-cache';
import { ModelServer } from '../../src/serving/model-server';
import { ModelSource } from '../../src/serving/model-source';
import { flagNames } from '../../src/serving/server-engine';

/**
 * Where each flag the vLLM engine emits is defined in vLLM v0.25.1, the release the library pins (PyPI sdist
 * vllm-0.25.1.tar.gz). A flag missing here is a flag the pinned server would refuse ("unrecognized arguments").
 */
const VLLM_V0_25_1_FLAGS: { [flag: string]: string } = {
  '--served-model-name': 'vllm/engine/arg_utils.py:852',
  '--port': 'vllm/entrypoints/openai/cli_args.py:229 (FrontendArgs.port)',
  '--revision': 'vllm/engine/arg_utils.py:817',
  '--tensor-parallel-size': 'vllm/engine/arg_utils.py:1007',
  '--pipeline-parallel-size': 'vllm/engine/arg_utils.py:969',
  '--data-parallel-size': 'vllm/engine/arg_utils.py:1032',
  '--data-parallel-start-rank': 'vllm/engine/arg_utils.py:1044',
  '--data-parallel-size-local': 'vllm/engine/arg_utils.py:1050',
  '--data-parallel-address': 'vllm/engine/arg_utils.py:1056',
  '--data-parallel-rpc-port': 'vllm/engine/arg_utils.py:1062',
  '--distributed-executor-backend': 'vllm/engine/arg_utils.py:965',
  '--master-addr': 'vllm/engine/arg_utils.py:973',
  '--master-port': 'vllm/engine/arg_utils.py:974',
  '--nnodes': 'vllm/engine/arg_utils.py:975',
  '--node-rank': 'vllm/engine/arg_utils.py:976',
  '--headless': 'vllm/entrypoints/openai/cli_args.py:353',
  '--shutdown-timeout': 'vllm/engine/arg_utils.py:1579',
  '--max-model-len': 'vllm/engine/arg_utils.py:822',
  '--gpu-memory-utilization': 'vllm/engine/arg_utils.py:1156',
  '--no-enable-prefix-caching': 'vllm/engine/arg_utils.py:1166 (--enable-prefix-caching, boolean optional)',
  '--enable-lora': 'vllm/engine/arg_utils.py:1316',
  '--lora-modules': 'vllm/entrypoints/openai/cli_args.py:75 (FrontendArgs.lora_modules)',
  '--max-loras': 'vllm/engine/arg_utils.py:1320',
  '--max-lora-rank': 'vllm/engine/arg_utils.py:1321',
};

/** The command line of one container as it runs: the kubelet's $(VAR) expansion ($$ is a literal $), then `sh -c`. */
function commandLine(container: any, env: { [name: string]: string }): string[] {
  const expand = (s: string) => s.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name) => (m === '$$' ? '$' : env[name] ?? m));
  const argv = [...(container.command ?? []), ...(container.args ?? [])].map(expand);
  if (argv[0] !== '/bin/sh' || argv[1] !== '-c') return argv;
  // `sh -c 'exec vllm serve "$@" <rest>' $0 args...`: the script's "$@" is the args; $((A * n)) is arithmetic.
  const [script, , ...positional] = argv.slice(2);
  const match = /^exec (.+?) "\$@" (.*)$/.exec(script);
  if (!match) throw new Error(`unexpected script ${script}`);
  const rest = match[2].replace(/"\$\(\(([A-Z_]+) \* (\d+)\)\)"/g, (_, name, n) => String(Number(env[name]) * Number(n)));
  return [...match[1].split(' '), ...positional, ...rest.split(' ')];
}

function flagValue(argv: string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** Every pod of one LeaderWorkerSet group, with the env LeaderWorkerSet injects (LWS v0.10.0 pkg/utils/pod/pod_utils.go). */
function groupCommandLines(lws: any): { argv: string[]; podIp: string; index: number }[] {
  const size = lws.leaderWorkerTemplate.size;
  const leaderAddress = 'llm-0.llm.serving';
  return Array.from({ length: size }, (_, index) => {
    const template = index === 0 ? lws.leaderWorkerTemplate.leaderTemplate : lws.leaderWorkerTemplate.workerTemplate;
    const podIp = `10.0.0.${index + 1}`;
    const env = { LWS_LEADER_ADDRESS: leaderAddress, LWS_WORKER_INDEX: String(index), LWS_GROUP_SIZE: String(size), POD_IP: podIp };
    const container = template.spec.containers[0];
    for (const e of container.env ?? []) {
      if (e.valueFrom?.fieldRef?.fieldPath === 'status.podIP') expect(e.name).toBe('POD_IP');
    }
    return { argv: commandLine(container, env), podIp, index };
  });
}

function lwsOf(parallelism: { tensor?: number; pipeline?: number; data?: number }, gpus = 8): any {
  const { chart } = newChart();
  llama(chart, 'llm', ModelServer.vllm(), { gpus: GpuRequest.of(gpus), parallelism, multiNode: {} });
  return findObject(objectsOf(chart), 'LeaderWorkerSet', 'llm-lws').spec;
}

describe('vLLM data parallelism across the pods of a LeaderWorkerSet group (issue 16 item 3)', () => {
  test.each([
    ['one rank per pod', { tensor: 8, data: 2 }, 2, 1],
    ['two ranks per pod', { tensor: 4, data: 4 }, 2, 2],
    ['eight single-GPU ranks per pod over three pods', { tensor: 1, data: 24 }, 3, 8],
    ['pipeline inside each rank', { tensor: 4, pipeline: 2, data: 3 }, 3, 1],
  ])('%s: every rank runs exactly once, the workers join the leader', (_, parallelism, nodes, local) => {
    const lws = lwsOf(parallelism);
    expect(lws.leaderWorkerTemplate.size).toBe(nodes);
    const pods = groupCommandLines(lws);
    const data = parallelism.data;
    const ranks: number[] = [];
    for (const { argv, index } of pods) {
      expect(argv.slice(0, 2)).toEqual(['vllm', 'serve']);
      expect(flagValue(argv, '--data-parallel-size')).toBe(String(data));
      expect(flagValue(argv, '--data-parallel-size-local')).toBe(String(local));
      expect(flagValue(argv, '--data-parallel-rpc-port')).toBe(String(VLLM_DATA_PARALLEL_RPC_PORT));
      // the torch.distributed multi-node wiring is for ranks that span pods; it would make vLLM infer other ranks
      for (const f of ['--nnodes', '--node-rank', '--master-addr']) expect(argv).not.toContain(f);
      const start = Number(flagValue(argv, '--data-parallel-start-rank'));
      for (let r = start; r < start + local; r++) ranks.push(r);
      if (index === 0) {
        // The leader binds the handshake socket: an IP (its own), not a DNS name ZMQ cannot bind.
        expect(flagValue(argv, '--data-parallel-address')).toBe('10.0.0.1');
        expect(argv).not.toContain('--headless');
      } else {
        expect(flagValue(argv, '--data-parallel-address')).toBe('llm-0.llm.serving');
        expect(argv).toContain('--headless');
      }
    }
    expect(ranks.sort((a, b) => a - b)).toEqual(Array.from({ length: data }, (__, i) => i));
  });

  test('the leader gets its pod IP from the downward API; the workers keep no API probes', () => {
    const lws = lwsOf({ tensor: 8, data: 2 });
    const leader = lws.leaderWorkerTemplate.leaderTemplate.spec.containers[0];
    const worker = lws.leaderWorkerTemplate.workerTemplate.spec.containers[0];
    expect(leader.env).toContainEqual({ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } });
    expect(leader.args).toEqual(expect.arrayContaining(['--data-parallel-address', '$(POD_IP)', '--data-parallel-start-rank', '0']));
    expect(worker.args).toEqual(expect.arrayContaining(['--data-parallel-address', '$(LWS_LEADER_ADDRESS)', '--data-parallel-start-rank', '$(LWS_WORKER_INDEX)']));
    expect(worker.command).toEqual(['vllm', 'serve']);
    expect(worker.readinessProbe).toBeUndefined();
  });

  test('several ranks per worker: the start rank is LWS_WORKER_INDEX x local, computed by a shell', () => {
    const worker = lwsOf({ tensor: 2, data: 8 }).leaderWorkerTemplate.workerTemplate.spec.containers[0];
    expect(worker.command).toEqual(['/bin/sh', '-c', 'exec vllm serve "$@" --data-parallel-start-rank "$$((LWS_WORKER_INDEX * 4))"', 'vllm-serve']);
    expect(worker.args).not.toContain('--data-parallel-start-rank');
  });

  test('tensor/pipeline across pods (no data parallelism) keeps the torch.distributed wiring', () => {
    const pods = groupCommandLines(lwsOf({ tensor: 8, pipeline: 2 }));
    expect(flagValue(pods[0].argv, '--node-rank')).toBe('0');
    expect(flagValue(pods[1].argv, '--node-rank')).toBe('1');
    expect(flagValue(pods[1].argv, '--master-addr')).toBe('llm-0.llm.serving');
    expect(pods[1].argv).toContain('--headless');
    for (const { argv } of pods) expect(argv.some((a) => a.startsWith('--data-parallel'))).toBe(false);
  });

  test('a data-parallel rank that would span pods is refused', () => {
    const { chart } = newChart();
    expect(() => llama(chart, 'llm', ModelServer.vllm(), { gpus: GpuRequest.of(8), parallelism: { tensor: 8, pipeline: 2, data: 2 }, multiNode: {} }))
      .toThrow('[ai/llm] parallelism: tensor 8 x pipeline 2 x data 2 = 32 GPU(s) per replica over 4 pods of 8 GPU(s): a data-parallel rank ' +
        '(tensor x pipeline = 16 GPUs) would span pods; vLLM runs data parallelism across nodes with whole ranks on each node');
  });

  test('extraArgs may not set the data-parallel wiring', () => {
    const { chart } = newChart();
    expect(() => llama(chart, 'llm', ModelServer.vllm({ extraArgs: ['--data-parallel-address', '10.0.0.1'] }), {}))
      .toThrow('[ai/llm] server.extraArgs (server.extra_args): sets --data-parallel-address, which the InferenceService generates');
  });

  test('every flag the engine emits exists in the pinned vLLM v0.25.1', () => {
    const { chart } = newChart();
    llama(chart, 'single', ModelServer.vllm({ maxModelLen: 8192, gpuMemoryUtilization: 0.8, enablePrefixCaching: false }), {
      model: ModelSource.huggingFace('meta-llama/Llama-3.1-8B-Instruct', { revision: 'main' }),
      maxLoraRank: 16,
      maxLoras: 2,
      loraAdapters: [LoraAdapter.huggingFace('sql', 'acme/sql-lora')],
    });
    llama(chart, 'tp', ModelServer.vllm(), { gpus: GpuRequest.of(8), parallelism: { tensor: 8, pipeline: 2 }, multiNode: {} });
    llama(chart, 'dp', ModelServer.vllm(), { gpus: GpuRequest.of(8), parallelism: { tensor: 2, data: 8 }, multiNode: {} });
    const containers: any[] = [];
    for (const o of objectsOf(chart)) {
      if (o.kind === 'Deployment' && o.metadata.name === 'single') containers.push(...o.spec.template.spec.containers);
      if (o.kind === 'LeaderWorkerSet') {
        containers.push(...o.spec.leaderWorkerTemplate.leaderTemplate.spec.containers, ...o.spec.leaderWorkerTemplate.workerTemplate.spec.containers);
      }
    }
    expect(containers).toHaveLength(5);
    const emitted = new Set<string>();
    for (const c of containers) {
      const argv = commandLine(c, { LWS_LEADER_ADDRESS: 'l', LWS_WORKER_INDEX: '1', POD_IP: '10.0.0.1' });
      for (const f of flagNames(argv)) emitted.add(f);
    }
    expect([...emitted].filter((f) => !(f in VLLM_V0_25_1_FLAGS))).toEqual([]);
    for (const f of ['--data-parallel-start-rank', '--data-parallel-address', '--shutdown-timeout', '--lora-modules', '--no-enable-prefix-caching']) {
      expect(emitted.has(f)).toBe(true);
    }
  });
});

describe('vLLM pod runtime defaults (issue 16 item 12)', () => {
  test('readiness as KServe probes vLLM: every second, 1 s timeout, 2 failures; other engines keep theirs', () => {
    const { chart } = newChart();
    llama(chart, 'vllm', ModelServer.vllm());
    llama(chart, 'sglang', ModelServer.sglang());
    const objects = objectsOf(chart);
    const probe = (name: string) => findObject(objects, 'Deployment', name).spec.template.spec.containers[0].readinessProbe;
    expect(probe('vllm')).toEqual({ httpGet: { path: '/health', port: 'http' }, periodSeconds: 1, timeoutSeconds: 1, failureThreshold: 2 });
    expect(probe('sglang')).toEqual({ httpGet: { path: '/health_generate', port: 'http' }, periodSeconds: 35, timeoutSeconds: 30, failureThreshold: 3 });
  });

  test('--shutdown-timeout follows KServe: grace period - preStop - min(5, grace period)', () => {
    // kserve/kserve v0.20.0 pkg/controller/v1alpha2/llmisvc/config_merge_test.go: tgps 60, preStop 15 -> 40
    expect(vllmShutdownTimeout(60, 15)).toBe(40);
    expect(vllmShutdownTimeout(3, 0)).toBe(0);
    expect(vllmShutdownTimeout(10, 30)).toBe(0);
    const { chart } = newChart();
    llama(chart, 'default', ModelServer.vllm());
    llama(chart, 'long', ModelServer.vllm(), { drainTimeout: Duration.seconds(60) });
    llama(chart, 'none', ModelServer.vllm(), { drainTimeout: Duration.seconds(0) });
    llama(chart, 'group', ModelServer.vllm(), { gpus: GpuRequest.of(8), parallelism: { tensor: 8, pipeline: 2 }, multiNode: {} });
    const objects = objectsOf(chart);
    for (const [name, grace] of [['default', 130], ['long', 160], ['none', 100]] as const) {
      const spec = findObject(objects, 'Deployment', name).spec.template.spec;
      expect(spec.terminationGracePeriodSeconds).toBe(grace);
      const preStop = spec.containers[0].lifecycle?.preStop?.sleep?.seconds ?? 0;
      // the drain ends 5 s before the kubelet's SIGKILL
      expect(flagValue(spec.containers[0].args, '--shutdown-timeout')).toBe(String(grace - preStop - 5));
    }
    const group = findObject(objects, 'LeaderWorkerSet', 'group-lws').spec.leaderWorkerTemplate;
    for (const t of [group.leaderTemplate, group.workerTemplate]) expect(flagValue(t.spec.containers[0].args, '--shutdown-timeout')).toBe('95');
  });

  test('an unsized emptyDir cache the weights download into requests 100Gi of ephemeral storage (llm-d)', () => {
    const { chart } = newChart();
    llama(chart, 'default', ModelServer.vllm());
    llama(chart, 'sized', ModelServer.vllm(), { modelCache: ModelCache.emptyDir(Size.gibibytes(300)) });
    llama(chart, 'shared', ModelServer.vllm(), { modelCache: ModelCache.persistentVolumeClaim('hf-cache') });
    llama(chart, 'pvc-model', ModelServer.vllm(), { model: ModelSource.persistentVolumeClaim('models') });
    llama(chart, 'own', ModelServer.vllm(), { resources: { ephemeralStorage: '500Gi' } });
    const objects = objectsOf(chart);
    const requests = (name: string) => findObject(objects, 'Deployment', name).spec.template.spec.containers[0].resources.requests;
    expect(requests('default')['ephemeral-storage']).toBe('100Gi');
    expect(requests('sized')['ephemeral-storage']).toBe('300Gi');
    expect(requests('shared')['ephemeral-storage']).toBeUndefined();
    expect(requests('pvc-model')['ephemeral-storage']).toBeUndefined();
    expect(requests('own')['ephemeral-storage']).toBe('500Gi');
  });
});
