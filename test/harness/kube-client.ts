/**
 * A minimal Kubernetes API client on node:https: no object models, so nothing
 * is stripped or renamed on the way (see shared notes/validation.md §4.1 on
 * why not @kubernetes/client-node). Keep-alive connections, a small
 * concurrency limit and a discovery cache.
 */
import * as fs from 'node:fs';
import * as https from 'node:https';

export interface KubeEndpoint {
  readonly port: number;
  readonly token: string;
  /** PEM of the CA to trust; omit only for the readiness poll before the cert exists. */
  readonly ca?: string | Buffer;
}

export interface KubeResponse {
  readonly status: number;
  /** Parsed JSON body, or the raw text when it is not JSON. */
  readonly body: unknown;
  readonly text: string;
  /** Values of `Warning` headers with the `299 - "..."` wrapper removed. */
  readonly warnings: readonly string[];
}

export const JSON_CONTENT = 'application/json';
export const APPLY_CONTENT = 'application/apply-patch+yaml';
export const MERGE_PATCH_CONTENT = 'application/merge-patch+json';

/** Counting semaphore: at most `limit` tasks run at once. */
export class Limiter {
  private active = 0;
  private readonly queue: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) {
      await new Promise<void>((resolve) => this.queue.push(resolve));
    } else {
      this.active++;
    }
    try {
      return await task();
    } finally {
      const next = this.queue.shift();
      if (next) {
        next();
      } else {
        this.active--;
      }
    }
  }
}

function parseWarnings(header: string | string[] | undefined): string[] {
  const values = header === undefined ? [] : Array.isArray(header) ? header : [header];
  // Several warnings may be folded into one header, comma-separated: 299 - "a", 299 - "b"
  const out: string[] = [];
  for (const v of values) {
    const re = /\d{3} \S+ "((?:[^"\\]|\\.)*)"/g;
    let m: RegExpExecArray | null;
    let found = false;
    while ((m = re.exec(v)) !== null) {
      out.push(m[1].replace(/\\(.)/g, '$1'));
      found = true;
    }
    if (!found) {
      out.push(v);
    }
  }
  return out;
}

function parseBody(text: string): unknown {
  if (text === '') {
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export interface RequestOptions {
  readonly body?: unknown;
  readonly contentType?: string;
  readonly accept?: string;
  readonly timeoutMs?: number;
}

export class KubeClient {
  static fromCaFile(port: number, token: string, caFile: string, concurrency?: number): KubeClient {
    return new KubeClient({ port, token, ca: fs.readFileSync(caFile) }, concurrency);
  }

  private readonly agent: https.Agent;
  private readonly limiter: Limiter;

  constructor(private readonly endpoint: KubeEndpoint, concurrency = 8) {
    this.agent = new https.Agent({
      keepAlive: true,
      maxSockets: concurrency,
      ca: endpoint.ca,
      rejectUnauthorized: endpoint.ca !== undefined,
    });
    this.limiter = new Limiter(concurrency);
  }

  request(method: string, path: string, options: RequestOptions = {}): Promise<KubeResponse> {
    return this.limiter.run(() => this.send(method, path, options));
  }

  get(path: string, accept?: string): Promise<KubeResponse> {
    return this.request('GET', path, { accept });
  }

  /** Closes idle keep-alive sockets (they are unref'd, so this is optional). */
  close(): void {
    this.agent.destroy();
  }

  private send(method: string, path: string, options: RequestOptions): Promise<KubeResponse> {
    const data = options.body === undefined ? undefined
      : Buffer.from(typeof options.body === 'string' ? options.body : JSON.stringify(options.body));
    const headers: Record<string, string | number> = {
      'Authorization': `Bearer ${this.endpoint.token}`,
      'Accept': options.accept ?? JSON_CONTENT,
      'User-Agent': 'cdk8s-ai-test-harness',
    };
    if (data) {
      headers['Content-Type'] = options.contentType ?? JSON_CONTENT;
      headers['Content-Length'] = data.length;
    }
    return new Promise<KubeResponse>((resolve, reject) => {
      const req = https.request({
        host: '127.0.0.1',
        port: this.endpoint.port,
        path,
        method,
        agent: this.agent,
        headers,
        timeout: options.timeoutMs ?? 60_000,
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: parseBody(text), text, warnings: parseWarnings(res.headers.warning) });
        });
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
      req.on('error', reject);
      if (data) {
        req.write(data);
      }
      req.end();
    });
  }
}

/** The `message` of a Kubernetes Status body, or the raw text. */
export function statusMessage(res: KubeResponse): string {
  const body = res.body;
  if (body !== null && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string') {
    return (body as { message: string }).message;
  }
  return `HTTP ${res.status}: ${res.text.slice(0, 2000)}`;
}

export function isSuccess(res: KubeResponse): boolean {
  return res.status >= 200 && res.status < 300;
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
