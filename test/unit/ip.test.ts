// ipFamily with uv_inet_pton semantics (test-utils.R "ipFamily works correctly").
import test from 'node:test';
import assert from 'node:assert/strict';
import { ipFamily } from '../../src/ip.js';

test('test-utils.R: IPv4', () => {
  assert.equal(ipFamily('127.0.0.1'), 4);
  assert.equal(ipFamily('0.0.0.0'), 4);
  assert.equal(ipFamily('192.168.0.1'), 4);
});

test('test-utils.R: IPv6', () => {
  assert.equal(ipFamily('::1'), 6);
  assert.equal(ipFamily('::'), 6);
  assert.equal(ipFamily('fe80::91:5800:400a:075c'), 6);
  assert.equal(ipFamily('fe80::1'), 6);
});

test('test-utils.R: IPv6 with zone id', () => {
  assert.equal(ipFamily('::1%lo0'), 6);
  assert.equal(ipFamily('::%1'), 6);
  assert.equal(ipFamily('fe80::91:5800:400a:075c%en0'), 6);
  assert.equal(ipFamily('fe80::1%abcd'), 6);
});

test('test-utils.R: neither', () => {
  assert.equal(ipFamily('fe80::91:5800:400a:%075c'), -1);
  assert.equal(ipFamily(':::1'), -1);
  assert.equal(ipFamily(':1'), -1);
  assert.equal(ipFamily('127.0.0.1%1'), -1);
  assert.equal(ipFamily('10.0.0.500'), -1);
  assert.equal(ipFamily('0.0.200'), -1);
  assert.equal(ipFamily('123'), -1);
  assert.equal(ipFamily('localhost'), -1);
});

test('manual examples', () => {
  assert.equal(ipFamily('500.0.0.500'), -1);
  assert.equal(ipFamily('fe80::1ff:fe23:4567:890a'), 6);
});

test('IPv4 edge cases: strict dotted quad', () => {
  assert.equal(ipFamily('255.255.255.255'), 4);
  assert.equal(ipFamily('1.2.3.4'), 4);
  assert.equal(ipFamily('10.0.0.0'), 4);
  for (const bad of ['01.2.3.4', '1.2.3.04', '1.2.3.00', '256.1.1.1', '1.2.3.256', '1.2.3', '1.2.3.4.5',
    '1.2.3.4.', '.1.2.3.4', '1..2.3', ' 1.2.3.4', '1.2.3.4 ', '1.2.3.4\n', '0x1.2.3.4', '1.2.3.-4',
    '+1.2.3.4', '1.2.3.4/8', '１.2.3.4', '1.2.3.4\0', '']) {
    assert.equal(ipFamily(bad), -1, JSON.stringify(bad));
  }
});

test('IPv6 edge cases', () => {
  const good = ['1:2:3:4:5:6:7:8', '1::', '1::8', '::ffff:1.2.3.4', '::1.2.3.4', '1:2:3:4:5:6:1.2.3.4',
    'FE80::ABCD', 'fE80:0:0:0:0:0:0:1', '0000:0000:0000:0000:0000:0000:0000:0001', '1:2:3:4:5:6:7::',
    '::2:3:4:5:6:7:8', 'fe80::1%', 'fe80::1%%', 'fe80::1%anything at all', '::ffff:1.2.3.4%1.2'];
  for (const ip of good) assert.equal(ipFamily(ip), 6, ip);
  const bad = ['1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '1::2::3', '12345::', '1:', ':', ':::', '1:2:3:4:5:6:7:8::',
    '::1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:1.2.3.4', '::ffff:01.2.3.4', '::ffff:1.2.3', '::1.2.3.4:5',
    'g::1', ' ::1', '::1 ', '[::1]', '::1/128', '%1', '\0::1'];
  for (const ip of bad) assert.equal(ipFamily(ip), -1, ip);
});

test('IPv6: the part before the zone id may be at most 45 characters', () => {
  const long = '0000:0000:0000:0000:0000:0000:0000:0001'; // 39 characters
  assert.equal(ipFamily(long + '%eth0'), 6);
  const v4tail = '0000:0000:0000:0000:0000:ffff:255.255.255.255'; // 45 characters
  assert.equal(v4tail.length, 45);
  assert.equal(ipFamily(v4tail), 6);
  assert.equal(ipFamily(v4tail + '%1'), 6);
});

test('non-strings throw a TypeError naming ip', () => {
  for (const bad of [undefined, null, 4, ['::1'], {}]) {
    assert.throws(() => ipFamily(bad as unknown as string), (e: unknown) => e instanceof TypeError && /^ip /.test(e.message));
  }
});
