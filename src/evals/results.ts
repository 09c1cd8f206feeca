import * as fs from 'node:fs';
import * as path from 'node:path';
import { ThresholdSpec } from './eval-threshold';

/**
 * The pass/fail rules of an eval gate over an lm-evaluation-harness results file, in TypeScript (the synth-time
 * gate). The checker script in `checker-script.ts` implements the same rules in Python for the in-cluster Job; a
 * test runs both on the same files and requires the same outcomes. Change both together.
 *
 * Rules:
 * - the file is the given one, or the newest `results_*.json` under the given directory (lm-evaluation-harness
 *   names it `results_<ISO timestamp>.json`, so the greatest file name is the newest);
 * - the document must be a JSON object with a `results` object; a task is looked up in `results`, then `groups`;
 * - the value is `results[task]["metric,filter"]` and must be a finite number;
 * - `higher_is_better[task][metric]` gives the direction: `atLeast` fails when it says lower is better, `atMost`
 *   when it says higher is better, `noWorseThan` follows it and fails when it is missing.
 */

/** A results file that cannot be read (missing, not JSON, no `results` object). @internal */
export class ResultsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResultsError';
  }
}

/** One threshold's outcome. @internal */
export interface ThresholdOutcome {
  readonly id: string;
  readonly passed: boolean;
  /** The measured value, when there is one. */
  readonly measured: number | null;
  readonly reason: string;
}

/** Finds the results file: `p` itself, or the newest `results_*.json` under the directory `p`. @internal */
export function resolveResultsFile(p: string): string {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(p);
  } catch {
    throw new ResultsError(`${p} does not exist`);
  }
  if (!stat.isDirectory()) return p;
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (/^results_.*\.json$/.test(e.name)) found.push(full);
    }
  };
  walk(p);
  if (found.length === 0) throw new ResultsError(`no results_*.json file under ${p}`);
  found.sort((a, b) => compareText(path.basename(a), path.basename(b)) || compareText(a, b));
  return found[found.length - 1];
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const NON_FINITE = '__cdk8s_ai_non_finite__';

/**
 * Parses results JSON. Python's json module writes NaN and Infinity (lm-evaluation-harness does, for stderr values);
 * they are read as non-numbers, as the checker's `math.isfinite` check treats them.
 * @internal
 */
export function parseResults(text: string, source: string): any {
  const tolerant = text.replace(/"(?:[^"\\]|\\.)*"|-?Infinity|NaN/g, (m) => (m.startsWith('"') ? m : `{"${NON_FINITE}":true}`));
  let doc: any;
  try {
    doc = JSON.parse(tolerant);
  } catch (e) {
    throw new ResultsError(`${source} is not valid JSON (${(e as Error).message})`);
  }
  if (!isObject(doc) || !isObject(doc.results)) {
    throw new ResultsError(`${source} has no "results" object (expected lm-evaluation-harness output: {"results": {"<task>": {"<metric>,<filter>": <value>}}})`);
  }
  return doc;
}

/** Reads and parses the results file at `p` (a file or a directory). @internal */
export function readResults(p: string): { file: string; doc: any } {
  const file = resolveResultsFile(p);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ResultsError(`${file} cannot be read (${(e as Error).message})`);
  }
  return { file, doc: parseResults(text, file) };
}

function isObject(x: unknown): x is Record<string, any> {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

function isFiniteNumber(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

/** A number as the checker prints it (shortest round-trip form, integers without a fraction). @internal */
export function formatNumber(x: number): string {
  return String(x);
}

/** Evaluates every results threshold against a parsed results document. @internal */
export function evaluateResults(doc: any, specs: ThresholdSpec[]): ThresholdOutcome[] {
  const results: Record<string, any> = doc.results;
  const groups: Record<string, any> = isObject(doc.groups) ? doc.groups : {};
  const hibAll: Record<string, any> = isObject(doc.higher_is_better) ? doc.higher_is_better : {};
  return specs.filter((s) => s.source === 'results').map((s) => {
    const task = s.task!;
    const key = s.key!;
    const metric = s.metric!;
    const fail = (reason: string, measured: number | null = null): ThresholdOutcome => ({ id: s.id, passed: false, measured, reason });
    const entry = isObject(results[task]) ? results[task] : isObject(groups[task]) ? groups[task] : undefined;
    if (entry === undefined) {
      const tasks = [...new Set([...Object.keys(results), ...Object.keys(groups)])].sort(compareText);
      return fail(`task "${task}" is not in the results (tasks: ${tasks.join(', ') || 'none'})`);
    }
    if (!(key in entry)) {
      const metrics = Object.keys(entry).filter((k) => k.includes(',') && !k.split(',')[0].endsWith('_stderr')).sort(compareText);
      return fail(`"${key}" is not among the metrics of task "${task}" (metrics: ${metrics.join(', ') || 'none'})`);
    }
    const value = entry[key];
    if (!isFiniteNumber(value)) return fail(`"${key}" of task "${task}" is not a finite number`);
    const hibTask = isObject(hibAll[task]) ? hibAll[task] : {};
    const hib = typeof hibTask[metric] === 'boolean' ? hibTask[metric] as boolean : undefined;
    let atLeast: boolean;
    if (s.comparison === 'atLeast') {
      if (hib === false) return fail(`higher_is_better says lower is better for ${metric} of task "${task}"; use atMost or noWorseThan`, value);
      atLeast = true;
    } else if (s.comparison === 'atMost') {
      if (hib === true) return fail(`higher_is_better says higher is better for ${metric} of task "${task}"; use atLeast or noWorseThan`, value);
      atLeast = false;
    } else {
      if (hib === undefined) return fail(`higher_is_better does not say which way ${metric} of task "${task}" is better; use atLeast or atMost`, value);
      atLeast = hib;
    }
    const passed = atLeast ? value >= s.value : value <= s.value;
    const op = atLeast ? (passed ? '>=' : '<') : (passed ? '<=' : '>');
    return { id: s.id, passed, measured: value, reason: `${formatNumber(value)} ${op} ${formatNumber(s.value)}` };
  });
}
