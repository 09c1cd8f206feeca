import { ValidationError, show } from '../internal/errors';
import { req, requireKind } from '../internal/runtime-checks';

const SUPPORTED_MINORS = [34, 35, 36, 37];

/**
 * A Kubernetes minor version the library can target.
 */
export class KubernetesVersion {
  /** Kubernetes 1.34: DRA `resource.k8s.io/v1` GA. The default target. */
  public static readonly V1_34 = new KubernetesVersion(34);
  /** Kubernetes 1.35: adds the alpha Workload API (`scheduling.k8s.io/v1alpha1`). */
  public static readonly V1_35 = new KubernetesVersion(35);
  /** Kubernetes 1.36: DRA prioritized list GA; Workload API `v1alpha2`. */
  public static readonly V1_36 = new KubernetesVersion(36);
  /** Kubernetes 1.37: Workload API `v1beta1`; DRA extended resources GA. */
  public static readonly V1_37 = new KubernetesVersion(37);

  /**
   * A version from its text, e.g. `1.36` or `v1.36.2`.
   *
   * @param version The version text: `1.<minor>`, optionally with a `v` prefix and a patch number.
   */
  public static of(version: string): KubernetesVersion {
    requireKind('KubernetesVersion.of', 'version', version, req('string', `a version such as "1.36" (one of ${SUPPORTED_MINORS.map((m) => `1.${m}`).join(', ')})`));
    const match = /^v?1\.(\d+)(\.\d+)?$/.exec(version.trim());
    const minor = match ? Number(match[1]) : NaN;
    if (!SUPPORTED_MINORS.includes(minor)) {
      throw new ValidationError('KubernetesVersion', 'version', `got ${show(version)}; expected one of ` +
        `${SUPPORTED_MINORS.map((m) => `1.${m}`).join(', ')}`);
    }
    return new KubernetesVersion(minor);
  }

  /** The minor version number, e.g. 34. */
  public readonly minor: number;

  private constructor(minor: number) {
    this.minor = minor;
  }

  /**
   * True when this version is at least 1.<minor>.
   *
   * @param minor The minor version number, e.g. 36.
   */
  public isAtLeast(minor: number): boolean {
    return this.minor >= minor;
  }

  /** `1.<minor>` */
  public toString(): string {
    return `1.${this.minor}`;
  }
}
