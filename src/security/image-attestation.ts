import { Duration } from 'cdk8s';
import { invalidProp } from '../internal/errors';
import { checkProps, opt, req } from '../internal/runtime-checks';

/**
 * The SLSA provenance predicate versions an attestation policy can require.
 */
export enum SlsaProvenanceVersion {
  /** SLSA Provenance v1 (`https://slsa.dev/provenance/v1`): GitHub artifact attestations, slsa-github-generator v2. */
  V1 = 'https://slsa.dev/provenance/v1',
  /** SLSA Provenance v0.2 (`https://slsa.dev/provenance/v0.2`): `cosign attest --type slsaprovenance`, Tekton Chains. */
  V0_2 = 'https://slsa.dev/provenance/v0.2',
}

/**
 * Options for requiring SLSA build provenance.
 */
export interface SlsaProvenanceOptions {
  /**
   * The builder id the provenance must name, compared exactly (`runDetails.builder.id` in v1, `builder.id` in v0.2).
   *
   * For example `https://github.com/actions/runner/github-hosted` (GitHub artifact attestations) or
   * `https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@refs/tags/v2.1.0`.
   */
  readonly builderId: string;

  /**
   * The source repository the image must have been built from, as an `https://` URL without `.git`.
   *
   * For example `https://github.com/acme/app`. It matches a `git+https://github.com/acme/app@<ref>` (or `.git@<ref>`) resolved dependency or config source, or
   * the workflow repository of GitHub's provenance.
   */
  readonly sourceRepository: string;

  /**
   * The SLSA provenance predicate version the builder writes.
   *
   * @default SlsaProvenanceVersion.V1
   */
  readonly version?: SlsaProvenanceVersion;
}

/**
 * Options for requiring a recent vulnerability scan.
 */
export interface VulnerabilityScanOptions {
  /**
   * How long ago the scan may have finished (`metadata.scanFinishedOn` of the cosign vuln predicate), compared with
   * the time of admission.
   */
  readonly maxAge: Duration;

  /**
   * A prefix the scanner's URI (`scanner.uri`) must start with.
   *
   * For example `pkg:github/aquasecurity/trivy` (Trivy's `--format cosign-vuln` output).
   *
   * @default - any scanner
   */
  readonly scannerUri?: string;
}

/** The in-toto predicate type of a cosign vulnerability scan (`cosign attest --type vuln`). */
const COSIGN_VULN_PREDICATE_TYPE = 'https://cosign.sigstore.dev/attestation/vuln/v1';

/**
 * An attestation an image must carry, signed by the policy's authority, and the policy its predicate must pass:
 * a sigstore policy-controller ClusterImagePolicy `authorities[].attestations[]` entry.
 *
 * The policies are Rego modules in the form policy-controller evaluates (sigstore/cosign `pkg/cosign/rego/rego.go`,
 * the cosign v3.0.5 that policy-controller v0.15.1 uses): package `sigstore`, rule `isCompliant` as a list of
 * `{result, error}`, Rego v0 syntax with `import rego.v1`, the in-toto statement as `input`. Every check is positive:
 * a predicate that lacks a field fails, never passes.
 *
 * ```ts
 * ImageAttestation.slsaProvenance({ builderId: 'https://github.com/actions/runner/github-hosted', sourceRepository: 'https://github.com/acme/app' })
 * ImageAttestation.vulnerabilityScan({ maxAge: Duration.days(7) })
 * ```
 */
export class ImageAttestation {
  /**
   * SLSA build provenance from a given builder and source repository (`cosign attest --type slsaprovenance1`,
   * GitHub's `actions/attest-build-provenance`, slsa-github-generator).
   */
  public static slsaProvenance(options: SlsaProvenanceOptions): ImageAttestation {
    const where = 'ImageAttestation.slsaProvenance';
    checkProps(where, 'SlsaProvenanceOptions', options, {
      builderId: req('string', 'the builder id the provenance must name'),
      sourceRepository: req('string', 'an https:// repository URL such as "https://github.com/acme/app"'),
      version: opt('string', 'a SlsaProvenanceVersion'),
    });
    const builderId = options.builderId.trim();
    if (builderId.length === 0 || /\s/.test(builderId) || builderId !== options.builderId) {
      throw invalidProp(where, 'options.builderId', options.builderId, 'a non-empty builder id without spaces, e.g. "https://github.com/actions/runner/github-hosted"');
    }
    const repo = options.sourceRepository;
    if (!/^https:\/\/[A-Za-z0-9.-]+(:[0-9]+)?(\/[A-Za-z0-9._~-]+)+$/.test(repo) || repo.endsWith('.git')) {
      throw invalidProp(where, 'options.sourceRepository', repo, 'an https:// repository URL without ".git", "@" or a trailing "/", e.g. "https://github.com/acme/app"');
    }
    const version = options.version ?? SlsaProvenanceVersion.V1;
    if (!Object.values(SlsaProvenanceVersion).includes(version)) {
      throw invalidProp(where, 'options.version', version, `one of ${Object.values(SlsaProvenanceVersion).join(', ')}`);
    }
    return new ImageAttestation('slsa-provenance', version, `SLSA provenance (${version}) from builder ${builderId}, source ${repo}`,
      slsaPolicy(version, builderId, repo));
  }

  /**
   * A vulnerability scan that finished at most `maxAge` ago: a cosign vuln predicate
   * (`https://cosign.sigstore.dev/attestation/vuln/v1`, written by `trivy image --format cosign-vuln` and attached with
   * `cosign attest --type vuln`). A scan only attests that the image was scanned; which findings block a release is
   * the pipeline's decision before it attests.
   */
  public static vulnerabilityScan(options: VulnerabilityScanOptions): ImageAttestation {
    const where = 'ImageAttestation.vulnerabilityScan';
    checkProps(where, 'VulnerabilityScanOptions', options, {
      maxAge: req('duration', 'a Duration such as Duration.days(7)'), scannerUri: opt('string'),
    });
    const millis = Math.round(options.maxAge.toMilliseconds({ integral: false }));
    if (!(millis > 0) || !Number.isSafeInteger(millis)) {
      throw invalidProp(where, 'options.maxAge', options.maxAge.toHumanString(), 'a positive Duration such as Duration.days(7)');
    }
    if (options.scannerUri !== undefined && (options.scannerUri.length === 0 || /\s/.test(options.scannerUri))) {
      throw invalidProp(where, 'options.scannerUri', options.scannerUri, 'a non-empty URI prefix without spaces, e.g. "pkg:github/aquasecurity/trivy"');
    }
    const scanner = options.scannerUri !== undefined ? `, scanner ${options.scannerUri}*` : '';
    return new ImageAttestation('vulnerability-scan', COSIGN_VULN_PREDICATE_TYPE,
      `vulnerability scan at most ${options.maxAge.toHumanString()} old${scanner}`, vulnPolicy(millis, options.maxAge.toHumanString(), options.scannerUri));
  }

  /** A short name for the attestation kind (`slsa-provenance`, `vulnerability-scan`). */
  public readonly kind: string;
  /** The in-toto predicate type required. */
  public readonly predicateType: string;
  /** One line for reports. */
  public readonly description: string;
  /** The Rego module the predicate must pass (policy-controller's `policy.data`). */
  public readonly policy: string;

  private constructor(kind: string, predicateType: string, description: string, policy: string) {
    this.kind = kind;
    this.predicateType = predicateType;
    this.description = description;
    this.policy = policy;
  }

  /**
   * The ClusterImagePolicy attestation entry, named `name`.
   * @internal
   */
  public _render(name: string): Record<string, any> {
    return { name, predicateType: this.predicateType, policy: { type: 'rego', data: this.policy } };
  }
}

/**
 * Rego shared by both policies: `isCompliant` in the list-of-results form cosign's `ValidateJSONWithModuleInput`
 * reads (a failing result's `error` becomes the admission message), from a set of `failures`.
 */
function regoModule(title: string, body: string[]): string {
  return [
    `# ${title}`,
    '# Generated by cdk8s-ai for sigstore policy-controller (package sigstore, rule isCompliant; input: the in-toto statement).',
    'package sigstore',
    '',
    'import rego.v1',
    '',
    ...body,
    '',
    'isCompliant := [{"result": count(failures) == 0, "error": concat("; ", failures)}]',
    '',
  ].join('\n');
}

function slsaPolicy(version: SlsaProvenanceVersion, builderId: string, repo: string): string {
  const v1 = version === SlsaProvenanceVersion.V1;
  const q = JSON.stringify;
  return regoModule(`SLSA provenance ${v1 ? 'v1' : 'v0.2'}: builder ${builderId}, source ${repo}`, [
    `builder_id := ${q(builderId)}`,
    '',
    `source_repository := ${q(repo)}`,
    '',
    '# "git+https://host/repo.git@refs/tags/v1" -> "https://host/repo"',
    'repository_of(uri) := trim_suffix(split(trim_prefix(uri, "git+"), "@")[0], ".git")',
    '',
    ...(v1 ? [
      'builder_ok if input.predicate.runDetails.builder.id == builder_id',
      '',
      'source_ok if {',
      '\tsome dependency in input.predicate.buildDefinition.resolvedDependencies',
      '\trepository_of(dependency.uri) == source_repository',
      '}',
      '',
      'source_ok if repository_of(input.predicate.buildDefinition.externalParameters.workflow.repository) == source_repository',
    ] : [
      'builder_ok if input.predicate.builder.id == builder_id',
      '',
      'source_ok if repository_of(input.predicate.invocation.configSource.uri) == source_repository',
      '',
      'source_ok if {',
      '\tsome material in input.predicate.materials',
      '\trepository_of(material.uri) == source_repository',
      '}',
    ]),
    '',
    'failures contains msg if {',
    '\tnot builder_ok',
    '\tmsg := sprintf("provenance builder is not %s", [builder_id])',
    '}',
    '',
    'failures contains msg if {',
    '\tnot source_ok',
    '\tmsg := sprintf("provenance names no source from %s", [source_repository])',
    '}',
  ]);
}

function vulnPolicy(maxAgeMillis: number, maxAge: string, scannerUri: string | undefined): string {
  const q = JSON.stringify;
  return regoModule(`Vulnerability scan (cosign vuln predicate) at most ${maxAge} old${scannerUri ? `, scanner ${scannerUri}*` : ''}`, [
    `max_age_ns := ${maxAgeMillis}000000`,
    '',
    'fresh if {',
    '\tfinished := time.parse_rfc3339_ns(input.predicate.metadata.scanFinishedOn)',
    '\ttime.now_ns() - finished <= max_age_ns',
    '}',
    '',
    'failures contains msg if {',
    '\tnot fresh',
    `\tmsg := sprintf("vulnerability scan finished %v, more than %s ago (or not given)", [object.get(input, ["predicate", "metadata", "scanFinishedOn"], "never"), ${q(maxAge)}])`,
    '}',
    ...(scannerUri !== undefined ? [
      '',
      `scanner_prefix := ${q(scannerUri)}`,
      '',
      'scanner_ok if startswith(input.predicate.scanner.uri, scanner_prefix)',
      '',
      'failures contains msg if {',
      '\tnot scanner_ok',
      '\tmsg := sprintf("vulnerability scanner %v does not start with %s", [object.get(input, ["predicate", "scanner", "uri"], "none"), scanner_prefix])',
      '}',
    ] : []),
  ]);
}
