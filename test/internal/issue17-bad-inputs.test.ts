// Bad-input catalogue for issue 17: credentials in clear text, crashes from untyped (JavaScript) callers, the prop
// named in a message, and output folders. Each row asserts the error text and that no file was written.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuNodePool } from '../../src/accelerators/gpu-node-pool';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { NodeProvisioner } from '../../src/accelerators/provisioners/node-provisioner';
import { ClusterProfile } from '../../src/cluster/cluster-profile';
import { EvalDelivery, EvalGate, EvalSuite, EvalThreshold } from '../../src/evals';
import { PlatformReport } from '../../src/platform/platform-report';
import { InferenceRoute } from '../../src/serving/inference-route';
import { InferenceService } from '../../src/serving/inference-service';
import { InferenceServiceProps } from '../../src/serving/inference-service-props';
import { ModelServer } from '../../src/serving/model-server';
import { ModelSource } from '../../src/serving/model-source';
import { GangScheduler } from '../../src/training/gang-scheduler';
import { GangTrainingJob, GangTrainingJobProps } from '../../src/training/gang-training-job';
import { ALL_ADDONS as POOL_ADDONS } from '../accelerators/fixtures';
import { ALL_ADDONS } from '../evals/fixtures';
import { BadInputRow, badInputCatalogue } from '../harness';
import { TRAINING_ADDONS, jobProps } from '../training/fixtures';

const HF = ModelSource.huggingFace('meta-llama/Llama-3.1-8B-Instruct');
const OPENAI = 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789';
const HF_TOKEN = 'hf_abcdefghijklmnopqrstuvwxyz0123456789';
const AKIA = 'AKIAIOSFODNN7EXAMPLE';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const WANDB = '0123456789abcdef0123456789abcdef01234567';
const SECRET_ENV = "secretEnv (secret_env): { NAME: { secretName (secret_name): '<secret>', key: '<key>' } }";
const js = (x: unknown): any => x;

function svc(extra: Partial<InferenceServiceProps> = {}) {
  return (s: Construct) => new InferenceService(s, 'llm', { model: HF, gpus: GpuRequest.of(1), ...extra });
}
function job(extra: Partial<GangTrainingJobProps>) {
  return (s: Construct) => {
    new ClusterProfile(s, 'Cluster', { addons: TRAINING_ADDONS });
    new GangTrainingJob(s, 'job', jobProps(extra));
  };
}
function gate(suite: () => EvalSuite) {
  return (s: Construct) => {
    new ClusterProfile(s, 'Cluster', { addons: ALL_ADDONS });
    const target = new InferenceService(s, 'llm', { model: HF, gpus: GpuRequest.of(1), route: { gateway: 'inference-gateway' } });
    new EvalGate(s, 'gate', { target, suite: suite(), thresholds: [EvalThreshold.atLeast('gsm8k', 'exact_match', 0.7)], delivery: EvalDelivery.argoCd() });
  };
}
const pools = (s: Construct) => {
  new ClusterProfile(s, 'Cluster', { addons: POOL_ADDONS });
  return s;
};
const redacted = (v: string) => `"${v.slice(0, 4)}…" (redacted, ${v.length} characters)`;
const custom = (o: object) => EvalSuite.custom({ image: 'ghcr.io/acme/evals:1.0', command: ['run'], ...o });

const SECRETS: BadInputRow[] = [
  {
    name: 'OpenAI key in service env',
    build: svc({ env: { OPENAI_API_KEY: OPENAI } }),
    error: `[bad-input/llm] env.OPENAI_API_KEY: got ${redacted(OPENAI)}: the value is an OpenAI-style API key (sk-...); expected no credential in the YAML`,
  },
  { name: 'service env message shows secretEnv', build: svc({ env: { OPENAI_API_KEY: OPENAI } }), error: SECRET_ENV.replace('NAME', 'OPENAI_API_KEY') },
  { name: 'hf_ token under a neutral name', build: svc({ env: { MY_VAR: HF_TOKEN } }), error: `env.MY_VAR: got ${redacted(HF_TOKEN)}: the value is a Hugging Face token (hf_...)` },
  { name: 'AWS key id in service env', build: svc({ env: { AWS_ACCESS_KEY_ID: AKIA } }), error: 'env.AWS_ACCESS_KEY_ID: got "AKIA…" (redacted, 20 characters): the value is an AWS access key id' },
  { name: 'AWS secret key in service env', build: svc({ env: { AWS_SECRET_ACCESS_KEY: AWS_SECRET } }), error: 'env.AWS_SECRET_ACCESS_KEY: got "wJal…" (redacted, 40 characters): "AWS_SECRET_ACCESS_KEY" names a credential' },
  { name: 'W&B key in service env', build: svc({ env: { WANDB_API_KEY: WANDB } }), error: 'env.WANDB_API_KEY: got "0123…" (redacted, 40 characters): "WANDB_API_KEY" names a credential' },
  { name: 'password in service env', build: svc({ env: { DB_PASSWORD: 'hunter2' } }), error: 'env.DB_PASSWORD: got "h…" (redacted, 7 characters): "DB_PASSWORD" names a credential and its value is a literal' },
  { name: 'key in server env', build: svc({ server: ModelServer.vllm({ env: { OPENAI_API_KEY: OPENAI } }) }), error: '[bad-input/llm] server.env.OPENAI_API_KEY: got "sk-p…"' },
  {
    name: '--api-key value in vLLM extraArgs',
    build: svc({ server: ModelServer.vllm({ extraArgs: ['--api-key', 'abc123def456ghi789'] }) }),
    error: '[bad-input/llm] server.extraArgs (server.extra_args): got "--api-key" with "abc1…" (redacted, 18 characters): "--api-key" names a credential and its value is a literal; expected no credential in the command line',
  },
  {
    name: '--api-key message shows $(NAME)',
    build: svc({ server: ModelServer.vllm({ extraArgs: ['--api-key', 'abc123def456ghi789'] }) }),
    error: "secretEnv (secret_env): { API_KEY: { secretName (secret_name): '<secret>', key: '<key>' } } (or mount the Secret as a file), and write \"$(API_KEY)\" in the argument",
  },
  { name: '--api-key=value in SGLang extraArgs', build: svc({ server: ModelServer.sglang({ extraArgs: [`--api-key=${OPENAI}`] }) }), error: 'server.extraArgs (server.extra_args): got "--api-key" with "sk-p…"' },
  {
    name: 'password in custom server args',
    build: svc({ server: ModelServer.custom({ name: 'srv', image: 'ghcr.io/acme/srv:1.0', port: 8000, args: ['{model}', '--password', 'hello-there'] }) }),
    error: 'server.args: got "--password" with "he…" (redacted, 11 characters)',
  },
  {
    name: 'OpenAI key in custom server env',
    build: svc({ server: ModelServer.custom({ name: 'srv', image: 'ghcr.io/acme/srv:1.0', port: 8000, args: ['{model}'], env: { OPENAI_API_KEY: OPENAI } }) }),
    error: 'server.env.OPENAI_API_KEY: got "sk-p…"',
  },
  {
    name: 'secretEnv given a string',
    build: svc({ secretEnv: js({ OPENAI_API_KEY: OPENAI }) }),
    error: `[bad-input/llm] secretEnv.OPENAI_API_KEY (secret_env.OPENAI_API_KEY): got the string ${redacted(OPENAI)}; expected a reference to a key of a Secret, not a value`,
  },
  { name: 'secretEnv without a key', build: svc({ secretEnv: js({ API_KEY: { secretName: 'openai' } }) }), error: 'secretEnv.API_KEY.key (secret_env.API_KEY.key): got undefined; expected a non-empty string' },
  { name: 'secretEnv given a number', build: svc({ secretEnv: js({ API_KEY: 42 }) }), error: 'secretEnv.API_KEY (secret_env.API_KEY): got 42; expected a reference to a key of a Secret' },
  {
    name: 'W&B key in training env',
    build: job({ env: { WANDB_API_KEY: WANDB } }),
    error: "[bad-input/job] env.WANDB_API_KEY: got \"0123…\" (redacted, 40 characters): \"WANDB_API_KEY\" names a credential and its value is a literal; expected no credential in the YAML (it is committed, diffed and readable by anyone who can read the object): keep it in a Secret and reference it: secretEnv (secret_env): { WANDB_API_KEY: { secretName (secret_name): '<secret>', key: '<key>' } } (or mount the Secret as a file: volumes with TrainingVolume.fromSecret('<secret>') (from_secret(...)))",
  },
  { name: 'AWS key in training env', build: job({ env: { AWS_ACCESS_KEY_ID: AKIA } }), error: '[bad-input/job] env.AWS_ACCESS_KEY_ID: got "AKIA…"' },
  { name: 'token in training args', build: job({ args: ['--hub-token', HF_TOKEN] }), error: '[bad-input/job] args: got "--hub-token" with "hf_a…"' },
  { name: 'password in training command', build: job({ command: ['train.py', '--db-password=hunter22'] }), error: '[bad-input/job] command: got "--db-password" with "hu…"' },
  {
    name: 'OpenAI key in eval suite env',
    build: gate(() => custom({ env: { OPENAI_API_KEY: OPENAI } })),
    error: `[bad-input/gate] suite.env.OPENAI_API_KEY: got ${redacted(OPENAI)}: the value is an OpenAI-style API key (sk-...); expected no credential in the YAML`,
  },
  { name: 'eval suite env message shows secretEnv', build: gate(() => custom({ env: { JUDGE_API_KEY: 'abcdefgh12345678' } })), error: SECRET_ENV.replace('NAME', 'JUDGE_API_KEY') },
  { name: 'token in eval suite args', build: gate(() => custom({ args: ['--token', HF_TOKEN] })), error: '[bad-input/gate] suite.args: got "--token" with "hf_a…"' },
  {
    name: 'token in lm-eval extraArgs',
    build: gate(() => EvalSuite.lmEvalHarness({ tasks: ['gsm8k'], extraArgs: ['--hf_hub_token', HF_TOKEN] })),
    error: '[bad-input/gate] suite.extraArgs (suite.extra_args): got "--hf_hub_token" with "hf_a…" (redacted, 39 characters): the value is a Hugging Face token (hf_...); expected no credential in the command line (it would be written to the YAML): keep it in a Secret: a Hugging Face token goes in hfTokenSecret',
  },
  { name: 'eval suite secretEnv given a string', build: gate(() => custom({ secretEnv: js({ JUDGE_API_KEY: OPENAI }) })), error: `[bad-input/gate] suite.secretEnv.JUDGE_API_KEY (suite.secret_env.JUDGE_API_KEY): got the string ${redacted(OPENAI)}` },
  {
    name: 'hfTokenSecret given a string',
    build: gate(() => EvalSuite.lmEvalHarness({ tasks: ['gsm8k'], hfTokenSecret: js(HF_TOKEN) })),
    error: '[bad-input/gate] suite.hfTokenSecret (suite.hf_token_secret): got the string "hf_a…" (redacted, 39 characters); expected a reference to a key of a Secret',
  },
];

const UNTYPED: BadInputRow[] = [
  {
    name: 'GpuNodePool gpu as a string',
    build: (s) => new GpuNodePool(s, 'p', js({ gpu: 'H100', gpusPerNode: 8 })),
    error: '[bad-input/p] gpu: got "H100" (a string); expected a GpuModel such as GpuModel.NVIDIA_H100_80_GB',
  },
  { name: 'GpuNodePool props left out', build: (s) => new GpuNodePool(s, 'p', js(undefined)), error: '[bad-input/p] props: got undefined; expected a GpuNodePoolProps object with gpu, gpusPerNode' },
  { name: 'GpuNodePool gpusPerNode missing', build: (s) => new GpuNodePool(s, 'p', js({ gpu: GpuModel.NVIDIA_H100_80_GB })), error: '[bad-input/p] gpusPerNode (gpus_per_node): got undefined; expected a number (it is required)' },
  { name: 'GpuNodePool gpusPerNode as a string', build: (s) => new GpuNodePool(s, 'p', js({ gpu: GpuModel.NVIDIA_H100_80_GB, gpusPerNode: '8' })), error: '[bad-input/p] gpusPerNode (gpus_per_node): got "8" (a string); expected a number' },
  {
    name: 'Karpenter without instanceTypes',
    build: (s) => new GpuNodePool(pools(s), 'p', { gpu: GpuModel.NVIDIA_H100_80_GB, gpusPerNode: 8, provisioner: NodeProvisioner.karpenter(js({ nodeClass: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'gpu' } })) }),
    error: '[bad-input/p] provisioner.instanceTypes (provisioner.instance_types): got undefined; expected a list of instance types with the pool\'s GPUs, e.g. ["p5.48xlarge"] (it is required)',
  },
  {
    name: 'Karpenter without nodeClass',
    build: (s) => new GpuNodePool(pools(s), 'p', { gpu: GpuModel.NVIDIA_H100_80_GB, gpusPerNode: 8, provisioner: NodeProvisioner.karpenter(js({ instanceTypes: ['p5.48xlarge'] })) }),
    error: '[bad-input/p] provisioner.nodeClass (provisioner.node_class): got undefined; expected a node class reference { group, kind, name }',
  },
  { name: 'InferenceService props left out', build: (s) => new InferenceService(s, 'llm', js(undefined)), error: '[bad-input/llm] props: got undefined; expected a InferenceServiceProps object with model' },
  {
    name: 'InferenceService model as a string',
    build: (s) => new InferenceService(s, 'llm', js({ model: 'meta-llama/Llama-3.1-8B-Instruct' })),
    error: '[bad-input/llm] model: got "meta-llama/Llama-3.1-8B-Instruct" (a string); expected a ModelSource such as ModelSource.huggingFace(',
  },
  { name: 'InferenceService server as a string', build: svc({ server: js('vllm') }), error: '[bad-input/llm] server: got "vllm" (a string); expected a ModelServer such as ModelServer.vllm()' },
  { name: 'InferenceService gpus as a number', build: svc({ gpus: js(1) }), error: '[bad-input/llm] gpus: got 1 (a number); expected a GpuRequest such as GpuRequest.of(1)' },
  { name: 'InferenceService env as a list', build: svc({ env: js(['A=1']) }), error: '[bad-input/llm] env: got an array; expected an object of string values' },
  { name: 'InferenceRoute without gateway', build: (s) => new InferenceRoute(s, 'r', js({})), error: '[bad-input/r] gateway: got undefined; expected the name of a Gateway, e.g. "inference-gateway" (it is required)' },
  { name: 'GangTrainingJob props left out', build: (s) => new GangTrainingJob(s, 'job', js(undefined)), error: '[bad-input/job] props: got undefined; expected a GangTrainingJobProps object with image, workers, scheduler' },
  {
    name: 'GangTrainingJob scheduler as a string',
    build: (s) => new GangTrainingJob(s, 'job', js({ image: 'ghcr.io/a/t:1', workers: 2, scheduler: 'kueue' })),
    error: '[bad-input/job] scheduler: got "kueue" (a string); expected a GangScheduler such as GangScheduler.kueue(',
  },
  {
    name: 'GangTrainingJob gpusPerWorker as a number',
    build: (s) => new GangTrainingJob(s, 'job', js({ image: 'ghcr.io/a/t:1', workers: 2, scheduler: GangScheduler.kueue({ queue: 'q' }), gpusPerWorker: 8 })),
    error: '[bad-input/job] gpusPerWorker (gpus_per_worker): got 8 (a number); expected a GpuRequest such as GpuRequest.of(8)',
  },
  { name: 'EvalGate props left out', build: (s) => new EvalGate(s, 'gate', js(undefined)), error: '[bad-input/gate] props: got undefined; expected a EvalGateProps object with target, delivery, thresholds' },
  {
    name: 'EvalGate threshold as a string',
    build: (s) => new EvalGate(s, 'gate', js({ target: new InferenceService(s, 'llm', { model: HF }), delivery: EvalDelivery.argoCd(), thresholds: ['gsm8k>0.7'] })),
    error: '[bad-input/gate] thresholds[0]: got "gsm8k>0.7" (a string); expected an EvalThreshold such as EvalThreshold.atLeast(...) (at_least(...))',
  },
  { name: 'GpuRequest.of with a model string', build: () => GpuRequest.of(1, js({ model: 'H100' })), error: '[GpuRequest.of] model: got "H100" (a string); expected a GpuModel such as GpuModel.NVIDIA_H100_80_GB' },
  { name: 'GpuRequest.of without a count', build: () => js(GpuRequest.of)(), error: '[GpuRequest.of] count: got undefined; expected a number of GPUs such as 1 or 8 (it is required)' },
  { name: 'GpuRequest.firstAvailable without a list', build: () => js(GpuRequest.firstAvailable)(), error: '[GpuRequest.firstAvailable (first_available)] alternatives: got undefined; expected a list of GpuRequest.of(...) or GpuRequest.mig(...)' },
  { name: 'GpuRequest.memoryShare with a string', build: () => GpuRequest.memoryShare(js('10Gi')), error: '[GpuRequest.memoryShare (memory_share)] memory: got "10Gi" (a string); expected a Size (e.g. Size.gibibytes(10))' },
  { name: 'EvalSuite.lmEvalHarness options left out', build: () => js(EvalSuite.lmEvalHarness)(), error: '[EvalSuite.lmEvalHarness (lm_eval_harness)] props: got undefined; expected a LmEvalHarnessOptions object with tasks' },
  { name: 'EvalSuite.custom without a command', build: () => EvalSuite.custom(js({ image: 'x' })), error: '[EvalSuite.custom] command: got undefined; expected an array of strings (it is required)' },
  { name: 'EvalThreshold.atLeast with a numeric metric', build: () => EvalThreshold.atLeast('gsm8k', js(1), 0.7), error: '[EvalThreshold.atLeast (at_least)] metric: got 1 (a number); expected a metric such as "exact_match,strict-match"' },
  { name: 'EvalThreshold.atMost without a value', build: () => js(EvalThreshold.atMost)('gsm8k', 'exact_match'), error: '[EvalThreshold.atMost (at_most)] value: got undefined; expected a number (it is required)' },
];

const COUNTS: BadInputRow[] = [
  { name: 'service gpu count -1 named gpus.count', build: svc({ gpus: GpuRequest.of(-1) }), error: '[bad-input/llm] gpus.count: got -1; expected an integer from 1 to 32' },
  { name: 'service gpu count 1.5 named gpus.count', build: svc({ gpus: GpuRequest.of(1.5) }), error: '[bad-input/llm] gpus.count: got 1.5; expected an integer from 1 to 32' },
  { name: 'service gpu count 100000 named gpus.count', build: svc({ gpus: GpuRequest.of(100000) }), error: '[bad-input/llm] gpus.count: got 100000; expected an integer from 1 to 32' },
  { name: 'training gpu count -1 named gpusPerWorker.count', build: job({ gpusPerWorker: GpuRequest.of(-1) }), error: '[bad-input/job] gpusPerWorker.count (gpus_per_worker.count): got -1; expected an integer from 1 to 32' },
];

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ai-i17-'));
const aFile = path.join(scratch, 'a-file');
fs.writeFileSync(aFile, 'x');
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

const OUTPUT: BadInputRow[] = [
  {
    name: 'report folder below a file',
    build: (s) => new PlatformReport(s, 'report', { outdir: path.join(aFile, 'reports') }),
    error: `[bad-input/report] outdir: got ${JSON.stringify(path.join(aFile, 'reports'))}; expected a folder path, but ${JSON.stringify(aFile)} is a file`,
  },
  {
    name: 'report folder under /proc',
    build: (s) => new PlatformReport(s, 'report', { outdir: '/proc/self/reports' }),
    error: '[bad-input/report] outdir: got "/proc/self/reports"; expected a folder on a real filesystem, not under /proc',
  },
  { name: 'report folder under /sys', build: (s) => new PlatformReport(s, 'report', { outdir: '/sys/kernel/x' }), error: 'not under /sys' },
  { name: 'report outdir as a number', build: (s) => new PlatformReport(s, 'report', js({ outdir: 7 })), error: '[bad-input/report] outdir: got 7 (a number); expected a string' },
];

badInputCatalogue([...SECRETS, ...UNTYPED, ...COUNTS, ...OUTPUT], { title: 'issue 17 bad inputs', scope: (app) => new Chart(app, 'bad-input', { namespace: 'serving' }) });
