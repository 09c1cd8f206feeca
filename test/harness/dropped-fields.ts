/**
 * Finds fields that were sent to the API server but are missing from what it
 * returned: a disabled feature gate (the registry strategy drops the field),
 * CRD structural pruning, or any other silent loss.
 *
 * Rules:
 *  - key presence only: values may be normalised (quantities `1000m` -> `1`),
 *    and fields the server adds (defaults) are fine;
 *  - lists are compared item by item, by index;
 *  - a missing *zero value* (`false`, `0`, `""`, `{}`, `[]`, `null`) is not a
 *    drop: Go's `omitempty` leaves it out of the response, and it means "unset";
 *  - a Secret's `stringData` is moved into `data` by the server; its keys must
 *    appear in `data` instead.
 */

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function isZeroValue(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') {
    return true;
  }
  if (Array.isArray(value)) {
    return value.length === 0;
  }
  return isRecord(value) && Object.keys(value).length === 0;
}

function formatKey(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function compare(sent: unknown, received: unknown, path: string, out: string[]): void {
  if (Array.isArray(sent)) {
    if (!Array.isArray(received)) {
      if (!isZeroValue(sent)) {
        out.push(path);
      }
      return;
    }
    sent.forEach((item, i) => {
      if (i >= received.length) {
        if (!isZeroValue(item)) {
          out.push(`${path}[${i}]`);
        }
      } else {
        compare(item, received[i], `${path}[${i}]`, out);
      }
    });
    return;
  }
  if (!isRecord(sent)) {
    return; // scalar: presence was checked by the caller, values may be normalised
  }
  if (!isRecord(received)) {
    if (!isZeroValue(sent)) {
      out.push(path);
    }
    return;
  }
  for (const [key, value] of Object.entries(sent)) {
    const child = `${path}${formatKey(key)}`;
    if (!(key in received) || received[key] === null || received[key] === undefined) {
      if (!isZeroValue(value)) {
        out.push(child);
      }
      continue;
    }
    compare(value, received[key], child, out);
  }
}

/** Secret `stringData` is converted to `data` by the server: compare keys against `data`. */
function secretAware(sent: Record<string, unknown>, received: Record<string, unknown>, out: string[]): Record<string, unknown> {
  if (sent.apiVersion !== 'v1' || sent.kind !== 'Secret' || !isRecord(sent.stringData)) {
    return sent;
  }
  const data = isRecord(received.data) ? received.data : {};
  for (const key of Object.keys(sent.stringData)) {
    if (!(key in data)) {
      out.push(`.stringData${formatKey(key)}`);
    }
  }
  const rest = { ...sent };
  delete rest.stringData;
  return rest;
}

/** Paths (like `.spec.template.spec.containers[0].foo`) that were sent but not returned. */
export function droppedFields(sent: unknown, received: unknown): string[] {
  const out: string[] = [];
  const base = isRecord(sent) && isRecord(received) ? secretAware(sent, received, out) : sent;
  compare(base, received, '', out);
  return out;
}
