/**
 * Read-only access to the OpenAPI documents of a running environment (the
 * 1.37 Workload API schema is taken from the `latest` environment).
 */
import { EnvironmentName } from './environments';
import { KubeClient, isSuccess, statusMessage } from './kube-client';
import { connection } from './state';

async function getJson(client: KubeClient, path: string): Promise<unknown> {
  const res = await client.get(path);
  if (!isSuccess(res)) {
    throw new Error(`GET ${path}: ${statusMessage(res)}`);
  }
  return res.body;
}

/** `GET /openapi/v2` (Swagger 2.0, all definitions) from a running environment. */
export async function fetchOpenApiV2(environment: EnvironmentName = 'latest', client?: KubeClient): Promise<unknown> {
  const own = client ?? clientFor(environment);
  try {
    return await getJson(own, '/openapi/v2');
  } finally {
    if (!client) {
      own.close();
    }
  }
}

/** `GET /openapi/v3/<path>` (e.g. `apis/scheduling.k8s.io/v1beta1`) from a running environment. */
export async function fetchOpenApiV3(groupVersionPath: string, environment: EnvironmentName = 'latest', client?: KubeClient): Promise<unknown> {
  const own = client ?? clientFor(environment);
  try {
    return await getJson(own, `/openapi/v3/${groupVersionPath.replace(/^\//, '')}`);
  } finally {
    if (!client) {
      own.close();
    }
  }
}

function clientFor(environment: EnvironmentName): KubeClient {
  const conn = connection(environment);
  return KubeClient.fromCaFile(conn.port, conn.token, conn.caFile);
}
