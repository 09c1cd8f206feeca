import { Size, SizeRoundingBehavior } from 'cdk8s';
import type { GpuModel } from './gpu-model';
import type { GpuVendor } from './gpu-vendor';

// CEL device selectors that tolerate naming drift between driver versions: every attribute is guarded with has()
// (a missing attribute would otherwise abort allocation with an error), product names are matched lower-cased by
// pattern, and memory is compared as a quantity. Only attributes the current drivers publish are used
// (NVIDIA v25.12 no longer publishes `index`, `minor` or `pcieBusID`).

/** A CEL string literal in single quotes. */
export function celString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function attribute(vendor: GpuVendor, name: string): string {
  return `device.attributes[${celString(vendor.draDriver)}].${name}`;
}

function capacity(vendor: GpuVendor, name: string): string {
  return `device.capacity[${celString(vendor.draDriver)}].${name}`;
}

function escapeRe2(literal: string): string {
  return literal.replace(/[\\.^$|?*+()[\]{}]/g, '\\$&');
}

/** The RE2 pattern (on the lower-cased name) that selects a model. */
export function productPattern(model: GpuModel): string {
  return model.productNamePattern ?? `^(${model.productNames.map((n) => escapeRe2(n.toLowerCase())).join('|')})$`;
}

/** Selects devices of `model` by product name. */
export function modelSelector(model: GpuModel): string {
  const name = attribute(model.vendor, model.vendor.productNameAttribute);
  const lower = `${name}.lowerAscii()`;
  const parts = [`has(${name})`, `${lower}.matches(${celString(productPattern(model))})`];
  if (model.excludePattern) parts.push(`!${lower}.matches(${celString(model.excludePattern)})`);
  return parts.join(' && ');
}

/** A quantity literal in whole MiB (exact for every Size built from whole MiB or larger units). */
export function quantityOf(size: Size): string {
  const mib = size.toMebibytes({ rounding: SizeRoundingBehavior.NONE });
  if (Number.isInteger(mib / 1024)) return `${mib / 1024}Gi`;
  return `${mib}Mi`;
}

/** Selects devices with at least `size` of memory. */
export function minMemorySelector(vendor: GpuVendor, size: Size): string {
  const mem = capacity(vendor, vendor.memoryCapacity);
  return `has(${mem}) && ${mem}.compareTo(quantity(${celString(quantityOf(size))})) >= 0`;
}

/** Selects MIG devices of `profile`. */
export function migProfileSelector(vendor: GpuVendor, profile: string): string {
  const attr = attribute(vendor, 'profile');
  return `has(${attr}) && ${attr} == ${celString(profile)}`;
}

/** Selects whole GPUs of the vendor's driver (for DeviceClasses of our own). */
export function wholeGpuSelector(vendor: GpuVendor): string {
  const parts = [`device.driver == ${celString(vendor.draDriver)}`];
  if (vendor.typeAttribute && vendor.wholeDeviceType) {
    const attr = attribute(vendor, vendor.typeAttribute);
    parts.push(`has(${attr}) && ${attr} == ${celString(vendor.wholeDeviceType)}`);
  }
  return parts.join(' && ');
}

/**
 * Selects MIG instances of `profile` of the vendor's driver (for DeviceClasses of our own), as the NVIDIA driver's own
 * `mig.nvidia.com` class selects MIG devices by `type == 'mig'` (k8s-dra-driver-gpu deployments/helm DeviceClasses).
 */
export function migInstanceSelector(vendor: GpuVendor, profile: string): string {
  const type = attribute(vendor, vendor.typeAttribute ?? 'type');
  return [`device.driver == ${celString(vendor.draDriver)}`, `has(${type}) && ${type} == 'mig'`, migProfileSelector(vendor, profile)].join(' && ');
}
