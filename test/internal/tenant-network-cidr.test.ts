import { Chart, Testing } from 'cdk8s';
import { cidrStrictlyContains, isCidr, isWholeInternet } from '../../src/internal/cidr';
import { allowTraffic } from '../../src/security/tenant-network';

describe('CIDR checks of the traffic hook', () => {
  test.each([
    ['10.0.0.0/8', true],
    ['10.0.0.10/32', true],
    ['0.0.0.0/0', true],
    ['::/0', true],
    ['2001:db8::/32', true],
    ['fd00::/8', true],
    ['::ffff:10.0.0.1/128', true],
    ['1:2:3:4:5:6:7:8/64', true],
    ['10.0.0.256/32', false],
    ['10.0.0/24', false],
    ['10.0.0.0/33', false],
    ['10.0.0.0', false],
    ['2001:db8::1::/64', false],
    ['1:2:3:4:5:6:7:8:9/64', false],
    ['2001:db8::/129', false],
    ['huggingface.co/32', false],
  ])('%s is a CIDR: %s', (cidr, expected) => {
    expect(isCidr(cidr)).toBe(expected);
  });

  test.each([
    ['0.0.0.0/0', '10.0.0.0/8', true],
    ['10.0.0.0/8', '10.1.0.0/16', true],
    ['10.0.0.0/8', '10.0.0.0/8', false], // not strictly inside
    ['10.0.0.0/8', '11.0.0.0/16', false],
    ['10.0.0.0/8', '0.0.0.0/0', false],
    ['::/0', 'fd00::/8', true],
    ['2001:db8::/32', '2001:db8:1::/48', true],
    ['2001:db8::/32', '2001:db9::/48', false],
    ['0.0.0.0/0', 'fd00::/8', false], // other family
  ])('%s strictly contains %s: %s', (outer, inner, expected) => {
    expect(cidrStrictlyContains(outer, inner)).toBe(expected);
  });

  test('the whole address space of either family', () => {
    expect(isWholeInternet('0.0.0.0/0')).toBe(true);
    expect(isWholeInternet('::/0')).toBe(true);
    expect(isWholeInternet('0.0.0.0/1')).toBe(false);
  });

  test('an edge to several ranges validates every range and every exclusion', () => {
    const chart = new Chart(Testing.app(), 'c');
    const edge = (cidrs: string[], except?: string[]) => () => allowTraffic({
      scope: chart, name: 'x', description: 'x', from: { namespace: 'a' }, to: { cidrs, except }, ports: [{ port: 443 }],
    });
    expect(edge(['10.0.0.0/8', '2001:db8::/32'], ['10.1.0.0/16', '2001:db8:1::/48'])).not.toThrow();
    expect(edge([])).toThrow('[c] traffic.to.cidrs: got []; expected at least one CIDR');
    expect(edge(['10.0.0.0/8', 'x'])).toThrow('[c] traffic.to.cidrs[1]: got "x"; expected a CIDR such as "10.0.0.0/8"');
    expect(edge(['10.0.0.0/8'], ['192.168.0.0/16'])).toThrow('[c] traffic.to.except[0]: got "192.168.0.0/16"; expected a range strictly inside 10.0.0.0/8');
  });
});
