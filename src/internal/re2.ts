import { invalidProp } from './errors';

/** Throws unless `pattern` is a regular expression RE2 (CEL `matches`) accepts: no look-around, no back-references. */
export function requireRe2(where: string, prop: string, pattern: string): void {
  let ok = pattern.length > 0 && !/\(\?[=!<]|\\[1-9]/.test(pattern);
  if (ok) {
    try {
      new RegExp(pattern);
    } catch {
      ok = false;
    }
  }
  if (!ok) throw invalidProp(where, prop, pattern, 'a non-empty RE2 regular expression (no look-ahead, look-behind or back-references)');
}
