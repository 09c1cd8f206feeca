import { IConstruct } from 'constructs';
import { invalidProp } from '../internal/errors';

/** Where an adapter's weights come from. */
export enum LoraAdapterKind {
  /** A Hugging Face Hub repository (the server downloads it). */
  HUGGING_FACE = 'HuggingFace',
  /** A directory inside the model volume (`/mnt/models/...`). */
  MODEL_PATH = 'ModelPath',
}

/**
 * A LoRA adapter served next to the base model; clients select it by its name as the request's `model`.
 *
 * ```ts
 * LoraAdapter.huggingFace('sql', 'acme/llama-3.1-8b-sql-lora')
 * LoraAdapter.modelPath('support', 'adapters/support')   // inside a PVC or downloaded model
 * ```
 */
export class LoraAdapter {
  /**
   * An adapter from the Hugging Face Hub.
   *
   * @param name The name clients use as `model`.
   * @param repository The Hub repository id, e.g. `acme/llama-3.1-8b-sql-lora`.
   */
  public static huggingFace(name: string, repository: string): LoraAdapter {
    return new LoraAdapter(name, LoraAdapterKind.HUGGING_FACE, repository);
  }

  /**
   * An adapter directory relative to the model volume (`/mnt/models`): the model source must be a
   * PersistentVolumeClaim or a storage URI.
   *
   * @param name The name clients use as `model`.
   * @param path The directory relative to `/mnt/models`, e.g. `adapters/support`.
   */
  public static modelPath(name: string, path: string): LoraAdapter {
    return new LoraAdapter(name, LoraAdapterKind.MODEL_PATH, path);
  }

  /** The name clients use as `model`. */
  public readonly name: string;
  /** Where the weights come from. */
  public readonly kind: LoraAdapterKind;
  /** The repository id or path. */
  public readonly location: string;

  private constructor(name: string, kind: LoraAdapterKind, location: string) {
    this.name = name;
    this.kind = kind;
    this.location = location;
  }

  /** @internal */
  public _validate(scope: IConstruct, prop: string): void {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(this.name)) {
      throw invalidProp(scope, `${prop}.name`, this.name, 'letters, digits, ".", "_" and "-", starting with a letter or digit, at most 128 characters');
    }
    if (this.kind === LoraAdapterKind.HUGGING_FACE && !/^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/.test(this.location)) {
      throw invalidProp(scope, `${prop}.repository`, this.location, 'a Hugging Face repository id such as "acme/llama-lora"');
    }
    if (this.kind === LoraAdapterKind.MODEL_PATH && (this.location.startsWith('/') || this.location.split('/').includes('..') || !this.location)) {
      throw invalidProp(scope, `${prop}.path`, this.location, 'a relative path inside the model volume without ".."');
    }
  }
}
