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
