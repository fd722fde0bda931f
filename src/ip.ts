// ipFamily(): whether a string is an IPv4 or IPv6 address literal, with the exact rules of
// libuv's uv_inet_pton (which httpuv uses), implemented here in TypeScript. Node's net.isIP
// differs (it accepts zone ids only in some forms and has its own IPv4 rules), so it is not used.

import { assertString } from './validate.js';

// uv__INET6_ADDRSTRLEN - 1: the longest address part accepted before a `%` zone id.
const MAX_IPV6_BEFORE_ZONE = 45;

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function hexDigit(c: number): number {
  if (isDigit(c)) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/**
 * Strict dotted quad (libuv inet_pton4): exactly four decimal parts 0..255 separated by single
 * dots, no leading zeros ("01"), no empty parts, nothing else. Parses s[from..] to its end.
 */
function isIPv4(s: string, from = 0): boolean {
  let sawDigit = false;
  let octets = 0;
  let value = 0;
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isDigit(c)) {
      if (sawDigit && value === 0) return false; // leading zero
      value = value * 10 + (c - 0x30);
      if (value > 255) return false;
      if (!sawDigit) {
        if (++octets > 4) return false;
        sawDigit = true;
      }
    } else if (c === 0x2e /* . */ && sawDigit) {
      if (octets === 4) return false;
      value = 0;
      sawDigit = false;
    } else {
      return false;
    }
  }
  return octets === 4 && sawDigit;
}

/** libuv inet_pton6: up to eight 16-bit groups, one `::`, an optional trailing dotted quad. */
function isIPv6(s: string): boolean {
  const GROUP_BYTES = 16;
  let i = 0;
  // A leading ':' must be part of '::'.
  if (s.charCodeAt(0) === 0x3a && s.charCodeAt(++i) !== 0x3a) return false;
  let bytes = 0; // bytes written so far (tp - tmp)
  let sawDoubleColon = false;
  let digits = 0;
  let tokenStart = i;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (hexDigit(c) >= 0) {
      if (++digits > 4) return false;
      continue;
    }
    if (c === 0x3a /* : */) {
      tokenStart = i + 1;
      if (digits === 0) {
        if (sawDoubleColon) return false;
        sawDoubleColon = true;
        continue;
      }
      if (i + 1 === s.length) return false; // trailing single ':'
      if (bytes + 2 > GROUP_BYTES) return false;
      bytes += 2;
      digits = 0;
      continue;
    }
    if (c === 0x2e /* . */ && bytes + 4 <= GROUP_BYTES && isIPv4(s, tokenStart)) {
      bytes += 4;
      digits = 0;
      i = s.length; // the dotted quad ran to the end of the string
      break;
    }
    return false;
  }
  if (digits > 0) {
    if (bytes + 2 > GROUP_BYTES) return false;
    bytes += 2;
  }
  if (sawDoubleColon) {
    // '::' must stand for at least one zero group.
    return bytes !== GROUP_BYTES;
  }
  return bytes === GROUP_BYTES;
}

/**
 * Tells whether `ip` is an IPv4 or IPv6 address literal, as httpuv's `ipFamily` does (libuv's
 * `uv_inet_pton`, IPv6 tried first):
 * - IPv6: everything from the first `%` on (a zone id such as `%lo0` or `%1`) is ignored, so
 *   `"::1%lo0"` is 6; an embedded dotted quad is allowed (`"::ffff:1.2.3.4"`).
 * - IPv4: a strict dotted quad: four decimal parts 0–255, no leading zeros (`"01.2.3.4"`), no
 *   short forms (`"0.0.200"`, `"123"`), no spaces, no zone id (`"127.0.0.1%1"` is -1).
 * Host names such as `"localhost"` are -1.
 *
 * @param ip - The string to test.
 * @returns 4 for IPv4, 6 for IPv6, -1 otherwise.
 * @throws TypeError naming `ip` when it is not a string.
 */
export function ipFamily(ip: string): 4 | 6 | -1 {
  assertString('ip', ip);
  // A JS string may contain NUL, which the C string libuv sees would end early; reject it.
  if (ip.includes('\0')) return -1;
  const zone = ip.indexOf('%');
  const v6 = zone >= 0 ? ip.slice(0, zone) : ip;
  if (v6.length <= MAX_IPV6_BEFORE_ZONE || zone < 0) {
    if (isIPv6(v6)) return 6;
  }
  if (isIPv4(ip)) return 4;
  return -1;
}
