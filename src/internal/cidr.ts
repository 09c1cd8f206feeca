// IPv4 and IPv6 address ranges: parsing and containment, for NetworkPolicy ipBlocks. No domain knowledge.

/** An address range as bits: family width, prefix length and the address. */
interface ParsedCidr {
  readonly bits: number;
  readonly prefix: number;
  readonly address: bigint;
}

function parseIPv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256n + BigInt(Number(p)), 0n);
}

function parseIPv6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || text.split('::').length > 2) return undefined;
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const words = (list: string[]): bigint[] | undefined => {
    const out: bigint[] = [];
    for (const [i, g] of list.entries()) {
      if (i === list.length - 1 && g.includes('.')) {
        const v4 = parseIPv4(g);
        if (v4 === undefined) return undefined;
        out.push(v4 / 65536n, v4 % 65536n);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) {
        out.push(BigInt(parseInt(g, 16)));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const first = words(groups(head));
  const last = tail === undefined ? [] : words(groups(tail));
  if (!first || !last) return undefined;
  const missing = 8 - first.length - last.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return undefined;
  return [...first, ...Array<bigint>(missing).fill(0n), ...last].reduce((acc, w) => acc * 65536n + w, 0n);
}

/** Parsed ranges by text: a fleet's edges repeat the same few ranges (bounded, as a process may parse any number). */
const PARSED_CIDRS = new Map<string, ParsedCidr | undefined>();

function parseCidr(text: string): ParsedCidr | undefined {
  if (PARSED_CIDRS.has(text)) return PARSED_CIDRS.get(text);
  const parsed = parseCidrText(text);
  if (PARSED_CIDRS.size >= 1024) PARSED_CIDRS.clear();
  PARSED_CIDRS.set(text, parsed);
  return parsed;
}

function parseCidrText(text: string): ParsedCidr | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const v6 = m[1].includes(':');
  const address = v6 ? parseIPv6(m[1]) : parseIPv4(m[1]);
  const bits = v6 ? 128 : 32;
  const prefix = Number(m[2]);
  if (address === undefined || prefix > bits) return undefined;
  return { bits, prefix, address };
}

/** True when `text` is an IPv4 or IPv6 CIDR such as `10.0.0.0/8` or `2001:db8::/32`. */
export function isCidr(text: string): boolean {
  return parseCidr(text) !== undefined;
}

/** True when `inner` is a range strictly inside `outer` (same family, longer prefix): a valid ipBlock `except`. */
export function cidrStrictlyContains(outer: string, inner: string): boolean {
  const o = parseCidr(outer);
  const i = parseCidr(inner);
  if (!o || !i || o.bits !== i.bits || i.prefix <= o.prefix) return false;
  const block = 2n ** BigInt(o.bits - o.prefix);
  return o.address / block === i.address / block;
}

/** True when the range is the whole address space of its family (`0.0.0.0/0`, `::/0`). */
export function isWholeInternet(cidr: string): boolean {
  return parseCidr(cidr)?.prefix === 0;
}
