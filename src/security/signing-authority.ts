import { ValidationError } from '../internal/errors';
import { checkProps, opt, req } from '../internal/runtime-checks';

/**
 * Props for a keyless (Fulcio certificate) signing identity.
 */
export interface KeylessIdentityProps {
  /**
   * The OIDC issuer of the signer's certificate, e.g. `https://token.actions.githubusercontent.com`.
   * Exactly one of `issuer` and `issuerRegex`.
   *
   * @default - none
   */
  readonly issuer?: string;

  /**
   * A regular expression the issuer must match.
   *
   * @default - none
   */
  readonly issuerRegex?: string;

  /**
   * The certificate subject (e.g. a workflow identity or an e-mail address). Exactly one of `subject` and
   * `subjectRegex`.
   *
   * @default - none
   */
  readonly subject?: string;

  /**
   * A regular expression the subject must match.
   *
   * @default - none
   */
  readonly subjectRegex?: string;

  /**
   * The Fulcio URL.
   *
   * @default 'https://fulcio.sigstore.dev'
   */
  readonly fulcioUrl?: string;
}

/**
 * Props for GitHub Actions keyless signing.
 */
export interface GithubActionsIdentityProps {
  /**
   * The repository that builds and signs the images, `owner/name`.
   */
  readonly repository: string;

  /**
   * The workflow file, e.g. `.github/workflows/release.yaml`.
   *
   * @default - any workflow of the repository
   */
  readonly workflow?: string;

  /**
   * A regular expression for the git ref the workflow ran on.
   *
   * @default 'refs/tags/.*' (release tags only)
   */
  readonly refRegex?: string;
}

/**
 * Who must have signed an image: a keyless identity (Fulcio certificate issued to an OIDC identity) or a public
 * key.
 *
 * For upstream images nobody signs, it can be no one (`allowUnsigned`). Rendered into a sigstore policy-controller
 * ClusterImagePolicy authority.
 */
export class SigningAuthority {
  /**
   * Images signed keylessly by an OIDC identity.
   */
  public static keyless(props: KeylessIdentityProps): SigningAuthority {
    props = checkProps('SigningAuthority.keyless', 'KeylessIdentityProps', props, {
      issuer: opt('string'), issuerRegex: opt('string'), subject: opt('string'), subjectRegex: opt('string'), fulcioUrl: opt('string'),
    });
    const one = (a?: string, b?: string) => (a === undefined) !== (b === undefined);
    if (!one(props.issuer, props.issuerRegex)) {
      throw new ValidationError('SigningAuthority.keyless', 'issuer', 'give exactly one of issuer and issuerRegex');
    }
    if (!one(props.subject, props.subjectRegex)) {
      throw new ValidationError('SigningAuthority.keyless', 'subject', 'give exactly one of subject and subjectRegex');
    }
    const identity = { issuer: props.issuer, issuerRegExp: props.issuerRegex, subject: props.subject, subjectRegExp: props.subjectRegex };
    const description = `keyless ${props.issuer ?? props.issuerRegex} / ${props.subject ?? props.subjectRegex}`;
    return new SigningAuthority(description, { keyless: { url: props.fulcioUrl ?? 'https://fulcio.sigstore.dev', identities: [strip(identity)] } });
  }

  /**
   * Images signed keylessly by a GitHub Actions workflow (`cosign sign` with the workflow's OIDC token).
   */
  public static githubActions(props: GithubActionsIdentityProps): SigningAuthority {
    checkProps('SigningAuthority.githubActions', 'GithubActionsIdentityProps', props, {
      repository: req('string', '"owner/name"'), workflow: opt('string'), refRegex: opt('string'),
    });
    if (!/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(props.repository)) {
      throw new ValidationError('SigningAuthority.githubActions', 'repository', `got ${JSON.stringify(props.repository)}; expected "owner/name"`);
    }
    const workflow = props.workflow !== undefined ? escapeRegExp(props.workflow) : '\\.github/workflows/[^@]+';
    const ref = props.refRegex ?? 'refs/tags/.*';
    return SigningAuthority.keyless({
      issuer: 'https://token.actions.githubusercontent.com',
      subjectRegex: `^https://github\\.com/${escapeRegExp(props.repository)}/${workflow}@${ref}$`,
    });
  }

  /**
   * Images signed with a key whose public half (PEM) is given.
   *
   * @param pem The public key, PEM-encoded (`-----BEGIN PUBLIC KEY-----` ... `-----END PUBLIC KEY-----`).
   */
  public static publicKey(pem: string): SigningAuthority {
    if (!/-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----/.test(pem)) {
      throw new ValidationError('SigningAuthority.publicKey', 'pem', 'expected a PEM public key (-----BEGIN PUBLIC KEY----- ... -----END PUBLIC KEY-----)');
    }
    return new SigningAuthority('public key', { key: { data: pem.trim() } });
  }

  /**
   * Images signed with a KMS key, e.g. `awskms:///arn:aws:kms:...` or `gcpkms://projects/...`.
   *
   * @param uri The key's URI: `awskms://`, `gcpkms://`, `azurekms://` or `hashivault://`.
   */
  public static kms(uri: string): SigningAuthority {
    if (!/^(awskms|gcpkms|azurekms|hashivault):\/\/.+/.test(uri)) {
      throw new ValidationError('SigningAuthority.kms', 'uri', `got ${JSON.stringify(uri)}; expected awskms://, gcpkms://, azurekms:// or hashivault:// URI`);
    }
    return new SigningAuthority(`KMS key ${uri}`, { key: { kms: uri } });
  }

  /**
   * No signature required: policy-controller's static authority `static: { action: pass }`. Images the policy's
   * globs match are admitted without a signature, and the controller still resolves their tags to digests at
   * admission (its mutating webhook rewrites the pod's image to the digest it saw, so every replica runs the image
   * that was admitted, even if the tag moves later).
   *
   * For upstream images nobody in your organisation signs (a model server or endpoint picker image pulled from its
   * project's registry) in namespaces that opt into signed-image admission, where an image no ClusterImagePolicy
   * matches is denied (`no-match-policy: deny`). It proves nothing about who built the image: prefer mirroring and
   * signing upstream images, and keep the globs narrow (e.g. `index.docker.io/vllm/vllm-openai:*`).
   *
   * It must be the only authority of its ImageSigningPolicy: next to a signature authority it would make the
   * signature optional (one passing authority admits the image).
   */
  public static allowUnsigned(): SigningAuthority {
    return new SigningAuthority('no signature required (static pass; tags resolved to digests at admission)', { static: { action: 'pass' } }, false);
  }

  /** One line for reports. */
  public readonly description: string;
  /** False for `allowUnsigned()`: the authority admits images without verifying a signature. */
  public readonly requiresSignature: boolean;
  private readonly rendered: Record<string, any>;

  private constructor(description: string, rendered: Record<string, any>, requiresSignature = true) {
    this.description = description;
    this.rendered = rendered;
    this.requiresSignature = requiresSignature;
  }

  /**
   * The ClusterImagePolicy authority (without its name).
   * @internal
   */
  public _render(): Record<string, any> {
    return JSON.parse(JSON.stringify(this.rendered));
  }
}

function strip(o: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Record<string, string>;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, (c) => (c === '/' ? '/' : `\\${c}`));
}
