/**
 * A throwaway certificate authority and a serving certificate for 127.0.0.1, made with the openssl command line, for
 * the controllers' admission webhooks (the apiserver calls them by URL and trusts the CA through `caBundle`).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface WebhookPki {
  /** Directory holding `tls.crt` and `tls.key` (controller-runtime's names). */
  readonly certDir: string;
  /** The CA certificate, base64 (a webhook configuration's `caBundle`). */
  readonly caBundle: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

export function makeWebhookPki(dir: string): WebhookPki {
  const certDir = path.join(dir, 'webhook-certs');
  fs.mkdirSync(certDir, { recursive: true });
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=cdk8s-ai-simcluster-ca',
    '-keyout', 'ca.key', '-out', 'ca.crt'], dir);
  fs.writeFileSync(path.join(dir, 'san.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', path.join(certDir, 'tls.key'),
    '-out', 'server.csr'], dir);
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2',
    '-extfile', 'san.cnf', '-out', path.join(certDir, 'tls.crt')], dir);
  return { certDir, caBundle: fs.readFileSync(path.join(dir, 'ca.crt')).toString('base64') };
}
