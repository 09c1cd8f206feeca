import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { clusterScoped } from '../internal/cluster-scoped';
import { ValidationError, invalidProp } from '../internal/errors';
import { standardLabels } from '../internal/labels';
import { claimName, requireDnsLabel, resourceName } from '../internal/names';
import { checkProps, opt, requireScope } from '../internal/runtime-checks';

/**
 * What the apiserver does with an object that breaks an admission policy.
 */
export enum AdmissionAction {
  /** Reject the request. */
  DENY = 'Deny',
  /** Accept it and return a warning to the client. */
  WARN = 'Warn',
  /** Accept it and record the failure in the audit log. */
  AUDIT = 'Audit',
}

/**
 * Props for an ImageAdmissionPolicy.
 */
export interface ImageAdmissionPolicyProps {
  /**
   * Require every image to be pinned by digest (`@sha256:<64 hex>`).
   *
   * @default true
   */
  readonly requireDigest?: boolean;

  /**
   * Registry or repository prefixes images must start with, e.g. `ghcr.io/acme/`, `nvcr.io/nvidia/`. Write them
   * as the image is written in the pod spec (the apiserver sees the text, not a normalised reference).
   *
   * @default - any registry
   */
  readonly allowedRegistries?: string[];

  /**
   * What happens to an object that breaks the policy.
   *
   * @default AdmissionAction.DENY
   */
  readonly action?: AdmissionAction;

  /**
   * The ValidatingAdmissionPolicy name (cluster-scoped).
   *
   * @default - derived from the construct path
   */
  readonly name?: string;
}

/** Where each workload kind keeps its pod templates, as CEL lists of pod specs. */
const POD_SPECS_BY_KIND: Record<string, string> = {
  Pod: '[object.spec]',
  CronJob: '[object.spec.jobTemplate.spec.template.spec]',
  JobSet: 'object.spec.replicatedJobs.map(r, r.template.spec.template.spec)',
  LeaderWorkerSet: 'has(object.spec.leaderWorkerTemplate.leaderTemplate) ? [object.spec.leaderWorkerTemplate.leaderTemplate.spec, object.spec.leaderWorkerTemplate.workerTemplate.spec] : [object.spec.leaderWorkerTemplate.workerTemplate.spec]',
};
const TEMPLATE_KINDS = ['Deployment', 'StatefulSet', 'ReplicaSet', 'DaemonSet', 'Job'];

const RESOURCE_RULES = [
  { apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] },
  { apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments', 'statefulsets', 'replicasets', 'daemonsets'] },
  { apiGroups: ['batch'], apiVersions: ['v1'], resources: ['jobs', 'cronjobs'] },
  { apiGroups: ['jobset.x-k8s.io'], apiVersions: ['*'], resources: ['jobsets'] },
  { apiGroups: ['leaderworkerset.x-k8s.io'], apiVersions: ['*'], resources: ['leaderworkersets'] },
].map((r) => ({ ...r, operations: ['CREATE', 'UPDATE'] }));

/** The label a namespace carries to be governed by the policy named `name`. */
function imageAdmissionLabel(name: string): string {
  return `image-admission.ai.cdk8s.io/${name}`;
}

const POLICIES = new WeakMap<IConstruct, ImageAdmissionPolicy[]>();

/**
 * Pinned images from trusted registries, enforced by the apiserver itself: a ValidatingAdmissionPolicy
 * (admissionregistration.k8s.io/v1) and its binding, checking every container and init container of Pods and of
 * the pod templates of Deployments, StatefulSets, ReplicaSets, DaemonSets, Jobs, CronJobs, JobSets and
 * LeaderWorkerSets. It applies to namespaces labelled `image-admission.ai.cdk8s.io/<name>: "true"` (an AiTenant
 * whose `imageAdmission` names the policy sets it), so it never touches system namespaces.
 */
export class ImageAdmissionPolicy extends Construct {
  /**
   * Every ImageAdmissionPolicy of the app of `scope`.
   */
  public static allOf(scope: IConstruct): ImageAdmissionPolicy[] {
    requireScope('ImageAdmissionPolicy.allOf', scope);
    return [...(POLICIES.get(scope.node.root) ?? [])];
  }

  /** The policy name (also the binding name). */
  public readonly name: string;
  /** Whether digests are required. */
  public readonly requireDigest: boolean;
  /** The allowed registry prefixes (empty: any). */
  public readonly allowedRegistries: string[];
  /** The namespace label that opts a namespace in. */
  public readonly namespaceLabel: string;
  /** What happens to an object that breaks the policy. */
  public readonly action: AdmissionAction;
  /** The generated ValidatingAdmissionPolicy. */
  public readonly policy: ApiObject;
  /** The generated ValidatingAdmissionPolicyBinding. */
  public readonly binding: ApiObject;

  constructor(scope: Construct, id: string, props: ImageAdmissionPolicyProps = {}) {
    super(scope, id);
    props = checkProps(this, 'ImageAdmissionPolicyProps', props, { name: opt('string') });
    this.name = props.name !== undefined ? requireDnsLabel(this, 'name', props.name) : resourceName(this);
    this.requireDigest = props.requireDigest ?? true;
    this.allowedRegistries = [...(props.allowedRegistries ?? [])];
    this.allowedRegistries.forEach((r, i) => {
      if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?(\/[a-z0-9._/-]*)?$/.test(r) || r.includes("'")) {
        throw invalidProp(this, `allowedRegistries[${i}]`, r, 'a registry host with an optional repository prefix, e.g. "ghcr.io/acme/"');
      }
    });
    if (!this.requireDigest && this.allowedRegistries.length === 0) {
      throw new ValidationError(this, 'requireDigest', 'the policy checks nothing: set requireDigest or give allowedRegistries');
    }
    this.namespaceLabel = imageAdmissionLabel(this.name);
    this.action = props.action ?? AdmissionAction.DENY;
    claimName(this, 'ValidatingAdmissionPolicy', undefined, this.name);
    claimName(this, 'ValidatingAdmissionPolicyBinding', undefined, this.name);
    const labels = standardLabels({ name: 'image-admission-policy', instance: this.name, component: 'admission-policy' });
    this.policy = clusterScoped(new ApiObject(this, 'Policy', {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: this.name, labels },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: { resourceRules: RESOURCE_RULES },
        variables: [{ name: 'podSpecs', expression: podSpecsExpression() }],
        validations: this.validations(),
      },
    }));
    this.binding = clusterScoped(new ApiObject(this, 'Binding', {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name: this.name, labels },
      spec: {
        policyName: this.name,
        validationActions: [this.action],
        matchResources: { namespaceSelector: { matchLabels: { [this.namespaceLabel]: 'true' } } },
      },
    }));
    this.binding.node.addDependency(this.policy);
    const all = POLICIES.get(this.node.root) ?? [];
    all.push(this);
    POLICIES.set(this.node.root, all);
  }

  /** The reasons the policy rejects `image`, empty when it admits it. */
  public violations(image: string): string[] {
    const problems: string[] = [];
    if (this.requireDigest && !DIGEST.test(image)) problems.push('not pinned by digest');
    if (this.allowedRegistries.length && !this.allowedRegistries.some((r) => image.startsWith(r))) problems.push(`not from ${this.allowedRegistries.join(', ')}`);
    return problems;
  }

  private validations(): any[] {
    const result: any[] = [];
    if (this.requireDigest) {
      result.push({
        expression: `variables.podSpecs.all(s, ${allImages((i) => `${i}.matches('^[^@]+@sha256:[a-f0-9]{64}$')`)})`,
        message: 'every container image must be pinned by digest (image@sha256:<64 hex digits>)',
        reason: 'Forbidden',
      });
    }
    if (this.allowedRegistries.length) {
      const list = `[${this.allowedRegistries.map((r) => `'${r}'`).join(', ')}]`;
      result.push({
        expression: `variables.podSpecs.all(s, ${allImages((i) => `${list}.exists(r, ${i}.startsWith(r))`)})`,
        message: `every container image must come from ${this.allowedRegistries.join(', ')}`,
        reason: 'Forbidden',
      });
    }
    return result;
  }
}

const DIGEST = /^[^@]+@sha256:[a-f0-9]{64}$/;

/** CEL: `condition(image)` holds for every container and init container of pod spec `s`. */
function allImages(condition: (image: string) => string): string {
  return `s.containers.all(c, ${condition('c.image')}) && (!has(s.initContainers) || s.initContainers.all(c, ${condition('c.image')}))`;
}

function podSpecsExpression(): string {
  const branches = Object.entries(POD_SPECS_BY_KIND).map(([kind, expr]) => `object.kind == '${kind}' ? (${expr}) : `).join('');
  return `${branches}object.kind in [${TEMPLATE_KINDS.map((k) => `'${k}'`).join(', ')}] ? [object.spec.template.spec] : []`;
}
