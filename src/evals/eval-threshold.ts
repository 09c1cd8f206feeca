import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { invalidProp } from '../internal/errors';
import { checkProps, opt, req, requireKind } from '../internal/runtime-checks';

/** Metrics lm-evaluation-harness reports as a fraction from 0 to 1. */
const FRACTION_METRICS = ['acc', 'acc_norm', 'exact_match', 'mc1', 'mc2', 'f1', 'em', 'pass@1', 'pass_at_1', 'inst_level_strict_acc',
  'inst_level_loose_acc', 'prompt_level_strict_acc', 'prompt_level_loose_acc', 'contains'];
/**
 * Metrics lm-evaluation-harness writes that can never go below a floor (perplexities are at least 1; scores, error
 * and bit rates at least 0): a threshold below the floor never passes (atMost) or always does (atLeast).
 */
const METRIC_FLOORS: Record<string, number> = {
  perplexity: 1,
  word_perplexity: 1,
  byte_perplexity: 1,
  bits_per_byte: 0,
  bleu: 0,
  chrf: 0,
  ter: 0,
  rouge1: 0,
  rouge2: 0,
  rougeL: 0,
  rougeLsum: 0,
  brier_score: 0,
  acc_mutual_info: 0,
};
const TASK = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$/;
const METRIC_NAME = /^[A-Za-z0-9@][A-Za-z0-9_@.-]{0,99}$/;

/**
 * Which latency histogram a latency threshold reads.
 */
export enum LatencyKind {
  /** End-to-end request latency. */
  END_TO_END = 'end-to-end',
  /** Time to the first token. */
  TIME_TO_FIRST_TOKEN = 'time-to-first-token',
  /** Latency between output tokens. */
  INTER_TOKEN = 'inter-token',
}

/**
 * Options of a latency threshold.
 */
export interface LatencyThresholdOptions {
  /**
   * The quantile, above 0 and below 1.
   *
   * @default 0.95
   */
  readonly quantile?: number;

  /**
   * The histogram.
   *
   * @default LatencyKind.END_TO_END
   */
  readonly latency?: LatencyKind;

  /**
   * The PromQL rate window (whole minutes from 1 to 60) for canary analysis. An in-cluster eval Job measures over
   * the time its own requests took instead.
   *
   * @default Duration.minutes(5)
   */
  readonly window?: Duration;
}

/**
 * Options of an error-rate threshold.
 */
export interface ErrorRateThresholdOptions {
  /**
   * The PromQL rate window (whole minutes from 1 to 60) for canary analysis. An in-cluster eval Job measures over
   * the time its own requests took instead.
   *
   * @default Duration.minutes(5)
   */
  readonly window?: Duration;
}

/** How a measured value is compared. @internal */
export type Comparison = 'atLeast' | 'atMost' | 'noWorseThan';

/**
 * A threshold as the checker script and the synth-time gate read it (serialised into the checker's ConfigMap).
 * @internal
 */
export interface ThresholdSpec {
  /** Human-readable, e.g. `gsm8k exact_match,strict-match >= 0.7`. */
  readonly id: string;
  readonly source: 'results' | 'prometheus';
  readonly comparison: Comparison;
  readonly value: number;
  /** results: the task (or group) name. */
  readonly task?: string;
  /** results: the key in results[task], `metric,filter`. */
  readonly key?: string;
  /** results: the metric name alone (the key of higher_is_better[task]). */
  readonly metric?: string;
  /** prometheus: `latency` or `errorRate`. */
  readonly signal?: 'latency' | 'errorRate';
  readonly latency?: LatencyKind;
  readonly quantile?: number;
  /** prometheus: rate window in seconds for canary analysis. */
  readonly windowSeconds?: number;
}

/**
 * A pass/fail rule of an eval gate: a task's metric from the results file (lm-evaluation-harness `results` JSON),
 * or the candidate's latency or error rate from Prometheus.
 *
 * ```ts
 * EvalThreshold.atLeast('gsm8k', 'exact_match,strict-match', 0.7)   // results.gsm8k["exact_match,strict-match"] >= 0.7
 * EvalThreshold.noWorseThan('wikitext', 'word_perplexity', 12)      // direction from higher_is_better
 * EvalThreshold.maxLatency(2.5, { quantile: 0.95 })                  // p95 end-to-end latency <= 2.5 s
 * EvalThreshold.maxErrorRate(0.01)                                   // <= 1% failed requests
 * ```
 *
 * A metric is `name,filter` as lm-evaluation-harness writes it (`acc,none`, `exact_match,flexible-extract`); a name
 * without a filter means the `none` filter.
 */
export class EvalThreshold {
  /**
   * Passes when the task's metric is at least `value`. Fails when the results file says lower is better for it.
   *
   * @param task The task or group name, e.g. `gsm8k`.
   * @param metric `name,filter` or `name` (filter `none`), e.g. `exact_match,strict-match`.
   * @param value The lowest passing value.
   */
  public static atLeast(task: string, metric: string, value: number): EvalThreshold {
    checkArgs('EvalThreshold.atLeast', { task, metric, value });
    return new EvalThreshold({ source: 'results', comparison: 'atLeast', task, metricText: metric, value });
  }

  /**
   * Passes when the task's metric is at most `value` (e.g. a perplexity). Fails when the results file says higher is
   * better for it.
   *
   * @param task The task or group name.
   * @param metric `name,filter` or `name` (filter `none`).
   * @param value The highest passing value.
   */
  public static atMost(task: string, metric: string, value: number): EvalThreshold {
    checkArgs('EvalThreshold.atMost', { task, metric, value });
    return new EvalThreshold({ source: 'results', comparison: 'atMost', task, metricText: metric, value });
  }

  /**
   * Passes when the task's metric is no worse than `value` in the direction the results file's `higher_is_better`
   * gives for it (at least when higher is better, at most when lower is). Fails when the file does not say.
   *
   * @param task The task or group name.
   * @param metric `name,filter` or `name` (filter `none`).
   * @param value The worst passing value.
   */
  public static noWorseThan(task: string, metric: string, value: number): EvalThreshold {
    checkArgs('EvalThreshold.noWorseThan', { task, metric, value });
    return new EvalThreshold({ source: 'results', comparison: 'noWorseThan', task, metricText: metric, value });
  }

  /**
   * Passes when a latency quantile of the candidate stays at or below `seconds`.
   *
   * The latency comes from Prometheus, from the model server's histograms, so it needs the service's PodMonitor.
   *
   * @param seconds The highest passing latency in seconds.
   */
  public static maxLatency(seconds: number, options: LatencyThresholdOptions = {}): EvalThreshold {
    requireKind('EvalThreshold.maxLatency', 'seconds', seconds, req('number', 'the highest passing latency in seconds, such as 2'));
    options = checkProps('EvalThreshold.maxLatency', 'LatencyThresholdOptions', options, {
      quantile: opt('number'), latency: opt('string', 'a LatencyKind such as LatencyKind.END_TO_END'), window: opt('duration'),
    }, 'options.');
    return new EvalThreshold({
      source: 'prometheus',
      signal: 'latency',
      comparison: 'atMost',
      value: seconds,
      quantile: options.quantile ?? 0.95,
      latency: options.latency ?? LatencyKind.END_TO_END,
      window: options.window,
    });
  }

  /**
   * Passes when the candidate's ratio of failed requests (0 to 1, from Prometheus) stays at or below `ratio`.
   *
   * @param ratio The highest passing ratio of failed requests.
   */
  public static maxErrorRate(ratio: number, options: ErrorRateThresholdOptions = {}): EvalThreshold {
    requireKind('EvalThreshold.maxErrorRate', 'ratio', ratio, req('number', 'a ratio of failed requests from 0 to 1, such as 0.01'));
    options = checkProps('EvalThreshold.maxErrorRate', 'ErrorRateThresholdOptions', options, { window: opt('duration') }, 'options.');
    return new EvalThreshold({ source: 'prometheus', signal: 'errorRate', comparison: 'atMost', value: ratio, window: options.window });
  }

  /** A one-line description, e.g. `gsm8k exact_match,strict-match >= 0.7`. */
  public readonly description: string;
  /** True for a latency or error-rate threshold (read from Prometheus, not from the results file). */
  public readonly fromPrometheus: boolean;

  private readonly raw: RawThreshold;

  private constructor(raw: RawThreshold) {
    this.raw = raw;
    this.fromPrometheus = raw.source === 'prometheus';
    this.description = describe(raw);
  }

  /**
   * Checks the threshold and returns what the checker reads. Errors name `scope` and `prop`.
   * @internal
   */
  public _spec(scope: IConstruct, prop: string): ThresholdSpec {
    const r = this.raw;
    if (typeof r.value !== 'number' || !Number.isFinite(r.value)) {
      throw invalidProp(scope, `${prop}.value`, r.value, 'a finite number');
    }
    if (r.source === 'results') {
      const task = r.task ?? '';
      if (!TASK.test(task)) {
        throw invalidProp(scope, `${prop}.task`, task, 'an lm-evaluation-harness task or group name (letters, digits, "_", ".", ":", "-"; at most 200)');
      }
      const { metric, key } = parseMetric(scope, `${prop}.metric`, r.metricText ?? '');
      if (FRACTION_METRICS.includes(metric) && (r.value < 0 || r.value > 1)) {
        throw invalidProp(scope, `${prop}.value`, r.value, `a value from 0 to 1: ${metric} is a fraction`);
      }
      const floor = METRIC_FLOORS[metric];
      if (floor !== undefined && r.value < floor) {
        const outcome = r.comparison === 'atLeast' ? 'always passes' : 'can never pass';
        throw invalidProp(scope, `${prop}.value`, r.value, `a value of at least ${floor}: ${metric} is never below ${floor}, so ` +
          `this threshold ${outcome}`);
      }
      return { id: this.description, source: 'results', comparison: r.comparison, value: r.value, task, key, metric };
    }
    const windowSeconds = windowOf(scope, `${prop}.window`, r.window);
    if (r.signal === 'errorRate') {
      if (r.value < 0 || r.value > 1) throw invalidProp(scope, `${prop}.ratio`, r.value, 'a ratio from 0 to 1');
      return { id: this.description, source: 'prometheus', signal: 'errorRate', comparison: 'atMost', value: r.value, windowSeconds };
    }
    if (r.value <= 0 || r.value > 3600) throw invalidProp(scope, `${prop}.seconds`, r.value, 'a latency above 0 and at most 3600 seconds');
    const q = r.quantile!;
    if (!(q > 0 && q < 1)) throw invalidProp(scope, `${prop}.quantile`, q, 'a quantile above 0 and below 1, e.g. 0.95');
    if (!Object.values(LatencyKind).includes(r.latency!)) {
      throw invalidProp(scope, `${prop}.latency`, r.latency, `one of ${Object.values(LatencyKind).join(', ')}`);
    }
    return {
      id: this.description,
      source: 'prometheus',
      signal: 'latency',
      comparison: 'atMost',
      value: r.value,
      latency: r.latency,
      quantile: q,
      windowSeconds,
    };
  }
}

interface RawThreshold {
  readonly source: 'results' | 'prometheus';
  readonly comparison: Comparison;
  readonly value: number;
  readonly task?: string;
  readonly metricText?: string;
  readonly signal?: 'latency' | 'errorRate';
  readonly quantile?: number;
  readonly latency?: LatencyKind;
  readonly window?: Duration;
}

const SYMBOL: Record<Comparison, string> = { atLeast: '>=', atMost: '<=', noWorseThan: 'no worse than' };

function describe(r: RawThreshold): string {
  if (r.source === 'results') return `${r.task} ${normaliseKey(r.metricText ?? '')} ${SYMBOL[r.comparison]} ${r.value}`;
  if (r.signal === 'errorRate') return `error rate <= ${r.value}`;
  return `p${Math.round((r.quantile ?? 0) * 1000) / 10} ${r.latency} latency <= ${r.value}s`;
}

function normaliseKey(text: string): string {
  return text.includes(',') ? text : `${text},none`;
}

/** `name,filter` or `name` → the metric name and the results key. */
function parseMetric(scope: IConstruct, prop: string, text: string): { metric: string; key: string } {
  const parts = text.split(',');
  const expected = 'a metric as lm-evaluation-harness writes it: "name,filter" (e.g. "acc,none", "exact_match,strict-match") ' +
    'or "name" for the "none" filter';
  if (parts.length > 2 || !METRIC_NAME.test(parts[0]) || (parts.length === 2 && !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/.test(parts[1]))) {
    throw invalidProp(scope, prop, text, expected);
  }
  if (parts[0].endsWith('_stderr')) {
    throw invalidProp(scope, prop, text, 'a metric, not its standard error ("_stderr" keys are not thresholds)');
  }
  return { metric: parts[0], key: parts.length === 2 ? text : `${parts[0]},none` };
}

function windowOf(scope: IConstruct, prop: string, window: Duration | undefined): number {
  const seconds = (window ?? Duration.minutes(5)).toMilliseconds() / 1000;
  if (!Number.isInteger(seconds / 60) || seconds < 60 || seconds > 3600) {
    throw invalidProp(scope, prop, window?.toHumanString(), 'whole minutes from 1 to 60');
  }
  return seconds;
}

/** The arguments of a results threshold, checked at runtime (plain JavaScript passes anything). */
function checkArgs(factory: string, args: { task: unknown; metric: unknown; value: unknown }): void {
  checkProps(factory, 'threshold', args, {
    task: req('string', 'a task name such as "gsm8k"'),
    metric: req('string', 'a metric such as "exact_match,strict-match"'),
    value: req('number'),
  });
}
