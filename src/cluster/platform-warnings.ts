import { IConstruct } from 'constructs';

/**
 * Synth-time warnings: things that synthesize but that the cluster or its add-ons will treat differently from
 * what the user probably means (an image no signing policy covers). Printed once to stderr and listed in the
 * platform report. Internal.
 */
const WARNINGS = new WeakMap<IConstruct, Map<string, string>>();

export function warn(scope: IConstruct, message: string): void {
  const root = scope.node.root;
  const all = WARNINGS.get(root) ?? new Map<string, string>();
  WARNINGS.set(root, all);
  const text = `[${scope.node.path}] ${message}`;
  if (!all.has(text)) {
    all.set(text, scope.node.path);
    process.stderr.write(`cdk8s-ai warning: ${text}\n`);
  }
}

/** Every warning of the app, in the order they were raised. */
export function warnings(scope: IConstruct): string[] {
  return [...(WARNINGS.get(scope.node.root)?.keys() ?? [])];
}
