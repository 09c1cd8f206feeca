/**
 * The model-verify init container's command, run with the real `model_signing` CLI (OpenSSF model signing,
 * sigstore/model-transparency 1.1.1 from PyPI, installed by tools/model-signing/build.sh, pinned by its
 * requirements.txt + constraints.txt; `CDK8S_AI_MODEL_SIGNING` points at another entry point instead). Shape tests
 * (model-signature.test.ts) show what we emit; this shows the CLI accepts it and that it verifies what it claims:
 * a model signed with the key passes, and a changed byte, an added file, a removed file, another key's signature or
 * no signature fail the step.
 *
 * How the pod becomes a local run (nothing else is changed):
 * - the command is taken verbatim from the synthesized Deployment's `model-verify` init container; only its first
 *   word `model_signing` (the image's entry point on its PATH) becomes the venv's `model_signing`;
 * - every volume mount of that container is a temp directory, and every argument and environment value that starts
 *   with a mount path gets the directory instead: `/mnt/models` (volume `model`) -> `<tmp>/model`,
 *   `/var/run/secrets/model-signing` (volume `model-signing-key`) -> `<tmp>/model-signing-key`, `/tmp` (volume `tmp`,
 *   HOME) -> `<tmp>/tmp`. An absolute path in the command outside every mount fails the test (the container would not
 *   have it);
 * - the public key is written into the key directory under the file name the volume's `items` project it to (what the
 *   kubelet does with the ConfigMap); the model is signed in place with `model_signing sign key` (as its publisher
 *   would: `sign` records relative names only), the signature written where our `--signature` argument points.
 *
 * Keyless Sigstore verification fetches Sigstore's trust root over the network, which the tests never do: for it, the
 * exact arguments are parsed by the real CLI's own click command tree, with the `verify` callbacks replaced by one that
 * prints the parsed options, so a misspelt or missing option fails here as it would in the pod (exit 2).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findObject, llama, newChart, objectsOf } from './fixtures';
import { ModelServer } from '../../src/serving/model-server';
import { ModelSignature } from '../../src/serving/model-signature';
import { ModelSource } from '../../src/serving/model-source';

const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
const BUILD_SCRIPT = path.join(PROJECT_ROOT, 'tools', 'model-signing', 'build.sh');
/** Each model_signing start takes 1-2 s on a busy 2-core machine; a test runs up to ~20 of them. */
const RUN_TIMEOUT = 5 * 60 * 1000;
const VERIFIER = `ghcr.io/sigstore/model-transparency-cli:v1.1.1@sha256:${'c'.repeat(64)}`;

let cli: string;
let python: string;

/** Runs tools/model-signing/build.sh (a no-op when the venv is current) and returns the entry point. */
function modelSigningPath(): string {
  if (process.env.CDK8S_AI_MODEL_SIGNING) return process.env.CDK8S_AI_MODEL_SIGNING;
  const out = execFileSync('bash', [BUILD_SCRIPT], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const m = /^MODEL_SIGNING=(.+)$/m.exec(out);
  if (!m) throw new Error(`${BUILD_SCRIPT} printed no MODEL_SIGNING= line; it printed:\n${out}`);
  return m[1];
}

beforeAll(() => {
  cli = modelSigningPath();
  python = path.join(path.dirname(cli), 'python');
  const version = spawnSync(cli, ['--version'], { encoding: 'utf8' });
  expect(`${version.stdout}${version.stderr}`.trim()).toBe('model_signing, version 1.1.1');
}, 15 * 60 * 1000);

interface Run {
  readonly status: number | null;
  readonly output: string;
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Run {
  const res = spawnSync(file, args, {
    encoding: 'utf8',
    cwd,
    // No network is needed for key verification; point proxies nowhere so an attempt would fail rather than leak.
    env: { PATH: process.env.PATH, LANG: 'C.UTF-8', HTTPS_PROXY: 'http://127.0.0.1:9', HTTP_PROXY: 'http://127.0.0.1:9', ...env },
    timeout: 120_000,
  });
  if (res.error) throw res.error;
  return { status: res.status, output: `${res.stdout}${res.stderr}` };
}

/** The verify init container of the one Deployment `name` in the chart, and its pod's volumes. */
function verifyContainer(chart: any, name: string): { container: any; volumes: any[] } {
  const spec = findObject(objectsOf(chart), 'Deployment', name).spec.template.spec;
  const container = spec.initContainers.find((c: any) => c.name === 'model-verify');
  expect(container).toBeDefined();
  return { container, volumes: spec.volumes };
}

/** The container's command as a local invocation: mounts mapped to temp directories (see the file comment). */
interface LocalVerify {
  /** The container's command, mount paths replaced, `model_signing` first. */
  readonly argv: string[];
  readonly env: { [name: string]: string };
  /** Host directory of each mount, by volume name. */
  readonly dirs: { [volume: string]: string };
  /** Host path of a container path (under a mount). */
  readonly host: (containerPath: string) => string;
  /** The value of an option in `argv` (host path). */
  readonly option: (flag: string) => string;
  /** A working directory outside every mount (relative paths would resolve against it). */
  readonly cwd: string;
}

function localVerify(container: any, root: string): LocalVerify {
  const mounts: { mountPath: string; dir: string }[] = container.volumeMounts
    .map((m: any) => ({ mountPath: m.mountPath, dir: path.join(root, m.name) }));
  // Longest mount path first, so a mount inside another maps to its own directory.
  mounts.sort((a, b) => b.mountPath.length - a.mountPath.length);
  for (const m of mounts) fs.mkdirSync(m.dir, { recursive: true });
  const host = (p: string): string => {
    const m = mounts.find((x) => p === x.mountPath || p.startsWith(`${x.mountPath}/`));
    if (!m) throw new Error(`${p} is under no volume mount of the verify container (${mounts.map((x) => x.mountPath).join(', ')})`);
    return m.dir + p.slice(m.mountPath.length);
  };
  const command: string[] = [...(container.command ?? []), ...(container.args ?? [])];
  expect(command[0]).toBe('model_signing');
  const argv = command.map((a, i) => (i > 0 && a.startsWith('/') ? host(a) : a));
  const env: { [name: string]: string } = {};
  for (const e of container.env ?? []) env[e.name] = e.value.startsWith('/') ? host(e.value) : e.value;
  const dirs = Object.fromEntries(container.volumeMounts.map((m: any) => [m.name, path.join(root, m.name)]));
  const option = (flag: string): string => {
    const i = argv.indexOf(flag);
    if (i < 0 || i === argv.length - 1) throw new Error(`no ${flag} in ${argv.join(' ')}`);
    return argv[i + 1];
  };
  const cwd = path.join(root, '.cwd'); // no volume name starts with a dot
  fs.mkdirSync(cwd);
  return { argv, env, dirs, host, option, cwd };
}

/** An EC P-256 key pair (PEM), made with the venv's `cryptography`. */
function keyPair(dir: string): { privateKey: string; publicKey: string } {
  fs.mkdirSync(dir, { recursive: true });
  const privateKey = path.join(dir, 'signing.key');
  const publicKey = path.join(dir, 'signing.pub');
  const res = run(python, ['-c', [
    'import sys',
    'from cryptography.hazmat.primitives.asymmetric import ec',
    'from cryptography.hazmat.primitives import serialization as s',
    'k = ec.generate_private_key(ec.SECP256R1())',
    'open(sys.argv[1], "wb").write(k.private_bytes(s.Encoding.PEM, s.PrivateFormat.PKCS8, s.NoEncryption()))',
    'open(sys.argv[2], "wb").write(k.public_key().public_bytes(s.Encoding.PEM, s.PublicFormat.SubjectPublicKeyInfo))',
  ].join('\n'), privateKey, publicKey]);
  expect(res).toMatchObject({ status: 0 });
  return { privateKey, publicKey };
}

/** A small model: config, tokenizer, two weight shards (random bytes). */
function writeModel(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ architectures: ['LlamaForCausalLM'], hidden_size: 64 }));
  fs.writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify({ version: '1.0', model: { type: 'BPE' } }));
  fs.writeFileSync(path.join(dir, 'model-00001-of-00002.safetensors'), Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 31 + 7) % 256)));
  fs.writeFileSync(path.join(dir, 'model-00002-of-00002.safetensors'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 17 + 3) % 256)));
}

/** `model_signing sign key` as the model's publisher runs it (v1.1.1: --signature, --private_key). */
function sign(modelDir: string, signature: string, privateKey: string): void {
  const res = run(cli, ['sign', 'key', modelDir, '--signature', signature, '--private_key', privateKey]);
  expect(res.output).toContain('Signing succeeded');
  expect(res.status).toBe(0);
  expect(fs.existsSync(signature)).toBe(true);
}

/** Puts the public key where the key volume projects it (its `items[0].path` in the mount directory). */
function installPublicKey(local: LocalVerify, volumes: any[], publicKey: string): void {
  const volume = volumes.find((v: any) => v.name === 'model-signing-key');
  const items = (volume.configMap ?? volume.secret).items;
  expect(items).toHaveLength(1);
  fs.copyFileSync(publicKey, path.join(local.dirs['model-signing-key'], items[0].path));
}

function verify(local: LocalVerify, argv: string[] = local.argv): Run {
  return run(cli, argv.slice(1), local.env, local.cwd);
}

/** A verification the CLI ran and rejected: exit 1 with its message (never 2, a usage error, which proves nothing). */
function expectRejected(res: Run, why: RegExp): void {
  expect(res.output).toMatch(/Verification failed with error: /);
  expect(res.output).toMatch(why);
  expect(res.status).toBe(1);
}

function expectVerified(res: Run): void {
  expect(res.output).toContain('Verification succeeded');
  expect(res.status).toBe(0);
}

/**
 * Parses `argv` (a model-verify command) with the real CLI's click tree and returns the subcommand and the options it
 * resolved, without running the verification (which, for keyless, would reach Sigstore over the network).
 */
function parseOnly(argv: string[]): { status: number | null; output: string; parsed?: { command: string; params: { [k: string]: unknown } } } {
  const script = [
    'import json, sys',
    'from model_signing import _cli',
    'def recorder(name):',
    '    def callback(**params):',
    '        print("PARSED " + json.dumps({"command": name, "params": {k: (str(v) if not isinstance(v, (bool, list, tuple, type(None))) else',
    '              ([str(x) for x in v] if isinstance(v, (list, tuple)) else v)) for k, v in params.items()}}))',
    '        sys.exit(0)',
    '    return callback',
    'for name, command in _cli._verify.commands.items():',
    '    command.callback = recorder(name)',
    '_cli.main.main(args=sys.argv[1:], prog_name="model_signing")',
  ].join('\n');
  const res = run(python, ['-c', script, ...argv.slice(1)]);
  const m = /^PARSED (.*)$/m.exec(res.output);
  return { ...res, parsed: m ? JSON.parse(m[1]) : undefined };
}

describe('model-verify with the real model_signing 1.1.1', () => {
  let root: string;
  beforeEach(() => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ai-model-signing-')));
  });
  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('public key, PVC sub-path: the signed model passes; a changed byte, an added or removed file, another key, no signature fail', () => {
    const { chart } = newChart();
    llama(chart, 'pvc', ModelServer.vllm(), {
      model: ModelSource.persistentVolumeClaim('models', {
        path: 'llama',
        signature: ModelSignature.publicKey({ publicKeyConfigMap: 'signing-key', publicKeyKey: 'cosign.pub', verifierImage: VERIFIER }),
      }),
    });
    const { container, volumes } = verifyContainer(chart, 'pvc');
    const local = localVerify(container, path.join(root, 'pod'));
    const modelDir = local.host('/mnt/models/llama');
    expect(local.argv.slice(0, 4)).toEqual(['model_signing', 'verify', 'key', modelDir]);
    const signature = local.option('--signature');
    expect(signature).toBe(path.join(modelDir, 'model.sig'));
    expect(local.option('--public_key')).toBe(path.join(local.dirs['model-signing-key'], 'key.pub'));
    expect(local.env.HOME).toBe(local.dirs.tmp);

    const keys = keyPair(path.join(root, 'publisher'));
    installPublicKey(local, volumes, keys.publicKey);
    writeModel(modelDir);
    sign(modelDir, signature, keys.privateKey);

    // (a) untampered
    expectVerified(verify(local));

    // (b) one byte of a weight shard changed
    const shard = path.join(modelDir, 'model-00002-of-00002.safetensors');
    const original = fs.readFileSync(shard);
    const changed = Buffer.from(original);
    changed[1234] = (changed[1234] + 1) % 256; // one byte changed
    fs.writeFileSync(shard, changed);
    expectRejected(verify(local), /Signature mismatch/);
    fs.writeFileSync(shard, original);
    expectVerified(verify(local));

    // (c) a file added: at the top, and in a new directory (e.g. a swapped-in adapter)
    const added = path.join(modelDir, 'model-00003-of-00002.safetensors');
    fs.writeFileSync(added, 'extra weights');
    expectRejected(verify(local), /Extra files found in model .*model-00003-of-00002\.safetensors/);
    fs.rmSync(added);
    fs.mkdirSync(path.join(modelDir, 'adapters'));
    fs.writeFileSync(path.join(modelDir, 'adapters', 'lora.safetensors'), 'x');
    expectRejected(verify(local), /Extra files found in model .*adapters\/lora\.safetensors/);
    fs.rmSync(path.join(modelDir, 'adapters'), { recursive: true });
    expectVerified(verify(local));

    // a file removed
    const tokenizer = fs.readFileSync(path.join(modelDir, 'tokenizer.json'));
    fs.rmSync(path.join(modelDir, 'tokenizer.json'));
    expectRejected(verify(local), /Signature mismatch/);
    fs.writeFileSync(path.join(modelDir, 'tokenizer.json'), tokenizer);
    expectVerified(verify(local));

    // another key's public key mounted (the model was not signed by the key the pod trusts)
    const other = keyPair(path.join(root, 'other'));
    installPublicKey(local, volumes, other.publicKey);
    expectRejected(verify(local), /Key mismatch: The public key hash in the signature's verification material does not match/);
    installPublicKey(local, volumes, keys.publicKey);
    expectVerified(verify(local));

    // no signature at all
    fs.renameSync(signature, `${signature}.moved`);
    expectRejected(verify(local), /No such file or directory: '.*model\.sig'/);
    fs.renameSync(`${signature}.moved`, signature);
    expectVerified(verify(local));
  }, RUN_TIMEOUT);

  test('what our arguments leave at the CLI\'s defaults: unsigned files fail, symlinks are refused, git metadata is not verified', () => {
    const { chart } = newChart();
    llama(chart, 'key', ModelServer.vllm(), {
      model: ModelSource.persistentVolumeClaim('models', { signature: ModelSignature.publicKey({ publicKeySecret: 'signing-key', verifierImage: VERIFIER }) }),
    });
    const { container, volumes } = verifyContainer(chart, 'key');
    const local = localVerify(container, path.join(root, 'pod'));
    const parsed = parseOnly(local.argv);
    expect(parsed.status).toBe(0);
    expect(parsed.parsed?.command).toBe('key');
    // The options click resolved from exactly our arguments (model_signing 1.1.1 defaults where we give none).
    expect(parsed.parsed?.params).toEqual({
      model_path: local.host('/mnt/models'),
      signature: local.host('/mnt/models/model.sig'),
      ignore_paths: [],
      ignore_git_paths: true,
      allow_symlinks: false,
      public_key: local.host('/var/run/secrets/model-signing/key.pub'),
      ignore_unsigned_files: false,
    });

    const modelDir = local.host('/mnt/models');
    const keys = keyPair(path.join(root, 'publisher'));
    installPublicKey(local, volumes, keys.publicKey);
    writeModel(modelDir);
    sign(modelDir, local.option('--signature'), keys.privateKey);
    expectVerified(verify(local));

    // a symlink to a file outside the model (e.g. weights swapped by a link) is refused (allow_symlinks false)
    fs.writeFileSync(path.join(root, 'elsewhere.bin'), 'x');
    fs.symlinkSync(path.join(root, 'elsewhere.bin'), path.join(modelDir, 'linked.safetensors'));
    const linked = verify(local);
    expect(linked.output).toMatch(/Verification failed with error: Cannot use .*linked\.safetensors' because it is a symlink/);
    expect(linked.status).toBe(1);
    fs.rmSync(path.join(modelDir, 'linked.safetensors'));

    // git metadata (.git, .gitattributes, .github, .gitignore) is outside what is verified: the CLI's default
    // --ignore-git-paths, which our arguments keep (a Hub repository carries .gitattributes; no model server loads
    // these files).
    fs.writeFileSync(path.join(modelDir, '.gitattributes'), '*.safetensors filter=lfs diff=lfs merge=lfs -text\n');
    fs.mkdirSync(path.join(modelDir, '.git'));
    fs.writeFileSync(path.join(modelDir, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    expectVerified(verify(local));
    // ... but any other dot-file is verified
    fs.writeFileSync(path.join(modelDir, '.hidden.safetensors'), 'x');
    expectRejected(verify(local), /Extra files found in model .*\.hidden\.safetensors/);
  }, RUN_TIMEOUT);

  test('Hugging Face (storage initializer download): huggingface_hub\'s .cache is ignored as our --ignore-paths says, and only it', () => {
    const { chart } = newChart();
    llama(chart, 'hub', ModelServer.vllm(), {
      model: ModelSource.huggingFace('acme/llama', { tokenSecret: 'hf-token', signature: ModelSignature.publicKey({ publicKeyConfigMap: 'signing-key', verifierImage: VERIFIER }) }),
    });
    const { container, volumes } = verifyContainer(chart, 'hub');
    const local = localVerify(container, path.join(root, 'pod'));
    const modelDir = local.host('/mnt/models');
    const cacheDir = path.join(modelDir, '.cache');
    expect(local.option('--ignore-paths')).toBe(cacheDir);

    // The publisher signs the repository's files (no .cache: that is written by the download).
    const keys = keyPair(path.join(root, 'publisher'));
    installPublicKey(local, volumes, keys.publicKey);
    writeModel(modelDir);
    sign(modelDir, local.option('--signature'), keys.privateKey);
    // What snapshot_download(local_dir=...) leaves next to the files: <dir>/.cache/huggingface/download/<file>.metadata
    // (and a .gitignore of "*" in .cache/huggingface).
    fs.mkdirSync(path.join(cacheDir, 'huggingface', 'download'), { recursive: true });
    fs.writeFileSync(path.join(cacheDir, 'huggingface', '.gitignore'), '*');
    for (const f of fs.readdirSync(modelDir).filter((n) => n.endsWith('.json') || n.endsWith('.safetensors'))) {
      fs.writeFileSync(path.join(cacheDir, 'huggingface', 'download', `${f}.metadata`), `abc123\n${f}\n1765100000.0\n`);
    }
    expectVerified(verify(local));

    // Control: the same command without our --ignore-paths pair rejects the download metadata, so the flag is what
    // makes the download pass.
    const i = local.argv.indexOf('--ignore-paths');
    const withoutIgnore = [...local.argv.slice(0, i), ...local.argv.slice(i + 2)];
    expect(withoutIgnore).not.toContain('--ignore-paths');
    expectRejected(verify(local, withoutIgnore), /Extra files found in model .*\.cache\/huggingface\/download/);

    // Only .cache is ignored: a file beside it, or a changed weight, still fails.
    fs.writeFileSync(path.join(modelDir, 'pytorch_model.bin'), 'x');
    expectRejected(verify(local), /Extra files found in model .*pytorch_model\.bin/);
    fs.rmSync(path.join(modelDir, 'pytorch_model.bin'));
    const shard = path.join(modelDir, 'model-00001-of-00002.safetensors');
    const bytes = fs.readFileSync(shard);
    bytes[0] = (bytes[0] + 128) % 256;
    fs.writeFileSync(shard, bytes);
    expectRejected(verify(local), /Signature mismatch/);
  }, RUN_TIMEOUT);

  test('keyless Sigstore: the real CLI parses our exact arguments (no network: parse only), and a misspelt option fails that check', () => {
    const { chart } = newChart();
    llama(chart, 'hub', ModelServer.vllm(), {
      model: ModelSource.huggingFace('acme/llama', {
        signature: ModelSignature.sigstore({ identity: 'ml-release@acme.dev', issuer: 'https://accounts.google.com', verifierImage: VERIFIER }),
      }),
    });
    const { container } = verifyContainer(chart, 'hub');
    const local = localVerify(container, path.join(root, 'pod'));
    const res = parseOnly(local.argv);
    expect(res.output).not.toMatch(/Error|Usage/);
    expect(res.status).toBe(0);
    expect(res.parsed).toEqual({
      command: 'sigstore',
      params: {
        model_path: local.host('/mnt/models'),
        signature: local.host('/mnt/models/model.sig'),
        ignore_paths: [local.host('/mnt/models/.cache')],
        ignore_git_paths: true,
        allow_symlinks: false,
        use_staging: false,
        trust_config: null,
        identity: 'ml-release@acme.dev',
        identity_provider: 'https://accounts.google.com',
        ignore_unsigned_files: false,
      },
    });

    // The check can fail: the spelling the library emitted before (--identity-provider) is a usage error (exit 2),
    // which in the pod is an init container that never verifies anything.
    const misspelt = local.argv.map((a) => (a === '--identity_provider' ? '--identity-provider' : a));
    const bad = parseOnly(misspelt);
    expect(bad.parsed).toBeUndefined();
    expect(bad.output).toContain('No such option');
    expect(bad.status).toBe(2);
    // Likewise for the key method's --public-key.
    const key = parseOnly(['model_signing', 'verify', 'key', root, '--signature', path.join(root, 'model.sig'), '--public-key', path.join(root, 'key.pub')]);
    expect(key.output).toContain('No such option \'--public-key\'');
    expect(key.status).toBe(2);
  }, RUN_TIMEOUT);
});
