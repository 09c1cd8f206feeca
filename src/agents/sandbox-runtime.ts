import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ClusterAddon } from '../cluster/cluster-addon';
import { ClusterProfile } from '../cluster/cluster-profile';
import * as k8s from '../imports/k8s';
import { clusterScoped } from '../internal/cluster-scoped';
import { ValidationError, invalidProp } from '../internal/errors';
import { standardLabels } from '../internal/labels';
import { claimName, isDnsLabel } from '../internal/names';
import { requireLabels } from '../internal/qualified-name';
import { requireQuantity } from '../internal/quantity';
import { checkProps, opt } from '../internal/runtime-checks';

/**
 * Options for a gVisor sandbox runtime.
 */
export interface GvisorRuntimeOptions {
  /**
   * The RuntimeClass name.
   *
   * @default 'gvisor'
   */
  readonly name?: string;

  /**
   * The container runtime handler of gVisor on the nodes.
   *
   * @default 'runsc'
   */
  readonly handler?: string;

  /**
   * Labels of the nodes that have gVisor (the RuntimeClass `scheduling.nodeSelector`), e.g. GKE's
   * `{ 'sandbox.gke.io/runtime': 'gvisor' }`.
   *
   * @default - none: every node has it
   */
  readonly nodeLabels?: { [key: string]: string };

  /**
   * What each sandboxed pod costs on top of its containers (the gVisor Sentry and Gofer): the RuntimeClass
   * `overhead.podFixed`, which the scheduler and ResourceQuota add to every pod of the runtime.
   * @default - none: only the containers' requests count
   */
  readonly podOverhead?: SandboxPodOverhead;
}

/**
 * The fixed resources a sandbox runtime adds to every pod (RuntimeClass `overhead.podFixed`).
 */
export interface SandboxPodOverhead {
  /**
   * CPU added to every pod, a Kubernetes quantity such as `250m`.
   * @default - none
   */
  readonly cpu?: string;

  /**
   * Memory added to every pod, a Kubernetes quantity such as `128Mi`.
   * @default - none
   */
  readonly memory?: string;
}

/**
 * Options for a Kata Containers sandbox runtime.
 */
export interface KataRuntimeOptions {
  /**
   * The kata-deploy shim (hypervisor configuration), e.g. `qemu`, `clh`, `fc`.
   *
   * @default 'qemu'
   */
  readonly shim?: string;
}

const KATA_NODE_LABEL = 'katacontainers.io/kata-runtime';

/**
 * The kernel boundary a sandboxed pod runs behind: a RuntimeClass whose handler isolates the pod from the host kernel.
 */
export class SandboxRuntime {
  /**
   * The gVisor runtime, whose RuntimeClass the library emits (`node.k8s.io/v1`, handler `runsc`, as gVisor's containerd quick start
   * declares it, google/gvisor release-20260817.0 g3doc/user_guide/containerd/quick_start.md). Needs
   * `ClusterAddon.GVISOR`.
   */
  public static gvisor(options: GvisorRuntimeOptions = {}): SandboxRuntime {
    options = checkProps('SandboxRuntime.gvisor', 'GvisorRuntimeOptions', options, {
      name: opt('string'), handler: opt('string'), nodeLabels: opt('string-map'), podOverhead: opt('object'),
    }, 'options.');
    const name = options.name ?? 'gvisor';
    const handler = options.handler ?? 'runsc';
    for (const [prop, value] of [['name', name], ['handler', handler]] as const) {
      if (!isDnsLabel(value)) throw invalidProp('SandboxRuntime.gvisor', `options.${prop}`, value, 'a DNS-1123 label such as "gvisor"');
    }
    const nodeLabels = requireLabels('SandboxRuntime.gvisor', 'options.nodeLabels', options.nodeLabels ?? {});
    const overhead = podFixed(options.podOverhead);
    return new SandboxRuntime('gVisor', name, ClusterAddon.GVISOR, (scope) => {
      claimName(scope, 'RuntimeClass', undefined, name);
      return clusterScoped(new k8s.KubeRuntimeClass(scope, `RuntimeClass-${name}`, {
        metadata: { name, labels: standardLabels({ name: 'sandbox-runtime', instance: name, component: 'runtime-class' }) },
        handler,
        scheduling: Object.keys(nodeLabels).length ? { nodeSelector: nodeLabels } : undefined,
        overhead: overhead && { podFixed: Object.fromEntries(Object.entries(overhead).map(([k, v]) => [k, k8s.Quantity.fromString(v)])) },
      }));
    }, nodeLabels, JSON.stringify({ handler, nodeLabels, overhead }));
  }

  /**
   * Kata Containers: the `kata-<shim>` RuntimeClass kata-deploy's chart creates (handler `kata-<shim>`, pod overhead,
   * nodes labelled `katacontainers.io/kata-runtime=true`; kata-containers 3.32.0
   * tools/packaging/kata-deploy/helm-chart/kata-deploy/templates/runtimeclasses.yaml). The library references it and
   * emits none, so it never fights the chart over the object. Needs `ClusterAddon.KATA_CONTAINERS`.
   */
  public static kata(options: KataRuntimeOptions = {}): SandboxRuntime {
    options = checkProps('SandboxRuntime.kata', 'KataRuntimeOptions', options, { shim: opt('string') }, 'options.');
    const shim = options.shim ?? 'qemu';
    if (!isDnsLabel(`kata-${shim}`)) throw invalidProp('SandboxRuntime.kata', 'options.shim', shim, 'a kata-deploy shim such as "qemu", "clh" or "fc"');
    return new SandboxRuntime('Kata Containers', `kata-${shim}`, ClusterAddon.KATA_CONTAINERS, undefined, { [KATA_NODE_LABEL]: 'true' }, shim);
  }

  /**
   * @param displayName The runtime, for messages.
   * @param runtimeClassName The pods' `runtimeClassName`.
   * @param addon The add-on that provides it.
   * @param emit Emits the RuntimeClass, when the library owns it.
   * @param nodeLabels The labels of the nodes that have it.
   * @param signature What the RuntimeClass is made of (two runtimes of one name must agree on it).
   */
  private constructor(
    public readonly displayName: string,
    public readonly runtimeClassName: string,
    private readonly addon: ClusterAddon,
    private readonly emit: ((scope: IConstruct) => ApiObject) | undefined,
    private readonly nodeLabels: { [key: string]: string },
    private readonly signature: string,
  ) {}

  /** The labels of the nodes that have the runtime (the RuntimeClass scheduling, which admission adds to the pods). */
  public get runtimeNodeLabels(): { [key: string]: string } {
    return { ...this.nodeLabels };
  }

  /**
   * Requires the runtime's add-on on the profile of `scope` and emits its RuntimeClass once per app (the first scope
   * that uses it owns it).
   * @internal
   */
  public _bind(scope: IConstruct, prop: string): ApiObject | undefined {
    const profile = ClusterProfile.of(scope);
    if (!profile.hasAddon(this.addon)) {
      throw new ValidationError(scope, prop, `${this.displayName} needs ${this.addon.description}, which the ClusterProfile ` +
        `"${profile.node.path}" does not list in its addons; add ClusterAddon.${this.addon === ClusterAddon.GVISOR ? 'GVISOR' : 'KATA_CONTAINERS'}`);
    }
    if (!this.emit) return undefined;
    const emitted = EMITTED.get(scope.node.root) ?? new Map<string, { object: ApiObject; signature: string }>();
    EMITTED.set(scope.node.root, emitted);
    const first = emitted.get(this.runtimeClassName);
    if (first && first.signature !== this.signature) {
      throw new ValidationError(scope, prop, `declares the RuntimeClass ${this.runtimeClassName} as ${this.signature}, but ` +
        `${first.object.node.scope?.node.path} declared it as ${first.signature}; give one of them another name`);
    }
    if (!first) emitted.set(this.runtimeClassName, { object: this.emit(scope), signature: this.signature });
    return emitted.get(this.runtimeClassName)!.object;
  }
}

/** Per app: the RuntimeClasses emitted, by name (two `SandboxRuntime.gvisor()` values of one name share one). */
const EMITTED = new WeakMap<IConstruct, Map<string, { object: ApiObject; signature: string }>>();

/** The RuntimeClass `overhead.podFixed` of the options, checked; undefined when none is given. */
function podFixed(overhead: SandboxPodOverhead | undefined): { [resource: string]: string } | undefined {
  if (overhead === undefined) return undefined;
  const o = checkProps('SandboxRuntime.gvisor', 'SandboxPodOverhead', overhead, { cpu: opt('string'), memory: opt('string') }, 'options.podOverhead.');
  requireQuantity('SandboxRuntime.gvisor', 'options.podOverhead.cpu', o.cpu, '"250m"');
  requireQuantity('SandboxRuntime.gvisor', 'options.podOverhead.memory', o.memory, '"128Mi"');
  const fixed: { [resource: string]: string } = {};
  if (o.cpu !== undefined) fixed.cpu = o.cpu;
  if (o.memory !== undefined) fixed.memory = o.memory;
  return Object.keys(fixed).length ? fixed : undefined;
}
