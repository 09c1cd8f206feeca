/**
 * A pure function of a string key, remembered: a fleet checks the same values thousands of times (the same flags,
 * env variables and configs in every service). At most `limit` results are kept; the cache starts over when full.
 */
export function memoByKey<T>(limit: number, compute: (key: string) => T): (key: string) => T {
  const results = new Map<string, T>();
  return (key: string) => {
    if (results.has(key)) return results.get(key) as T;
    const result = compute(key);
    if (results.size >= limit) results.clear();
    results.set(key, result);
    return result;
  };
}
