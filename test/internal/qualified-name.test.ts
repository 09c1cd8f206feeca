import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ValidationError } from '../../src/internal/errors';
import {
  isDnsSubdomain, isExtendedResourceName, isLabelValue, isPrefixedName, isQualifiedName, requireDnsSubdomain, requireLabels,
  requireLabelValue, requireNonEmptyLabelValue, requireQualifiedName,
} from '../../src/internal/qualified-name';

const label63 = 'a'.repeat(63);

describe('isDnsSubdomain', () => {
  test.each([
    'a', 'gpu.nvidia.com', 'h100.gpu-pool.ai.cdk8s.io', '0', 'a-b.c-d', `${'a'.repeat(63)}.${'b'.repeat(63)}`, 'a'.repeat(253),
  ])('accepts %s', (v) => expect(isDnsSubdomain(v)).toBe(true));
  test.each([
    '', 'A', 'gpu_nvidia', '-a', 'a-', 'a..b', '.a', 'a.', 'a.-b', 'a b', 'a/b', 'a'.repeat(254),
  ])('refuses %j', (v) => expect(isDnsSubdomain(v)).toBe(false));
});

describe('isQualifiedName and isPrefixedName', () => {
  test.each([
    'team', 'Team_1', 'a.b-c_d', 'example.com/team', 'nvidia.com/gpu.product', 'kubernetes.io/hostname', label63,
    `${'a'.repeat(253)}/x`, 'k8s-app',
  ])('qualified: %s', (v) => expect(isQualifiedName(v)).toBe(true));
  test.each([
    '', '/team', 'example.com/', 'a/b/c', 'Example.com/team', 'team name', '-team', 'team-', 'a'.repeat(64),
    `example.com/${'a'.repeat(64)}`, `${'a'.repeat(254)}/x`, 'example_com/team',
  ])('not qualified: %j', (v) => expect(isQualifiedName(v)).toBe(false));
  test('a prefixed name needs the domain', () => {
    expect(isPrefixedName('nvidia.com/gpu')).toBe(true);
    expect(isPrefixedName('gpu')).toBe(false);
    expect(isPrefixedName('/gpu')).toBe(false);
  });
});

describe('isLabelValue', () => {
  test.each(['', 'a', 'A-b_c.d', label63, 'v1.36'])('accepts %j', (v) => expect(isLabelValue(v)).toBe(true));
  test.each(['a'.repeat(64), '-a', 'a-', 'a b', 'a/b', 'alice@example.com'])('refuses %j', (v) => expect(isLabelValue(v)).toBe(false));
});

describe('isExtendedResourceName', () => {
  test.each(['example.com/h100', 'nvidia.com/gpu', 'amd.com/gpu'])('accepts %s', (v) => expect(isExtendedResourceName(v)).toBe(true));
  test.each([
    'gpu', 'kubernetes.io/gpu', 'node.kubernetes.io/gpu', 'requests.example.com/gpu', 'Example.com/gpu', `example.com/${'a'.repeat(64)}`,
  ])('refuses %s', (v) => expect(isExtendedResourceName(v)).toBe(false));
});

describe('require* throw the library error naming path, prop, value and what is valid', () => {
  const scope = (): Construct => new Chart(new App(), 'c');

  function thrown(fn: () => unknown): ValidationError {
    try {
      fn();
    } catch (e) {
      expect(ValidationError.isValidationError(e)).toBe(true);
      return e as ValidationError;
    }
    throw new Error('expected a ValidationError');
  }

  test('requireDnsSubdomain', () => {
    expect(requireDnsSubdomain(scope(), 'name', 'gpu.example.com')).toBe('gpu.example.com');
    const e = thrown(() => requireDnsSubdomain(scope(), 'name', 'H100s'));
    expect(e.message).toBe('[c] name: got "H100s"; expected a DNS-1123 subdomain (at most 253 characters of a-z, 0-9, \'-\' and \'.\', ' +
      'starting and ending with a letter or digit)');
    expect(thrown(() => requireDnsSubdomain('Thing.of', 'ref', 'x_y', 'a Secret name')).message).toMatch(/^\[Thing\.of\] ref: got "x_y"; expected a Secret name \(/);
  });

  test('requireQualifiedName', () => {
    expect(requireQualifiedName(scope(), 'key', 'nvidia.com/gpu')).toBe('nvidia.com/gpu');
    expect(thrown(() => requireQualifiedName(scope(), 'taints[0].key', 'nvidia gpu', 'nvidia.com/gpu')).message)
      .toMatch(/^\[c\] taints\[0\]\.key: got "nvidia gpu"; expected a qualified name such as "nvidia.com\/gpu" \(an optional DNS-subdomain prefix/);
  });

  test('requireLabelValue and requireNonEmptyLabelValue', () => {
    expect(requireLabelValue(scope(), 'v', '')).toBe('');
    expect(thrown(() => requireLabelValue(scope(), 'v', 'a b')).message)
      .toBe('[c] v: got "a b"; expected a label value: at most 63 characters of [A-Za-z0-9-_.], starting and ending with a letter or digit');
    expect(requireNonEmptyLabelValue(scope(), 'team', 'ml')).toBe('ml');
    expect(thrown(() => requireNonEmptyLabelValue(scope(), 'team', '')).message)
      .toBe('[c] team: got ""; expected a label value: 1 to 63 characters of [A-Za-z0-9-_.], starting and ending with a letter or digit');
  });

  test('requireLabels checks keys and values in sorted key order and returns a copy', () => {
    const labels = { b: '2', a: '1' };
    const copy = requireLabels(scope(), 'labels', labels);
    expect(copy).toEqual(labels);
    expect(copy).not.toBe(labels);
    expect(Object.keys(copy)).toEqual(['a', 'b']);
    // two bad entries: the first in sorted order is reported, whatever order the map came in
    expect(thrown(() => requireLabels(scope(), 'labels', { 'z z': 'x', 'a a': 'x' })).message)
      .toMatch(/^\[c\] labels\.a a: got "a a"; expected a qualified label key such as "example\.com\/team"/);
    expect(thrown(() => requireLabels(scope(), 'labels', { team: 'm l' })).message).toMatch(/^\[c\] labels\.team: got "m l"; expected a label value/);
  });
});
