import { Construct } from 'constructs';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { ClusterProfile } from '../../src/cluster/cluster-profile';
import { EndpointPickerConfig, EppFilter, EppScorer } from '../../src/serving/endpoint-picker-config';
import { PdDecider } from '../../src/serving/epp-pd-decider';
import { InferenceService } from '../../src/serving/inference-service';
import { InferenceServiceProps } from '../../src/serving/inference-service-props';
import { LoraAdapter } from '../../src/serving/lora-adapter';
import { ModelServer } from '../../src/serving/model-server';
import { ModelSource } from '../../src/serving/model-source';
import { badInputCatalogue } from '../harness';

/** Every refusal of prefill/decode disaggregation (InferenceService `disaggregation`), with the error it must produce. */

const HF = ModelSource.huggingFace('meta-llama/Llama-3.1-8B-Instruct');
const ROUTE = { gateway: 'inference-gateway' };

function pd(scope: Construct, extra: Partial<InferenceServiceProps> = {}): InferenceService {
  new ClusterProfile(scope, 'Cluster', { addons: [ClusterAddon.GATEWAY_API, ClusterAddon.INFERENCE_EXTENSION, ClusterAddon.LLM_D_ROUTER] });
  return new InferenceService(scope, 'llm', {
    model: HF, gpus: GpuRequest.of(1), route: ROUTE, disaggregation: { prefill: { replicas: 2 } }, ...extra,
  });
}

const P = '[bad-input/llm]';

beforeAll(() => {
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});

badInputCatalogue([
  {
    name: 'an engine without KV-cache transfer (SGLang)',
    error: `${P} disaggregation: is set but the server is SGLang, whose KV-cache transfer between prefill and decode pods is not wired here`,
    build: (s) => pd(s, { server: ModelServer.sglang() }),
  },
  {
    name: 'an engine without KV-cache transfer (TGI)',
    error: 'disaggregation: is set but the server is TGI',
    build: (s) => pd(s, { server: ModelServer.tgi() }),
  },
  {
    name: 'a custom server',
    error: /disaggregation: is set but the server is .*use ModelServer\.vllm\(\)/,
    build: (s) => pd(s, { server: ModelServer.custom({ name: 'acme', image: 'ghcr.io/acme/server:1.0', port: 8000, args: ['--model', '{model}'] }) }),
  },
  {
    name: 'no GPUs',
    error: 'disaggregation: is set but the service requests no GPUs',
    build: (s) => pd(s, { gpus: undefined }),
  },
  {
    name: 'LoRA adapters',
    error: 'loraAdapters (lora_adapters): are set together with disaggregation',
    build: (s) => pd(s, { loraAdapters: [LoraAdapter.huggingFace('sql', 'acme/sql-lora')] }),
  },
  {
    name: 'a kv-transfer-config of the user',
    error: 'server.extraArgs (server.extra_args): sets --kv-transfer-config, which disaggregation sets',
    build: (s) => pd(s, { server: ModelServer.vllm({ extraArgs: ['--kv_transfer_config', '{}'] }) }),
  },
  {
    name: 'the serving port is the decode server port',
    error: 'server.port: got 8200; expected a port other than 8200',
    build: (s) => pd(s, { server: ModelServer.vllm({ port: 8200 }) }),
  },
  {
    name: 'prefill replicas zero',
    error: 'disaggregation.prefill.replicas: got 0; expected an integer from 1 to 1000',
    build: (s) => pd(s, { disaggregation: { prefill: { replicas: 0 } } }),
  },
  {
    name: 'prefill without props object',
    error: 'disaggregation.prefill',
    build: (s) => pd(s, { disaggregation: {} as any }),
  },
  {
    name: 'an empty routing sidecar image',
    error: 'disaggregation.routingSidecarImage (disaggregation.routing_sidecar_image): got ""; expected a container image reference without spaces',
    build: (s) => pd(s, { disaggregation: { prefill: {}, routingSidecarImage: '' } }),
  },
  {
    name: 'prefill parallelism beyond its GPUs without multiNode',
    error: `${P} disaggregation.prefill.parallelism: tensor 4 x pipeline 1 x data 1 = 4 GPU(s) per replica, but each pod gets only 1`,
    build: (s) => pd(s, { disaggregation: { prefill: { parallelism: { tensor: 4 } } } }),
  },
  {
    name: 'prefill multiNode with a parallelism that fits one pod',
    error: 'disaggregation.prefill.multiNode (disaggregation.prefill.multi_node): is set but the parallelism (1 x 1 x 1) fits the 1 GPU(s) of one pod',
    build: (s) => pd(s, { disaggregation: { prefill: { multiNode: {} } } }),
  },
  {
    name: 'not routed',
    error: 'disaggregation: set, but the service is in no route, so there is no InferencePool for them',
    build: (s) => pd(s, { route: undefined }),
  },
  {
    name: 'a single-profile picker config',
    error: 'endpointPicker.config (endpoint_picker.config): is a single scheduling profile, but the service is disaggregated',
    build: (s) => pd(s, { endpointPicker: { config: EndpointPickerConfig.defaults() } }),
  },
  {
    name: 'a disaggregated picker config on a service without disaggregation',
    error: 'endpointPicker.config (endpoint_picker.config): is a disaggregated config (prefill and decode profiles), but the service has no disaggregation',
    build: (s) => pd(s, { disaggregation: undefined, endpointPicker: { config: EndpointPickerConfig.disaggregated() } }),
  },
  {
    name: 'a decode profile without the prefix-cache scorer',
    error: 'endpointPicker.config.decode.scorers (endpoint_picker.config.decode.scorers): have no prefix-cache-scorer',
    build: (s) => pd(s, {
      endpointPicker: { config: EndpointPickerConfig.disaggregated({ decode: EndpointPickerConfig.of({ scorers: [EppScorer.queue()] }) }) },
    }),
  },
  {
    name: 'a prefill profile filtering decode pods',
    error: 'endpointPicker.config.prefill.filters (endpoint_picker.config.prefill.filters): got "decode-filter"; expected filters without decode-filter',
    build: (s) => pd(s, {
      endpointPicker: {
        config: EndpointPickerConfig.disaggregated({
          prefill: EndpointPickerConfig.of({ scorers: [EppScorer.prefixCache()], filters: [EppFilter.decode()] }),
        }),
      },
    }),
  },
  {
    name: 'a decider that never disaggregates',
    error: 'endpointPicker.config.decider.nonCachedTokens (endpoint_picker.config.decider.non_cached_tokens): got 0; expected an integer from 1 to 10000000',
    build: (s) => pd(s, {
      endpointPicker: { config: EndpointPickerConfig.disaggregated({ decider: PdDecider.prefixBased({ nonCachedTokens: 0 }) }) },
    }),
  },
  {
    name: 'a nested disaggregated config',
    error: '[EndpointPickerConfig.disaggregated] decode: is itself a disaggregated config',
    build: () => EndpointPickerConfig.disaggregated({ decode: EndpointPickerConfig.disaggregated() }),
  },
  {
    name: 'two plugins of one type with different parameters in one profile config',
    error: 'endpointPicker.config.decode (endpoint_picker.config.decode): got "prefix-cache-scorer"; expected each plugin at most once in a profile',
    build: (s) => pd(s, {
      endpointPicker: {
        config: EndpointPickerConfig.disaggregated({
          decode: EndpointPickerConfig.of({ scorers: [EppScorer.prefixCache(), EppScorer.prefixCache(2, { matchLengthWeight: 0.5 })] }),
        }),
      },
    }),
  },
], { title: 'InferenceService disaggregation: bad inputs' });
