// The benchmark's pure logic (bench/report.ts): medians, summaries, growth, the targets of issue 22 and the helpers
// that count YAML documents and kinds. The benchmark itself is not part of `npm test` (npx projen bench).
import {
  computeTargets, countDocuments, formatTarget, growthOf, kindsOf, median, PYTHON_MODES, PYTHON_PEERS, PythonSizeResult, sameOutput, SizeResult,
  summarize, TARGETS, TimedSample, VariantResult,
} from '../../bench/report';

const sample = (ms: number, cpuMs: number, extra: Partial<TimedSample> = {}): TimedSample => ({
  ms, cpuMs, peakRssBytes: 100, objects: 2, bytes: 10, sha256: 'a', ...extra,
});

const variant = (medianMs: number, medianCpuMs: number, extra: Partial<VariantResult> = {}): VariantResult => ({
  ...summarize([sample(medianMs, medianCpuMs)]), ...extra,
});

/** A size where ours takes `ours` ms (CPU the same), raw cdk8s `base` and the floor `floor`. */
function size(n: number, ours: number, base: number, floor: number, rss = 100): SizeResult {
  return {
    n,
    objects: 2,
    bytes: 10,
    identical: { objects: true, bytes: true, content: true, floorBytesEqual: true },
    variants: { ours: variant(ours, ours, { maxPeakRssBytes: rss }), baseline: variant(base, base), floor: variant(floor, floor) },
    ratios: { oursToBaseline: ours / base, oursToFloor: ours / floor, baselineToFloor: base / floor },
    cpuRatios: { oursToBaseline: ours / base, oursToFloor: ours / floor, baselineToFloor: base / floor },
  };
}

function python(n: number, ratio: number, same = true): PythonSizeResult {
  return {
    n,
    fleet: { ...variant(1, 1), medianPythonCpuMs: 0, medianRuntimeCpuMs: 0, maxRuntimePeakRssBytes: 0 },
    startup: { medianMs: 1, medianCpuMs: 1, samplesMs: [1] },
    processMedianMs: 2,
    sameBytesAsTypeScript: same,
    ratio,
    cpuRatio: ratio,
  };
}

describe('bench report', () => {
  test('median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  test('summarize refuses repetitions that wrote different YAML', () => {
    expect(() => summarize([sample(1, 1), sample(2, 2, { sha256: 'b' })], 'ours N=1')).toThrow(/ours N=1: the YAML differs/);
    const s = summarize([sample(3, 2), sample(1, 1, { peakRssBytes: 300 }), sample(2, 3, { contentSha256: 'c' })]);
    expect(s).toMatchObject({ medianMs: 2, minMs: 1, maxMs: 3, medianCpuMs: 2, maxPeakRssBytes: 300, contentSha256: 'c' });
  });

  test('growth divides each size by the previous one', () => {
    const g = growthOf([{ n: 100 }, { n: 1000 }], (i) => [{ medianMs: 10, medianCpuMs: 20 }, { medianMs: 50, medianCpuMs: 80 }][i]);
    expect(g).toEqual([{ from: 100, to: 1000, sizeRatio: 10, timeRatio: 5, cpuRatio: 4 }]);
  });

  test('the targets of issue 22 pass at their limits and fail just above', () => {
    const pass = computeTargets([size(1000, 1150, 1000, 767), size(3000, 3680, 3200, 2454, TARGETS.rssMaxBytes)], [python(1000, 1.3)]);
    expect(pass.map((t) => [t.name, t.pass])).toEqual([
      ['ours/raw cdk8s at N=1,000', true],
      ['ours/raw cdk8s at N=3,000', true],
      ['ours/floor at N=1,000', true],
      ['ours/floor at N=3,000', true],
      ['peak RSS of ours at N=3,000', true],
      ['ours t(3,000)/t(1,000)', true],
      ['Python/TypeScript at N=1,000', true],
      ['same output at N=1,000 (ours vs baseline, floor, Python)', true],
      ['same output at N=3,000 (ours vs baseline, floor)', true],
    ]);
    const fail = computeTargets([size(1000, 1000, 860, 660), size(3000, 3300, 2800, 2000, TARGETS.rssMaxBytes + 1)], [python(1000, 1.31, false)]);
    expect(fail.filter((t) => !t.pass).map((t) => t.name)).toEqual([
      'ours/raw cdk8s at N=1,000', 'ours/raw cdk8s at N=3,000', 'ours/floor at N=1,000', 'ours/floor at N=3,000',
      'peak RSS of ours at N=3,000', 'ours t(3,000)/t(1,000)', 'Python/TypeScript at N=1,000',
      'same output at N=1,000 (ours vs baseline, floor, Python)',
    ]);
  });

  test('ratios are judged on CPU time, growth and Python on wall time', () => {
    const r = size(1000, 1000, 1000, 1000);
    r.ratios = { oursToBaseline: 2, oursToFloor: 2, baselineToFloor: 1 };
    const [raw, floor] = computeTargets([r]);
    expect(raw).toMatchObject({ judgedOn: 'cpu', value: 1, other: 2, pass: true });
    expect(formatTarget(raw)).toBe('  PASS  ours/raw cdk8s at N=1,000: 1.00 from CPU times (limit 1.15; from wall times 2.00)');
    expect(floor.pass).toBe(true);
  });

  test('sizes the run did not measure are not judged', () => {
    expect(computeTargets([size(100, 5, 1, 1)]).map((t) => t.name)).toEqual(['same output at N=100 (ours vs baseline, floor)']);
    const oursOnly = size(1000, 1, 1, 1);
    delete oursOnly.variants.baseline;
    delete oursOnly.ratios;
    delete oursOnly.cpuRatios;
    expect(computeTargets([oursOnly])).toEqual([]);
  });

  test('ours in cdk8s App, ours to files and every Python mode must write the same bytes as ours', () => {
    const r = size(1000, 1000, 1000, 1000);
    r.variants.oursApp = variant(2000, 2000);
    r.variants.oursFiles = variant(900, 900);
    const p = python(1000, 1.2);
    p.alternatives = {
      yaml: { what: 'yaml', against: 'ours', fleet: p.fleet, sameBytesAsTypeScript: true, ratio: 1.1, cpuRatio: 1.1 },
    };
    expect(sameOutput(r, p)).toBe(true);
    expect(computeTargets([r], [p]).map((t) => t.name).pop()).toBe('same output at N=1,000 (ours vs ours in cdk8s App, baseline, floor, ours to files, Python)');
    p.alternatives.yaml.sameBytesAsTypeScript = false;
    expect(sameOutput(r, p)).toBe(false);
    p.alternatives.yaml.sameBytesAsTypeScript = true;
    r.variants.oursFilesPerService = variant(900, 900, { sha256: 'other' });
    expect(sameOutput(r, p)).toBe(false);
    r.variants.oursFilesPerService = variant(900, 900);
    expect(sameOutput(r, p)).toBe(true);
    r.variants.oursApp = variant(2000, 2000, { sha256: 'other' });
    expect(sameOutput(r, p)).toBe(false);
    // Each Python mode is divided by the TypeScript variant measured the same way.
    expect(PYTHON_MODES.map((m) => PYTHON_PEERS[m])).toEqual(['oursFiles', 'ours', 'oursApp', 'oursFilesPerService']);
  });

  test('documents and kinds of a YAML stream', () => {
    const yaml = 'apiVersion: v1\nkind: Service\nspec:\n  ref:\n    kind: Pod\n---\nkind: "Service"\n---\nkind: ConfigMap\n';
    expect(countDocuments(yaml)).toBe(3);
    expect(countDocuments('')).toBe(0);
    expect(kindsOf(yaml)).toEqual({ Service: 2, ConfigMap: 1 });
  });
});
