/**
 * Finds credentials written as literals in a container's env, command or args, so none reaches the YAML (which is
 * committed to git, shown by `kubectl get -o yaml` and kept in GitOps history). Two signals:
 *
 * - a secret-shaped *value* anywhere: a known token prefix (Hugging Face `hf_`, OpenAI `sk-`, Anthropic `sk-ant-`,
 *   AWS `AKIA`/`ASIA`, GitHub `ghp_`/`github_pat_`, Slack `xox?-`, GitLab `glpat-`, Google `AIza`), a PEM private
 *   key, a JWT, a `Bearer` header, or a URL with a password (`scheme://user:pass@host`);
 * - a secret-shaped *name* with a literal value: an env variable or a `--flag` named like a credential. Strong names
 *   (`*_API_KEY`, `*_SECRET*`, `*PASSWORD*`, `*_ACCESS_TOKEN`, `HF_TOKEN`, `--api-key`, `--token`, ...) refuse any
 *   literal; weak names (any other `*_KEY`, `*_TOKEN`) refuse only a random-looking value (16+ characters mixing
 *   letters and digits with high entropy), so `EOS_TOKEN=</s>` or `CACHE_KEY=llama` stay fine.
 *
 * Never flagged: `$(VAR)` references (Kubernetes expands them from the container's env, the way to pass a
 * `secretEnv` variable as an argument), file paths, numbers, booleans, and names that are not credentials
 * (`MAX_TOKENS`, `TOKENIZERS_PARALLELISM`, `--max-num-batched-tokens`, `*_KEY_FILE`, `*_TOKEN_PATH`, `*_KEY_ID`).
 */
import { memoByKey } from './memo';

/**
 * Known credential formats, by value. The prefixes that a Kubernetes name can also start with (`sk-`, `sk-ant-`,
 * `glpat-`) need an upper-case letter in the token: the vendors' tokens are random mixed-case (base62 or base64url),
 * while names are lower case, so a job named `sk-0` does not make its own pod hostnames look like API keys. A Slack
 * token starts with its team's number (`xoxb-<digits>-`).
 */
const VALUE_PATTERNS: { readonly what: string; readonly re: RegExp }[] = [
  { what: 'a Hugging Face token (hf_...)', re: /(^|[^A-Za-z0-9])hf_[A-Za-z0-9]{30,}/ },
  { what: 'an Anthropic API key (sk-ant-...)', re: /(^|[^A-Za-z0-9])sk-ant-(?=[A-Za-z0-9_-]*[A-Z])[A-Za-z0-9_-]{20,}/ },
  { what: 'an OpenAI-style API key (sk-...)', re: /(^|[^A-Za-z0-9])sk-(proj-|svcacct-)?(?=[A-Za-z0-9_-]*[A-Z])[A-Za-z0-9_-]{20,}/ },
  { what: 'an AWS access key id (AKIA/ASIA...)', re: /(^|[^A-Za-z0-9])(AKIA|ASIA)[0-9A-Z]{16}($|[^A-Za-z0-9])/ },
  { what: 'a GitHub token (ghp_/gho_/ghs_/ghu_/ghr_...)', re: /(^|[^A-Za-z0-9])gh[pousr]_[A-Za-z0-9]{30,}/ },
  { what: 'a GitHub fine-grained token (github_pat_...)', re: /github_pat_[A-Za-z0-9_]{20,}/ },
  { what: 'a Slack token (xox?-...)', re: /(^|[^A-Za-z0-9])xox[abposr]-[0-9]+-[A-Za-z0-9-]{10,}/ },
  { what: 'a GitLab token (glpat-...)', re: /(^|[^A-Za-z0-9])glpat-(?=[A-Za-z0-9_-]*[A-Z])[A-Za-z0-9_-]{20,}/ },
  { what: 'a Google API key (AIza...)', re: /(^|[^A-Za-z0-9])AIza[0-9A-Za-z_-]{35}/ },
  { what: 'a W&B API key (local-...)', re: /(^|[^A-Za-z0-9])local-[0-9a-f]{40}($|[^0-9a-f])/ },
  { what: 'a private key (PEM)', re: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
  { what: 'a JSON Web Token', re: /(^|[^A-Za-z0-9])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/ },
  { what: 'a bearer token', re: /\bBearer\s+(?!\$\()[A-Za-z0-9._~+/=-]{12,}/i },
  { what: 'a URL with a password', re: /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:(?!\$)[^/\s@]+@/i },
];

/** Name words that are a credential whatever the value. */
const STRONG = /(^|_)(API_?KEY|APIKEY|SECRET(_ACCESS)?_KEY|SECRET|SECRETS|CLIENT_SECRET|PRIVATE_KEY|ACCESS_KEY|ACCESS_TOKEN|AUTH_TOKEN|API_TOKEN|BEARER_TOKEN|REFRESH_TOKEN|SESSION_TOKEN|HF_TOKEN|HUGGING_FACE_HUB_TOKEN|GH_TOKEN|GITHUB_TOKEN|PASSWORD|PASSWD|PASSPHRASE|CREDENTIALS?|TOKEN)$/;
/** Name words that are a credential only with a random-looking value. */
const WEAK = /(^|_)(KEY|TOKEN|AUTH)$/;
/** Names mentioning a password anywhere (`DB_PASSWORD_PLAIN`), unless they name a file or an id. */
const ANYWHERE = /PASSWORD|PASSWD|SECRET/;
/** Last words that make a credential-looking name a pointer or a setting, not the credential. */
const NOT_A_SECRET_TAIL = /(^|_)(FILE|PATH|DIR|DIRECTORY|ENV|NAME|REF|ID|ARN|URL|URI|MOUNT|VAR|KEYS|TOKENS|LENGTH|LEN|SIZE|COUNT|LIMIT|TYPE|MODE|ENABLED|HEADER|PREFIX|REGION)$/;
/** Whole names that look like credentials and are not (the bare `TOKEN`/`KEY` of a config, tokenizer settings). */
const NOT_A_SECRET_NAME = /^(PAD|BOS|EOS|UNK|SEP|CLS|MASK|EOT|START|END|STOP|SPECIAL|MAX|MIN|NUM|SORT|PARTITION|CACHE|PRIMARY|FOREIGN|SHARD|HASH|ROUTING|GROUP|MODEL|S3|GCS|OBJECT)_(KEY|TOKEN)$/;

/** `API-KEY`, `api.key`, `apiKey` → `API_KEY`. */
function normalize(name: string): string {
  return name.replace(/^-+/, '').replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[-.\s]+/g, '_').toUpperCase();
}

/** How strongly a variable or flag name says "credential": 'strong', 'weak' or undefined. */
export function secretNameStrength(name: string): 'strong' | 'weak' | undefined {
  const n = normalize(name);
  if (!n || NOT_A_SECRET_TAIL.test(n) || NOT_A_SECRET_NAME.test(n)) return undefined;
  if (STRONG.test(n) || ANYWHERE.test(n)) return 'strong';
  if (WEAK.test(n)) return 'weak';
  return undefined;
}

/** Shannon entropy in bits per character. */
function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const c of counts.values()) h -= (c / s.length) * Math.log2(c / s.length);
  return h;
}

/** A random-looking string: 16+ characters, no spaces, letters and digits, high entropy. */
export function looksRandom(value: string): boolean {
  return value.length >= 16 && !/\s/.test(value) && /[A-Za-z]/.test(value) && /[0-9]/.test(value) && entropy(value) >= 3.5;
}

/** Values that are never a credential literal: empty, `$(VAR)`, a path, a number, a boolean. */
function harmless(value: string): boolean {
  const v = value.trim();
  return v === '' || v.startsWith('$') || /^(\/|\.\/|~\/)/.test(v) ||
    /^[-+]?[0-9.]+$/.test(v) || /^(true|false|yes|no|on|off|none|null)$/i.test(v);
}

const valueKind = memoByKey(4096, (value: string) => VALUE_PATTERNS.find((p) => p.re.test(value))?.what);

/** What kind of credential `value` looks like by itself, or undefined. */
export function secretValueKind(value: string): string | undefined {
  return valueKind(value);
}

/**
 * Why `value` under `name` (an env variable or a flag) is a credential literal, or undefined when it is not.
 */
export function secretReason(name: string | undefined, value: string): string | undefined {
  if (typeof value !== 'string') return undefined;
  return name === undefined || name.includes('\u0000') ? reasonFor(name, value) : namedReason(`${name}\u0000${value}`);
}

const namedReason = memoByKey(4096, (key: string) => {
  const cut = key.indexOf('\u0000');
  return reasonFor(key.slice(0, cut), key.slice(cut + 1));
});

function reasonFor(name: string | undefined, value: string): string | undefined {
  const byValue = secretValueKind(value);
  if (byValue) return `the value is ${byValue}`;
  if (name === undefined || harmless(value)) return undefined;
  const strength = secretNameStrength(name);
  if (strength === 'strong') return `${JSON.stringify(name)} names a credential and its value is a literal`;
  if (strength === 'weak' && looksRandom(value)) return `${JSON.stringify(name)} names a credential and its value looks like one`;
  return undefined;
}

/** A credential shown in a message without giving it away: its first characters and its length. */
export function redact(value: string): string {
  const head = value.length > 12 ? value.slice(0, 4) : value.slice(0, Math.min(2, Math.floor(value.length / 4)));
  return `"${head}…" (redacted, ${value.length} characters)`;
}

/** A credential found in a list of arguments. */
export interface ArgSecret {
  /** Index of the argument that holds the credential. */
  readonly index: number;
  /** The flag it belongs to, when there is one (`--api-key`). */
  readonly flag?: string;
  readonly value: string;
  readonly reason: string;
}

/**
 * The first credential literal in `args`: `--flag=value` and `--flag value` with a secret-shaped flag, and any
 * argument whose value is a known credential format.
 */
export function findSecretInArgs(args: readonly string[]): ArgSecret | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (typeof arg !== 'string') continue;
    const eq = /^(--?[A-Za-z][A-Za-z0-9_.-]*)=(.*)$/s.exec(arg);
    if (eq) {
      const reason = secretReason(eq[1], eq[2]);
      if (reason) return { index: i, flag: eq[1], value: eq[2], reason };
      continue;
    }
    const next = args[i + 1];
    if (/^--?[A-Za-z][A-Za-z0-9_.-]*$/.test(arg) && typeof next === 'string' && !next.startsWith('-')) {
      const reason = secretReason(arg, next);
      if (reason) return { index: i + 1, flag: arg, value: next, reason };
      continue;
    }
    // An `export NAME=value` or `NAME=value` inside a shell script or an argument.
    for (const m of arg.matchAll(/(?:^|[\s;&|])([A-Za-z_][A-Za-z0-9_]*)=(?:"([^"]*)"|'([^']*)'|([^\s;&|]+))/g)) {
      const value = m[2] ?? m[3] ?? m[4] ?? '';
      const reason = secretReason(m[1], value);
      if (reason) return { index: i, flag: m[1], value, reason };
    }
    const byValue = secretValueKind(arg);
    if (byValue) return { index: i, value: arg, reason: `the value is ${byValue}` };
  }
  return undefined;
}
