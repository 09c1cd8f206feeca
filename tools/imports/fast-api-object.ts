// Written into imports/ by tools/imports/generate.ts; edit it there (tools/imports/fast-api-object.ts).
import { ApiObject, ApiObjectProps, App, ImplicitTokenResolver, IResolver, JsonPatch, Lazy, LazyResolver, NumberStringUnionResolver } from 'cdk8s';
import { Construct } from 'constructs';

/** Returned by `render` for a value only cdk8s's own two passes know how to write (or to refuse). */
const NOT_PLAIN = Symbol('not plain');

/** Whether an App renders with cdk8s's built-in resolvers only (none of the caller's own). */
const BUILT_IN_ONLY = new WeakMap<App, boolean>();

function builtInResolversOnly(app: App): boolean {
  let known = BUILT_IN_ONLY.get(app);
  if (known === undefined) {
    const r: IResolver[] = app.resolvers;
    known = r.length === 3 && r[0] instanceof LazyResolver && r[1] instanceof ImplicitTokenResolver && r[2] instanceof NumberStringUnionResolver;
    BUILT_IN_ONLY.set(app, known);
  }
  return known;
}

/**
 * One pass of what cdk8s's `resolve` and `sanitizeValue` do in two (cdk8s 2.70 `lib/resolve.js`, `lib/_util.js`),
 * with the built-in resolvers in their order: a `Lazy` is produced, a value with a `resolve()` method is resolved,
 * a number-or-string union (`Quantity`, `IntOrString`) becomes `{ value }`, and the result is rendered again; null
 * and undefined are left out of objects; object keys are sorted unless `CDK8S_DISABLE_SORT` is set. Any other class
 * instance gives `NOT_PLAIN`, and the caller lets cdk8s write (or refuse) the object itself.
 */
function render(value: any, sortKeys: boolean): any {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      const item = render(value[i], sortKeys);
      if (item === NOT_PLAIN) return NOT_PLAIN;
      out[i] = item;
    }
    return out;
  }
  if (value.constructor === Object && typeof value.resolve !== 'function') {
    const keys = Object.keys(value);
    if (sortKeys) keys.sort();
    const out: Record<string, any> = {};
    for (const key of keys) {
      const item = render(value[key], sortKeys);
      if (item === NOT_PLAIN) return NOT_PLAIN;
      if (item !== undefined && item !== null) out[key] = item;
    }
    return out;
  }
  if (value instanceof Lazy) return render(value.produce(), sortKeys);
  if (typeof value.resolve === 'function') return render(value.resolve(), sortKeys);
  if (value.constructor !== Object && (typeof value.value === 'number' || typeof value.value === 'string')) return { value: value.value };
  return NOT_PLAIN;
}

/**
 * A cdk8s `ApiObject` that renders its JSON in one pass instead of two. A large platform has tens of thousands of
 * objects and cdk8s walks each twice (resolve, then sanitize) and copies it twice; this writes the same JSON, key for
 * key, in one walk. The object falls back to cdk8s's own rendering when the App has resolvers of its own, when a
 * JSON patch was added, or when a value is not plain JSON, a token or a number-or-string union (so cdk8s writes, or
 * refuses, exactly what it would have).
 *
 * The generated L1 classes in `imports/` extend it (see tools/imports/generate.ts); constructs that build a plain
 * `ApiObject` construct this one.
 */
export class FastApiObject extends ApiObject {
  /** The props as given (cdk8s keeps its copy private). */
  private readonly given: ApiObjectProps;
  private patched = false;

  constructor(scope: Construct, id: string, props: ApiObjectProps) {
    super(scope, id, props);
    this.given = props;
  }

  public override addJsonPatch(...ops: JsonPatch[]): void {
    this.patched = true;
    super.addJsonPatch(...ops);
  }

  public override toJson(): any {
    if (this.patched || !builtInResolversOnly(App.of(this) as App)) return super.toJson();
    let json: any;
    try {
      json = render({ ...this.given, metadata: this.metadata.toJson() }, !process.env.CDK8S_DISABLE_SORT);
    } catch (e) {
      throw new Error(`Failed serializing construct at path '${this.node.path}' with name '${this.name}': ${e}`);
    }
    if (json === NOT_PLAIN) return super.toJson();
    // apiVersion, kind and metadata first, then the rest (as cdk8s orders them).
    const result: Record<string, any> = {};
    for (const key of ['apiVersion', 'kind', 'metadata']) if (key in json) result[key] = json[key];
    for (const key of Object.keys(json)) if (!(key in result)) result[key] = json[key];
    return result;
  }
}
