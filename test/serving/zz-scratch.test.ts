import { Chart } from 'cdk8s';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { AiTenant } from '../../src/platform/ai-tenant';
import { InferenceService } from '../../src/serving/inference-service';
import { ModelServer } from '../../src/serving/model-server';
import { ModelSource } from '../../src/serving/model-source';
import { platform } from '../security/fixtures';

test('scratch', () => {
  const p = platform();
  const t = new AiTenant(p.chart, 'serving', { team: 't', owner: 'o', costCenter: 'c', gpuQuota: [{ pool: p.pool, gpus: 8 }],
    apiServer: { cidrs: ['10.0.0.10/32'], port: 6443 },
    modelDownloads: { cidrs: ['0.0.0.0/0'], except: ['10.0.0.0/8'] } });
  new InferenceService(t, 'llama', { model: ModelSource.huggingFace('meta-llama/Llama-3.1-8B-Instruct'), server: ModelServer.vllm(),
    gpus: GpuRequest.of(1), nodePool: p.pool, route: { gateway: 'gateways/inference-gateway' } });
  const pols = (p.chart as Chart).toJson().filter((o: any) => o.kind === 'NetworkPolicy');
  console.log(pols.map((x: any) => [x.metadata.name, x.metadata.annotations?.["ai.cdk8s.io/allows"], JSON.stringify(x.spec.egress?.[0]?.to ?? x.spec.ingress?.[0]?.from)].join(" | ")).join("\n"));
  p.app.synth();
});
