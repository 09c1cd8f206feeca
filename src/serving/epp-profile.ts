/** A scheduling profile of the endpoint picker's config file, as EndpointPickerConfig renders it. Internal. */
export interface RenderedProfile {
  readonly name: string;
  readonly plugins: { pluginRef: string; weight?: number }[];
}
