import { Duration } from 'cdk8s';
import { GatewayProvider } from './gateway-provider';

/**
 * How a route reaches the user's Gateway.
 */
export interface InferenceRouteOptions {
  /**
   * The Gateway the route attaches to: `name` (same namespace as the route) or `namespace/name`. The Gateway's
   * class must implement the Gateway API Inference Extension, and its listener must allow routes from the
   * route's namespace.
   */
  readonly gateway: string;

  /**
   * The Gateway listener to attach to (`sectionName`).
   *
   * @default - every listener that allows the route
   */
  readonly gatewaySection?: string;

  /**
   * The Gateway implementation: decides the endpoint picker's TLS, adds what it needs and refuses what it cannot do.
   *
   * @default GatewayProvider.generic()
   */
  readonly provider?: GatewayProvider;

  /**
   * Hostnames the route answers.
   *
   * At most 16; `*.example.com` wildcards are allowed.
   *
   * @default - every hostname of the listener
   */
  readonly hostnames?: string[];

  /**
   * The path prefix the route matches.
   *
   * @default '/'
   */
  readonly pathPrefix?: string;

  /**
   * The request timeout (HTTPRoute `timeouts.request`; on GKE a GCPBackendPolicy). Generations can be long, and
   * Envoy-based gateways cut a request at their own default without one. `Duration.seconds(0)` turns the timeout off.
   *
   * @default Duration.seconds(300), as the llm-d chart (llm-d-router v0.10.0
   * config/charts/llm-d-router-gateway/values.yaml `httpRoute.requestTimeout`; templates/gke.yaml `timeoutSec: 300`)
   */
  readonly requestTimeout?: Duration;

  /**
   * The header model rules match on. A body-based router sets it from the request's `model`; clients may also set it.
   *
   * @default 'X-Gateway-Model-Name'
   */
  readonly modelNameHeader?: string;
}
