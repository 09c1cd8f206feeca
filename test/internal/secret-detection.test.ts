import { findSecretInArgs, redact, secretReason } from '../../src/internal/secret-detection';

// Issue 17, class 1: secret-shaped names and values are found; settings that merely mention tokens or keys are not.
const SECRETS: [string | undefined, string][] = [
  ['OPENAI_API_KEY', 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789'],
  ['AWS_ACCESS_KEY_ID', 'AKIAIOSFODNN7EXAMPLE'],
  ['AWS_SECRET_ACCESS_KEY', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
  ['WANDB_API_KEY', '0123456789abcdef0123456789abcdef01234567'],
  ['MODEL_NAME', 'hf_abcdefghijklmnopqrstuvwxyz0123456789'],
  ['DB_PASSWORD', 'hunter2'],
  ['PASSWORD', 'x'],
  ['SLACK', 'xoxb-1234567890-abcdefghij'],
  ['GH', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789'],
  ['DATABASE_URL', 'postgres://app:s3cr3t@db:5432/app'],
  ['HEADER', 'Authorization: Bearer abcdefghijklmnop123'],
  ['MY_TOKEN', 'a8f5f167f44f4964e6c998dee827110c'],
  [undefined, 'sk-ant-api03-R2D2c3po4FqXbT0kEnV4lu3x9Zq'],
  [undefined, 'sk-Ab3dEfGh1jKlMn0pQrStUvWxYz0123456789abcdEF'],
  ['GL', 'glpat-Xy9zAbCdEfGh1jKlMnOp'],
];
const FINE: [string, string][] = [
  ['WANDB_PROJECT', 'llama-finetune'],
  // Names made from a user's lower-case object names (found by the training property test with a job named sk-0-).
  ['PET_MASTER_ADDR', 'sk-0--node-0-0.sk-0-.a42.svc.cluster.local'],
  ['SERVICE', 'sk-llama-serving-canary-production'],
  ['REPO', 'glpat-mirror-of-the-models-repository'],
  ['QUEUE', 'xoxb-team-queue.ml.svc'],
  ['TOKENIZERS_PARALLELISM', 'false'],
  ['MAX_TOKENS', '8192'],
  ['MODEL', 'meta-llama/Llama-3.1-8B-Instruct'],
  ['HF_TOKEN_PATH', '/var/run/secrets/huggingface/token'],
  ['EOS_TOKEN', '</s>'],
  ['CACHE_KEY', 'llama-cache'],
  ['API_KEY', '$(API_KEY_FROM_SECRET)'],
  ['API_KEY_FILE', '/run/secrets/key'],
  ['PASSWORD_FILE', '/run/secrets/pw'],
  ['AWS_REGION', 'us-east-1'],
  ['SECRET_NAME', 'openai'],
  ['NCCL_DEBUG', 'INFO'],
  ['PWD', '/workspace'],
  ['DATABASE_URL', 'postgres://app:$(DB_PASSWORD)@db:5432/app'],
];

describe('secretReason', () => {
  test.each(SECRETS)('%s=%s is a credential', (name, value) => expect(secretReason(name, value)).toBeDefined());
  test.each(FINE)('%s=%s is not', (name, value) => expect(secretReason(name, value)).toBeUndefined());
});

describe('findSecretInArgs', () => {
  test('--api-key <value>', () => expect(findSecretInArgs(['--model', 'x', '--api-key', 'abc123def456']))
    .toMatchObject({ index: 3, flag: '--api-key' }));
  test('--password=<value>', () => expect(findSecretInArgs(['--password=hunter2'])).toMatchObject({ index: 0, flag: '--password' }));
  test('export in a shell script', () => expect(findSecretInArgs(['-c', 'export WANDB_API_KEY=0123456789abcdef0123456789abcdef01234567; python t.py']))
    .toMatchObject({ index: 1, flag: 'WANDB_API_KEY' }));
  test('a token as a positional argument', () => expect(findSecretInArgs(['login', 'hf_abcdefghijklmnopqrstuvwxyz0123456789'])).toMatchObject({ index: 1 }));
  test.each([
    [['--max-num-batched-tokens', '8192']],
    [['--api-key', '$(API_KEY)']],
    [['--tokenizer', 'meta-llama/Llama-3.1-8B-Instruct']],
    [['--api-key-file', '/run/secrets/key']],
    [['--served-model-name', 'llama', '--max-model-len', '8192', '--tensor-parallel-size', '2']],
    [['-c', 'export API_KEY=$(cat /run/secrets/key); exec python serve.py']],
  ])('%j is fine', (args) => expect(findSecretInArgs(args)).toBeUndefined());
});

test('redact shows neither the credential nor most of it', () => {
  const key = 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789';
  expect(redact(key)).toBe('"sk-p…" (redacted, 44 characters)');
  expect(redact('hunter2')).not.toContain('hunter');
});
