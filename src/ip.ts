// ipFamily(): which IP version a literal is (placeholder until the full R-semantics module lands).
import * as net from 'node:net';
import { assertString } from './validate.js';

/** 4 or 6 for an IPv4/IPv6 literal, -1 otherwise. */
export function ipFamily(ip: string): 4 | 6 | -1 {
  assertString('ip', ip);
  const v6 = ip.split('%')[0];
  if (net.isIPv6(v6)) return 6;
  if (net.isIPv4(ip) && !/(^|\.)0\d/.test(ip)) return 4;
  return -1;
}
