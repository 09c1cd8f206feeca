/**
 * PlatformObservability `tracing` reaches the workloads that send traces: vLLM servers (`--otlp-traces-endpoint` and
 * the exporter's protocol, vLLM v0.25.1 vllm/tracing/otel.py) and endpoint pickers (the llm-d chart's `router.tracing`
 * env, llm-d-router v0.10.0), with the egress edge to the collector; engines that send none, and a picker facing an
 * HTTP collector, get a warning; workloads built before the PlatformObservability are refused, never left untraced
 * silently.
 */
import { Chart } from 'cdk8s';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { warnings } from '../../src/cluster/platform-warnings';
import { AiTenant } from '../../src/platform/ai-tenant';
import { PlatformObservability } from '../../src/platform/observability/platform-observability';
import { OtlpProtocol } from '../../src/platform/observability/tracing';
import { trafficEdges } from '../../src/security/tenant-network';
import { InferenceService } from '../../src/serving/inference-service';
import { ModelServer } from '../../src/serving/model-server';
import { ModelSource } from '../../src/serving/model-source';
import { validateChart } from '../harness';
import { platform } from '../security/fixtures';

const APISERVER_TIMEOUT = 600_000;
const GRPC = 'http://otel-collector.observability.svc:4317';
const HTTP = 'http://otel-collector.observability.svc:4318';

function traced(protocol = OtlpProtocol.GRPC, server: ModelServer = ModelServer.vllm()) {
  const p = platform();
  new PlatformObservability(p.chart, 'Observability', { tracing: { endpoint: protocol === OtlpProtocol.GRPC ? GRPC : HTTP, protocol } });
  const tenant = new AiTenant(p.chart, 'research', {
    team: 'r',
    owner: 'o',
    costCenter: 'c',
    gpuQuota: [{ pool: p.pool, gpus: 8 }],
    apiServer: { cidrs: ['10.0.0.1/32'] },
    modelDownloads: { cidrs: ['0.0.0.0/0'] },
  });
  new InferenceService(tenant, 'llm', {
    model: ModelSource.huggingFace('Qwen/Qwen2.5-0.5B-Instruct'),
    server,
    gpus: GpuRequest.of(1, { model: GpuModel.NVIDIA_H100_80_GB }),
    nodePool: p.pool,
    route: { gateway: 'gateways/inference-gateway' },
  });
  return p;
}

const container = (chart: Chart, name: string) => chart.toJson()
  .find((o: any) => o.kind === 'Deployment' && o.metadata.name === name).spec.template.spec.containers[0];
const envOf = (c: any) => Object.fromEntries(c.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));

describe('tracing', () => {
  test('a vLLM server sends its traces to the collector over gRPC; the edge to the collector is allowed', () => {
    const { chart } = traced();
    const server = container(chart, 'research-llm');
    expect(server.args.slice(server.args.indexOf('--otlp-traces-endpoint'), server.args.indexOf('--otlp-traces-endpoint') + 2))
      .toEqual(['--otlp-traces-endpoint', GRPC]);
    expect(envOf(server)).toMatchObject({
      OTEL_SERVICE_NAME: 'Qwen/Qwen2.5-0.5B-Instruct',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc',
      OTEL_RESOURCE_ATTRIBUTES: 'k8s.namespace.name=$(POD_NAMESPACE),k8s.pod.name=$(POD_NAME)',
    });
    const edges = trafficEdges(chart).filter((e) => e.name.startsWith('otel'));
    expect(edges.map((e) => [e.name, e.to, e.ports])).toEqual([
      ['otel', { namespace: 'observability', podLabels: {} }, [{ port: 4317 }]],
      ['otel-epp', { namespace: 'observability', podLabels: {} }, [{ port: 4317 }]],
    ]);
    expect(chart.toJson().filter((o: any) => o.kind === 'NetworkPolicy' && /otel/.test(o.metadata.name)).length).toBeGreaterThan(0);
    expect(warnings(chart)).toEqual([]);
  });

  test('the endpoint picker traces as the llm-d chart renders router.tracing', () => {
    const { chart } = traced();
    const epp = container(chart, 'research-llm-epp');
    expect(epp.args).toContain('--tracing=true');
    expect(envOf(epp)).toMatchObject({
      OTEL_SERVICE_NAME: 'llm-d-router/epp',
      OTEL_EXPORTER_OTLP_ENDPOINT: GRPC,
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.1',
      OTEL_RESOURCE_ATTRIBUTES: 'k8s.namespace.name=$(NAMESPACE),k8s.node.name=$(OTEL_RESOURCE_ATTRIBUTES_NODE_NAME),k8s.pod.name=$(OTEL_RESOURCE_ATTRIBUTES_POD_NAME)',
    });
  });

  test('an HTTP collector: vLLM posts to /v1/traces; the gRPC-only picker stays off with a warning', () => {
    const { chart } = traced(OtlpProtocol.HTTP_PROTOBUF);
    const server = container(chart, 'research-llm');
    expect(server.args[server.args.indexOf('--otlp-traces-endpoint') + 1]).toBe(`${HTTP}/v1/traces`);
    expect(envOf(server).OTEL_EXPORTER_OTLP_TRACES_PROTOCOL).toBe('http/protobuf');
    expect(container(chart, 'research-llm-epp').args).toContain('--tracing=false');
    expect(warnings(chart)).toEqual([expect.stringContaining('the endpoint picker exports traces over OTLP/gRPC only')]);
  });

  test('an engine that sends no traces is warned about, not silently left out', () => {
    const { chart } = traced(OtlpProtocol.GRPC, ModelServer.sglang());
    expect(container(chart, 'research-llm').args).not.toContain('--otlp-traces-endpoint');
    expect(warnings(chart)).toEqual([expect.stringContaining('tracing: SGLang is not wired to the platform\'s trace collector here')]);
  });

  test('no collector, no tracing: the picker keeps --tracing=false and the server no flag', () => {
    const p = platform();
    new InferenceService(p.chart, 'llm', { model: ModelSource.huggingFace('Qwen/Qwen2.5-0.5B-Instruct'), gpus: GpuRequest.of(1), nodePool: p.pool });
    const server = p.chart.toJson().find((o: any) => o.kind === 'Deployment').spec.template.spec.containers[0];
    expect(server.args).not.toContain('--otlp-traces-endpoint');
    expect(server.env.map((e: any) => e.name)).not.toContain('OTEL_SERVICE_NAME');
  });

  test('a PlatformObservability with tracing created after the servers is refused, naming them', () => {
    const p = platform();
    new InferenceService(p.chart, 'early', { model: ModelSource.huggingFace('Qwen/Qwen2.5-0.5B-Instruct'), gpus: GpuRequest.of(1), nodePool: p.pool });
    expect(() => new PlatformObservability(p.chart, 'Observability', { tracing: { endpoint: GRPC } })).toThrow(
      '[platform/Observability] tracing: platform/early was created before this PlatformObservability and would send no traces; ' +
      'create the PlatformObservability before the workloads it traces');
  });
});

describe('tracing on the real apiserver', () => {
  test.each([['gRPC', OtlpProtocol.GRPC], ['HTTP', OtlpProtocol.HTTP_PROTOBUF]] as const)('%s: traced servers, pickers and their egress are accepted', async (_name, protocol) => {
    await validateChart(traced(protocol).chart);
  }, APISERVER_TIMEOUT);
});
