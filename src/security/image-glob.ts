/**
 * Image glob matching with the semantics of sigstore policy-controller v0.15 (`pkg/apis/glob`): `*` matches any run
 * of characters except `/`, `**` matches anything, the glob must match the whole reference. The reference is first
 * normalised the way go-containerregistry does (Docker Hub host `index.docker.io`, `library/` for official images,
 * tag `latest` when neither tag nor digest is given); a glob that fails on the normalised form is tried on the
 * reference as written, as the controller does.
 */

const VALID_GLOB = /^[a-zA-Z0-9\-_:/*.@]+$/;

export function isValidImageGlob(glob: string): boolean {
  return VALID_GLOB.test(glob);
}

function globRegExp(glob: string): RegExp {
  let g = glob;
  if (g === '*/*') g = 'index.docker.io/*/*';
  if (g === '*') g = 'index.docker.io/library/*';
  const body = g.split('**').map((part) => part.split('*').map(escape).join('[^/]*')).join('.*');
  return new RegExp(`^${body}$`);
}

function escape(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

/** The fully qualified form of an image reference, e.g. `busybox` → `index.docker.io/library/busybox:latest`. */
export function normaliseImage(image: string): string {
  const [withoutDigest, digest] = image.split('@');
  const firstSlash = withoutDigest.indexOf('/');
  const first = firstSlash >= 0 ? withoutDigest.slice(0, firstSlash) : '';
  const hasRegistry = firstSlash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  let repo = hasRegistry ? withoutDigest : `index.docker.io/${firstSlash >= 0 ? '' : 'library/'}${withoutDigest}`;
  if (repo.startsWith('docker.io/')) repo = `index.${repo}`;
  const lastSlash = repo.lastIndexOf('/');
  const hasTag = repo.indexOf(':', lastSlash) >= 0;
  if (digest !== undefined) return `${repo}@${digest}`;
  return hasTag ? repo : `${repo}:latest`;
}

/** True when the policy-controller would apply a policy with `glob` to `image`. */
export function imageMatchesGlob(glob: string, image: string): boolean {
  const re = globRegExp(glob);
  return re.test(normaliseImage(image)) || re.test(image);
}
