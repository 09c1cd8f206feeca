import { App, Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import * as fc from 'fast-check';
import { claimName, dnsLabel, isDnsLabel, resourceName, requireDnsLabel } from '../../src/internal/names';

describe('dnsLabel', () => {
  test('keeps readable names that are already valid', () => {
    expect(dnsLabel(['llama', 'epp'])).toBe('llama-epp');
  });

  test('lowercases without a hash; replaces invalid characters with a hash so distinct inputs stay distinct', () => {
    expect(dnsLabel(['Serving', 'Llama'])).toBe('serving-llama');
    const a = dnsLabel(['My_Model']);
    const b = dnsLabel(['my-model']);
    expect(a).toMatch(/^my-model-[0-9a-f]{8}$/);
    expect(b).toBe('my-model');
    expect(a).not.toBe(b);
  });

  test('truncates to the length limit with a hash suffix', () => {
    const long = dnsLabel(['x'.repeat(100)], 63);
    expect(long).toHaveLength(63);
    expect(isDnsLabel(long)).toBe(true);
    expect(dnsLabel(['x'.repeat(100)], 20)).toHaveLength(20);
  });

  test('never returns an empty or invalid label', () => {
    expect(isDnsLabel(dnsLabel(['---']))).toBe(true);
    expect(isDnsLabel(dnsLabel(['']))).toBe(true);
  });

  test('property: any input gives a valid, deterministic label within the limit', () => {
    fc.assert(fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 5 }), fc.integer({ min: 10, max: 63 }), (parts, max) => {
      const label = dnsLabel(parts, max);
      expect(isDnsLabel(label, max)).toBe(true);
      expect(dnsLabel(parts, max)).toBe(label);
    }), { numRuns: 500 });
  });

  test('property: inputs that differ beyond case never collide', () => {
    fc.assert(fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (a, b) => {
      fc.pre(a.toLowerCase() !== b.toLowerCase());
      expect(dnsLabel([a])).not.toBe(dnsLabel([b]));
    }), { numRuns: 500 });
  });
});

describe('resourceName', () => {
  test('uses the path below the chart', () => {
    const chart = Testing.chart();
    const group = new Construct(chart, 'Serving');
    const leaf = new Construct(group, 'llama');
    expect(resourceName(leaf)).toBe('serving-llama');
    expect(resourceName(leaf, ['epp'])).toBe('serving-llama-epp');
  });

  test('is the same for the same app, every time', () => {
    const build = () => {
      const app = new App();
      const chart = new Chart(app, 'c');
      return resourceName(new Construct(chart, 'A_Very_Long_Construct_Id_'.repeat(5)));
    };
    expect(build()).toBe(build());
    expect(build().length).toBeLessThanOrEqual(63);
  });
});

describe('requireDnsLabel', () => {
  test('accepts a valid label', () => {
    expect(requireDnsLabel('a/b', 'queue', 'research')).toBe('research');
  });
  test('fails with the path, the prop, the value and what is valid', () => {
    expect(() => requireDnsLabel('app/chart/job', 'queue', 'Research_Q')).toThrow(
      '[app/chart/job] queue: got "Research_Q"; expected a DNS-1123 label: at most 63 characters',
    );
  });
});

describe('claimName', () => {
  test('fails when two constructs emit the same kind and name in one namespace', () => {
    const chart = Testing.chart();
    const a = new Construct(chart, 'a');
    const b = new Construct(chart, 'b');
    claimName(a, 'Deployment', 'ns', 'llama');
    claimName(a, 'Deployment', 'ns', 'llama'); // the same construct may claim again
    claimName(b, 'Deployment', 'other', 'llama');
    claimName(b, 'Service', 'ns', 'llama');
    expect(() => claimName(b, 'Deployment', 'ns', 'llama')).toThrow(
      /\[test\/b\] id: the Deployment name "llama" in namespace "ns" is already used by test\/a/,
    );
  });
});
