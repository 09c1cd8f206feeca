import { IConstruct } from 'constructs';
import { InitializerSpec } from './initializer-spec';
import { invalidProp } from '../internal/errors';
import { checkProps, opt, req, requireKind } from '../internal/runtime-checks';
import { requireEnvName } from '../security/env-name';
import { SecretKeyReference, requireSecretEnv, requireSecretKeyReference, requireSecretRef } from '../security/secret-reference';

/** The Kubeflow Trainer release whose initializer images the library pins (kubeflow/trainer v2.3.0). */
const KUBEFLOW_INITIALIZER_TAG = 'v2.3.0';
/** A Hugging Face Hub repository id: `<namespace>/<name>`. */
const HF_REPOSITORY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,95}\/[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/;

/**
 * Which volume of the job an initializer fills.
 */
export enum InitializerTarget {
  /**
   * The job's `dataset` volume, which the workers mount read-only at `/data` (`DATASET_DIR`).
   */
  DATASET = 'dataset',

  /**
   * The job's `model` volume, which the workers mount read-only at `/model` (`MODEL_DIR`).
   */
  MODEL = 'model',
}

/**
 * Options for a Hugging Face Hub initializer.
 */
export interface HuggingFaceInitializerOptions {
  /**
   * The job volume the download goes into.
   */
  readonly target: InitializerTarget;

  /**
   * The Secret key holding a Hugging Face token, for gated or private repositories.
   *
   * It is mounted as a file (`HF_TOKEN_PATH`), never passed as a variable value.
   *
   * @default - an anonymous download (public repositories)
   */
  readonly tokenSecret?: SecretKeyReference;

  /**
   * Files not to download, as glob patterns (`IGNORE_PATTERNS`), e.g. `['*.pth', 'original/*']`.
   *
   * @default - Kubeflow's initializer defaults (for models `*.msgpack`, `*.h5`, `*.bin`, `*.pt`, `*.pth`; for datasets none)
   */
  readonly ignorePatterns?: string[];

  /**
   * The initializer image.
   *
   * @default - `ghcr.io/kubeflow/trainer/dataset-initializer:v2.3.0` or `ghcr.io/kubeflow/trainer/model-initializer:v2.3.0`
   */
  readonly image?: string;
}

/**
 * Options for an initializer that runs an image of your own.
 */
export interface ContainerInitializerOptions {
  /**
   * The job volume the container fills.
   *
   * It is mounted read-write where the workers find it (`/data` or `/model`), and `DATASET_DIR` or `MODEL_DIR` names it.
   */
  readonly target: InitializerTarget;

  /**
   * The image.
   */
  readonly image: string;

  /**
   * The container command.
   *
   * @default - the image's entrypoint
   */
  readonly command?: string[];

  /**
   * The container arguments.
   *
   * @default - the image's arguments
   */
  readonly args?: string[];

  /**
   * Environment variables of the container.
   *
   * @default - none
   */
  readonly env?: { [name: string]: string };

  /**
   * Environment variables from Secret keys (credentials of the download source), passed by reference.
   *
   * @default - none
   */
  readonly secretEnv?: { [name: string]: SecretKeyReference };
}

/**
 * A step that downloads a dataset or model into a volume of the job before the gang starts.
 *
 * It runs as a single-pod job of the JobSet (Kubeflow Trainer's `dataset-initializer` and `model-initializer`
 * replicated jobs), and the workers start only when every initializer has completed (JobSet `dependsOn` with status
 * `Complete`). It runs again before every attempt of a restarted gang, so the download should skip files already
 * there, as `huggingface_hub.snapshot_download` into the same directory does.
 *
 * ```ts
 * TrainingInitializer.huggingFace('meta-llama/Llama-3.1-8B', {
 *   target: InitializerTarget.MODEL,
 *   tokenSecret: { secretName: 'hf-token', key: 'token' },
 * })
 * TrainingInitializer.fromContainer({ target: InitializerTarget.DATASET, image: 'ghcr.io/acme/fetch-data:1.2' })
 * ```
 */
export class TrainingInitializer {
  /**
   * Downloads a Hugging Face Hub repository with Kubeflow Trainer's initializer image (`STORAGE_URI=hf://<repository>`).
   *
   * The image writes to `/workspace/dataset` or `/workspace/model`, so the target volume is mounted there; the
   * workers see the same files at `/data` or `/model`.
   *
   * @param repository The repository id, `<namespace>/<name>`, e.g. `meta-llama/Llama-3.1-8B`.
   * @param options The target volume and the download settings.
   */
  public static huggingFace(repository: string, options: HuggingFaceInitializerOptions): TrainingInitializer {
    const factory = 'TrainingInitializer.huggingFace()';
    requireKind(factory, 'repository', repository, req('string', 'a Hugging Face repository id such as "meta-llama/Llama-3.1-8B"'));
    checkProps(factory, 'HuggingFaceInitializerOptions', options, {
      target: req('string', 'an InitializerTarget such as InitializerTarget.MODEL'),
      tokenSecret: opt('object', 'a Secret key reference such as { secretName: \'hf-token\', key: \'token\' }, not the token'),
      ignorePatterns: opt('string[]'),
      image: opt('string'),
    }, 'options.');
    if (!HF_REPOSITORY.test(repository)) {
      throw invalidProp(factory, 'repository', repository, 'a Hugging Face repository id "<namespace>/<name>" such as "meta-llama/Llama-3.1-8B"');
    }
    const target = requireTarget(factory, options.target);
    if (options.tokenSecret !== undefined) requireSecretKeyReference(factory, 'options.tokenSecret', options.tokenSecret);
    const env: Record<string, string> = { STORAGE_URI: `hf://${repository}` };
    if (options.ignorePatterns !== undefined) {
      const bad = options.ignorePatterns.find((p) => p === '' || p.includes(','));
      if (bad !== undefined) throw invalidProp(factory, 'options.ignorePatterns', bad, 'glob patterns without commas (the image splits IGNORE_PATTERNS at commas)');
      if (options.ignorePatterns.length) env.IGNORE_PATTERNS = options.ignorePatterns.join(',');
    }
    return new TrainingInitializer(target, 'huggingFace', {
      image: options.image ?? `ghcr.io/kubeflow/trainer/${target}-initializer:${KUBEFLOW_INITIALIZER_TAG}`,
      env,
      secretEnv: {},
      tokenSecret: options.tokenSecret,
      mountPath: `/workspace/${target}`,
      source: `huggingface.co (${repository}, HTTPS)`,
    });
  }

  /**
   * Runs an image of your own that fills the target volume (from S3, a database, a mirror).
   *
   * @param options The target volume and the container.
   */
  public static fromContainer(options: ContainerInitializerOptions): TrainingInitializer {
    const factory = 'TrainingInitializer.fromContainer()';
    checkProps(factory, 'ContainerInitializerOptions', options, {
      target: req('string', 'an InitializerTarget such as InitializerTarget.DATASET'),
      image: req('string', 'an image reference such as "ghcr.io/acme/fetch-data:1.2"'),
      command: opt('string[]'),
      args: opt('string[]'),
      env: opt('string-map'),
      secretEnv: opt('object'),
    }, 'options.');
    const target = requireTarget(factory, options.target);
    const env = options.env ?? {};
    const secretEnv = options.secretEnv ?? {};
    return new TrainingInitializer(target, 'container', {
      image: options.image,
      command: options.command,
      args: options.args,
      env: { ...env },
      secretEnv: { ...secretEnv },
      source: `the download source of ${options.image}`,
    });
  }

  /** The job volume the initializer fills. */
  public readonly target: InitializerTarget;
  /** How it downloads: `huggingFace` or `container`. */
  public readonly kind: string;
  private readonly spec: InitializerSpec;

  private constructor(target: InitializerTarget, kind: string, spec: InitializerSpec) {
    this.target = target;
    this.kind = kind;
    this.spec = spec;
  }

  /**
   * What it runs, checked in the job that uses it (errors name `<prop>.image`, `<prop>.env.NAME`, ...).
   * @internal
   */
  public _resolve(scope: IConstruct, prop: string): InitializerSpec {
    const spec = this.spec;
    if (spec.image.trim() === '' || /\s/.test(spec.image)) {
      throw invalidProp(scope, `${prop}.image`, spec.image, 'an image reference such as "ghcr.io/acme/fetch-data:1.2"');
    }
    for (const name of Object.keys(spec.env).sort()) requireEnvName(scope, `${prop}.env.${name}`, name);
    requireSecretEnv(scope, `${prop}.secretEnv`, spec.secretEnv);
    const twice = Object.keys(spec.secretEnv).sort().find((n) => n in spec.env);
    if (twice !== undefined) throw invalidProp(scope, `${prop}.env.${twice}`, twice, 'a variable set once (it is also in secretEnv)');
    if (spec.tokenSecret) requireSecretRef(scope, `${prop}.tokenSecret.secretName`, spec.tokenSecret.secretName, spec.tokenSecret.key);
    return spec;
  }
}

function requireTarget(factory: string, target: InitializerTarget): InitializerTarget {
  if (!Object.values(InitializerTarget).includes(target)) {
    throw invalidProp(factory, 'options.target', target, 'InitializerTarget.DATASET or InitializerTarget.MODEL');
  }
  return target;
}
