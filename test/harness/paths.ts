/**
 * Where the harness finds the project, the shared reference material and the
 * test-environment binaries built by `tools/testenv/build.sh`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Root of the cdk8s-ai repository (the directory holding package.json). */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** Shared reference material, a sibling of the project: `../shared`. */
export const SHARED_DIR = path.resolve(PROJECT_ROOT, '..', 'shared');

/** Third-party CRDs installed into every environment. */
export const SHARED_CRDS_DIR = path.join(SHARED_DIR, 'crds');

export const TESTENV_DIR = path.join(PROJECT_ROOT, 'tools', 'testenv');
export const BUILD_SCRIPT = path.join(TESTENV_DIR, 'build.sh');

/** The k8s.io/kubernetes version the kube-apiserver wrapper module requires (e.g. `v1.37.2`). */
export function kubernetesBinaryVersion(): string {
  const goMod = fs.readFileSync(path.join(TESTENV_DIR, 'kube-apiserver', 'go.mod'), 'utf8');
  const m = /^\s*(?:require\s+)?k8s\.io\/kubernetes\s+(v\d+\.\d+\.\d+\S*)/m.exec(goMod);
  if (!m) {
    throw new Error(`cannot find the k8s.io/kubernetes version in ${TESTENV_DIR}/kube-apiserver/go.mod`);
  }
  return m[1];
}

/** Cache directory that build.sh writes the binaries into (same rule as the script). */
export function binaryDir(): string {
  const root = process.env.CDK8S_AI_TESTENV_CACHE || path.join(os.homedir(), '.cache', 'cdk8s-ai', 'testenv');
  return path.join(root, kubernetesBinaryVersion());
}

export interface Binaries {
  readonly etcd: string;
  readonly kubeApiserver: string;
}

export function binaries(): Binaries {
  const dir = binaryDir();
  return { etcd: path.join(dir, 'etcd'), kubeApiserver: path.join(dir, 'kube-apiserver') };
}

export function binariesPresent(): boolean {
  const b = binaries();
  return [b.etcd, b.kubeApiserver].every((f) => {
    try {
      fs.accessSync(f, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
