/**
 * What a TrainingInitializer runs. Internal: not exported from the package.
 */
import { SecretKeyReference } from '../security/secret-reference';

/** What an initializer runs, once its target is known. */
export interface InitializerSpec {
  readonly image: string;
  readonly command?: string[];
  readonly args?: string[];
  readonly env: Record<string, string>;
  readonly secretEnv: { [name: string]: SecretKeyReference };
  readonly tokenSecret?: SecretKeyReference;
  /** Where the image expects the volume; undefined: where the workers mount it. */
  readonly mountPath?: string;
  /** Where the data comes from, for the tenant's egress and the report. */
  readonly source: string;
}
