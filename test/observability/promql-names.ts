/**
 * The metric names a PromQL query reads, for queries promtool has already parsed: a small lexer, not a parser.
 * String literals, label matchers, ranges and subquery steps, grouping label lists and offsets are blanked out; an
 * identifier left over is a metric name unless a function or aggregation call follows it or it is a keyword. A name
 * given as a `__name__` matcher counts too.
 */
const KEYWORDS = new Set(['and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', 'inf', 'nan']);

/** The metric names `expr` selects, sorted and unique. */
export function metricNames(expr: string): string[] {
  const names = new Set<string>();
  for (const m of expr.matchAll(/__name__\s*=\s*"([^"]*)"/g)) names.add(m[1]);
  const blanked = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\boffset\s+-?[\w.]+/g, ' ')
    .replace(/@\s*(start\(\)|end\(\)|[\d.]+)/g, ' ');
  for (const m of blanked.matchAll(/(?<![\w:.])([a-zA-Z_:][\w:]*)(\s*\()?/g)) {
    if (!m[2] && !KEYWORDS.has(m[1].toLowerCase())) names.add(m[1]);
  }
  return [...names].sort();
}
