import { IConstruct } from 'constructs';
import * as k8s from '../imports/k8s';
import { invalidProp, requireInteger, ValidationError } from '../internal/errors';
import { requireDnsLabel } from '../internal/names';
import { checkProps, opt, req } from '../internal/runtime-checks';
import { ContainerInputs } from '../security/container-secrets';
import { SecretKeyReference, requireSecretKeyReference } from '../security/secret-reference';

/** The lm-evaluation-harness release installed when no image is given. */
export const LM_EVAL_VERSION = '0.4.12';
/** A Python image: runs the checker, and pip-installs lm-evaluation-harness when no image is given. */
export const PYTHON_IMAGE = 'docker.io/library/python:3.12-slim';
/** Where the eval container writes results (an emptyDir shared with the checker). */
export const RESULTS_DIR = '/results';
const HF_CACHE = '/cache/huggingface';
const TASK = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$/;
const IMAGE = /^[a-z0-9]([a-z0-9._/:@-]*[a-zA-Z0-9_.-])?$/;

/**
 * EleutherAI lm-evaluation-harness against the candidate's OpenAI-compatible endpoint.
 */
export interface LmEvalHarnessOptions {
  /**
   * Tasks or groups, e.g. `['gsm8k', 'arc_challenge']`.
   */
  readonly tasks: string[];

  /**
   * Samples per task (`--limit`): a whole number, or a fraction of the task below 1. lm-evaluation-harness
   * calls limits "for testing only": a gate on a sample is noisier than on the whole task.
   *
   * @default - every sample
   */
  readonly limit?: number;

  /**
   * Few-shot examples per prompt (`--num_fewshot`).
   *
   * @default - each task's default
   */
  readonly numFewshot?: number;

  /**
   * Requests in flight against the candidate (`num_concurrent`).
   *
   * @default 1
   */
  readonly concurrency?: number;

  /**
   * Requests per batch (`--batch_size`).
   *
   * @default 1
   */
  readonly batchSize?: number;

  /**
   * Use the chat endpoint (`local-chat-completions`, `/v1/chat/completions`, with `--apply_chat_template`). Chat
   * endpoints return no log-probabilities, so only generation tasks (`generate_until`, e.g. gsm8k) run.
   *
   * @default false (`local-completions`, `/v1/completions`)
   */
  readonly chat?: boolean;

  /**
   * The tokenizer lm-evaluation-harness loads (a Hugging Face id), for log-likelihood tasks.
   *
   * @default - the served model name
   */
  readonly tokenizer?: string;

  /**
   * An image with lm-evaluation-harness (`lm_eval` on the PATH). The project publishes none.
   *
   * @default - a Python image that pip-installs `lm_eval[api]` (`version`) at start (needs egress to PyPI)
   */
  readonly image?: string;

  /**
   * The lm-evaluation-harness version pip-installs when no `image` is given.
   *
   * @default '0.4.12'
   */
  readonly version?: string;

  /**
   * A PersistentVolumeClaim holding a filled Hugging Face cache (datasets, tokenizer), mounted read-only: the Job
   * then runs offline (`HF_HUB_OFFLINE`). With an `image` too, the Job needs no internet at all.
   *
   * @default - datasets are downloaded from the Hugging Face Hub into an emptyDir
   */
  readonly datasetCache?: string;

  /**
   * A Hugging Face token for gated datasets, from a Secret.
   *
   * @default - none
   */
  readonly hfTokenSecret?: SecretKeyReference;

  /**
   * Extra `lm_eval` arguments, e.g. `['--seed', '1234']`. Not the flags the suite sets itself.
   *
   * @default - none
   */
  readonly extraArgs?: string[];
}

/**
 * A harness of your own that writes an lm-evaluation-harness-shaped results JSON.
 */
export interface CustomEvalSuiteOptions {
  /**
   * The image.
   */
  readonly image: string;

  /**
   * The command. The container gets `EVAL_BASE_URL` (the candidate's `http://<service>:<port>/v1`), `EVAL_MODEL`
   * (the served model name) and `EVAL_RESULTS_DIR` (`/results`).
   */
  readonly command: string[];

  /**
   * Arguments.
   *
   * @default - none
   */
  readonly args?: string[];

  /**
   * Environment variables (plain values).
   *
   * @default - none
   */
  readonly env?: { [name: string]: string };

  /**
   * Environment variables from Secret keys (API keys of judge models, W&B): by reference, so the values never
   * appear in the YAML.
   *
   * @default - none
   */
  readonly secretEnv?: { [name: string]: SecretKeyReference };

  /**
   * Where the harness writes its results: a file, or a directory under which the newest `results_*.json` is read.
   * Must be under `/results`. The file must be `{"results": {"<task>": {"<metric>,<filter>": <number>}}}`,
   * optionally with `higher_is_better: {"<task>": {"<metric>": <bool>}}`.
   *
   * @default '/results'
   */
  readonly resultsPath?: string;

  /**
   * Whether the harness needs the internet (HTTPS to public addresses), e.g. to download datasets.
   *
   * @default false
   */
  readonly internetEgress?: boolean;
}

/** What the eval Job needs from the target. @internal */
export interface SuiteTarget {
  /** `http://<service>[.<namespace>.svc]:<port>`. */
  readonly baseUrl: string;
  readonly modelName: string;
}

/** The eval container of a suite. @internal */
export interface SuiteContainer {
  readonly container: k8s.Container;
  readonly volumes: k8s.Volume[];
  /** Where the checker reads the results. */
  readonly resultsPath: string;
  /** Whether the pod needs HTTPS to public addresses. */
  readonly internetEgress: boolean;
  /** A short description for reports. */
  readonly description: string;
  /** The props the container's env, command and args came from (for refusals). */
  readonly inputs: ContainerInputs;
}

/**
 * The evaluation an EvalGate runs against the candidate.
 *
 * ```ts
 * EvalSuite.lmEvalHarness({ tasks: ['gsm8k'], limit: 250, concurrency: 8 })
 * EvalSuite.custom({ image: 'ghcr.io/acme/evals:1.4', command: ['python', '-m', 'acme_evals'] })
 * ```
 */
export abstract class EvalSuite {
  /**
   * EleutherAI lm-evaluation-harness (`lm_eval --model local-completions`) against the candidate's Service.
   */
  public static lmEvalHarness(options: LmEvalHarnessOptions): EvalSuite {
    checkProps('EvalSuite.lmEvalHarness', 'LmEvalHarnessOptions', options, {
      tasks: req('string[]', 'task names such as ["gsm8k"]'),
      extraArgs: opt('string[]'),
      image: opt('string'),
    });
    return new LmEvalHarnessSuite(options);
  }

  /**
   * Any harness that writes a results JSON in lm-evaluation-harness' shape.
   */
  public static custom(options: CustomEvalSuiteOptions): EvalSuite {
    checkProps('EvalSuite.custom', 'CustomEvalSuiteOptions', options, {
      image: req('string'),
      command: req('string[]'),
      args: opt('string[]'),
      env: opt('string-map'),
      secretEnv: opt('object'),
      resultsPath: opt('string'),
    });
    return new CustomSuite(options);
  }

  /** Short description, e.g. `lm-evaluation-harness gsm8k`. */
  public abstract readonly description: string;

  /**
   * The task names the suite runs, when it knows them (to check thresholds against).
   * @internal
   */
  public abstract readonly _tasks?: string[];

  /**
   * Builds the eval container.
   * @internal
   */
  public abstract _container(scope: IConstruct, target: SuiteTarget): SuiteContainer;
}

const OWNED_LM_EVAL_FLAGS = ['--model', '--tasks', '-t', '--model_args', '--output_path', '-o', '--limit', '-L', '--num_fewshot', '-f',
  '--batch_size', '-b', '--apply_chat_template'];

class LmEvalHarnessSuite extends EvalSuite {
  public readonly description: string;
  public readonly _tasks: string[];

  constructor(private readonly options: LmEvalHarnessOptions) {
    super();
    this._tasks = [...(options.tasks ?? [])];
    this.description = `lm-evaluation-harness ${this._tasks.join(', ')}`;
  }

  public _container(scope: IConstruct, target: SuiteTarget): SuiteContainer {
    const o = this.options;
    const prop = 'suite';
    if (!o.tasks?.length) throw new ValidationError(scope, `${prop}.tasks`, 'is empty; name at least one lm-evaluation-harness task');
    o.tasks.forEach((t, i) => {
      if (!TASK.test(t)) throw invalidProp(scope, `${prop}.tasks[${i}]`, t, 'a task or group name (letters, digits, "_", ".", ":", "-")');
    });
    if (new Set(o.tasks).size !== o.tasks.length) throw invalidProp(scope, `${prop}.tasks`, o.tasks, 'task names without duplicates');
    if (o.limit !== undefined && !(o.limit > 0 && (o.limit < 1 || Number.isInteger(o.limit)) && o.limit <= 1_000_000)) {
      throw invalidProp(scope, `${prop}.limit`, o.limit, 'a whole number of samples from 1 to 1000000, or a fraction above 0 and below 1');
    }
    if (o.numFewshot !== undefined) requireInteger(scope, `${prop}.numFewshot`, o.numFewshot, 0, 100);
    const concurrency = requireInteger(scope, `${prop}.concurrency`, o.concurrency ?? 1, 1, 512);
    const batchSize = requireInteger(scope, `${prop}.batchSize`, o.batchSize ?? 1, 1, 1024);
    if (o.image !== undefined) checkImage(scope, `${prop}.image`, o.image);
    const version = o.version ?? LM_EVAL_VERSION;
    if (!/^\d+\.\d+(\.\d+)?([a-z0-9.+-]*)$/.test(version)) throw invalidProp(scope, `${prop}.version`, version, 'a release such as "0.4.12"');
    if (o.image !== undefined && o.version !== undefined) {
      throw new ValidationError(scope, `${prop}.version`, 'is set together with image; the version is only pip-installed when no image is given');
    }
    if (o.datasetCache !== undefined) requireDnsLabel(scope, `${prop}.datasetCache`, o.datasetCache, 253);
    if (o.hfTokenSecret) checkSecretRef(scope, `${prop}.hfTokenSecret`, o.hfTokenSecret);
    if (o.tokenizer !== undefined && (!o.tokenizer || /[\s,=]/.test(o.tokenizer))) {
      throw invalidProp(scope, `${prop}.tokenizer`, o.tokenizer, 'a Hugging Face id or path without spaces, "," or "="');
    }
    if (/[,=]/.test(target.modelName)) {
      throw invalidProp(scope, 'target', target.modelName, 'a served model name without "," or "=" (lm-evaluation-harness splits --model_args on them)');
    }
    const extra = o.extraArgs ?? [];
    const owned = extra.filter((a) => OWNED_LM_EVAL_FLAGS.includes(a.split('=')[0]));
    if (owned.length) throw invalidProp(scope, `${prop}.extraArgs`, owned, `flags other than ${OWNED_LM_EVAL_FLAGS.join(', ')} (the suite sets them)`);

    const chat = o.chat ?? false;
    const modelArgs = [
      `model=${target.modelName}`,
      `base_url=${target.baseUrl}/v1/${chat ? 'chat/completions' : 'completions'}`,
      `num_concurrent=${concurrency}`,
      'max_retries=3',
      'tokenized_requests=False',
      ...(o.tokenizer ? [`tokenizer=${o.tokenizer}`] : []),
    ].join(',');
    const args = [
      '--model', chat ? 'local-chat-completions' : 'local-completions',
      '--tasks', o.tasks.join(','),
      '--model_args', modelArgs,
      '--batch_size', String(batchSize),
      '--output_path', `${RESULTS_DIR}/`,
      ...(o.numFewshot !== undefined ? ['--num_fewshot', String(o.numFewshot)] : []),
      ...(o.limit !== undefined ? ['--limit', String(o.limit)] : []),
      ...(chat ? ['--apply_chat_template'] : []),
      ...extra,
    ];
    const env: k8s.EnvVar[] = [
      { name: 'HF_HOME', value: HF_CACHE },
      { name: 'HOME', value: '/tmp' },
      ...(o.datasetCache ? [{ name: 'HF_DATASETS_OFFLINE', value: '1' }, { name: 'HF_HUB_OFFLINE', value: '1' }] : []),
      ...(o.hfTokenSecret ? [{ name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: o.hfTokenSecret.secretName, key: o.hfTokenSecret.key } } }] : []),
      { name: 'PYTHONUNBUFFERED', value: '1' },
    ];
    const volumes: k8s.Volume[] = o.datasetCache
      ? [{ name: 'hf-cache', persistentVolumeClaim: { claimName: o.datasetCache, readOnly: true } }]
      : [{ name: 'hf-cache', emptyDir: {} }];
    const container: k8s.Container = o.image
      ? { name: 'eval', image: o.image, command: ['lm_eval'], args, env }
      : {
        name: 'eval',
        image: PYTHON_IMAGE,
        // "$@" passes the arguments through without shell quoting.
        command: ['sh', '-c', `pip install --quiet --no-cache-dir --target /tmp/lm-eval "lm_eval[api]==${version}" && ` +
          'PYTHONPATH=/tmp/lm-eval exec python3 -m lm_eval "$@"', 'lm_eval'],
        args,
        env,
      };
    return {
      container: { ...container, volumeMounts: [{ name: 'hf-cache', mountPath: HF_CACHE, readOnly: o.datasetCache ? true : undefined }] },
      volumes,
      resultsPath: RESULTS_DIR,
      internetEgress: !(o.image && o.datasetCache),
      description: this.description,
      inputs: { envProp: (n) => `${prop}.env.${n}`, argProp: () => `${prop}.extraArgs`, commandProp: `${prop}.image`, alternative: HF_ALTERNATIVE },
    };
  }
}

class CustomSuite extends EvalSuite {
  public readonly description: string;
  public readonly _tasks = undefined;

  constructor(private readonly options: CustomEvalSuiteOptions) {
    super();
    this.description = `custom ${options.image}`;
  }

  public _container(scope: IConstruct, target: SuiteTarget): SuiteContainer {
    const o = this.options;
    checkImage(scope, 'suite.image', o.image);
    if (!o.command?.length) throw new ValidationError(scope, 'suite.command', 'is empty; give the harness command');
    const resultsPath = o.resultsPath ?? RESULTS_DIR;
    const normal = resultsPath.replace(/\/+$/, '') || '/';
    if (!(normal === RESULTS_DIR || normal.startsWith(`${RESULTS_DIR}/`)) || /\/\.\.?(\/|$)|\/\//.test(resultsPath)) {
      throw invalidProp(scope, 'suite.resultsPath', resultsPath, `${RESULTS_DIR} or a path under it (the volume the checker reads)`);
    }
    const owned = ['EVAL_BASE_URL', 'EVAL_MODEL', 'EVAL_RESULTS_DIR'];
    for (const name of Object.keys(o.env ?? {})) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw invalidProp(scope, `suite.env.${name}`, name, 'an environment variable name');
      if (owned.includes(name)) throw invalidProp(scope, `suite.env.${name}`, name, `a name other than ${owned.join(', ')} (the gate sets them)`);
    }
    for (const [name, ref] of Object.entries(o.secretEnv ?? {})) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw invalidProp(scope, `suite.secretEnv.${name}`, name, 'an environment variable name');
      requireSecretKeyReference(scope, `suite.secretEnv.${name}`, ref);
      if (owned.includes(name) || o.env?.[name] !== undefined) {
        throw invalidProp(scope, `suite.secretEnv.${name}`, name, `a name not in ${[...owned, 'suite.env'].join(', ')}`);
      }
    }
    const secrets = o.secretEnv ?? {};
    const env: k8s.EnvVar[] = [
      { name: 'EVAL_BASE_URL', value: `${target.baseUrl}/v1` },
      { name: 'EVAL_MODEL', value: target.modelName },
      { name: 'EVAL_RESULTS_DIR', value: RESULTS_DIR },
      { name: 'HOME', value: '/tmp' },
      ...Object.keys(o.env ?? {}).sort().map((name) => ({ name, value: o.env![name] })),
      ...Object.keys(secrets).sort().map((name) => ({
        name, valueFrom: { secretKeyRef: { name: secrets[name].secretName, key: secrets[name].key } },
      })),
    ];
    return {
      container: { name: 'eval', image: o.image, command: [...o.command], args: o.args ? [...o.args] : undefined, env },
      volumes: [],
      resultsPath,
      internetEgress: o.internetEgress ?? false,
      description: this.description,
      inputs: {
        envProp: (n) => `suite.env.${n}`,
        argProp: () => 'suite.args',
        commandProp: 'suite.command',
        alternative: 'keep it in a Secret and reference it: secretEnv: { NAME: { secretName: \'<secret>\', key: \'<key>\' } }',
      },
    };
  }
}

/** lm-evaluation-harness only needs a Hugging Face token; it comes from a Secret. */
const HF_ALTERNATIVE = 'keep it in a Secret: a Hugging Face token goes in hfTokenSecret: { secretName: \'<secret>\', key: \'<key>\' }';

function checkImage(scope: IConstruct, prop: string, image: string): void {
  if (!image || image.length > 512 || !IMAGE.test(image)) throw invalidProp(scope, prop, image, 'a container image reference, e.g. "ghcr.io/acme/evals:1.0"');
}

function checkSecretRef(scope: IConstruct, prop: string, ref: SecretKeyReference): void {
  requireSecretKeyReference(scope, prop, ref);
  requireDnsLabel(scope, `${prop}.secretName`, ref.secretName, 253);
  if (!ref.key || !/^[-._a-zA-Z0-9]+$/.test(ref.key)) throw invalidProp(scope, `${prop}.key`, ref.key, 'a Secret key');
}
