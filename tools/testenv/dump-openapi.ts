/**
 * Prints (or writes) the OpenAPI document of the `latest` test environment
 * (kube-apiserver 1.37 with the Workload API scheduling.k8s.io/v1beta1 and the
 * newer DRA gates on). Read-only: starts its own short-lived control plane
 * unless a running one is given through CDK8S_AI_TESTENV_STATE.
 *
 * Usage (after `bash tools/testenv/build.sh`):
 *   TS_NODE_PROJECT=test/tsconfig.json node -r ts-node/register/transpile-only \
 *     tools/testenv/dump-openapi.ts [--env latest|default] [--v3 apis/scheduling.k8s.io/v1beta1] [OUT.json]
 *
 * Without --v3 it fetches /openapi/v2 (Swagger 2.0, every definition).
 */
import * as fs from 'node:fs';
import {
  EnvironmentName, KubeClient, RunningTestEnv, STATE_ENV_VAR, fetchOpenApiV2, fetchOpenApiV3, readState, startTestEnv,
} from '../../test/harness';

interface Args {
  env: EnvironmentName;
  v3?: string;
  out?: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { env: 'latest' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--env') {
      args.env = argv[++i] as EnvironmentName;
    } else if (a === '--v3') {
      args.v3 = argv[++i];
    } else if (a.startsWith('-')) {
      throw new Error(`unknown option ${a}`);
    } else {
      args.out = a;
    }
  }
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  let started: RunningTestEnv | undefined;
  if (!process.env[STATE_ENV_VAR] || !readState().environments[args.env]) {
    process.stderr.write(`starting a '${args.env}' environment...\n`);
    started = await startTestEnv({ environments: [args.env], skipCrds: true, snapshot: false });
    process.env[STATE_ENV_VAR] = started.stateFile;
  }
  try {
    const conn = readState().environments[args.env]!;
    const client = KubeClient.fromCaFile(conn.port, conn.token, conn.caFile);
    const doc = args.v3 ? await fetchOpenApiV3(args.v3, args.env, client) : await fetchOpenApiV2(args.env, client);
    client.close();
    const text = `${JSON.stringify(doc, undefined, 2)}\n`;
    if (args.out) {
      fs.writeFileSync(args.out, text);
      process.stderr.write(`wrote ${args.out} (${text.length} bytes, ${conn.binaryVersion}, Kubernetes ${conn.kubernetesVersion})\n`);
    } else {
      process.stdout.write(text);
    }
  } finally {
    await started?.stop();
  }
}

main().catch((err: Error) => {
  process.stderr.write(`${err.stack ?? err.message}\n`);
  process.exitCode = 1;
});
