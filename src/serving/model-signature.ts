import { IConstruct } from 'constructs';
import * as k8s from '../imports/k8s';
import { invalidProp, ValidationError } from '../internal/errors';
import { isDnsSubdomain } from '../internal/qualified-name';
import { checkProps, opt, req } from '../internal/runtime-checks';
import { computeResources, PodSpecBuilder } from '../security/pod-spec';

/**
 * Options for a model signed keylessly with Sigstore (`model_signing sign sigstore`).
 */
export interface ModelSigstoreSignatureOptions {
  /**
   * The signer's identity as its Fulcio certificate names it, compared exactly.
   *
   * An e-mail address, or a workload identity such as
   * `https://github.com/acme/models/.github/workflows/sign.yml@refs/heads/main`.
   */
  readonly identity: string;

  /**
   * The OIDC issuer of the signer's certificate.
   *
   * For example `https://token.actions.githubusercontent.com` or `https://accounts.google.com`.
   */
  readonly issuer: string;

  /**
   * The `model_signing` CLI image (OpenSSF model signing, github.com/sigstore/model-transparency), pinned by digest.
   *
   * For example `ghcr.io/sigstore/model-transparency-cli:v1.1.1@sha256:<digest>`, with the digest your registry
   * mirror shows for that tag (upstream's Containerfile: entrypoint `model_signing`). There is no default: the library cannot check the upstream image's digest offline, and a verifier pulled by
   * tag could itself be swapped.
   */
  readonly verifierImage: string;

  /**
   * The signature file, relative to the model's directory.
   *
   * @default 'model.sig' (what `model_signing sign` writes)
   */
  readonly signaturePath?: string;
}

/**
 * Options for a model signed with a private key (`model_signing sign key`).
 */
export interface ModelPublicKeySignatureOptions {
  /**
   * The name of a Secret (in the service's namespace) whose `publicKeyKey` holds the PEM public key. Exactly one
   * of `publicKeySecret` and `publicKeyConfigMap`. Never the key itself.
   *
   * @default - none
   */
  readonly publicKeySecret?: string;

  /**
   * The name of a ConfigMap (in the service's namespace) whose `publicKeyKey` holds the PEM public key (a public
   * key is no secret). Exactly one of `publicKeySecret` and `publicKeyConfigMap`.
   *
   * @default - none
   */
  readonly publicKeyConfigMap?: string;

  /**
   * The key of the Secret or ConfigMap that holds the public key.
   *
   * @default 'key.pub'
   */
  readonly publicKeyKey?: string;

  /**
   * The `model_signing` CLI image, pinned by digest (see `ModelSigstoreSignatureOptions.verifierImage`).
   */
  readonly verifierImage: string;

  /**
   * The signature file, relative to the model's directory.
   *
   * @default 'model.sig' (what `model_signing sign` writes)
   */
  readonly signaturePath?: string;
}

/** The kinds of model signature. */
export enum ModelSignatureKind {
  /** Keyless: a Sigstore (Fulcio) certificate for an OIDC identity, logged in Rekor. */
  SIGSTORE = 'sigstore',
  /** A key pair: the public key verifies. */
  PUBLIC_KEY = 'key',
}

/** Where the public key is mounted for the verify step. */
const KEY_DIR = '/var/run/secrets/model-signing';
const KEY_FILE = 'key.pub';
const KEY_VOLUME = 'model-signing-key';
/**
 * Resources of the verify step: `model_signing` hashes every file (sharded, one worker per CPU) and holds only
 * digests in memory, so memory does not grow with the model; more CPU shortens the hash of a large model.
 */
const VERIFY_RESOURCES = { cpu: '2', memory: '2Gi' };

/**
 * A signature the model's files must carry (OpenSSF model signing, `model_signing` from
 * github.com/sigstore/model-transparency v1.1.1): an init step runs `model_signing verify` on the model directory
 * after the download and before the server starts. An unsigned model, a file that changed, or an extra file fails
 * the step, and the pod never starts the server.
 *
 * ```ts
 * ModelSignature.sigstore({ identity: 'ml-release@acme.dev', issuer: 'https://accounts.google.com', verifierImage: VERIFIER })
 * ModelSignature.publicKey({ publicKeyConfigMap: 'model-signing-key', verifierImage: VERIFIER })
 * ```
 */
export class ModelSignature {
  /**
   * Keyless Sigstore signature (`model_signing verify sigstore --identity --identity_provider`). The verify step
   * fetches Sigstore's trust root (TUF, `tuf-repo-cdn.sigstore.dev` over HTTPS), so it needs the same egress as a
   * model download.
   */
  public static sigstore(options: ModelSigstoreSignatureOptions): ModelSignature {
    const where = 'ModelSignature.sigstore';
    checkProps(where, 'ModelSigstoreSignatureOptions', options, {
      identity: req('string', 'the signer identity, e.g. an e-mail address or a workflow URI'),
      issuer: req('string', 'an https:// OIDC issuer URL'),
      verifierImage: req('string', 'the model_signing image pinned by digest'),
      signaturePath: opt('string'),
    });
    if (options.identity.length === 0 || /\s/.test(options.identity)) {
      throw invalidProp(where, 'options.identity', options.identity, 'the signer identity without spaces, e.g. "ml-release@acme.dev"');
    }
    if (!/^https:\/\/[^\s/]+(\/\S*)?$/.test(options.issuer)) {
      throw invalidProp(where, 'options.issuer', options.issuer, 'an https:// OIDC issuer URL such as "https://token.actions.githubusercontent.com"');
    }
    const common = commonOptions(where, options.verifierImage, options.signaturePath);
    return new ModelSignature(ModelSignatureKind.SIGSTORE, `Sigstore keyless ${options.identity} (${options.issuer})`, common.image,
      common.signaturePath, ['sigstore'], ['--identity', options.identity, '--identity_provider', options.issuer], undefined);
  }

  /**
   * Signature by a key pair (`model_signing verify key --public_key`), the public key mounted as a file from a
   * Secret or a ConfigMap.
   */
  public static publicKey(options: ModelPublicKeySignatureOptions): ModelSignature {
    const where = 'ModelSignature.publicKey';
    checkProps(where, 'ModelPublicKeySignatureOptions', options, {
      publicKeySecret: opt('string'),
      publicKeyConfigMap: opt('string'),
      publicKeyKey: opt('string'),
      verifierImage: req('string', 'the model_signing image pinned by digest'),
      signaturePath: opt('string'),
    });
    const secret = options.publicKeySecret;
    const configMap = options.publicKeyConfigMap;
    if ((secret === undefined) === (configMap === undefined)) {
      throw new ValidationError(where, 'options.publicKeySecret', 'give exactly one of publicKeySecret and publicKeyConfigMap (the name of the ' +
        'Secret or ConfigMap holding the PEM public key)');
    }
    const prop = secret !== undefined ? 'options.publicKeySecret' : 'options.publicKeyConfigMap';
    const name = (secret ?? configMap)!;
    if (!isDnsSubdomain(name)) {
      const shown = name.includes('-----BEGIN') ? 'a PEM key' : name;
      throw invalidProp(where, prop, shown, `the name of a ${secret !== undefined ? 'Secret' : 'ConfigMap'} (DNS-1123 subdomain) holding the ` +
        'PEM public key, never the key itself');
    }
    const key = options.publicKeyKey ?? KEY_FILE;
    if (!/^[-._a-zA-Z0-9]+$/.test(key) || key.length > 253) {
      throw invalidProp(where, 'options.publicKeyKey', key, 'a Secret or ConfigMap key ([-._a-zA-Z0-9]+)');
    }
    const common = commonOptions(where, options.verifierImage, options.signaturePath);
    const items = [{ key, path: KEY_FILE }];
    // 0440: readable by the user and the pod's fsGroup only.
    const volume: k8s.Volume = secret !== undefined
      ? { name: KEY_VOLUME, secret: { secretName: secret, items, defaultMode: 0o440 } }
      : { name: KEY_VOLUME, configMap: { name: configMap!, items, defaultMode: 0o440 } };
    return new ModelSignature(ModelSignatureKind.PUBLIC_KEY, `public key from ${secret !== undefined ? 'Secret' : 'ConfigMap'} ${name}/${key}`,
      common.image, common.signaturePath, ['key'], ['--public_key', `${KEY_DIR}/${KEY_FILE}`], volume);
  }

  /** Keyless Sigstore or a public key. */
  public readonly kind: ModelSignatureKind;
  /** One line for reports. */
  public readonly description: string;
  /** The verifier image (digest-pinned). */
  public readonly verifierImage: string;
  /** The signature file, relative to the model directory. */
  public readonly signaturePath: string;

  private constructor(kind: ModelSignatureKind, description: string, verifierImage: string, signaturePath: string,
    private readonly method: string[], private readonly flags: string[], private readonly keyVolume: k8s.Volume | undefined) {
    this.kind = kind;
    this.description = description;
    this.verifierImage = verifierImage;
    this.signaturePath = signaturePath;
  }

  /** True when the verify step reaches Sigstore's trust root over the network. @internal */
  public get _needsNetwork(): boolean {
    return this.kind === ModelSignatureKind.SIGSTORE;
  }

  /**
   * Adds the verify init container for the model in `modelDir` (after the init containers already added, so after
   * the download). `ignore` lists absolute paths the download step writes that the signer never saw.
   * @internal
   */
  public _addVerifier(builder: PodSpecBuilder, modelDir: string, modelVolume: k8s.VolumeMount, ignore: string[]): void {
    const mounts: k8s.VolumeMount[] = [{ ...modelVolume, readOnly: true }];
    if (this.keyVolume) {
      builder.addVolume(this.keyVolume);
      mounts.push({ name: KEY_VOLUME, mountPath: KEY_DIR, readOnly: true });
    }
    builder.addContainer({
      name: 'model-verify',
      image: this.verifierImage,
      // model_signing v1.1.1 (src/model_signing/_cli.py): verify <method> MODEL_PATH --signature ...; exits 1 on failure,
      // 2 on a usage error. Its options mix dashes and underscores (--ignore-paths, --public_key, --identity_provider)
      // and click takes no other spelling; test/serving/model-signature.run.test.ts runs this command with the real CLI.
      command: ['model_signing', 'verify', ...this.method, modelDir, '--signature', `${modelDir}/${this.signaturePath}`,
        ...ignore.flatMap((p) => ['--ignore-paths', p]), ...this.flags],
      env: [{ name: 'HOME', value: '/tmp' }],
      resources: computeResources(VERIFY_RESOURCES),
      volumeMounts: mounts,
      securityContext: { readOnlyRootFilesystem: true },
    }, { init: true });
  }

  /** @internal */
  public _validate(scope: IConstruct, prop: string): void {
    if (this.signaturePath.split('/').includes('..')) throw invalidProp(scope, `${prop}.signaturePath`, this.signaturePath, 'a path inside the model directory');
  }
}

function commonOptions(where: string, image: string, signaturePath: string | undefined): { image: string; signaturePath: string } {
  if (!/^[^\s@]+@sha256:[a-f0-9]{64}$/.test(image)) {
    throw invalidProp(where, 'options.verifierImage', image, 'an image pinned by digest, e.g. ' +
      '"ghcr.io/sigstore/model-transparency-cli:v1.1.1@sha256:<64 hex digits>" (a verifier pulled by tag could be swapped)');
  }
  const path = signaturePath ?? 'model.sig';
  if (path.length === 0 || path.startsWith('/') || path.split('/').includes('..') || /\s/.test(path)) {
    throw invalidProp(where, 'options.signaturePath', path, 'a relative path inside the model directory without ".." or spaces, e.g. "model.sig"');
  }
  return { image, signaturePath: path };
}
