/**
 * The protocol of an OTLP endpoint.
 */
export enum OtlpProtocol {
  /** OTLP over gRPC (port 4317 by convention). */
  GRPC = 'grpc',
  /** OTLP over HTTP with protobuf bodies (port 4318 by convention). */
  HTTP_PROTOBUF = 'http/protobuf',
}

/**
 * An OpenTelemetry collector workloads send traces to.
 */
export interface OtelCollector {
  /**
   * The OTLP endpoint, e.g. `http://otel-collector.observability.svc:4317`.
   */
  readonly endpoint: string;

  /**
   * The protocol.
   *
   * @default OtlpProtocol.GRPC
   */
  readonly protocol?: OtlpProtocol;

  /**
   * The namespace of the collector pods, so tenant NetworkPolicies allow egress to them.
   *
   * @default - the namespace in the endpoint's host (`<service>.<namespace>.svc`), else none (no egress allow)
   */
  readonly namespace?: string;

  /**
   * Labels of the collector pods (with `namespace`, the egress allow targets only them).
   *
   * @default - every pod of the namespace
   */
  readonly podLabels?: { [key: string]: string };
}
