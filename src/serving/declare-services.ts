import { Construct } from 'constructs';
import { InferenceServiceDeclaration, InferenceServiceProps } from './inference-service-props';
import { invalidProp, show, ValidationError } from '../internal/errors';
import { requireKind, requireScope, req } from '../internal/runtime-checks';

/** What an element of `declarations` must be, for the messages. */
const DECLARATION = 'an InferenceServiceDeclaration ({ id, props })';

/** constructs' rule: a `/` in an id becomes `--`, so `a/b` and `a--b` are the same child. */
function childName(id: string): string {
  return id.replace(/\//g, '--');
}

/**
 * `InferenceService.declareMany`: checks the whole batch (a scope, an array of `{ id, props }` objects, ids that are
 * non-empty strings, unique in the batch and free in the scope) before creating anything, then creates each service
 * in order with `create`, which is `new InferenceService(scope, id, props)`: the same validation and errors, naming
 * the service's path. Kept out of inference-service.ts (its size) and free of it (no import circle): the constructor
 * comes in as `create`.
 */
export function declareServices<T>(factory: string, scope: Construct, declarations: InferenceServiceDeclaration[],
  create: (scope: Construct, id: string, props: InferenceServiceProps) => T): T[] {
  requireScope(factory, scope);
  requireKind(factory, 'declarations', declarations, req('array', 'an array of InferenceServiceDeclarations ({ id, props })'));
  const base = scope.node.path;
  const where = (id: string) => (base ? `${base}/${childName(id)}` : childName(id));
  const seen = new Map<string, number>();
  declarations.forEach((declaration, i) => {
    const prop = `declarations[${i}]`;
    if (declaration === null || typeof declaration !== 'object' || Array.isArray(declaration)) {
      throw invalidProp(scope, prop, declaration, DECLARATION);
    }
    const id: unknown = declaration.id;
    if (typeof id !== 'string' || id === '') {
      throw invalidProp(scope, `${prop}.id`, id, 'a non-empty string, the construct id of the service');
    }
    const name = childName(id);
    const earlier = seen.get(name);
    if (earlier !== undefined) {
      throw new ValidationError(where(id), `${prop}.id`, `got ${show(id)}; expected an id unique in the batch (declarations[${earlier}] has it)`);
    }
    if (scope.node.tryFindChild(name) !== undefined) {
      throw new ValidationError(where(id), `${prop}.id`, `got ${show(id)}; expected an id free in ${base || 'the app'} (it already has a child ${show(name)})`);
    }
    seen.set(name, i);
  });
  return declarations.map((d) => create(scope, d.id, d.props));
}
