import { DeliveryBackend, DeliveryObjects, GateContext, ruleBackends } from './gate-context';
import { evaluateResults, parseResults, readResults, ResultsError } from './results';
import { ValidationError, show } from '../internal/errors';

/**
 * Options of the pipeline gate.
 */
export interface PipelineGateOptions {
  /**
   * The results your pipeline's eval produced: an lm-evaluation-harness results file, or a directory under which
   * the newest `results_*.json` is read. Relative paths are resolved from the working directory of `cdk8s synth`.
   *
   * @default - use `resultsJson`; with neither, the candidate is held at weight 0
   */
  readonly resultsFile?: string;

  /**
   * The results JSON itself (e.g. read from an artifact store by your app).
   *
   * @default - use `resultsFile`; with neither, the candidate is held at weight 0
   */
  readonly resultsJson?: string;
}

/**
 * The pipeline gate: at synth, reads the results the user's pipeline produced and refuses to synthesize the traffic
 * shift when a threshold fails (a ValidationError naming each failed threshold and its measured value, so
 * `cdk8s synth` in CI stops the rollout). Without results yet, the candidate is held at weight 0 in its route.
 * Nothing runs in the cluster. @internal
 */
export class PipelineGate implements DeliveryBackend {
  public readonly kind = 'pipeline';

  constructor(private readonly options: PipelineGateOptions) {}

  public bind(ctx: GateContext): DeliveryObjects {
    const { gate } = ctx;
    const o = this.options;
    const prom = ctx.thresholds.filter((t) => t.source === 'prometheus');
    if (prom.length) {
      throw new ValidationError(gate, 'thresholds', `${prom.map((t) => show(t.id)).join(', ')}: latency and error-rate thresholds ` +
        'are read from Prometheus while the candidate serves, which a synth-time gate cannot do; use them with ' +
        'EvalDelivery.argoCd(), argoRollouts() or flux()');
    }
    if (o.resultsFile !== undefined && o.resultsJson !== undefined) {
      throw new ValidationError(gate, 'delivery', 'both resultsFile and resultsJson are set; give one');
    }
    if (o.resultsFile === undefined && o.resultsJson === undefined) {
      const backends = ruleBackends(ctx);
      if (!backends.some((b) => b.service !== ctx.target && b.weight > 0)) {
        throw new ValidationError(gate, 'delivery', `no eval results yet, so ${ctx.target.node.path} must get no traffic, but it is ` +
          `the only backend of ${ctx.route.node.path} taking traffic; give resultsFile or resultsJson, or add a stable backend`);
      }
      ctx.route.holdBackend(ctx.target, `eval gate ${gate.node.path}: no eval results yet`, ctx.modelName);
      return { outcomes: [] };
    }
    const prop = o.resultsFile !== undefined ? 'delivery.resultsFile' : 'delivery.resultsJson';
    let doc: any;
    let file: string;
    try {
      if (o.resultsFile !== undefined) {
        ({ file, doc } = readResults(o.resultsFile));
      } else {
        file = 'resultsJson';
        doc = parseResults(o.resultsJson!, 'resultsJson');
      }
    } catch (e) {
      if (e instanceof ResultsError) throw new ValidationError(gate, prop, `cannot read eval results: ${e.message}`);
      throw e;
    }
    const outcomes = evaluateResults(doc, ctx.thresholds);
    const failed = outcomes.filter((r) => !r.passed);
    if (failed.length) {
      const lines = failed.map((f) => `${f.id}: ${f.measured !== null ? `measured ${f.measured} (${f.reason})` : f.reason}`);
      throw new ValidationError(gate, 'thresholds', `eval gate failed for ${ctx.target.node.path} (${file}): ${lines.join('; ')}. ` +
        `The traffic shift in ${ctx.route.node.path} is not synthesized`);
    }
    return { outcomes, resultsFile: file };
  }
}
