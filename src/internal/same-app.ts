import { IConstruct } from 'constructs';
import { ValidationError } from './errors';

/**
 * Refuses a reference to a construct of another App: each App synthesizes its own YAML, so the reference would point
 * at objects that are not in this App's output (a route to a Service, a quota on nodes, that another App writes).
 */
export function requireSameApp(scope: IConstruct, prop: string, other: IConstruct, what: string): void {
  if (other.node.root !== scope.node.root) {
    throw new ValidationError(scope, prop, `got ${what} ${other.node.path}, which belongs to another App; each App writes its own ` +
      `YAML, so this App would reference objects it does not emit; expected ${what} created in the same App as ${scope.node.path}`);
  }
}

/**
 * For validations at synth: a problem when `other` was removed from the construct tree after it was referenced
 * (`node.tryRemoveChild`), so its objects are no longer synthesized.
 */
export function removedFromTree(other: IConstruct): boolean {
  for (let c: IConstruct = other; c.node.scope !== undefined; c = c.node.scope) {
    if (c.node.scope.node.tryFindChild(c.node.id) !== c) return true;
  }
  return false;
}

