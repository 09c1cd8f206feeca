/**
 * Names in error messages as Python and Go callers know them (issue 17, class 6). jsii keeps TypeScript's
 * `apiServer` and `EvalDelivery.argoCd()` in JavaScript and Go (`ApiServer`, `EvalDelivery_ArgoCd()` differ only in
 * case), but Python spells them `api_server` and `EvalDelivery.argo_cd()`. Every ValidationError message goes
 * through `callerNames`, so each multi-word prop and factory appears in both spellings, the same way everywhere:
 * `apiServer (api_server)`, `EvalDelivery.argoCd() (argo_cd())`.
 */

/** Props whose next path segment is a key the user chose (an env var, a label), never renamed. */
const USER_KEYED = new Set(['env', 'secretEnv', 'labels', 'annotations', 'podLabels', 'selectorLabels', 'prometheusPodLabels',
  'featureGates', 'migProfiles', 'nodeSelector', 'nodeLabels', 'extraFlags', 'requests', 'parameters', 'operations', 'flowControl']);

/**
 * Kubernetes and upstream field names that appear in our hints (`automountServiceAccountToken: false`): they are
 * YAML, the same in every language, so they keep one spelling.
 */
const UPSTREAM_FIELDS = new Set(['automountServiceAccountToken', 'allocationMode', 'honorLabels', 'matchLabels', 'waitForPodsReady',
  'deviceClassName', 'resourceClaimTemplateName', 'nominalQuota', 'borrowingLimit', 'lendingLimit', 'fieldPath', 'containerPort',
  'claimName', 'secretKeyRef', 'configMap', 'emptyDir', 'sizeLimit', 'runtimeClassName', 'serviceAccountName',
  'podSecurityContext', 'securityContext', 'allowPrivilegeEscalation', 'runAsNonRoot', 'seccompProfile', 'backendRefs', 'parentRefs',
  'targetPorts', 'endpointPickerRef', 'ingressClassName', 'minAvailable', 'maxSurge', 'maxUnavailable', 'startupPolicy', 'successPolicy',
  'failurePolicy', 'podFailurePolicy', 'topologyRequest', 'valueFrom', 'fieldRef']);

/** The Python spelling of a camelCase identifier (jsii's rule): `apiServer` → `api_server`, `eppTLS` → `epp_tls`. */
export function pythonName(id: string): string {
  return id.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2').toLowerCase();
}

function isMultiWord(id: string): boolean {
  return /^[a-z][a-z0-9]*[A-Z][A-Za-z0-9]*$/.test(id);
}

/** A prop path with its Python spelling when it differs: `server.extraArgs` → `server.extraArgs (server.extra_args)`. */
export function propForCallers(prop: string): string {
  if (prop.includes(' (')) return prop;
  if (prop.includes(', ')) return prop.split(', ').map(propForCallers).join(', ');
  const segments = prop.split('.');
  let userKey = false;
  let changed = false;
  const python = segments.map((segment) => {
    const m = /^([A-Za-z_$][A-Za-z0-9_$]*)(.*)$/.exec(segment);
    const keep = userKey || !m || !isMultiWord(m[1]);
    userKey = !!m && USER_KEYED.has(m[1]);
    if (keep) return segment;
    changed = true;
    return pythonName(m![1]) + m![2];
  });
  return changed ? `${prop} (${python.join('.')})` : prop;
}

/** A factory path (`EvalDelivery.argoCd`) with its Python spelling when it differs. */
export function pathForCallers(path: string): string {
  const m = /^([A-Z][A-Za-z0-9]*)\.([a-z][A-Za-z0-9]*)$/.exec(path);
  return m && isMultiWord(m[2]) ? `${path} (${pythonName(m[2])})` : path;
}

/** Index after the parenthesis that closes the one at `open`, or -1. */
function closing(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return i + 1;
  }
  return -1;
}

/** Renames in free text outside double-quoted user values: factory calls and our props in object-literal hints. */
function renameOutsideQuotes(text: string): string {
  let out = text.replace(/(?<![\w.$])([a-z][a-z0-9]*[A-Z][A-Za-z0-9]*)(?=: )/g, (whole, id: string) =>
    UPSTREAM_FIELDS.has(id) ? whole : `${id} (${pythonName(id)})`);
  const call = /\b([A-Z][A-Za-z0-9]*)\.([a-z][a-z0-9]*[A-Z][A-Za-z0-9]*)\(/g;
  let m: RegExpExecArray | null;
  let result = '';
  let from = 0;
  while ((m = call.exec(out)) !== null) {
    const end = closing(out, m.index + m[0].length - 1);
    if (end < 0) break;
    const snake = pythonName(m[2]);
    const already = out.startsWith(` (${snake}(`, end);
    const empty = end === m.index + m[0].length + 1;
    result += out.slice(from, end) + (already ? '' : ` (${snake}(${empty ? '' : '...'}))`);
    from = end;
    call.lastIndex = end;
  }
  out = result + out.slice(from);
  return out;
}

/** Applies `renameOutsideQuotes` to the parts of `text` outside JSON-style double-quoted strings. */
export function textForCallers(text: string): string {
  const parts = text.split(/("(?:[^"\\]|\\.)*")/);
  return parts.map((part, i) => (i % 2 === 1 ? part : renameOutsideQuotes(part))).join('');
}
