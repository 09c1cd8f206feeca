import { IConstruct } from 'constructs';
import type { EppVersion } from './epp-version';

/** A scheduling profile of the endpoint picker's config file, as EndpointPickerConfig renders it. Internal. */
export interface RenderedProfile {
  readonly name: string;
  readonly plugins: { pluginRef: string; weight?: number }[];
}

/**
 * What a config of several scheduling profiles does in place of the single profile's checks and rendering
 * (EndpointPickerProfiles implements it; EndpointPickerConfig delegates to it). Internal.
 */
export interface ProfileSetHooks {
  validate(scope: IConstruct, prop: string, server: { name: string; inputs: string[] }, version?: EppVersion): void;
  alphaPlugins(version: EppVersion): string[];
  inputs(): string[];
  render(): { plugins: any[]; profiles: RenderedProfile[] };
}

/** A plugin a profile uses: a filter, a picker or a scorer (with its weight). */
interface ProfilePlugin {
  readonly pluginType: string;
  readonly parameters?: { [key: string]: any };
  readonly weight?: number;
}

/**
 * The plugins of a config of several profiles, each declared once: a type two profiles use with different parameters
 * gets a per-profile name. Internal.
 */
export class PluginDeclarations {
  private readonly declared = new Map<string, { type: string; parameters?: { [key: string]: any } }>();

  /** Declares a plugin for `profile` and returns the name the profile refers to it by. */
  public declare(profile: string, type: string, parameters?: { [key: string]: any }): string {
    const same = this.declared.get(type);
    if (!same) {
      this.declared.set(type, { type, parameters });
      return type;
    }
    if (JSON.stringify(same.parameters) === JSON.stringify(parameters)) return type;
    const name = `${profile}-${type}`;
    this.declared.set(name, { type, parameters });
    return name;
  }

  /** A profile that filters, then picks explicitly (the loader would add a shared picker otherwise), then scores. */
  public profile(name: string, filters: readonly ProfilePlugin[], picker: string, scorers: readonly ProfilePlugin[]): RenderedProfile {
    return {
      name,
      plugins: [
        ...filters.map((f) => ({ pluginRef: this.declare(name, f.pluginType, f.parameters) })),
        { pluginRef: this.declare(name, picker) },
        ...scorers.map((s) => ({ pluginRef: this.declare(name, s.pluginType, s.parameters), weight: s.weight })),
      ],
    };
  }

  /** The config's `plugins` list, in the order they were declared. */
  public render(): any[] {
    return [...this.declared.entries()].map(([name, d]) => ({
      ...(name !== d.type ? { name } : {}), type: d.type, ...(d.parameters ? { parameters: d.parameters } : {}),
    }));
  }
}
