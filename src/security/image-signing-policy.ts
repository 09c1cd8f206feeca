import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { ImageAttestation } from './image-attestation';
import { imageMatchesGlob, isValidImageGlob } from './image-glob';
import { SigningAuthority } from './signing-authority';
import { ClusterAddon } from '../cluster/cluster-addon';
import { ClusterProfile } from '../cluster/cluster-profile';
import { clusterScoped } from '../internal/cluster-scoped';
import { ValidationError, invalidProp } from '../internal/errors';
import { standardLabels } from '../internal/labels';
import { claimName, requireDnsLabel, resourceName } from '../internal/names';
import { checkProps, opt, req, requireKind, requireScope } from '../internal/runtime-checks';

/**
 * What the policy-controller does with an image that fails the policy.
 */
export enum ImagePolicyMode {
  /** Reject the pod. */
  ENFORCE = 'enforce',
  /** Admit the pod with a warning. */
  WARN = 'warn',
}

/**
 * Props for an ImageSigningPolicy.
 */
export interface ImageSigningPolicyProps {
  /**
   * Image globs the policy applies to, e.g. `ghcr.io/acme/**`.
   *
   * The syntax is policy-controller's: `*` matches any characters but `/`, `**` anything. Docker Hub images need the
   * `index.docker.io/` prefix.
   */
  readonly images: string[];

  /**
   * Who may have signed the images.
   *
   * An image passes when one authority verifies.
   */
  readonly authorities: SigningAuthority[];

  /**
   * Attestations each image must also carry, signed by the authority: SLSA provenance, a recent vulnerability scan.
   *
   * With attestations, policy-controller verifies the attestations instead of the image signature: an authority
   * passes when, for each attestation here, an attestation of its predicate type signed by that authority passes its
   * policy (`cosign attest` signs with the same key or identity as `cosign sign`). Not with
   * `SigningAuthority.allowUnsigned()`.
   *
   * @default - signatures only
   */
  readonly attestations?: ImageAttestation[];

  /**
   * Reject (enforce) or only warn.
   *
   * @default ImagePolicyMode.ENFORCE
   */
  readonly mode?: ImagePolicyMode;

  /**
   * The ClusterImagePolicy name (cluster-scoped: unique in the cluster).
   *
   * @default - derived from the construct path
   */
  readonly name?: string;
}

const POLICIES = new WeakMap<IConstruct, ImageSigningPolicy[]>();

/**
 * Signed images: a sigstore policy-controller ClusterImagePolicy requiring a signature by one of the authorities
 * for every image matching the globs. The policy-controller only checks namespaces labelled
 * `policy.sigstore.dev/include: "true"` (an AiTenant with `imageSigning` sets it), and there it denies every image
 * that no policy matches: tenants warn at synth about generated images no glob covers.
 */
export class ImageSigningPolicy extends Construct {
  /** The namespace label that opts a namespace into sigstore policy-controller admission. */
  public static readonly NAMESPACE_LABEL = 'policy.sigstore.dev/include';

  /**
   * Every ImageSigningPolicy of the app of `scope`.
   */
  public static allOf(scope: IConstruct): ImageSigningPolicy[] {
    requireScope('ImageSigningPolicy.allOf', scope);
    return [...(POLICIES.get(scope.node.root) ?? [])];
  }

  /** The ClusterImagePolicy name. */
  public readonly name: string;
  /** The image globs. */
  public readonly images: string[];
  /** The mode. */
  public readonly mode: ImagePolicyMode;
  /** The authorities. */
  public readonly authorities: SigningAuthority[];
  /** The attestations each image must carry. */
  public readonly attestations: ImageAttestation[];
  /** The generated ClusterImagePolicy (policy.sigstore.dev/v1beta1). */
  public readonly clusterImagePolicy: ApiObject;

  constructor(scope: Construct, id: string, props: ImageSigningPolicyProps) {
    super(scope, id);
    checkProps(this, 'ImageSigningPolicyProps', props, {
      images: req('string[]', 'image globs such as ["ghcr.io/acme/**"]'),
      authorities: req('array', 'a list of SigningAuthority'),
      attestations: opt('array', 'a list of ImageAttestation'),
    });
    (props.attestations ?? []).forEach((a, i) => requireKind(this, `attestations[${i}]`, a,
      req(ImageAttestation, 'an ImageAttestation such as ImageAttestation.slsaProvenance({...})')));
    ClusterProfile.of(this)._requireAddon(this, 'images', ClusterAddon.SIGSTORE_POLICY_CONTROLLER, 'an ImageSigningPolicy (ClusterImagePolicy)');
    this.name = props.name !== undefined ? requireDnsLabel(this, 'name', props.name) : resourceName(this);
    if (props.images.length === 0) throw invalidProp(this, 'images', props.images, 'at least one image glob');
    props.images.forEach((g, i) => {
      if (!isValidImageGlob(g)) throw invalidProp(this, `images[${i}]`, g, 'a glob of [a-zA-Z0-9-_:/*.@], e.g. "ghcr.io/acme/**"');
    });
    if (props.authorities.length === 0) {
      throw new ValidationError(this, 'authorities', 'got []; expected at least one authority (the policy-controller rejects a policy without authorities)');
    }
    if (props.authorities.length > 1 && props.authorities.some((a) => !a.requiresSignature)) {
      throw new ValidationError(this, 'authorities', 'SigningAuthority.allowUnsigned() is one of ' +
        `${props.authorities.length} authorities; an image passes when one authority passes, so next to a signature authority it ` +
        'would make the signature optional: give it alone, in its own ImageSigningPolicy for the unsigned images');
    }
    if ((props.attestations ?? []).length > 0 && props.authorities.some((a) => !a.requiresSignature)) {
      throw new ValidationError(this, 'attestations', `got ${props.attestations!.length} attestation(s) next to SigningAuthority.allowUnsigned(), ` +
        'which verifies nothing (policy-controller rejects attestations on a static authority); give a key or keyless authority that signs the attestations');
    }
    this.images = [...props.images];
    this.attestations = [...(props.attestations ?? [])];
    const names = attestationNames(this.attestations);
    const attestations = this.attestations.length > 0 ? this.attestations.map((a, i) => a._render(names[i])) : undefined;
    this.mode = props.mode ?? ImagePolicyMode.ENFORCE;
    this.authorities = [...props.authorities];
    claimName(this, 'ClusterImagePolicy', undefined, this.name);
    this.clusterImagePolicy = clusterScoped(new ApiObject(this, 'Resource', {
      apiVersion: 'policy.sigstore.dev/v1beta1',
      kind: 'ClusterImagePolicy',
      metadata: { name: this.name, labels: standardLabels({ name: 'image-signing-policy', instance: this.name, component: 'image-policy' }) },
      spec: {
        images: this.images.map((glob) => ({ glob })),
        authorities: this.authorities.map((a, i) => ({ name: `authority-${i}`, ...a._render(), ...(attestations ? { attestations } : {}) })),
        mode: this.mode,
      },
    }));
    const all = POLICIES.get(this.node.root) ?? [];
    all.push(this);
    POLICIES.set(this.node.root, all);
  }

  /** False when the policy admits its images without a signature (`SigningAuthority.allowUnsigned()`). */
  public get requiresSignature(): boolean {
    return this.authorities.every((a) => a.requiresSignature);
  }

  /** True when the policy applies to `image`. */
  public matches(image: string): boolean {
    return this.images.some((g) => imageMatchesGlob(g, image));
  }
}

/** The attestation entries' names: the kind, with `-2`, `-3`, ... for a kind required more than once. */
function attestationNames(attestations: ImageAttestation[]): string[] {
  const seen = new Map<string, number>();
  return attestations.map((a) => {
    const n = (seen.get(a.kind) ?? 0) + 1;
    seen.set(a.kind, n);
    return n === 1 ? a.kind : `${a.kind}-${n}`;
  });
}
