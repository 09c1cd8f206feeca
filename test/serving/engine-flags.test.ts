/**
 * Issue 16: a per-version flag table for every engine we pin (src/serving/engines/vllm-flags.ts, sglang-flags.ts,
 * read from the release's source; engine-flags-upstream.test.ts re-derives them). Every flag an engine emits is in
 * its table, and `server.extraArgs` refuses a flag the pinned release does not register, naming the nearest one.
 */
import { findObject, llama, newChart, objectsOf } from './fixtures';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { imageRunsTable, nearestFlag, unknownFlags } from '../../src/serving/engines/flag-table';
import { SGLANG_IMAGE } from '../../src/serving/engines/sglang';
import { SGLANG_V0_5_16_FLAGS } from '../../src/serving/engines/sglang-flags';
import { VLLM_IMAGE } from '../../src/serving/engines/vllm';
import { VLLM_V0_25_1_FLAGS } from '../../src/serving/engines/vllm-flags';
import { LoraAdapter } from '../../src/serving/lora-adapter';
import { ModelServer } from '../../src/serving/model-server';
import { ModelSource } from '../../src/serving/model-source';

/**
 * The error of `server.extraArgs` at `path` with `problem`; the prop may carry its spelling in other languages
 * (`server.extraArgs (server.extra_args)`).
 */
function extraArgsError(path: string, problem: string): RegExp {
  const esc = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${esc(`[${path}] server.extraArgs`)}(?: \\([^)]*\\))?: ${esc(problem)}`);
}

/** Every container's args of the serving workloads in `chart` (Deployments and both LeaderWorkerSet templates). */
function serverArgs(chart: any): string[][] {
  const out: string[][] = [];
  for (const o of objectsOf(chart)) {
    if (o.kind === 'Deployment' && !o.metadata.name.endsWith('-epp')) out.push(...o.spec.template.spec.containers.map((c: any) => c.args ?? []));
    if (o.kind === 'LeaderWorkerSet') {
      for (const t of [o.spec.leaderWorkerTemplate.leaderTemplate, o.spec.leaderWorkerTemplate.workerTemplate]) {
        out.push(...t.spec.containers.map((c: any) => c.args ?? []));
      }
    }
  }
  return out;
}

describe('engine flag tables (issue 16)', () => {
  test('the tables are for the pinned images', () => {
    expect(VLLM_IMAGE).toBe(`vllm/vllm-openai:v${VLLM_V0_25_1_FLAGS.version}`);
    expect(SGLANG_IMAGE).toBe(`lmsysorg/sglang:v${SGLANG_V0_5_16_FLAGS.version}`);
    expect(ModelServer.vllm()._engine.flagTable).toBe(VLLM_V0_25_1_FLAGS);
    expect(ModelServer.sglang()._engine.flagTable).toBe(SGLANG_V0_5_16_FLAGS);
    for (const t of [VLLM_V0_25_1_FLAGS, SGLANG_V0_5_16_FLAGS]) {
      expect([...t.flags]).toEqual([...new Set(t.flags)].sort());
    }
  });

  test.each([
    ['vllm', () => ModelServer.vllm({ maxModelLen: 8192, gpuMemoryUtilization: 0.8, enablePrefixCaching: false }), VLLM_V0_25_1_FLAGS],
    ['sglang', () => ModelServer.sglang({ memFractionStatic: 0.8, contextLength: 8192 }), SGLANG_V0_5_16_FLAGS],
  ])('every flag %s emits, in every shape, is one its pinned release registers', (_, server, table) => {
    const { chart } = newChart();
    llama(chart, 'single', server(), {
      model: ModelSource.huggingFace('meta-llama/Llama-3.1-8B-Instruct', { revision: 'main' }),
      ...(table === VLLM_V0_25_1_FLAGS ? { maxLoraRank: 16 } : {}),
      maxLoras: 2,
      loraAdapters: [LoraAdapter.huggingFace('sql', 'acme/sql-lora')],
    });
    llama(chart, 'tp', server(), { gpus: GpuRequest.of(8), parallelism: { tensor: 8, pipeline: 2 }, multiNode: {} });
    llama(chart, 'dp', server(), { gpus: GpuRequest.of(8), parallelism: { tensor: 2, data: 8 }, multiNode: {} });
    llama(chart, 'dpsingle', server(), { gpus: GpuRequest.of(4), parallelism: { tensor: 2, data: 2 } });
    const all = serverArgs(chart);
    expect(all.length).toBeGreaterThanOrEqual(6);
    for (const args of all) expect(unknownFlags(table, args)).toEqual([]);
    // vLLM: the shell-computed start rank of a multi-rank worker is in the command's script, not the args
    const lws = findObject(objectsOf(chart), 'LeaderWorkerSet', 'dp-lws');
    const command: string[] = lws.spec.leaderWorkerTemplate.workerTemplate.spec.containers[0].command;
    const inScript = command[0] === '/bin/sh' ? command[2].match(/--[a-z-]+/g) ?? [] : [];
    if (table === VLLM_V0_25_1_FLAGS) expect(inScript).toEqual(['--data-parallel-start-rank']);
    expect(unknownFlags(table, inScript)).toEqual([]);
  });

  test('vLLM: flags as FlexibleArgumentParser reads them are accepted', () => {
    const { chart } = newChart();
    llama(chart, 'ok', ModelServer.vllm({
      extraArgs: [
        '--max_num_seqs', '64', '--no-enable-chunked-prefill', '--enforce-eager', '--seed', '-1', '-O3', '-q', 'fp8',
        '--compilation-config.cudagraph_mode=FULL', '--kv-cache-dtype=fp8', '--trust-remote-code', '--no-enable-log-requests',
      ],
    }));
    const args: string[] = findObject(objectsOf(chart), 'Deployment', 'ok').spec.template.spec.containers[0].args;
    expect(args.slice(-3)).toEqual(['--kv-cache-dtype=fp8', '--trust-remote-code', '--no-enable-log-requests']);
  });

  test.each([
    // a typo: the nearest flag is named
    ['--max-model-length', '8192', '"--max-model-length" (did you mean --max-model-len?)'],
    // a flag of another engine (SGLang's) is not vLLM's
    ['--mem-fraction-static', '0.8', '"--mem-fraction-static"'],
    // an abbreviation argparse would expand is refused, the full flag named
    ['--max-num-batched', '8192', '"--max-num-batched" (did you mean --max-num-batched-tokens?)'],
    // not a v0.25.1 flag: request logging is --enable-log-requests / --no-enable-log-requests (AsyncEngineArgs)
    ['--disable-log-requests', undefined, '"--disable-log-requests" (did you mean --enable-log-requests?)'],
  ])('vLLM refuses %s', (flag, value, shown) => {
    const { chart } = newChart();
    const extraArgs = value === undefined ? [flag] : [flag, value];
    expect(() => llama(chart, 'llm', ModelServer.vllm({ extraArgs }))).toThrow(extraArgsError('ai/llm',
      `got ${shown}; expected flags vLLM 0.25.1 registers (the release of vllm/vllm-openai:v0.25.1; ` +
      'its flags are in vllm/entrypoints/openai/cli_args.py, vllm/engine/arg_utils.py, vllm/config/*.py, vllm/utils/argparse_utils.py of that release), written in full'));
  });

  test('vLLM: an owned flag written with underscores is still the owned flag', () => {
    const { chart } = newChart();
    expect(() => llama(chart, 'llm', ModelServer.vllm({ extraArgs: ['--tensor_parallel_size=2'] })))
      .toThrow(extraArgsError('ai/llm', 'sets --tensor-parallel-size, which the InferenceService generates'));
  });

  test('SGLang: its own flags pass, vLLM spellings are refused with the SGLang flag named', () => {
    const { chart } = newChart();
    llama(chart, 'ok', ModelServer.sglang({ extraArgs: ['--chunked-prefill-size', '4096', '--enable-torch-compile', '--trust-remote-code', '--no-lora-strict-loading'] }));
    expect(() => llama(chart, 'typo', ModelServer.sglang({ extraArgs: ['--max-running-request', '64'] })))
      .toThrow(extraArgsError('ai/typo', 'got "--max-running-request" (did you mean --max-running-requests?); expected flags SGLang 0.5.16 registers'));
    // argparse here is plain: an underscore spelling is another (unknown) flag
    expect(() => llama(chart, 'underscore', ModelServer.sglang({ extraArgs: ['--chunked_prefill_size', '4096'] })))
      .toThrow('got "--chunked_prefill_size" (did you mean --chunked-prefill-size?)');
    expect(() => llama(chart, 'vllmflag', ModelServer.sglang({ extraArgs: ['--gpu-memory-utilization', '0.8'] })))
      .toThrow('got "--gpu-memory-utilization"');
  });

  test('an image tagged with another release skips the table; a digest or a mirror of the pinned tag keeps it', () => {
    expect(imageRunsTable(VLLM_V0_25_1_FLAGS, 'vllm/vllm-openai:v0.26.0')).toBe(false);
    expect(imageRunsTable(SGLANG_V0_5_16_FLAGS, 'lmsysorg/sglang:v0.5.17-cu129')).toBe(false);
    expect(imageRunsTable(VLLM_V0_25_1_FLAGS, 'registry.example.com:5000/vllm-openai:v0.25.1')).toBe(true);
    expect(imageRunsTable(VLLM_V0_25_1_FLAGS, 'registry.example.com:5000/vllm-openai@sha256:0123')).toBe(true);
    expect(imageRunsTable(VLLM_V0_25_1_FLAGS, 'registry.example.com/vllm-openai:latest')).toBe(true);
    const { chart } = newChart();
    llama(chart, 'newer', ModelServer.vllm({ image: 'vllm/vllm-openai:v0.26.0', extraArgs: ['--a-flag-from-0.26'] }));
    expect(() => llama(chart, 'mirror', ModelServer.vllm({ image: 'mirror.example.com/vllm-openai@sha256:0123', extraArgs: ['--a-flag-from-0.26'] })))
      .toThrow(extraArgsError('ai/mirror', 'got "--a-flag-from-0.26"; expected flags vLLM 0.25.1'));
  });

  test('nearest flag: prefix first, then the smallest edit distance, none when nothing is close', () => {
    expect(nearestFlag(VLLM_V0_25_1_FLAGS, '--gpu-memory')).toBe('--gpu-memory-utilization');
    expect(nearestFlag(VLLM_V0_25_1_FLAGS, '--tensor-paralel-size')).toBe('--tensor-parallel-size');
    expect(nearestFlag(VLLM_V0_25_1_FLAGS, '--zzzzzzzzzzzzzzzz')).toBeUndefined();
  });
});
