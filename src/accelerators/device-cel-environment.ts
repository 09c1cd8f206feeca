import { CelChecker } from '../internal/cel-check';

// The CEL environment of a DRA device selector (CELDeviceSelector.expression of resource.k8s.io/v1), as the
// apiserver compiles it (k8s.io/dynamic-resource-allocation/cel/compile.go on the Kubernetes base environment,
// k8s.io/apiserver/pkg/cel/environment/base.go): one variable `device`, the Kubernetes CEL libraries, and a result
// of type bool or dyn. It does not depend on the Kubernetes version: it declares what the newest apiserver has, so
// as not to refuse what a supported apiserver compiles (test/accelerators/device-selectors.apiserver.test.ts compares
// the two on a corpus, on the 1.34 and 1.37 apiservers). Not checked: the apiserver's cost limit, regex literals and
// the key type of a map index (`device.attributes[1]` passes here).

const DEVICE_TYPE = 'kubernetes.DRADevice';
const QUANTITY = 'kubernetes.Quantity';
const SEMVER = 'kubernetes.Semver';
const URL = 'kubernetes.URL';
const IP = 'net.IP';
const CIDR = 'net.CIDR';

/** Attributes are driver-defined: any domain, any name, any value type (int, bool, string, version). */
const DEVICE = {
  driver: 'string',
  attributes: 'map<string, map<string, dyn>>',
  capacity: `map<string, map<string, ${QUANTITY}>>`,
  allowMultipleAllocations: 'bool',
};

const methods = (receiver: string, signatures: string[]) => signatures.map((s) => `${receiver}.${s}`);

/** library.Quantity as the 1.34 and 1.37 apiservers declare it (sign() is a function there, not a method). */
const QUANTITY_FUNCTIONS = [
  `quantity(string): ${QUANTITY}`, 'isQuantity(string): bool', `sign(${QUANTITY}): int`,
  ...methods(QUANTITY, [
    `isGreaterThan(${QUANTITY}): bool`, `isLessThan(${QUANTITY}): bool`, `compareTo(${QUANTITY}): int`,
    'asApproximateFloat(): double', 'asInteger(): int', 'isInteger(): bool',
    `add(${QUANTITY}): ${QUANTITY}`, `add(int): ${QUANTITY}`, `sub(${QUANTITY}): ${QUANTITY}`, `sub(int): ${QUANTITY}`,
  ]),
];

/** library.SemverLib version 1; a `version` attribute is a Semver. */
const SEMVER_FUNCTIONS = [
  `semver(string): ${SEMVER}`, `semver(string, bool): ${SEMVER}`, 'isSemver(string): bool', 'isSemver(string, bool): bool',
  ...methods(SEMVER, [`isGreaterThan(${SEMVER}): bool`, `isLessThan(${SEMVER}): bool`, `compareTo(${SEMVER}): int`,
    'major(): int', 'minor(): int', 'patch(): int']),
];

/** library.Lists (includes: the DRAListTypeAttributes helper), library.Regex, library.URLs. */
const LIST_REGEX_URL_FUNCTIONS = [
  ...methods('list<A>', ['isSorted(): bool', 'sum(): A', 'min(): A', 'max(): A', 'indexOf(A): int', 'lastIndexOf(A): int']),
  'dyn.includes(dyn): bool',
  'string.find(string): string', 'string.findAll(string): list<string>', 'string.findAll(string, int): list<string>',
  `url(string): ${URL}`, 'isURL(string): bool',
  ...methods(URL, ['getScheme(): string', 'getHost(): string', 'getHostname(): string', 'getPort(): string',
    'getEscapedPath(): string', 'getQuery(): map<string, list<string>>']),
];

/** library.IP and library.CIDR. */
const NETWORK_FUNCTIONS = [
  `ip(string): ${IP}`, 'isIP(string): bool', `string(${IP}): string`,
  ...methods(IP, ['family(): int', 'isUnspecified(): bool', 'isLoopback(): bool', 'isLinkLocalMulticast(): bool',
    'isLinkLocalUnicast(): bool', 'isGlobalUnicast(): bool']),
  `cidr(string): ${CIDR}`, 'isCIDR(string): bool', `string(${CIDR}): string`,
  ...methods(CIDR, [`containsIP(${IP}): bool`, 'containsIP(string): bool', `containsCIDR(${CIDR}): bool`,
    'containsCIDR(string): bool', `ip(): ${IP}`, `masked(): ${CIDR}`, 'prefixLength(): int']),
];

/** cel-go ext.Strings version 2 and the standard global matches(), which the library does not have built in. */
const STRING_FUNCTIONS = [
  'string.charAt(int): string', 'string.replace(string, string): string', 'string.replace(string, string, int): string',
  'string.format(list<dyn>): string', 'matches(string, string): bool',
];

const CHECKER = new CelChecker({
  opaqueTypes: [QUANTITY, SEMVER, URL, IP, CIDR],
  objectTypes: { [DEVICE_TYPE]: DEVICE },
  variables: { device: DEVICE_TYPE },
  functions: [...QUANTITY_FUNCTIONS, ...SEMVER_FUNCTIONS, ...LIST_REGEX_URL_FUNCTIONS, ...NETWORK_FUNCTIONS, ...STRING_FUNCTIONS],
  equatableTypes: [DEVICE_TYPE, QUANTITY, SEMVER, URL, IP, CIDR],
  // ext.Sets, strings.quote, ip.isCanonical, library.Format, optional.ofNonZeroValue; ext.TwoVarComprehensions.
  untypedFunctions: ['sets.*', 'strings.*', 'ip.isCanonical', 'format.*', 'optional.ofNonZeroValue'],
  untypedMacros: ['all', 'exists', 'existsOne', 'transformList', 'transformMap', 'transformMapEntry'],
  optionalTypes: true,
  resultTypes: ['bool', 'dyn'],
});

/**
 * What is wrong with a DRA device selector, or undefined when the apiserver's CEL environment would compile it:
 * syntax, names and types (`device` and its fields, the Kubernetes CEL functions, operands of operators) and a bool
 * (or dyn) result. Attribute and capacity names are not checked: drivers define them.
 */
export function deviceSelectorProblem(expression: string): string | undefined {
  return CHECKER.problem(expression);
}
