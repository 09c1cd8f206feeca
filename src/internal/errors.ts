import { IConstruct } from 'constructs';
import { pathForCallers, propForCallers, textForCallers } from './caller-names';

const VALIDATION_ERROR = Symbol.for('cdk8s-ai.ValidationError');

/**
 * The one error type for invalid props. The message always names the construct path, the prop, the bad value and
 * what would be valid, so a user can fix the input without reading our code. Multi-word props and factories are
 * named in both spellings, TypeScript's and Python's (`apiServer (api_server)`, `EvalDelivery.argoCd() (argo_cd())`),
 * so a Python or Go caller recognises them; `prop` keeps the TypeScript spelling.
 */
export class ValidationError extends Error {
  public static isValidationError(x: unknown): x is ValidationError {
    return x !== null && typeof x === 'object' && VALIDATION_ERROR in x;
  }

  public readonly path: string;
  public readonly prop: string;
  /** The problem as the thrower wrote it (before the message's renaming for callers). */
  public readonly problem: string;

  constructor(scope: IConstruct | string, prop: string, problem: string) {
    const path = typeof scope === 'string' ? scope : pathOf(scope);
    super(`[${pathForCallers(path)}] ${propForCallers(prop)}: ${textForCallers(problem)}`);
    Object.defineProperty(this, VALIDATION_ERROR, { value: true });
    this.name = 'ValidationError';
    this.path = path;
    this.prop = prop;
    this.problem = problem;
  }
}

function pathOf(scope: IConstruct): string {
  return scope.node.path || scope.node.id || '<root>';
}

/** Renders a user value for an error message: strings quoted, objects as compact JSON. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'undefined';
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  try {
    const json = JSON.stringify(value);
    return json.length > 200 ? `${json.slice(0, 197)}...` : json;
  } catch {
    return String(value);
  }
}

/** `[path] prop: got <value>; expected <what is valid>` */
export function invalidProp(scope: IConstruct | string, prop: string, value: unknown, expected: string): ValidationError {
  return new ValidationError(scope, prop, `got ${show(value)}; expected ${expected}`);
}

/** Throws unless `value` is an integer within [min, max]. Numbers cross jsii as float64, so integers are checked here. */
export function requireInteger(scope: IConstruct | string, prop: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    throw invalidProp(scope, prop, value, `an integer ${range}`);
  }
  return value;
}

/** Throws unless `value` is one of `allowed`. */
export function requireOneOf<T>(scope: IConstruct | string, prop: string, value: T, allowed: readonly T[]): T {
  if (!allowed.includes(value)) {
    throw invalidProp(scope, prop, value, `one of ${allowed.map(show).join(', ')}`);
  }
  return value;
}

/**
 * A message for a cdk8s validation (`node.addValidation`), which cdk8s prefixes with `[path] `: the same
 * `prop: problem` text, with both spellings of multi-word props and factories, as a ValidationError's.
 */
export function validationMessage(prop: string, problem: string): string {
  return `${propForCallers(prop)}: ${textForCallers(problem)}`;
}
