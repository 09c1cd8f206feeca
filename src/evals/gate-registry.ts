import { IConstruct } from 'constructs';
import { ValidationError } from '../internal/errors';

/** Per route: the gates declared on each (target, model rule) of it. */
const GATES = new WeakMap<IConstruct, Map<string, IConstruct>>();

/**
 * Refuses a second EvalGate on a route rule's only backend. On a canary (a stable backend beside the candidate) two
 * gates on the candidate are fine: the route moves when the later one has passed. A rule whose only backend is the
 * target has no stable version to fall back on: every request of the rule goes to the gated service, so two gates
 * would be two independent holds on all of the rule's traffic, each releasing it on its own verdict.
 */
export function registerGate(gate: IConstruct, route: IConstruct, target: IConstruct, modelName: string | undefined, onlyBackend: boolean): void {
  const byBackend = GATES.get(route) ?? new Map<string, IConstruct>();
  GATES.set(route, byBackend);
  const key = `${target.node.path}\u0000${modelName ?? ''}`;
  const other = byBackend.get(key);
  if (other && onlyBackend) {
    throw new ValidationError(gate, 'target', `got ${target.node.path}, the only backend of ${route.node.path}` +
      `${modelName === undefined ? '' : ` for model ${JSON.stringify(modelName)}`}, which the EvalGate ${other.node.path} already ` +
      'gates; with no stable backend beside it, two gates would each hold and release all of the rule\'s traffic on their own ' +
      'verdict; expected one EvalGate on it (put all thresholds and suites\' tasks in that gate), or a canary route with a stable backend');
  }
  byBackend.set(key, other ?? gate);
}
