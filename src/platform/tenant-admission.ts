import { IConstruct } from 'constructs';
import { warn } from '../cluster/platform-warnings';
import { show } from '../internal/errors';
import { FoundPodSpec, imagesOf } from '../internal/pod-templates';
import { AdmissionAction, ImageAdmissionPolicy } from '../security/image-admission-policy';
import { ImageSigningPolicy } from '../security/image-signing-policy';
import { restrictedViolations } from '../security/pod-security';

/** The namespace labels that opt the tenant into the admission controllers of its image policies. */
export function admissionLabels(imageSigning: ImageSigningPolicy[], imageAdmission: ImageAdmissionPolicy[]): Record<string, string> {
  const labels: Record<string, string> = {};
  if (imageSigning.length) labels[ImageSigningPolicy.NAMESPACE_LABEL] = 'true';
  for (const p of imageAdmission) labels[p.namespaceLabel] = 'true';
  return labels;
}

/** Reports pods Pod Security `restricted` would reject and, in an agentic tenant, pods that mount a token. */
export function podSecurityErrors(fail: (prop: string, problem: string) => void, pods: FoundPodSpec[], agentic: boolean): void {
  for (const p of pods) {
    const violations = restrictedViolations(p.spec);
    if (violations.length) fail('security', `${describe(p)} would be rejected by the namespace's Pod Security "restricted": ${violations.join('; ')}`);
    if (agentic && p.spec.automountServiceAccountToken !== false) {
      fail('agentic', `${describe(p)} mounts a service-account token; an agentic tenant's pods must set automountServiceAccountToken: false`);
    }
  }
}

/** What the image policies of a tenant govern. */
export interface TenantImagePolicies {
  /** The tenant's namespace. */
  readonly namespace: string;
  /** The admission policies governing the namespace. */
  readonly imageAdmission: ImageAdmissionPolicy[];
  /** The signing policies the namespace opts into. */
  readonly imageSigning: ImageSigningPolicy[];
}

/**
 * Reports images the admission policies would deny (an error) or warn about, and images no ClusterImagePolicy
 * matches in a namespace opted into signing (the policy-controller denies them: a warning).
 */
export function imagePolicyErrors(scope: IConstruct, fail: (prop: string, problem: string) => void, pods: FoundPodSpec[],
  policies: TenantImagePolicies): void {
  for (const policy of policies.imageAdmission) {
    for (const p of pods) {
      for (const image of imagesOf(p.spec)) {
        const problems = policy.violations(image);
        if (!problems.length) continue;
        const text = `image ${show(image)} of ${describe(p)} breaks the admission policy ${policy.name}: ${problems.join(', ')}`;
        if (policy.action === AdmissionAction.DENY) fail('imageAdmission', `${text}; the apiserver would reject it`);
        else warn(scope, text);
      }
    }
  }
  if (policies.imageSigning.length) {
    const all = ImageSigningPolicy.allOf(scope);
    for (const p of pods) {
      for (const image of imagesOf(p.spec)) {
        if (!all.some((policy) => policy.matches(image))) {
          warn(scope, `image ${show(image)} of ${describe(p)} matches no ClusterImagePolicy glob; in the opted-in namespace ` +
            `${policies.namespace} the policy-controller denies it (no-match-policy: deny)`);
        }
      }
    }
  }
}

function describe(p: FoundPodSpec): string {
  const json = p.object.toJson();
  return `${json.kind} ${json.metadata?.name} (${p.path})`;
}
