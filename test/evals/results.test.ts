import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Testing } from 'cdk8s';
import { RESULTS_DIR, resultsFile } from './fixtures';
import { CHECKER_SCRIPT } from '../../src/evals/checker-script';
import { checkerSpec } from '../../src/evals/eval-job';
import { EvalThreshold, ThresholdSpec } from '../../src/evals/eval-threshold';
import { evaluateResults, readResults, resolveResultsFile, ResultsError, ThresholdOutcome } from '../../src/evals/results';

/**
 * The pass/fail rules on lm-evaluation-harness-shaped results files: the TypeScript gate (synth time) and the Python
 * checker shipped in the eval Job (in-cluster) must agree on every file.
 */

const scope = Testing.chart();
const specsOf = (thresholds: EvalThreshold[]): ThresholdSpec[] => thresholds.map((t, i) => t._spec(scope, `thresholds[${i}]`));

const GSM8K_STRICT = EvalThreshold.atLeast('gsm8k', 'exact_match,strict-match', 0.7);
const ARC_NORM = EvalThreshold.atLeast('arc_challenge', 'acc_norm', 0.5);
const STANDARD = [GSM8K_STRICT, ARC_NORM];
const MIXED = [
  EvalThreshold.atLeast('mmlu', 'acc', 0.65), // a group: read from "groups"
  EvalThreshold.atLeast('mmlu_abstract_algebra', 'acc,none', 0.3),
  EvalThreshold.noWorseThan('wikitext', 'word_perplexity', 10), // lower is better: <= 10 passes
  EvalThreshold.atMost('wikitext', 'bits_per_byte', 0.6), // 0.605 > 0.6 fails
  EvalThreshold.atLeast('wikitext', 'byte_perplexity', 1), // higher_is_better says lower is better: fails
  EvalThreshold.atMost('mmlu_anatomy', 'acc', 0.9), // higher_is_better says higher is better: fails
  EvalThreshold.atLeast('truthfulqa_mc2', 'acc', 0.4), // NaN: fails
  EvalThreshold.noWorseThan('gsm8k', 'exact_match', 0.5), // task missing
];

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ai-evals-'));
  fs.writeFileSync(path.join(tmp, 'check.py'), CHECKER_SCRIPT);
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface PythonRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly report: { passed: boolean; outcomes: ThresholdOutcome[]; error?: string };
}

function runChecker(specs: ThresholdSpec[], results: string, extra: string[] = []): PythonRun {
  const specFile = path.join(tmp, `spec-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(specFile, checkerSpec({ thresholds: specs, promThresholds: [], prometheusAddress: undefined }));
  const r = spawnSync('python3', [path.join(tmp, 'check.py'), 'check', '--spec', specFile, '--results', results, ...extra], { encoding: 'utf8' });
  const line = r.stdout.split('\n').find((l) => l.startsWith('CDK8S_AI_EVAL_REPORT '));
  if (!line) throw new Error(`no report line from the checker (status ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return { status: r.status, stdout: r.stdout, report: JSON.parse(line.slice('CDK8S_AI_EVAL_REPORT '.length)) };
}

function tsOutcomes(specs: ThresholdSpec[], results: string): ThresholdOutcome[] {
  return evaluateResults(readResults(results).doc, specs);
}

describe('TypeScript gate on the results fixtures', () => {
  test('passing run: every threshold passes, with the measured values', () => {
    const outcomes = tsOutcomes(specsOf(STANDARD), resultsFile('passing.json'));
    expect(outcomes).toEqual([
      { id: 'gsm8k exact_match,strict-match >= 0.7', passed: true, measured: 0.7437452615617892, reason: '0.7437452615617892 >= 0.7' },
      { id: 'arc_challenge acc_norm,none >= 0.5', passed: true, measured: 0.5503412969283277, reason: '0.5503412969283277 >= 0.5' },
    ]);
  });

  test('failing run: the failed thresholds name the measured value', () => {
    const outcomes = tsOutcomes(specsOf(STANDARD), resultsFile('failing.json'));
    expect(outcomes.map((o) => [o.passed, o.reason])).toEqual([
      [false, '0.6110689916603488 < 0.7'],
      [false, '0.4684300341296928 < 0.5'],
    ]);
  });

  test('missing task: fails and lists the tasks that are there', () => {
    const [gsm8k, arc] = tsOutcomes(specsOf(STANDARD), resultsFile('missing-task.json'));
    expect(gsm8k).toEqual({ id: GSM8K_STRICT.description, passed: false, measured: null, reason: 'task "gsm8k" is not in the results (tasks: arc_challenge)' });
    expect(arc.passed).toBe(true);
  });

  test('missing metric or filter: fails and lists the metrics of the task', () => {
    const [o] = tsOutcomes(specsOf([EvalThreshold.atLeast('gsm8k', 'exact_match', 0.7)]), resultsFile('passing.json'));
    expect(o.passed).toBe(false);
    expect(o.reason).toBe('"exact_match,none" is not among the metrics of task "gsm8k" (metrics: exact_match,flexible-extract, exact_match,strict-match)');
  });

  test('groups, lower-is-better metrics, direction mismatches and NaN', () => {
    const outcomes = tsOutcomes(specsOf(MIXED), resultsFile('groups-perplexity-nan.json'));
    expect(outcomes.map((o) => [o.passed, o.reason])).toEqual([
      [true, '0.6812419883207521 >= 0.65'],
      [true, '0.31 >= 0.3'],
      [true, '9.2341832129 <= 10'],
      [false, '0.6054710928 > 0.6'],
      [false, 'higher_is_better says lower is better for byte_perplexity of task "wikitext"; use atMost or noWorseThan'],
      [false, 'higher_is_better says higher is better for acc of task "mmlu_anatomy"; use atLeast or noWorseThan'],
      [false, '"acc,none" of task "truthfulqa_mc2" is not a finite number'],
      [false, 'task "gsm8k" is not in the results (tasks: mmlu, mmlu_abstract_algebra, mmlu_anatomy, truthfulqa_mc2, wikitext)'],
    ]);
  });

  test('a directory: the newest results_*.json (by its timestamped name) is read', () => {
    const dir = path.join(RESULTS_DIR, 'run');
    expect(path.basename(resolveResultsFile(dir))).toBe('results_2026-11-21T08-00-00.000001.json');
    expect(tsOutcomes(specsOf(STANDARD), dir).every((o) => o.passed)).toBe(true);
    // The older file alone would fail.
    const older = path.join(dir, 'meta-llama__Llama-3.1-8B-Instruct', 'results_2026-11-20T10-15-02.123456.json');
    expect(tsOutcomes(specsOf(STANDARD), older)[0].passed).toBe(false);
  });

  test.each([
    ['malformed.json', /malformed\.json is not valid JSON/],
    ['no-results-key.json', /no-results-key\.json has no "results" object/],
    ['does-not-exist.json', /does-not-exist\.json does not exist/],
  ])('unreadable file %s is an error, not a pass', (name, message) => {
    expect(() => readResults(resultsFile(name))).toThrow(ResultsError);
    expect(() => readResults(resultsFile(name))).toThrow(message);
  });

  test('an empty directory has no results file', () => {
    const empty = fs.mkdtempSync(path.join(tmp, 'empty-'));
    expect(() => resolveResultsFile(empty)).toThrow(/no results_\*\.json file under/);
  });
});

describe('the Python checker agrees with the TypeScript gate', () => {
  const CASES: [string, EvalThreshold[], string][] = [
    ['passing', STANDARD, 'passing.json'],
    ['failing', STANDARD, 'failing.json'],
    ['missing task', STANDARD, 'missing-task.json'],
    ['missing metric', [EvalThreshold.atLeast('gsm8k', 'exact_match', 0.7), EvalThreshold.atMost('arc_challenge', 'acc', 0.9)], 'passing.json'],
    ['groups, perplexity, NaN', MIXED, 'groups-perplexity-nan.json'],
    ['newest file in a directory', STANDARD, 'run'],
  ];

  test.each(CASES)('%s', (_name, thresholds, file) => {
    const specs = specsOf(thresholds);
    const ts = tsOutcomes(specs, resultsFile(file));
    const py = runChecker(specs, resultsFile(file));
    expect(py.report.outcomes).toEqual(ts);
    const passed = ts.every((o) => o.passed);
    expect(py.report.passed).toBe(passed);
    expect(py.status).toBe(passed ? 0 : 1);
    // The summary names every threshold with PASS/FAIL.
    for (const o of ts) expect(py.stdout).toContain(`${o.passed ? 'PASS' : 'FAIL'}  ${o.id}`);
  });

  test.each(['malformed.json', 'no-results-key.json', 'does-not-exist.json'])('unreadable %s: exit 2 and the same reason', (file) => {
    const py = runChecker(specsOf(STANDARD), resultsFile(file));
    expect(py.status).toBe(2);
    expect(py.report.passed).toBe(false);
    let tsMessage = '';
    try {
      readResults(resultsFile(file));
    } catch (e) {
      tsMessage = (e as Error).message;
    }
    // Same prefix (JSON parser details differ between languages).
    expect(py.report.error!.split(' (')[0]).toBe(tsMessage.split(' (')[0]);
  });

  test('generated results: random values, thresholds and directions give the same outcomes', () => {
    // A deterministic generator, so a failure reproduces.
    let seed = 42;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const dir = fs.mkdtempSync(path.join(tmp, 'gen-'));
    let compared = 0;
    for (let run = 0; run < 25; run++) {
      const tasks = ['t0', 't1', 't2'];
      const doc: any = { results: {}, higher_is_better: {} };
      for (const t of tasks) {
        if (rand() < 0.15) continue; // task missing
        doc.results[t] = { 'alias': t, 'acc,none': Math.round(rand() * 1e6) / 1e6, 'acc_stderr,none': 0.01, 'ppl,none': 1 + rand() * 20 };
        const r = rand();
        if (r < 0.7) doc.higher_is_better[t] = { acc: true, ppl: false };
        else if (r < 0.85) doc.higher_is_better[t] = { acc: false };
      }
      const file = path.join(dir, `r${run}.json`);
      fs.writeFileSync(file, JSON.stringify(doc));
      const thresholds = tasks.flatMap((t) => {
        const v = Math.round(rand() * 100) / 100;
        const kind = Math.floor(rand() * 3);
        const metric = rand() < 0.7 ? 'acc' : 'ppl';
        const value = metric === 'ppl' ? v * 20 : v;
        const factory = [EvalThreshold.atLeast, EvalThreshold.atMost, EvalThreshold.noWorseThan][kind];
        return [factory(t, metric, value)];
      });
      const specs = specsOf(thresholds);
      expect(runChecker(specs, file).report.outcomes).toEqual(tsOutcomes(specs, file));
      compared += specs.length;
    }
    expect(compared).toBe(75);
  });
});

describe('the Python checker in the cluster: waiting for the candidate, Prometheus thresholds', () => {
  function server(handler: http.RequestListener): Promise<{ url: string; close: () => Promise<void> }> {
    const s = http.createServer(handler);
    return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve({
      url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`,
      close: () => new Promise((r) => s.close(() => r())),
    })));
  }

  function runAsync(args: string[]): Promise<{ status: number | null; stdout: string }> {
    return new Promise((resolve) => {
      const p = spawn('python3', [path.join(tmp, 'check.py'), ...args]);
      let stdout = '';
      p.stdout.on('data', (d) => { stdout += d; });
      p.stderr.on('data', (d) => { stdout += d; });
      p.on('close', (status) => resolve({ status, stdout }));
    });
  }

  test('wait polls until the endpoint answers 200, then records the start time', async () => {
    let hits = 0;
    const s = await server((_req, res) => {
      hits++;
      res.statusCode = hits < 2 ? 503 : 200;
      res.end('{"data": []}');
    });
    const started = path.join(tmp, 'started');
    try {
      const r = await runAsync(['wait', '--url', `${s.url}/v1/models`, '--timeout', '30', '--started', started]);
      expect(r.status).toBe(0);
      expect(hits).toBe(2);
      expect(Number(fs.readFileSync(started, 'utf8'))).toBeGreaterThan(1.7e9);
    } finally {
      await s.close();
    }
  }, 30_000);

  test('wait gives up after its timeout with a non-zero exit', async () => {
    const s = await server((_req, res) => { res.statusCode = 503; res.end(); });
    try {
      const r = await runAsync(['wait', '--url', `${s.url}/v1/models`, '--timeout', '1']);
      expect(r.status).toBe(3);
      expect(r.stdout).toContain('did not answer');
    } finally {
      await s.close();
    }
  }, 30_000);

  test('latency and error-rate thresholds are queried over the eval window and fail closed without samples', async () => {
    const queries: string[] = [];
    const s = await server((req, res) => {
      const q = new URL(req.url!, 'http://x').searchParams.get('query')!;
      queries.push(q);
      const value = q.startsWith('histogram_quantile') ? '3.1' : q.includes('none') ? undefined : '0.002';
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: value ? [{ metric: {}, value: [1, value] }] : [] } }));
    });
    try {
      const specs = specsOf([GSM8K_STRICT]);
      const prom = specsOf([EvalThreshold.maxLatency(2.5), EvalThreshold.maxErrorRate(0.01), EvalThreshold.maxErrorRate(0.05)]);
      const promThresholds = [
        { ...prom[0], query: 'histogram_quantile(0.95, sum by (le) (rate(x_bucket[$WINDOW])))' },
        { ...prom[1], query: 'sum(rate(y[$WINDOW]))' },
        { ...prom[2], query: 'none[$WINDOW]' },
      ];
      const spec = JSON.parse(checkerSpec({ thresholds: [...specs, ...prom], promThresholds, prometheusAddress: s.url }));
      spec.settleSeconds = 0;
      const specFile = path.join(tmp, 'prom-spec.json');
      fs.writeFileSync(specFile, JSON.stringify(spec));
      const started = path.join(tmp, 'started-prom');
      fs.writeFileSync(started, String(Date.now() / 1000 - 600));
      const r = await runAsync(['check', '--spec', specFile, '--results', resultsFile('passing.json'), '--started', started]);
      expect(r.status).toBe(1);
      const report = JSON.parse(r.stdout.split('\n').find((l) => l.startsWith('CDK8S_AI_EVAL_REPORT '))!.slice(21));
      expect(report.outcomes.map((o: any) => [o.id, o.passed, o.measured])).toEqual([
        ['gsm8k exact_match,strict-match >= 0.7', true, 0.7437452615617892],
        ['p95 end-to-end latency <= 2.5s', false, 3.1],
        ['error rate <= 0.01', true, 0.002],
        ['error rate <= 0.05', false, null],
      ]);
      expect(report.outcomes[3].reason).toMatch(/^no samples for the candidate/);
      // The window is the time since the eval started (about 600 s), not a fixed one.
      expect(queries[0]).toMatch(/\[6\d\ds\]/);
    } finally {
      await s.close();
    }
  }, 30_000);
});
