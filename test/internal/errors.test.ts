import { Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { ValidationError, invalidProp, requireInteger, requireOneOf, show } from '../../src/internal/errors';

describe('ValidationError', () => {
  test('names the construct path, the prop, the value and what is valid', () => {
    const scope = new Construct(Testing.chart(), 'llama');
    const err = invalidProp(scope, 'replicas', -1, 'an integer >= 0');
    expect(err.message).toBe('[test/llama] replicas: got -1; expected an integer >= 0');
    expect(err.path).toBe('test/llama');
    expect(err.prop).toBe('replicas');
    expect(ValidationError.isValidationError(err)).toBe(true);
    expect(ValidationError.isValidationError(new Error('x'))).toBe(false);
  });

  test('requireInteger rejects fractions and out-of-range values (numbers are float64 in Go and Python)', () => {
    expect(requireInteger('p', 'gpus', 8, 1, 64)).toBe(8);
    expect(() => requireInteger('p', 'gpus', 1.5, 1, 64)).toThrow('[p] gpus: got 1.5; expected an integer from 1 to 64');
    expect(() => requireInteger('p', 'gpus', 0, 1)).toThrow('[p] gpus: got 0; expected an integer >= 1');
  });

  test('requireOneOf lists the valid values', () => {
    expect(() => requireOneOf('p', 'mode', 'x', ['a', 'b'])).toThrow('[p] mode: got "x"; expected one of "a", "b"');
  });

  test('show keeps long values short', () => {
    expect(show({ a: 'x'.repeat(500) }).length).toBe(200);
    expect(show(undefined)).toBe('undefined');
  });
});
