// DRA device selectors for the synth-time CEL check (device-selectors.test.ts) and for the apiserver it must agree
// with (device-selectors.apiserver.test.ts, 1.34 and 1.37).

/** Selectors both apiservers compile: our check accepts each. */
export const ACCEPTED: readonly string[] = [
  "device.driver == 'gpu.nvidia.com'",
  "device.attributes['gpu.nvidia.com'].architecture == 'Hopper'",
  "device.attributes['gpu.nvidia.com'].index < 4",
  "has(device.attributes['gpu.nvidia.com'].productName) && device.attributes['gpu.nvidia.com'].productName.lowerAscii().matches('^nvidia h100')",
  "!has(device.attributes['dra.example.com'].model)",
  "has(device.capacity['gpu.nvidia.com'].memory)",
  "device.attributes['gpu.nvidia.com']['productName'] == 'NVIDIA H100'",
  "device.attributes['dra.example.com'].flag",
  "device.attributes['dra.example.com'].a.b.c == 1",
  "null == device.attributes['dra.example.com'].model",
  "device.attributes['dra.example.com'] == {}",
  "device.capacity['gpu.nvidia.com'].memory.compareTo(quantity('40Gi')) >= 0",
  "device.capacity['gpu.nvidia.com'].memory.isGreaterThan(quantity('40Gi'))",
  "device.capacity['gpu.nvidia.com'].memory == quantity('80Gi')",
  "device.capacity['gpu.nvidia.com'].memory.asApproximateFloat() > 1e9",
  "device.capacity['gpu.nvidia.com'].memory.asInteger() > 1",
  "sign(quantity('1Gi').sub(1)) == 1 && isQuantity('1Gi')",
  "device.attributes['gpu.nvidia.com'].driverVersion.isGreaterThan(semver('550.0.0'))",
  "semver('1.2.3').major() == 1 && isSemver('v1.2', true)",
  "device.attributes['gpu.nvidia.com'].productName.startsWith('NVIDIA') || device.attributes['gpu.nvidia.com'].productName.contains('H100')",
  "device.attributes['gpu.nvidia.com'].productName.split(' ').size() > 1",
  "device.attributes['gpu.nvidia.com'].productName.replace('NVIDIA ', '') == 'H100'",
  "'abc'.charAt(0) == 'a' && '%s'.format(['a']) == 'a' && 'abc'.find('b') == 'b' && matches('abc', 'a')",
  "strings.quote('a') != '' && ip.isCanonical('10.0.0.1')",
  "url('https://x.example').getHost() == 'x.example' && ip('10.0.0.1').family() == 4",
  "cidr('10.0.0.0/8').containsIP('10.1.2.3')",
  "cel.bind(gpu, device.attributes['gpu.nvidia.com'], gpu.architecture == 'Hopper' && gpu.cudaComputeCapability != '')",
  "device.attributes['gpu.nvidia.com'].?architecture.orValue('') == 'Hopper'",
  'optional.ofNonZeroValue(1).hasValue()',
  "'gpu.nvidia.com' in device.attributes && size(device.attributes['gpu.nvidia.com']) > 0",
  "device.attributes.exists(domain, domain.endsWith('.nvidia.com'))",
  "sets.contains(['a', 'b'], ['a'])",
  '[1, 2, 3].isSorted() && [1, 2].sum() == 3 && [1, 2].max() == 2',
  "int(device.attributes['gpu.nvidia.com'].index) % 2 == 0",
  "device.attributes['dra.example.com'].count + 1 > 2 && 1 < 2.0",
  'device == device',
];

/**
 * Selectors the 1.37 apiserver compiles and the 1.34 one does not: our check, which does not depend on the
 * Kubernetes version, accepts them.
 */
export const ACCEPTED_SINCE_1_37: readonly string[] = [
  // The DRAListTypeAttributes helper.
  "device.attributes['dra.example.com'].models.includes('model-a')",
  // Comprehensions over an attribute (of type dyn).
  "device.attributes['dra.example.com'].ports.all(p, p > 1024)",
  "device.attributes['dra.example.com'].ports.transformList(i, p, p + 1).size() > 0",
  // A field of the DRAConsumableCapacity gate, off in the 1.34 environment.
  'device.allowMultipleAllocations',
];

/** Selectors both apiservers reject, with what our check says about each. */
export const REFUSED: ReadonlyArray<readonly [string, string]> = [
  // Syntax.
  ["device.attributes['gpu.nvidia.com'].index <", 'at 43: Unexpected token: EOF'],
  ["has(device.attributes['gpu.nvidia.com'].index", 'at 45: Expected RPAREN, got EOF'],
  ["device.driver == 'gpu.nvidia.com", 'at 17: Unterminated string'],
  ['device.driver device.index', 'at 14: unexpected "device"'],
  ["device.driver === 'x'", 'at 16: Unexpected character: ='],
  ['if device.index > 0', 'at 0: Reserved identifier: if'],
  // The result is not a bool.
  ['device.driver', 'evaluates to string, not bool or dyn'],
  ["device.capacity['gpu.nvidia.com'].memory", 'evaluates to kubernetes.Quantity, not bool or dyn'],
  ["true ? 'gpu' : 'cpu'", 'evaluates to string, not bool or dyn'],
  // Operands and arguments of the wrong type.
  ["device.capacity['gpu.nvidia.com'].memory > 5", 'at 0: no such overload: kubernetes.Quantity > int'],
  ["device.capacity['gpu.nvidia.com'].memory.compareTo('40Gi') >= 0",
    'at 0: found no matching overload for "kubernetes.Quantity.compareTo(string)"'],
  ["device.capacity['gpu.nvidia.com'].memory.isGreaterThan(semver('1.0.0'))",
    'at 0: found no matching overload for "kubernetes.Quantity.isGreaterThan(kubernetes.Semver)"'],
  ["quantity(device.capacity['gpu.nvidia.com'].memory) > quantity('1Gi')",
    'at 0: found no matching overload for "quantity(kubernetes.Quantity)"'],
  ["quantity('1Gi').sign() == 1", 'at 0: found no matching overload for "kubernetes.Quantity.sign()"'],
  ['device.driver == 1', 'at 0: no such overload: string == int'],
  ['device.driver != null', 'at 0: no such overload: string != null'],
  ["device.attributes['dra.example.com'].count == 1 || 1 == 1.0", 'at 51: no such overload: int == double'],
  ["['a', 1].size() == 2", 'at 6: List elements must have the same type, expected type "string" but found "int"'],
  // Names the environment does not have.
  ["device.attributes['gpu.nvidia.com'].productName.noSuchFunction()", 'at 0: found no matching overload for "dyn.noSuchFunction()"'],
  ["device.attributes['gpu.nvidia.com'].productName.reverse() == 'x'", 'at 0: found no matching overload for "dyn.reverse()"'],
  ["device.name == 'gpu-0'", 'at 7: No such key: name'],
  ["devices.driver == 'gpu.nvidia.com'", 'at 0: Unknown variable: devices'],
  ['math.greatest(1, 2) == 2', 'at 0: Unknown variable: math'],
];
