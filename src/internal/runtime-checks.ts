import { Duration, Size } from 'cdk8s';
import { IConstruct } from 'constructs';
import { invalidProp, show, ValidationError } from './errors';
import { redact, secretValueKind } from './secret-detection';

/**
 * Runtime checks of what crosses a public entry point. TypeScript checks types at compile time; plain JavaScript
 * (and any caller that bypasses the types) does not, and a missing props object or a string where a `GpuModel` is
 * expected would otherwise surface as `TypeError: Cannot read properties of undefined` deep inside a construct.
 * Every public constructor and static factory checks its required props and the types of its props here first,
 * so the caller gets our `ValidationError` naming the prop, the bad value and what would be valid.
 */

/** A class whose instances a prop must be (`GpuModel`, `Duration`, ...). */
export interface ClassRef { readonly name: string; readonly prototype: object }

/** What a prop must be. */
export type Kind = 'string' | 'number' | 'boolean' | 'object' | 'array' | 'string[]' | 'string-map' | 'function' | 'construct'
| 'duration' | 'size' | ClassRef;

/** One prop's check: its kind, whether it is required, and (optionally) the words for what would be valid. */
export interface PropCheck {
  readonly kind: Kind;
  readonly required: boolean;
  readonly expected?: string;
}

/** A required prop of `kind`. */
export function req(kind: Kind, expected?: string): PropCheck {
  return { kind, required: true, expected };
}

/** An optional prop of `kind` (`undefined` is fine; `null` from JavaScript counts as unset). */
export function opt(kind: Kind, expected?: string): PropCheck {
  return { kind, required: false, expected };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isInstance(v: unknown, cls: ClassRef): boolean {
  if (v instanceof (cls as unknown as new () => unknown)) return true;
  // Two copies of the library in one app (a jsii host loads its own): same class name up the prototype chain.
  let proto = v !== null && typeof v === 'object' ? Object.getPrototypeOf(v) : undefined;
  while (proto) {
    if (proto.constructor?.name === cls.name) return true;
    proto = Object.getPrototypeOf(proto);
  }
  return false;
}

function matches(v: unknown, kind: Kind): boolean {
  switch (kind) {
    case 'string': return typeof v === 'string';
    case 'number': return typeof v === 'number';
    case 'boolean': return typeof v === 'boolean';
    case 'object': return isPlainObject(v) || (typeof v === 'object' && v !== null && !Array.isArray(v));
    case 'array': return Array.isArray(v);
    case 'string[]': return Array.isArray(v) && v.every((x) => typeof x === 'string');
    case 'string-map': return isPlainObject(v) && Object.values(v).every((x) => typeof x === 'string');
    case 'function': return typeof v === 'function';
    case 'construct': return typeof v === 'object' && v !== null && typeof (v as IConstruct).node?.path === 'string';
    case 'duration': return isInstance(v, Duration as unknown as ClassRef);
    case 'size': return isInstance(v, Size as unknown as ClassRef);
    default: return isInstance(v, kind);
  }
}

/** Words for what a `kind` is, for the message. */
export function describeKind(kind: Kind): string {
  switch (kind) {
    case 'string': return 'a string';
    case 'number': return 'a number';
    case 'boolean': return 'true or false';
    case 'object': return 'an object';
    case 'array': return 'an array';
    case 'string[]': return 'an array of strings';
    case 'string-map': return 'an object of string values';
    case 'function': return 'a function';
    case 'construct': return 'a construct';
    case 'duration': return 'a Duration (e.g. Duration.seconds(30))';
    case 'size': return 'a Size (e.g. Size.gibibytes(10))';
    default: return `a ${kind.name} (made with ${kind.name}'s static factories or constants)`;
  }
}

/** Describes a value's type for a message, e.g. `"H100" (a string)`. */
function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return v.constructor && v.constructor !== Object ? `a ${v.constructor.name}` : 'an object';
  return `a ${typeof v}`;
}

/** Throws unless `value` is of `kind`; `required` refuses `undefined` (and `null`). Returns the value. */
export function requireKind<T>(scope: IConstruct | string, prop: string, value: T, check: PropCheck): T {
  if (value === undefined || value === null) {
    if (check.required) throw invalidProp(scope, prop, value, `${check.expected ?? describeKind(check.kind)} (it is required)`);
    return value;
  }
  if (check.kind === 'string-map' && isPlainObject(value)) {
    const bad = Object.keys(value).find((k) => typeof value[k] !== 'string');
    if (bad !== undefined) throw invalidProp(scope, `${prop}.${bad}`, value[bad], 'a string value');
  }
  if (!matches(value, check.kind)) {
    // A string that looks like a credential is shown redacted: it is often one given where its reference belongs.
    const text = typeof value === 'string' && secretValueKind(value) ? redact(value) : show(value);
    const shown = typeof value === 'object' || typeof value === 'function' ? typeOf(value) : `${text} (${typeOf(value)})`;
    throw new ValidationError(scope, prop, `got ${shown}; expected ${check.expected ?? describeKind(check.kind)}`);
  }
  return value;
}

/**
 * Checks a props object at a public entry point: `props` must be an object (or left out when no prop is required),
 * every required prop present, and every prop given of its kind. `prefix` names nested props (`provisioner.`).
 * Returns the props (`{}` when left out), so constructors can write `props = checkProps(...)`.
 */
export function checkProps<T>(scope: IConstruct | string, typeName: string, props: T | undefined,
  spec: { readonly [prop: string]: PropCheck }, prefix = ''): T {
  const required = Object.keys(spec).filter((k) => spec[k].required);
  const propsName = prefix ? prefix.replace(/\.$/, '') : 'props';
  if (props === undefined || props === null) {
    if (required.length === 0) return {} as T;
    throw invalidProp(scope, propsName, props, `a ${typeName} object with ${required.join(', ')}`);
  }
  if (!isPlainObject(props)) {
    throw invalidProp(scope, propsName, props, `a ${typeName} object${required.length ? ` with ${required.join(', ')}` : ''}`);
  }
  for (const [name, check] of Object.entries(spec)) {
    requireKind(scope, `${prefix}${name}`, (props as Record<string, unknown>)[name], check);
  }
  return props;
}

/** Throws unless `scope` is a construct (the first argument of `X.of(scope)` and `X.allOf(scope)`). */
export function requireScope<T>(factory: string, scope: T): T {
  return requireKind(factory, 'scope', scope, req('construct', 'a construct such as a Chart or the App'));
}
