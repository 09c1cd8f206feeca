import { IConstruct } from 'constructs';
import { EPP_V0_10_0, EPP_V0_9_0, EppUpstreamTable } from './epp-upstream';
import { invalidProp, ValidationError } from '../internal/errors';

/** How far along an endpoint-picker plugin type is, as its release registers it. */
export enum EppPluginMaturity {
  /** Experimental: the picker loads it only with `--allow-experimental-plugins` (v0.10.0 and later). */
  ALPHA = 'Alpha',
  /** Feature-complete: loads without a flag. */
  BETA = 'Beta',
  /** Production-grade: loads without a flag. */
  STABLE = 'Stable',
  /** The release has no maturity levels (v0.9.0): every registered plugin loads. */
  UNGATED = 'Ungated',
}

/** The flag that lets the picker load Alpha plugins (llm-d-router v0.10.0 pkg/epp/server/options.go). */
export const ALLOW_EXPERIMENTAL_PLUGINS_FLAG = 'allow-experimental-plugins';

/**
 * A release of the llm-d-router endpoint picker (EPP): its image, the command-line flags it accepts, the plugin
 * types it registers with their maturity, its config feature gates, the gRPC health service names its probes use and
 * the apiVersion of its configuration file. Each release's tables are its own, read from its source at the tag
 * (src/serving/epp-upstream.ts names the files). A flag or plugin the release does not have is refused at synth
 * instead of crash-looping the picker.
 */
export class EppVersion {
  /**
   * The llm-d-router v0.10.0 release (2026-08), with its config in `llm-d.ai/v1alpha1`.
   *
   * Its probes use the `liveness` / `readiness` health services, which also work under leader election. Alpha
   * plugins need `--allow-experimental-plugins`.
   */
  public static readonly V0_10_0 = new EppVersion('0.10.0', 'ghcr.io/llm-d/llm-d-router-endpoint-picker:v0.10.0', EPP_V0_10_0,
    'llm-d.ai/v1alpha1', 'liveness', 'readiness', true);

  /**
   * The llm-d-router v0.9.0 release, the picker KServe v0.20.0 ships.
   *
   * It still has `--model-server-metrics-scheme`, and its config is in the legacy
   * `inference.networking.x-k8s.io/v1alpha1` group. Single replica only here: its health service names under leader
   * election are not verified by this library.
   */
  public static readonly V0_9_0 = new EppVersion('0.9.0', 'ghcr.io/llm-d/llm-d-router-endpoint-picker:v0.9.0', EPP_V0_9_0,
    'inference.networking.x-k8s.io/v1alpha1', 'inference-extension', 'inference-extension', false);

  /** The release, e.g. `0.10.0`. */
  public readonly version: string;
  /** The container image. */
  public readonly image: string;
  /** The flags (without `--`) this release accepts. */
  public readonly flags: string[];
  /** The config feature gates (EndpointPickerConfig `featureGates`) this release registers. */
  public readonly featureGates: string[];
  /** The apiVersion of its `EndpointPickerConfig` file. */
  public readonly configApiVersion: string;
  /** The gRPC health service of the liveness probe. */
  public readonly livenessService: string;
  /** The gRPC health service of the readiness probe. */
  public readonly readinessService: string;
  /** Whether several replicas (leader election) are supported by this library for the release. */
  public readonly supportsHighAvailability: boolean;
  private readonly table: EppUpstreamTable;

  private constructor(version: string, image: string, table: EppUpstreamTable, configApiVersion: string, livenessService: string,
    readinessService: string, supportsHighAvailability: boolean) {
    this.version = version;
    this.image = image;
    this.table = table;
    this.flags = [...table.flags];
    this.featureGates = Object.keys(table.featureGates);
    this.configApiVersion = configApiVersion;
    this.livenessService = livenessService;
    this.readinessService = readinessService;
    this.supportsHighAvailability = supportsHighAvailability;
  }

  /**
   * The same release from another image reference (a mirror, or pinned by digest).
   *
   * @param image The image reference.
   */
  public withImage(image: string): EppVersion {
    return new EppVersion(this.version, image, this.table, this.configApiVersion, this.livenessService, this.readinessService,
      this.supportsHighAvailability);
  }

  /**
   * True when the release accepts `--<flag>` (and starts with it set).
   *
   * @param flag The flag's name without `--`.
   */
  public hasFlag(flag: string): boolean {
    return this.table.flags.includes(flag) && !(flag in this.table.refusedFlags);
  }

  /**
   * True when the release registers the plugin type.
   *
   * @param pluginType The plugin type, e.g. `queue-scorer`.
   */
  public hasPlugin(pluginType: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.table.plugins, pluginType);
  }

  /**
   * The maturity the release registers a plugin type with, or undefined when it does not have the type.
   *
   * @param pluginType The plugin type, e.g. `queue-scorer`.
   */
  public pluginMaturity(pluginType: string): EppPluginMaturity | undefined {
    if (!this.hasPlugin(pluginType)) return undefined;
    return this.table.plugins[pluginType] as EppPluginMaturity;
  }

  /**
   * True when the release has the config feature gate (e.g. `flowControl`).
   *
   * @param gate The feature gate's name.
   */
  public hasFeatureGate(gate: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.table.featureGates, gate);
  }

  /**
   * Throws unless the release accepts `--<flag>`.
   * @internal
   */
  public _requireFlag(scope: IConstruct, prop: string, flag: string): void {
    if (this.hasFlag(flag)) return;
    const refused = this.table.refusedFlags[flag];
    if (refused) throw invalidProp(scope, prop, `--${flag}`, `a flag the endpoint picker v${this.version} starts with (--${flag} is ${refused})`);
    const removed = EppVersion.V0_9_0.table.flags.includes(flag) && !this.table.flags.includes(flag)
      ? ` (removed in v${this.version}: configure metrics in the config file)` : '';
    throw invalidProp(scope, prop, `--${flag}`, `a flag the endpoint picker v${this.version} accepts${removed}: ${this.table.flags.filter((f) => this.hasFlag(f)).map((f) => `--${f}`).join(', ')}`);
  }

  /**
   * Throws unless the release registers the plugin type (the picker refuses to start with "plugin type ... is not
   * registered" otherwise).
   * @internal
   */
  public _requirePlugin(scope: IConstruct, prop: string, pluginType: string): void {
    if (this.hasPlugin(pluginType)) return;
    throw new ValidationError(scope, prop, `got ${JSON.stringify(pluginType)}; expected a plugin type the endpoint picker v${this.version} registers ` +
      `(cmd/epp/runner/runner.go), e.g. ${Object.keys(this.table.plugins).filter((t) => t.endsWith('-scorer')).slice(0, 6).map((t) => JSON.stringify(t)).join(', ')}`);
  }
}
