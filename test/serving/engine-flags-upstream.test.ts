/**
 * Issue 16: each pinned engine's flag table (src/serving/engines/vllm-flags.ts, sglang-flags.ts) is its release's
 * own. The test downloads the distribution each table names from PyPI (checked against the table's sha256, cached
 * under ~/.cache/cdk8s-ai/upstream, or CDK8S_AI_UPSTREAM_CACHE; nothing upstream is committed) and re-derives the
 * table from the argparse registrations in the source files the table names (test/serving/engine-flags-source.ts).
 */
import { deriveSglang, deriveVllm, fetchDistribution, unpacked } from './engine-flags-source';
import { EngineFlagTable } from '../../src/serving/engines/flag-table';
import { SGLANG_V0_5_16_FLAGS } from '../../src/serving/engines/sglang-flags';
import { VLLM_V0_25_1_FLAGS } from '../../src/serving/engines/vllm-flags';

jest.setTimeout(300_000);

describe.each([
  ['vLLM v0.25.1', VLLM_V0_25_1_FLAGS, deriveVllm],
  ['SGLang v0.5.16', SGLANG_V0_5_16_FLAGS, deriveSglang],
])('%s flag table re-derived from the release on PyPI', (_, table: EngineFlagTable, derive: (root: string) => string[]) => {
  test('the table is every option string the release registers, no more', async () => {
    const root = unpacked(await fetchDistribution(table));
    const derived = derive(root);
    const flags = [...table.flags];
    const diff = { missing: derived.filter((f) => !flags.includes(f)), extra: flags.filter((f) => !derived.includes(f)) };
    expect(diff).toEqual({ missing: [], extra: [] });
    expect(flags).toEqual(derived);
  });
});

test('the derivation notices what it reads: the --no- form of a bool field and a flag that moved', async () => {
  const root = unpacked(await fetchDistribution(VLLM_V0_25_1_FLAGS));
  const derived = deriveVllm(root);
  // `--enable-prefix-caching` is `**{**cache_kwargs["enable_prefix_caching"], ...}` over CacheConfig's bool field
  expect(derived).toEqual(expect.arrayContaining(['--enable-prefix-caching', '--no-enable-prefix-caching', '-tp', '--headless']));
  // store_true flags have no --no- form
  expect(derived).toContain('--disable-log-stats');
  expect(derived).not.toContain('--no-disable-log-stats');
});
