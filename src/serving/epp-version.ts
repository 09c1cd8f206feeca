import { IConstruct } from 'constructs';
import { invalidProp } from '../internal/errors';

/** Flags of the llm-d-router endpoint picker v0.10.0 (pkg/epp/server/options.go). */
const FLAGS_V0_10 = [
  'pool-name', 'pool-namespace', 'pool-group', 'endpoint-selector', 'endpoint-target-ports', 'grpc-port', 'grpc-health-port',
  'metrics-port', 'config-file', 'config-text', 'secure-serving', 'cert-path', 'enable-cert-reload', 'metrics-endpoint-auth',
  'ha-enable-leader-election', 'drain-timeout', 'refresh-metrics-interval', 'metrics-staleness-threshold', 'tracing',
  'enable-pprof', 'allow-experimental-plugins', 'v', 'zap-encoder',
];

/** Flags v0.10.0 removed or rejects (metrics are configured through the config file's engineConfigs since). */
const REMOVED_IN_V0_10 = ['model-server-metrics-scheme', 'total-queued-requests-metric', 'kv-cache-usage-percentage-metric', 'lora-info-metric'];

/**
 * A release of the llm-d-router endpoint picker (EPP): its image, the command-line flags it accepts, the gRPC health
 * service names its probes use and the apiVersion of its configuration file. A flag the version does not have is
 * refused at synth instead of crash-looping the picker.
 */
export class EppVersion {
  /**
   * llm-d-router v0.10.0 (2026-08): config `llm-d.ai/v1alpha1`; probes on the `liveness` / `readiness` health
   * services, which also work under leader election.
   */
  public static readonly V0_10_0 = new EppVersion('0.10.0', 'ghcr.io/llm-d/llm-d-router-endpoint-picker:v0.10.0', FLAGS_V0_10,
    'llm-d.ai/v1alpha1', 'liveness', 'readiness', true);

  /**
   * llm-d-router v0.9.0, the picker KServe v0.20.0 ships: still has `--model-server-metrics-scheme`; config in the
   * legacy `inference.networking.x-k8s.io/v1alpha1` group. Single replica only here: its health service names under
   * leader election are not verified by this library.
   */
  public static readonly V0_9_0 = new EppVersion('0.9.0', 'ghcr.io/llm-d/llm-d-router-endpoint-picker:v0.9.0',
    [...FLAGS_V0_10, 'model-server-metrics-scheme'], 'inference.networking.x-k8s.io/v1alpha1', 'inference-extension', 'inference-extension', false);

  /** The release, e.g. `0.10.0`. */
  public readonly version: string;
  /** The container image. */
  public readonly image: string;
  /** The flags (without `--`) this release accepts. */
  public readonly flags: string[];
  /** The apiVersion of its `EndpointPickerConfig` file. */
  public readonly configApiVersion: string;
  /** The gRPC health service of the liveness probe. */
  public readonly livenessService: string;
  /** The gRPC health service of the readiness probe. */
  public readonly readinessService: string;
  /** Whether several replicas (leader election) are supported by this library for the release. */
  public readonly supportsHighAvailability: boolean;

  private constructor(version: string, image: string, flags: string[], configApiVersion: string, livenessService: string,
    readinessService: string, supportsHighAvailability: boolean) {
    this.version = version;
    this.image = image;
    this.flags = [...flags];
    this.configApiVersion = configApiVersion;
    this.livenessService = livenessService;
    this.readinessService = readinessService;
    this.supportsHighAvailability = supportsHighAvailability;
  }

  /**
   * The same release from another image reference (a mirror, or pinned by digest).
   */
  public withImage(image: string): EppVersion {
    return new EppVersion(this.version, image, this.flags, this.configApiVersion, this.livenessService, this.readinessService,
      this.supportsHighAvailability);
  }

  /** True when the release accepts `--<flag>`. */
  public hasFlag(flag: string): boolean {
    return this.flags.includes(flag);
  }

  /**
   * Throws unless the release accepts `--<flag>`.
   * @internal
   */
  public _requireFlag(scope: IConstruct, prop: string, flag: string): void {
    if (this.hasFlag(flag)) return;
    const removed = REMOVED_IN_V0_10.includes(flag) && this.version !== '0.9.0' ? ' (removed in v0.10.0: configure metrics in the config file)' : '';
    throw invalidProp(scope, prop, `--${flag}`, `a flag the endpoint picker v${this.version} accepts${removed}: ${this.flags.map((f) => `--${f}`).join(', ')}`);
  }
}
