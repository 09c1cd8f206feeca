import { Chart, Size } from 'cdk8s';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { warnings } from '../../src/cluster/platform-warnings';
import { AiTenant, AiTenantProps } from '../../src/platform/ai-tenant';
import { PlatformReport } from '../../src/platform/platform-report';
import { egressNeeds, EgressNeedKind } from '../../src/security/tenant-network';
import { InferenceService } from '../../src/serving/inference-service';
import { ModelServer } from '../../src/serving/model-server';
import { ModelSource } from '../../src/serving/model-source';
import { SharedModelVolume } from '../../src/serving/shared-model-volume';
import { badInputCatalogue, validateChart, validateObjects } from '../harness';
import { platform } from '../security/fixtures';

/**
 * Egress a tenant's workloads need but cannot address themselves: the endpoint picker's watches on the Kubernetes
 * API server, and model downloads. The tenant resolves both from its props, for exactly the pods that need them.
 */

const APISERVER_TIMEOUT = 600_000;
const HUB = 'meta-llama/Llama-3.1-8B-Instruct';
const PRIVATE_V4 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];
const TENANT = { team: 'serving', owner: 'bob', costCenter: 'cc-200' };

/** A tenant `serving` with one routed vLLM service downloading from the Hub. */
function servingTenant(props: Partial<AiTenantProps> = {}, options: { outdir?: string } = {}) {
  const p = platform({ outdir: options.outdir });
  const tenant = new AiTenant(p.chart, 'serving', { ...TENANT, gpuQuota: [{ pool: p.pool, gpus: 8 }], ...props });
  const llm = new InferenceService(tenant, 'llama', {
    model: ModelSource.huggingFace(HUB, { tokenSecret: 'hf-token' }),
    server: ModelServer.vllm(),
    gpus: GpuRequest.of(1),
    nodePool: p.pool,
    route: { gateway: 'gateways/inference-gateway' },
  });
  return { ...p, tenant, llm };
}

const CONFIGURED: Partial<AiTenantProps> = {
  apiServer: { cidrs: ['10.0.0.10/32', '10.0.0.11/32'], port: 6443 },
  modelDownloads: { cidrs: ['0.0.0.0/0', '::/0'], excludedCidrs: [...PRIVATE_V4, 'fd00::/8'] },
};

/** Who a NetworkPolicy selects, in words: a component of the service, or every pod. */
function selected(selector: any): string {
  const labels = selector?.matchLabels ?? {};
  if (!Object.keys(labels).length) return 'all pods';
  return labels['app.kubernetes.io/component'] ?? JSON.stringify(labels);
}

function peer(p: any): string {
  if (p.ipBlock) return `${p.ipBlock.cidr}${p.ipBlock.except ? ` except ${p.ipBlock.except.join(',')}` : ''}`;
  const ns = p.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'];
  const pods = selected(p.podSelector);
  return ns ? `${ns}/${pods}` : pods;
}

/** Every NetworkPolicy of the namespace as `direction selected <- or -> peers : ports`, sorted. */
function flows(chart: Chart, namespace: string): string[] {
  return chart.toJson().filter((o: any) => o.kind === 'NetworkPolicy' && o.metadata.namespace === namespace).flatMap((o: any) => {
    const spec = o.spec;
    if (!spec.ingress && !spec.egress) return [`deny ${spec.policyTypes.join('+')} ${selected(spec.podSelector)}`];
    const rules = [
      ...(spec.ingress ?? []).map((r: any) => `in  ${selected(spec.podSelector)} <- ${r.from.map(peer).join(' | ')}`),
      ...(spec.egress ?? []).map((r: any) => `out ${selected(spec.podSelector)} -> ${r.to.map(peer).join(' | ')}`),
    ];
    const ports = (r: any) => (r.ports ?? []).map((x: any) => `${x.port}/${x.protocol}`).join(',');
    return rules.map((text, i) => `${text} : ${ports((spec.ingress ?? spec.egress)[i])}`);
  }).sort();
}

describe('tenant egress needs', () => {
  test('a routed InferenceService in a tenant: exactly gateway->EPP, gateway->server, EPP->server, Prometheus->both, EPP->apiserver, server->hub', () => {
    const { chart } = servingTenant(CONFIGURED);
    expect(flows(chart, 'serving')).toEqual([
      'deny Ingress+Egress all pods',
      'in  endpoint-picker <- gateways/all pods : 9002/TCP',
      'in  endpoint-picker <- monitoring/{"app.kubernetes.io/name":"prometheus"} : metrics/TCP',
      'in  model-server <- endpoint-picker : 8000/TCP',
      'in  model-server <- gateways/all pods : 8000/TCP',
      'in  model-server <- monitoring/{"app.kubernetes.io/name":"prometheus"} : http/TCP',
      'out all pods -> kube-system/{"k8s-app":"kube-dns"} : 53/UDP,53/TCP',
      'out endpoint-picker -> 10.0.0.10/32 | 10.0.0.11/32 : 6443/TCP',
      'out endpoint-picker -> model-server : 8000/TCP',
      // each exclusion lands in the range that contains it
      'out model-server -> 0.0.0.0/0 except 10.0.0.0/8,172.16.0.0/12,192.168.0.0/16 | ::/0 except fd00::/8 : 443/TCP',
    ]);
  });

  test('the allows select the same pods as the workloads they are for', () => {
    const { chart, llm } = servingTenant(CONFIGURED);
    const policies = chart.toJson().filter((o: any) => o.kind === 'NetworkPolicy');
    const named = (name: string) => policies.find((p: any) => p.metadata.name === name);
    const epp = llm.endpointPicker!.deployment.toJson().spec.template.metadata.labels;
    const server = llm.deployment!.toJson().spec.template.metadata.labels;
    const selects = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);
    expect(selects(named('serving-llama-pool-apiserver-out').spec.podSelector.matchLabels, epp)).toBe(true);
    expect(selects(named('serving-llama-pool-apiserver-out').spec.podSelector.matchLabels, server)).toBe(false);
    expect(selects(named('serving-llama-model-download-out').spec.podSelector.matchLabels, server)).toBe(true);
    expect(selects(named('serving-llama-model-download-out').spec.podSelector.matchLabels, epp)).toBe(false);
    expect(named('serving-llama-pool-apiserver-out').metadata.annotations['ai.cdk8s.io/allows'])
      .toBe('the endpoint picker serving-llama-epp watches Pods and InferencePools through the Kubernetes API server');
  });

  test('default port 443; no download need for a volume or an OCI model image, one for storageUri and Hub LoRA adapters', () => {
    const p = platform();
    const tenant = new AiTenant(p.chart, 'serving', { ...TENANT, gpuQuota: [{ pool: p.pool, gpus: 8 }], apiServer: { cidrs: ['192.0.2.1/32'] } });
    const svc = (id: string, model: ModelSource) => new InferenceService(tenant, id, { model, gpus: GpuRequest.of(1), nodePool: p.pool });
    svc('pvc', ModelSource.persistentVolumeClaim('models'));
    svc('oci', ModelSource.storageUri('oci://registry.example.com/models/llama:1.0'));
    svc('s3', ModelSource.storageUri('s3://models/llama-3.1-8b', { credentialsSecret: 's3' }));
    new InferenceService(tenant, 'routed', { model: ModelSource.persistentVolumeClaim('models'), gpus: GpuRequest.of(1), nodePool: p.pool, route: { gateway: 'gw' } });
    const needs = egressNeeds(p.chart).map((n) => `${n.kind} ${n.scope.node.path}: ${n.destination}`);
    expect(needs).toEqual([
      'modelDownload platform/serving/s3: s3://models',
      'kubeApiServer platform/serving/routed/Pool: the Kubernetes API server',
    ]);
    const api = p.chart.toJson().find((o: any) => o.metadata.name === 'serving-routed-pool-apiserver-out');
    expect(api.spec.egress).toEqual([{ to: [{ ipBlock: { cidr: '192.0.2.1/32' } }], ports: [{ port: 443, protocol: 'TCP' }] }]);
  });

  test('a model filled once into a shared volume: the download Job\'s pods get the download allow, the servers none', () => {
    const p = platform();
    const tenant = new AiTenant(p.chart, 'serving', { ...TENANT, gpuQuota: [{ pool: p.pool, gpus: 8 }], ...CONFIGURED });
    new InferenceService(tenant, 'llama', {
      model: ModelSource.storageUri('s3://models/llama', { credentialsSecret: 's3', sharedVolume: SharedModelVolume.newClaim({ size: Size.gibibytes(40) }) }),
      server: ModelServer.vllm(),
      gpus: GpuRequest.of(1),
      nodePool: p.pool,
    });
    const downloads = flows(p.chart, 'serving').filter((f) => f.includes('0.0.0.0/0'));
    expect(downloads).toEqual(['out model-download -> 0.0.0.0/0 except 10.0.0.0/8,172.16.0.0/12,192.168.0.0/16 | ::/0 except fd00::/8 : 443/TCP']);
    expect(tenant._egressNeeds().filter((n) => n.need.kind === EgressNeedKind.MODEL_DOWNLOAD).map((n) => `${n.need.destination}=${n.resolution}`))
      .toEqual(['s3://models=allowed']);
  });

  test('a download allowed by a tenant-wide egress entry on 443 needs no extra allow and raises no warning', () => {
    const { app, chart, tenant } = servingTenant({ apiServer: CONFIGURED.apiServer, egress: [{ name: 'hub-proxy', cidr: '198.51.100.0/24' }] });
    app.synth();
    expect(flows(chart, 'serving').filter((f) => f.startsWith('out model-server'))).toEqual([]);
    expect(flows(chart, 'serving')).toContain('out all pods -> 198.51.100.0/24 : 443/TCP');
    expect(warnings(chart).filter((w) => w.includes('downloads'))).toEqual([]);
    expect(tenant._egressNeeds().map((n) => `${n.need.kind}=${n.resolution}`)).toEqual(['modelDownload=egress', 'kubeApiServer=allowed']);
  });

  test('a download the tenant blocks is warned about once, naming the service and the prop, and fails the readiness item', () => {
    const outdir = `/tmp/cdk8s-ai-tenant-egress-${process.pid}`;
    const { app, chart } = servingTenant({ apiServer: CONFIGURED.apiServer }, { outdir });
    const report = new PlatformReport(chart, 'Report');
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    app.synth();
    stderr.mockRestore();
    const download = warnings(chart).filter((w) => w.includes('downloads'));
    expect(download).toEqual([
      '[platform/serving] serving-llama (vLLM) downloads its model weights from the Hugging Face Hub (huggingface.co, HTTPS): ' +
      `${HUB} (platform/serving/llama), but the tenant's egress opens no HTTPS (443): the download would be blocked by the ` +
      'default-deny; add modelDownloads: { cidrs: [...] } (only the downloading pods get it) or an egress entry on port 443',
    ]);
    const item = report.model().tenants[0].checklist.find((c: any) => c.id === 'default-deny');
    expect(item.pass).toBe(false);
    expect(item.detail).toBe(`platform/serving/llama cannot download its model from the Hugging Face Hub (huggingface.co, HTTPS): ${HUB} ` +
      '(no modelDownloads and no egress on 443)');
    expect(report.model().warnings).toEqual(expect.arrayContaining(download));
  });

  test('the report lists the API server and model-download allows under "Network policy defaults"', () => {
    const { chart } = servingTenant(CONFIGURED);
    const report = new PlatformReport(chart, 'Report');
    const tenant = report.model().tenants[0];
    const item = tenant.checklist.find((c: any) => c.id === 'default-deny');
    expect(item.pass).toBe(true);
    expect(item.detail).toContain('; egress to the Kubernetes API server for: platform/serving/llama/Pool (10.0.0.10/32, 10.0.0.11/32 port 6443)');
    expect(item.detail).toContain('; model-download egress for: platform/serving/llama (0.0.0.0/0, ::/0 except 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fd00::/8 port 443)');
    expect(item.detail).toContain('serving-llama-pool-apiserver-out');
    expect(tenant.egressNeeds).toEqual([
      {
        declaredBy: 'platform/serving/llama',
        kind: 'modelDownload',
        pods: 'serving: app.kubernetes.io/component=model-server,app.kubernetes.io/instance=serving-llama',
        destination: `the Hugging Face Hub (huggingface.co, HTTPS): ${HUB}`,
        resolution: 'allowed',
        via: '0.0.0.0/0, ::/0 except 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fd00::/8 port 443',
      },
      {
        declaredBy: 'platform/serving/llama/Pool',
        kind: 'kubeApiServer',
        pods: 'serving: app.kubernetes.io/component=endpoint-picker,app.kubernetes.io/instance=serving-llama',
        destination: 'the Kubernetes API server',
        resolution: 'allowed',
        via: '10.0.0.10/32, 10.0.0.11/32 port 6443',
      },
    ]);
    const edge = report.model().trafficEdges.find((e: any) => e.name === 'apiserver');
    expect(edge.to).toBe('10.0.0.10/32, 10.0.0.11/32');
  });

  test('needs declared before the tenant exists are resolved when it registers', () => {
    const p = platform();
    const early = new Chart(p.app, 'early', { namespace: 'serving', disableResourceNameHashes: true });
    new InferenceService(early, 'llama', { model: ModelSource.huggingFace(HUB), gpus: GpuRequest.of(1), nodePool: p.pool, route: { gateway: 'gateways/gw' } });
    const tenant = new AiTenant(p.chart, 'serving', { ...TENANT, gpuQuota: [{ pool: p.pool, gpus: 8 }], ...CONFIGURED });
    expect(tenant._egressNeeds().map((n) => `${n.need.kind}=${n.resolution}`)).toEqual(['modelDownload=allowed', 'kubeApiServer=allowed']);
    expect(tenant.allowPolicies.map((o) => o.name)).toEqual(expect.arrayContaining(['llama-model-download-out', 'llama-pool-apiserver-out']));
    // the isolation policies the service emitted before the tenant took over the namespace are gone
    expect(early.toJson().filter((o: any) => o.kind === 'NetworkPolicy')).toEqual([]);
  });

  test('outside a tenant the needs are only recorded: no egress policy, the pods isolate their ingress', () => {
    const p = platform();
    const plain = new Chart(p.app, 'apps', { namespace: 'apps', disableResourceNameHashes: true });
    new InferenceService(plain, 'llama', { model: ModelSource.huggingFace(HUB), gpus: GpuRequest.of(1), nodePool: p.pool, route: { gateway: 'gateways/gw' } });
    p.app.synthYaml();
    expect(egressNeeds(p.chart).map((n) => n.kind)).toEqual([EgressNeedKind.MODEL_DOWNLOAD, EgressNeedKind.KUBE_API_SERVER]);
    const policies = plain.toJson().filter((o: any) => o.kind === 'NetworkPolicy');
    expect(policies.map((o: any) => o.spec.policyTypes)).toEqual([['Ingress'], ['Ingress']]);
  });
});

describe('tenant egress on the real apiserver', () => {
  test('the tenant, the routed service and its API server and download allows (IPv4 and IPv6, with exclusions) are accepted', async () => {
    const { chart } = servingTenant(CONFIGURED);
    const results = await validateChart(chart);
    expect(results.length).toBe(chart.toJson().length);
  }, APISERVER_TIMEOUT);

  test('the apiserver rejects an exclusion outside its range, which the tenant refuses at synth', async () => {
    const policy = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'bad-except', namespace: 'default' },
      spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '203.0.113.0/24', except: ['10.0.0.0/8'] } }] }] },
    };
    await expect(validateObjects([policy])).rejects.toThrow(/except.*must be a strict subset of `cidr`|must be a strict subset/);
    expect(() => servingTenant({ ...CONFIGURED, modelDownloads: { cidrs: ['203.0.113.0/24'], excludedCidrs: ['10.0.0.0/8'] } })).toThrow(
      '[platform/serving] modelDownloads.excludedCidrs[0] (model_downloads.excluded_cidrs[0]): got "10.0.0.0/8"; expected a CIDR strictly inside one of 203.0.113.0/24');
  }, APISERVER_TIMEOUT);
});

function routed(tenant: AiTenant, id = 'llama'): InferenceService {
  return new InferenceService(tenant, id, { model: ModelSource.huggingFace(HUB), gpus: GpuRequest.of(1), route: { gateway: 'gateways/gw' } });
}

badInputCatalogue([
  {
    name: 'routed service in a tenant that does not say where the API server is',
    build: (scope) => { routed(new AiTenant(scope, 'serving', { ...TENANT, gpuQuota: [] })); },
    error: '[bad-input/serving] apiServer (api_server): the endpoint picker serving-llama-epp watches Pods and InferencePools through the Kubernetes API ' +
      'server (bad-input/serving/llama/Pool), but the tenant\'s default-deny egress blocks it; give apiServer (api_server): { cidrs: [<API server ' +
      'endpoint CIDRs>], port: <endpoint port, 443 or 6443> } (kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes lists them)',
  },
  {
    name: 'API server without addresses',
    build: (scope) => { new AiTenant(scope, 't', { ...TENANT, apiServer: { cidrs: [] } }); },
    error: '[bad-input/t] apiServer.cidrs (api_server.cidrs): got []; expected at least one CIDR',
  },
  {
    name: 'API server address that is not a CIDR',
    build: (scope) => { new AiTenant(scope, 't', { ...TENANT, apiServer: { cidrs: ['10.0.0.300/32'] } }); },
    error: '[bad-input/t] apiServer.cidrs[0] (api_server.cidrs[0]): got "10.0.0.300/32"; expected a CIDR such as "10.0.0.10/32"',
  },
  {
    name: 'API server as the whole address space',
    build: (scope) => { new AiTenant(scope, 't', { ...TENANT, apiServer: { cidrs: ['0.0.0.0/0'] } }); },
    error: '[bad-input/t] apiServer.cidrs[0] (api_server.cidrs[0]): got "0.0.0.0/0"; expected the API server endpoints (e.g. "10.0.0.10/32"), not the whole address space',
  },
  {
    name: 'API server port out of range',
    build: (scope) => { new AiTenant(scope, 't', { ...TENANT, apiServer: { cidrs: ['10.0.0.10/32'], port: 70000 } }); },
    error: '[bad-input/t] apiServer.port (api_server.port): got 70000; expected an integer from 1 to 65535',
  },
  {
    name: 'model downloads with an exclusion outside the ranges',
    build: (scope) => { new AiTenant(scope, 't', { ...TENANT, modelDownloads: { cidrs: ['203.0.113.0/24'], excludedCidrs: ['198.51.100.0/24'] } }); },
    error: '[bad-input/t] modelDownloads.excludedCidrs[0] (model_downloads.excluded_cidrs[0]): got "198.51.100.0/24"; expected a CIDR strictly inside one of 203.0.113.0/24',
  },
  {
    name: 'model downloads with the same range twice',
    build: (scope) => { new AiTenant(scope, 't', { ...TENANT, modelDownloads: { cidrs: ['203.0.113.0/24', '203.0.113.0/24'] } }); },
    error: '[bad-input/t] modelDownloads.cidrs (model_downloads.cidrs): got ["203.0.113.0/24","203.0.113.0/24"]; expected unique CIDRs',
  },
  {
    name: 'model downloads without ports',
    build: (scope) => { new AiTenant(scope, 't', { ...TENANT, modelDownloads: { cidrs: ['203.0.113.0/24'], ports: [] } }); },
    error: '[bad-input/t] modelDownloads.ports (model_downloads.ports): got []; expected at least one port',
  },
  {
    name: 'agentic tenant downloading from the whole internet',
    build: (scope) => { new AiTenant(scope, 'agents', { ...TENANT, agentic: true, modelDownloads: { cidrs: ['::/0'] } }); },
    error: '[bad-input/agents] modelDownloads.cidrs[0] (model_downloads.cidrs[0]): got "::/0"; expected a specific range: an agentic tenant may only reach declared endpoints, not the whole internet',
  },
  {
    name: 'tenant egress entry that is not a CIDR',
    build: (scope) => { new AiTenant(scope, 't', { ...TENANT, egress: [{ name: 'hub', cidr: 'huggingface.co' }] }); },
    error: '[bad-input/t] egress[0].cidr: got "huggingface.co"; expected a CIDR such as "203.0.113.0/24"',
  },
], { title: 'tenant egress bad inputs' });
