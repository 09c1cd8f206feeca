import { checkProps, opt } from '../internal/runtime-checks';

function checkOptions(factory: string, options: GatewayProviderOptions | undefined): GatewayProviderOptions {
  return checkProps(factory, 'GatewayProviderOptions', options, { eppTls: opt('boolean') }, 'options.');
}

/**
 * Options of a gateway whose endpoint-picker transport is configurable.
 */
export interface GatewayProviderOptions {
  /**
   * The endpoint picker serves its gRPC (ext_proc) port over TLS with its self-signed certificate
   * (`--secure-serving`). When false it serves plaintext HTTP/2.
   *
   * @default - the provider's default (true, except agentgateway)
   */
  readonly eppTls?: boolean;
}

/** What one gateway implementation needs and cannot do. */
interface ProviderTraits {
  readonly name: string;
  readonly eppTls: boolean;
  /** Can serve plaintext to the picker. */
  readonly plaintextEpp: boolean;
  /** The most InferencePool backendRefs one route rule may hold (weighted splits need two). */
  readonly poolsPerRule: number;
  /** Why a rule may hold only that many (issue reference). */
  readonly poolsPerRuleReason?: string;
  /** HTTPRoute `timeouts` is honoured; otherwise the timeout goes to a provider policy. */
  readonly routeTimeouts: boolean;
  /** Istio needs a DestinationRule to originate TLS to the picker. */
  readonly destinationRuleForTls: boolean;
  /** GKE health-checks pools through a HealthCheckPolicy (and takes timeouts from a GCPBackendPolicy). */
  readonly gkePolicies: boolean;
}

/** Gateway API allows 16 backendRefs per rule. */
const MAX_BACKEND_REFS = 16;

/**
 * The Gateway API implementation behind the user's Gateway. Implementations of the Inference Extension differ:
 * the provider adds what each needs (Istio: a DestinationRule for the picker's TLS; GKE: HealthCheckPolicy and
 * GCPBackendPolicy; agentgateway: a plaintext picker) and refuses at synth what it cannot do (kgateway: plaintext
 * picker, weighted pools; Envoy AI Gateway: more than one pool per rule).
 *
 * ```ts
 * GatewayProvider.istio()
 * GatewayProvider.agentgateway()
 * GatewayProvider.generic()     // any conformant implementation (e.g. NGINX Gateway Fabric): nothing extra
 * ```
 */
export class GatewayProvider {
  /**
   * Any implementation that passes the Inference Extension conformance tests: no extra objects, no restrictions.
   */
  public static generic(options: GatewayProviderOptions = {}): GatewayProvider {
    options = checkOptions('GatewayProvider.generic', options);
    return new GatewayProvider({
      name: 'generic',
      eppTls: options.eppTls ?? true,
      plaintextEpp: true,
      poolsPerRule: MAX_BACKEND_REFS,
      routeTimeouts: true,
      destinationRuleForTls: false,
      gkePolicies: false,
    });
  }

  /**
   * Istio. With a TLS picker (the default) a DestinationRule (`networking.istio.io/v1`) makes the gateway originate
   * TLS to it without verifying the self-signed certificate, as llm-d's Istio chart does.
   */
  public static istio(options: GatewayProviderOptions = {}): GatewayProvider {
    options = checkOptions('GatewayProvider.istio', options);
    return new GatewayProvider({
      name: 'istio',
      eppTls: options.eppTls ?? true,
      plaintextEpp: true,
      poolsPerRule: MAX_BACKEND_REFS,
      routeTimeouts: true,
      destinationRuleForTls: true,
      gkePolicies: false,
    });
  }

  /**
   * The agentgateway implementation: the picker serves plaintext (`--secure-serving=false`), as llm-d's chart
   * configures it.
   */
  public static agentgateway(options: GatewayProviderOptions = {}): GatewayProvider {
    options = checkOptions('GatewayProvider.agentgateway', options);
    return new GatewayProvider({
      name: 'agentgateway',
      eppTls: options.eppTls ?? false,
      plaintextEpp: true,
      poolsPerRule: MAX_BACKEND_REFS,
      routeTimeouts: true,
      destinationRuleForTls: false,
      gkePolicies: false,
    });
  }

  /**
   * The kgateway implementation: it needs the picker's TLS (plaintext ext_proc does not work,
   * kgateway-dev/kgateway#11429) and cannot split one rule over weighted InferencePools (kgateway-dev/kgateway#11667).
   */
  public static kgateway(options: GatewayProviderOptions = {}): GatewayProvider {
    options = checkOptions('GatewayProvider.kgateway', options);
    return new GatewayProvider({
      name: 'kgateway',
      eppTls: options.eppTls ?? true,
      plaintextEpp: false,
      poolsPerRule: 1,
      poolsPerRuleReason: 'kgateway does not route a rule with several weighted InferencePool backends (kgateway-dev/kgateway#11667)',
      routeTimeouts: true,
      destinationRuleForTls: false,
      gkePolicies: false,
    });
  }

  /**
   * Envoy AI Gateway: at most one InferencePool per route rule (enforced since v0.7.0, envoyproxy/ai-gateway#2231).
   */
  public static envoyAiGateway(options: GatewayProviderOptions = {}): GatewayProvider {
    options = checkOptions('GatewayProvider.envoyAiGateway', options);
    return new GatewayProvider({
      name: 'envoy-ai-gateway',
      eppTls: options.eppTls ?? true,
      plaintextEpp: true,
      poolsPerRule: 1,
      poolsPerRuleReason: 'Envoy AI Gateway allows one InferencePool per route rule (envoyproxy/ai-gateway#2231)',
      routeTimeouts: true,
      destinationRuleForTls: false,
      gkePolicies: false,
    });
  }

  /**
   * GKE Gateway: each pool gets a HealthCheckPolicy (`networking.gke.io/v1`) on the server's health path; a request
   * timeout becomes a GCPBackendPolicy, since GKE does not take HTTPRoute timeouts.
   */
  public static gke(options: GatewayProviderOptions = {}): GatewayProvider {
    options = checkOptions('GatewayProvider.gke', options);
    return new GatewayProvider({
      name: 'gke',
      eppTls: options.eppTls ?? true,
      plaintextEpp: true,
      poolsPerRule: MAX_BACKEND_REFS,
      routeTimeouts: false,
      destinationRuleForTls: false,
      gkePolicies: true,
    });
  }

  /** The provider's name, e.g. `istio`. */
  public readonly name: string;
  /** Whether the endpoint picker serves TLS. */
  public readonly eppTls: boolean;
  /** @internal */
  public readonly _traits: ProviderTraits;

  private constructor(traits: ProviderTraits) {
    this._traits = traits;
    this.name = traits.name;
    this.eppTls = traits.eppTls;
  }

  /**
   * Why the configuration cannot work on this provider, or undefined.
   * @internal
   */
  public _problem(): string | undefined {
    if (!this.eppTls && !this._traits.plaintextEpp) {
      return `${this.name} cannot reach a plaintext endpoint picker (kgateway-dev/kgateway#11429); keep eppTls on`;
    }
    return undefined;
  }
}
