import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';

const NAMESPACE_SCOPE = Symbol.for('cdk8s-ai.NamespaceScope');

/**
 * Marks `scope` as a namespace boundary: constructs created inside it put their objects in `namespace`
 * (an AiTenant does this, so `new InferenceService(tenant, 'llm', ...)` lands in the tenant's namespace).
 */
export function markNamespaceScope(scope: IConstruct, namespace: string): void {
  Object.defineProperty(scope, NAMESPACE_SCOPE, { value: namespace });
}

/** The namespace objects of `scope` go to: the nearest namespace scope, else the chart's namespace. */
export function namespaceOf(scope: IConstruct): string | undefined {
  // Walk up from `scope` (no array of all scopes per call: constructs ask this for every object they emit).
  for (let s: IConstruct | undefined = scope; s !== undefined; s = s.node.scope) {
    const ns = (s as any)[NAMESPACE_SCOPE];
    if (typeof ns === 'string') return ns;
  }
  return Chart.of(scope).namespace;
}
