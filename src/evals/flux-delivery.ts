import { Chart, Duration } from 'cdk8s';
import { buildEvalJob } from './eval-job';
import { DeliveryBackend, DeliveryObjects, GateContext } from './gate-context';
import { ClusterAddon } from '../cluster/cluster-addon';
import { ClusterProfile } from '../cluster/cluster-profile';
import { FastApiObject } from '../imports/fast-api-object';
import * as k8s from '../imports/k8s';
import { invalidProp, ValidationError } from '../internal/errors';
import { claimName, dnsLabel, requireDnsLabel, shortHash } from '../internal/names';

const KUSTOMIZE_API = 'kustomize.toolkit.fluxcd.io/v1';

/**
 * The kind of a Flux source.
 */
export enum FluxSourceKind {
  /** A GitRepository (source.toolkit.fluxcd.io). */
  GIT_REPOSITORY = 'GitRepository',
  /** An OCIRepository (source.toolkit.fluxcd.io). */
  OCI_REPOSITORY = 'OCIRepository',
  /** A Bucket (source.toolkit.fluxcd.io). */
  BUCKET = 'Bucket',
}

/**
 * The Flux source the synthesized YAML is committed to.
 */
export interface FluxSourceReference {
  /**
   * The source kind.
   */
  readonly kind: FluxSourceKind;

  /**
   * The source's name.
   */
  readonly name: string;

  /**
   * The source's namespace.
   *
   * @default - the Kustomizations' namespace
   */
  readonly namespace?: string;
}

/**
 * Options of the Flux integration.
 */
export interface FluxDeliveryOptions {
  /**
   * The source holding the synthesized YAML.
   */
  readonly source: FluxSourceReference;

  /**
   * The path in the source where the gate's eval chart (`gate.evalChart`: the eval Job, its ConfigMap and
   * NetworkPolicy) is committed.
   */
  readonly evalPath: string;

  /**
   * The path in the source where the route's chart is committed. The route must be in a chart of its own (not
   * with the candidate), because it is applied only after the eval passed while the candidate must run before.
   */
  readonly trafficPath: string;

  /**
   * Kustomizations the eval waits for: those that deploy the candidate (`dependsOn`).
   *
   * @default - none
   */
  readonly dependsOn?: string[];

  /**
   * The namespace of the generated Kustomizations.
   *
   * @default 'flux-system'
   */
  readonly namespace?: string;

  /**
   * How often Flux reconciles the Kustomizations.
   *
   * @default Duration.minutes(10)
   */
  readonly interval?: Duration;

  /**
   * How soon a failed reconciliation (a failed eval) is retried.
   *
   * @default Duration.minutes(5)
   */
  readonly retryInterval?: Duration;
}

/**
 * Flux: the eval Job in a Kustomization that waits for it to complete (`wait: true`), and the route in a
 * Kustomization that `dependsOn` it. The eval objects and the Kustomizations go to charts of their own under the
 * gate (`gate.evalChart`, `gate.fluxChart`), one output file each; commit the eval chart at `evalPath` and apply the
 * Flux chart from your cluster's bootstrap path. The Job's name carries a hash of its spec, so a new candidate gets
 * a new eval run. @internal
 */
export class FluxGate implements DeliveryBackend {
  public readonly kind = 'flux';

  constructor(private readonly options: FluxDeliveryOptions) {}

  public bind(ctx: GateContext): DeliveryObjects {
    const { gate } = ctx;
    const o = this.options;
    ClusterProfile.of(gate)._requireAddon(gate, 'delivery', ClusterAddon.FLUX, 'EvalDelivery.flux() (Kustomization)');
    const fluxNs = requireDnsLabel(gate, 'delivery.namespace', o.namespace ?? 'flux-system');
    if (!o.source || !Object.values(FluxSourceKind).includes(o.source.kind)) {
      throw invalidProp(gate, 'delivery.source.kind', o.source?.kind, `one of ${Object.values(FluxSourceKind).join(', ')}`);
    }
    requireDnsLabel(gate, 'delivery.source.name', o.source.name, 253);
    if (o.source.namespace !== undefined) requireDnsLabel(gate, 'delivery.source.namespace', o.source.namespace);
    const evalPath = checkPath(gate, 'delivery.evalPath', o.evalPath);
    const trafficPath = checkPath(gate, 'delivery.trafficPath', o.trafficPath);
    if (evalPath === trafficPath) throw invalidProp(gate, 'delivery.trafficPath', o.trafficPath, 'a path other than evalPath');
    (o.dependsOn ?? []).forEach((d, i) => requireDnsLabel(gate, `delivery.dependsOn[${i}]`, d, 253));
    const interval = duration(gate, 'delivery.interval', o.interval ?? Duration.minutes(10));
    const retryInterval = duration(gate, 'delivery.retryInterval', o.retryInterval ?? Duration.minutes(5));

    const routeChart = Chart.of(ctx.route);
    if (routeChart === Chart.of(ctx.target)) {
      throw new ValidationError(gate, 'route', `${ctx.route.node.path} is in the chart ${routeChart.node.path || routeChart.node.id} with the ` +
        'candidate; with Flux the route is applied after the eval and the candidate before it, so put the InferenceRoute in a chart ' +
        'of its own (committed at trafficPath)');
    }

    const input = ctx.requireJob('EvalDelivery.flux()');
    const evalChart = new Chart(gate, 'Evals', { namespace: ctx.namespace, disableResourceNameHashes: true });
    const parts = buildEvalJob(evalChart, input);
    const jobName = dnsLabel([ctx.name, 'eval', shortHash(JSON.stringify(k8s.toJson_JobSpec(parts.jobSpec)))]);
    claimName(gate, 'Job', ctx.namespace, jobName);
    const job = new k8s.KubeJob(evalChart, 'EvalJob', {
      metadata: { name: jobName, namespace: ctx.namespace, labels: parts.labels },
      spec: parts.jobSpec,
    });

    const fluxChart = new Chart(gate, 'Flux', { namespace: fluxNs, disableResourceNameHashes: true });
    const evalName = dnsLabel([ctx.name, 'eval']);
    const trafficName = dnsLabel([ctx.name, 'traffic']);
    const sourceRef = { kind: o.source.kind, name: o.source.name, namespace: o.source.namespace };
    const labels = parts.labels;
    claimName(gate, 'Kustomization', fluxNs, evalName);
    claimName(gate, 'Kustomization', fluxNs, trafficName);
    // The Job's deadline plus time for the image pulls.
    const timeout = `${ctx.timeoutSeconds + 300}s`;
    const evalKustomization = new FastApiObject(fluxChart, 'EvalKustomization', {
      apiVersion: KUSTOMIZE_API,
      kind: 'Kustomization',
      metadata: { name: evalName, namespace: fluxNs, labels },
      spec: {
        interval,
        retryInterval,
        path: evalPath,
        prune: true,
        sourceRef,
        // Health-check everything applied: the Job must complete; a failed eval leaves the Kustomization not Ready.
        wait: true,
        timeout,
        // Jobs are immutable: recreate instead of failing when the spec changes.
        force: true,
        targetNamespace: ctx.namespace,
        dependsOn: o.dependsOn?.length ? o.dependsOn.map((name) => ({ name })) : undefined,
      },
    });
    const trafficKustomization = new FastApiObject(fluxChart, 'TrafficKustomization', {
      apiVersion: KUSTOMIZE_API,
      kind: 'Kustomization',
      metadata: { name: trafficName, namespace: fluxNs, labels },
      spec: {
        interval,
        retryInterval,
        path: trafficPath,
        prune: true,
        sourceRef,
        dependsOn: [{ name: evalName }],
      },
    });
    return {
      job,
      checkerConfigMap: parts.configMap,
      networkPolicy: parts.networkPolicy,
      kustomizations: [evalKustomization, trafficKustomization],
      evalChart,
      fluxChart,
    };
  }
}

function checkPath(scope: ValidationScope, prop: string, p: string): string {
  const ok = typeof p === 'string' && p.length > 0 && p.length <= 1024 && !p.startsWith('/') && !/(^|\/)\.\.(\/|$)|\s|\\/.test(p);
  if (!ok) throw invalidProp(scope, prop, p, 'a relative path in the source without "..", e.g. "./deploy/evals"');
  const trimmed = p.replace(/\/+$/, '');
  return trimmed.startsWith('.') || trimmed === '.' ? trimmed : `./${trimmed}`;
}

type ValidationScope = Parameters<typeof invalidProp>[0];

function duration(scope: ValidationScope, prop: string, d: Duration): string {
  const s = d.toMilliseconds() / 1000;
  if (!Number.isInteger(s) || s < 10 || s > 7 * 24 * 3600) throw invalidProp(scope, prop, d.toHumanString(), 'whole seconds from 10 seconds to 7 days');
  return `${s}s`;
}
