import { IConstruct } from 'constructs';
import { ValidationError } from '../internal/errors';

/**
 * Precise prefix-cache routing: the endpoint picker indexes the KV-cache blocks each vLLM pod reports over ZMQ and
 * scores pods by the blocks of the prompt they actually hold. The wiring follows llm-d-router v0.10.0:
 * - `precise-prefix-cache-producer` (pkg/epp/framework/plugins/requestcontrol/dataproducer/preciseprefixcache,
 *   README.md and extractor.go): fed by `endpoint-notification-source` in the data layer, it subscribes to
 *   `tcp://<pod IP>:<socketPort>` of every pool pod (`kvEventsConfig.discoverPods`, pkg/kvevents/pool.go, default
 *   socketPort 5557, topic filter `kv@`);
 * - `token-producer` with the vLLM render backend (requestcontrol/dataproducer/tokenizer/README.md: `vllm serve`
 *   answers `/v1/completions/render`, vLLM v0.25.1 vllm/entrypoints/generate/api_router.py), because the producer
 *   needs real token ids (the default estimate backend "silently degrades precise cache correlation");
 * - `prefix-cache-scorer` with `prefixMatchInfoProducerName: precise-prefix-cache-producer` (deploy/config/
 *   epp-precise-prefix-cache-config.yaml);
 * - vLLM `--kv-events-config` publishing on `tcp://*:5557` (a wildcard binds, vLLM v0.25.1
 *   vllm/distributed/kv_events.py ZmqEventPublisher) with the topic `kv@<pod>@<model>` the picker parses
 *   (pkg/kvevents/engineadapter/common.go parseTopic).
 */

/** The port vLLM publishes KV events on and the picker dials (vLLM v0.25.1 vllm/config/kv_events.py; llm-d-router pkg/kvevents/pool.go). */
export const KV_EVENTS_PORT = 5557;
const PRODUCER = 'precise-prefix-cache-producer';
const NOTIFICATIONS = 'endpoint-notification-source';
/** The picker's default topic filter (pkg/kvevents/pool.go DefaultConfig). */
const TOPIC_PREFIX = 'kv@';

/** The prefix-cache scorer's parameters that bind it to the precise producer. */
export const PRECISE_SCORER_PARAMETERS = { prefixMatchInfoProducerName: PRODUCER };

/** What the server side of precise prefix routing needs, when the service uses it. */
export interface KvEventsPublishing {
  /** The port the server publishes on (bound on every interface). */
  readonly port: number;
  /** The ZMQ topic, `kv@$(<podIpEnv>)@<model>`. */
  readonly topic: string;
  /** The env var the topic reads the pod IP from (the engine sets it from the downward API). */
  readonly podIpEnv: string;
}

/** The topic a server publishes under: `kv@$(POD_IP)@<model>` (the kubelet expands `$(POD_IP)` from the pod's env). */
export function kvEventsPublishing(servedModelName: string): KvEventsPublishing {
  const podIpEnv = 'POD_IP';
  return { port: KV_EVENTS_PORT, topic: `${TOPIC_PREFIX}$(${podIpEnv})@${servedModelName}`, podIpEnv };
}

/** Refuses what precise prefix routing cannot serve here. */
export function checkKvEvents(scope: IConstruct, input: {
  publishes: boolean; serverName: string; servedModelName: string; disaggregated: boolean; data: number; nodes: number;
}): void {
  const prop = 'endpointPicker.config';
  const why = (reason: string) => new ValidationError(scope, prop, `uses EppScorer.precisePrefixCache(), ${reason}`);
  if (!input.publishes) throw why(`but ${input.serverName} publishes no KV-cache events here (use ModelServer.vllm() with prefix caching on)`);
  if (input.disaggregated) throw why('which is not wired for a prefill/decode disaggregated service here');
  if (input.nodes > 1 || input.data > 1) {
    throw why('but each data-parallel rank publishes on its own port (vLLM offsets the endpoint port by rank) and the picker ' +
      'subscribes to the rank of the pool\'s one target port only; use data 1 on one node');
  }
  if (input.servedModelName.includes('@')) {
    throw why(`but the served model name ${JSON.stringify(input.servedModelName)} contains "@", which splits the KV-events topic ` +
      'kv@<pod>@<model> the picker parses (pkg/kvevents/engineadapter/common.go)');
  }
}

/** The picker plugins and data-layer source of precise prefix routing. */
export function kvEventsPickerPlugins(input: { servedModelName: string; renderUrl: string }): { plugins: any[]; source: any } {
  return {
    plugins: [
      { type: 'token-producer', parameters: { modelName: input.servedModelName, vllm: { url: input.renderUrl } } },
      {
        type: PRODUCER,
        parameters: { kvEventsConfig: { topicFilter: TOPIC_PREFIX, discoverPods: true, podDiscoveryConfig: { socketPort: KV_EVENTS_PORT } } },
      },
      { type: NOTIFICATIONS },
    ],
    source: { pluginRef: NOTIFICATIONS, extractors: [{ pluginRef: PRODUCER }] },
  };
}
