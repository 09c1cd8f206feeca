import { IConstruct } from 'constructs';

/** Where the traces of `scope`'s workloads go (the PlatformObservability's collector), as the layers below read it. */
export interface TraceTarget {
  /** The OTLP endpoint URL. */
  readonly endpoint: string;
  /** `grpc` or `http/protobuf`. */
  readonly protocol: string;
  /** The collector's namespace, when known (for the egress allow). */
  readonly namespace?: string;
  /** The collector pods' labels (with `namespace`). */
  readonly podLabels?: { [key: string]: string };
}

/** Finds the collector a platform-level construct chose for `scope`, if any; registered from the layer above. */
export type TraceTargetChooser = (scope: IConstruct) => TraceTarget | undefined;

interface Registry {
  chooser?: TraceTargetChooser;
  /** Scopes that asked before any chooser was registered (they were built without traces). */
  readonly early: IConstruct[];
}

const REGISTRIES = new WeakMap<IConstruct, Registry>();

function registryOf(scope: IConstruct): Registry {
  const root = scope.node.root;
  let registry = REGISTRIES.get(root);
  if (!registry) {
    registry = { early: [] };
    REGISTRIES.set(root, registry);
  }
  return registry;
}

/**
 * Lets a construct above this layer (PlatformObservability) choose the trace collector for every scope of its app.
 * The cluster layer owns this hook so that the workloads never import the platform layer.
 */
export function registerTraceTargetChooser(scope: IConstruct, chooser: TraceTargetChooser): void {
  registryOf(scope).chooser = chooser;
}

/** The collector `scope`'s workloads send traces to, if one applies. Internal (not exported from the package). */
export function traceTargetOf(scope: IConstruct): TraceTarget | undefined {
  const registry = registryOf(scope);
  if (!registry.chooser) {
    registry.early.push(scope);
    return undefined;
  }
  return registry.chooser(scope);
}

/** The workloads of the app that looked for a trace collector before one was registered. */
export function tracedBeforeRegistration(scope: IConstruct): readonly IConstruct[] {
  return registryOf(scope).early;
}
