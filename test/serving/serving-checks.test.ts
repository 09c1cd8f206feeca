import { Construct } from 'constructs';
import { checkLeastPrivilege, checkLeaderWorkerSet, checkPoolSelector, checkTargetPorts, Need, rulesFor } from '../../src/serving/serving-checks';

/** The cross-checks as functions: each must be able to fail. */
const scope = new Construct(undefined as any, 'svc');
const own = { owner: 'a', namespace: 'ns', labels: { 'app': 'a', 'role': 'server', 'leaderworkerset.sigs.k8s.io/worker-index': '0' } };

describe('pool selector', () => {
  test('accepts a selector of the service\'s own labels', () => {
    expect(() => checkPoolSelector(scope, { app: 'a', role: 'server' }, own, [own])).not.toThrow();
  });
  test('refuses a selector that misses the service\'s pods', () => {
    expect(() => checkPoolSelector(scope, { app: 'b' }, own, [])).toThrow('app="b" is not on the service\'s pods');
  });
  test('refuses a selector that also selects another workload in the namespace', () => {
    const other = { owner: 'b', namespace: 'ns', labels: { app: 'a', role: 'server', extra: 'x' } };
    expect(() => checkPoolSelector(scope, { app: 'a' }, own, [own, other])).toThrow('also selects the pods of b');
    expect(() => checkPoolSelector(scope, { app: 'a' }, own, [{ ...other, namespace: 'elsewhere' }])).not.toThrow();
  });
  test('refuses an empty or oversized selector, and bad label values', () => {
    expect(() => checkPoolSelector(scope, {}, own, [])).toThrow('from 1 to 64 labels');
    const big: { [k: string]: string } = {};
    for (let i = 0; i < 65; i++) big[`k${i}`] = 'v';
    expect(() => checkPoolSelector(scope, big, { ...own, labels: big }, [])).toThrow('from 1 to 64 labels');
    expect(() => checkPoolSelector(scope, { app: 'a b' }, own, [])).toThrow('expected a label value');
    // the shared qualified-name check: a prefix with an empty DNS part is not a label key
    expect(() => checkPoolSelector(scope, { 'a..b/app': 'a' }, { ...own, labels: { 'a..b/app': 'a' } }, [])).toThrow('got "a..b/app"; expected a label key');
    expect(() => checkPoolSelector(scope, { 'a.b/app': 'a' }, { ...own, labels: { 'a.b/app': 'a' } }, [])).not.toThrow();
  });
});

describe('target ports', () => {
  test('must be 1 to 8 unique ports the server listens on', () => {
    expect(() => checkTargetPorts(scope, [8000], [8000])).not.toThrow();
    expect(() => checkTargetPorts(scope, [8001], [8000])).toThrow('8001 is not a port of the model server (it listens on 8000)');
    expect(() => checkTargetPorts(scope, [8000, 8000], [8000])).toThrow('unique port numbers');
    expect(() => checkTargetPorts(scope, [], [8000])).toThrow('from 1 to 8 ports');
    expect(() => checkTargetPorts(scope, [1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 5, 6, 7, 8, 9])).toThrow('from 1 to 8 ports');
  });
});

describe('least privilege', () => {
  const needs: Need[] = [
    { apiGroup: '', resource: 'pods', verbs: ['get', 'list', 'watch'] },
    { apiGroup: 'inference.networking.k8s.io', resource: 'inferencepools', verbs: ['get', 'list', 'watch'] },
  ];
  test('the generated rules grant exactly the needs', () => {
    expect(() => checkLeastPrivilege(scope, rulesFor(needs), needs)).not.toThrow();
  });
  test('a missing permission is refused', () => {
    expect(() => checkLeastPrivilege(scope, rulesFor(needs.slice(0, 1)), needs)).toThrow('the picker needs get on inference.networking.k8s.io/inferencepools');
  });
  test('an extra verb or resource is refused', () => {
    const rules = [...rulesFor(needs), { apiGroups: [''], resources: ['secrets'], verbs: ['get'] }];
    expect(() => checkLeastPrivilege(scope, rules, needs)).toThrow('the Role grants get on core/secrets, which the picker does not need');
    const wider = [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'delete'] }, ...rulesFor(needs.slice(1))];
    expect(() => checkLeastPrivilege(scope, wider, needs)).toThrow('grants delete on core/pods');
  });
});

describe('LeaderWorkerSet webhook rules', () => {
  test('size and sub-groups', () => {
    expect(() => checkLeaderWorkerSet(scope, 4, 2, false)).not.toThrow();
    expect(() => checkLeaderWorkerSet(scope, 5, 2, true)).not.toThrow();
    expect(() => checkLeaderWorkerSet(scope, 5, 2, false)).toThrow('a divisor of 5 (the group\'s pods)');
    expect(() => checkLeaderWorkerSet(scope, 4, 2, true)).toThrow('a divisor of 3 (the group\'s workers)');
    expect(() => checkLeaderWorkerSet(scope, 0, undefined, false)).toThrow('a group size of at least 1');
    expect(() => checkLeaderWorkerSet(scope, 2, 0, false)).toThrow('an integer from 1 to the group size 2');
  });
});
