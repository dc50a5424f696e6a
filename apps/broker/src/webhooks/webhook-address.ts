import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/**
 * Where a webhook may never go (OWASP API7, SSRF): the host itself, private networks, link-local
 * (with the cloud metadata endpoints), shared address space, and every special-purpose range of the
 * IANA registries. Loopback is refused too unless a development setting allows it.
 */
const REFUSED = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  REFUSED.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  // IPv4-compatible (deprecated, RFC 4291) and IPv4-translated (RFC 2765) forms, the unspecified
  // address among them; ::1 is checked as loopback first.
  ['::', 96],
  ['::ffff:0:0:0', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  REFUSED.addSubnet(net, prefix, 'ipv6');
}
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** The IPv4 address an IPv6 address carries (IPv4-mapped, or NAT64 64:ff9b::/96), if it does. */
function embeddedIpv4(ip: string): string | undefined {
  const mapped = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  if (mapped !== undefined) return mapped;
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(ip);
  if (hex?.[1] === undefined || hex[2] === undefined) return undefined;
  const [high, low] = [parseInt(hex[1], 16), parseInt(hex[2], 16)];
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

/** Whether a webhook may connect to `ip` (a literal address as the resolver or URL gives it). */
export function isAllowedWebhookAddress(ip: string, allowLoopback: boolean): boolean {
  const bare = ip.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (family === 0) return false;
  const v4 = family === 6 ? embeddedIpv4(bare) : bare;
  if (v4 !== undefined) {
    if (LOOPBACK.check(v4, 'ipv4')) return allowLoopback;
    return !REFUSED.check(v4, 'ipv4');
  }
  if (LOOPBACK.check(bare, 'ipv6')) return allowLoopback;
  return !REFUSED.check(bare, 'ipv6');
}

const REFUSED_TARGET = 'must not point at a private, loopback, link-local or reserved address';

function isLoopbackName(host: string): boolean {
  const name = host.replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}

function isLoopbackLiteral(host: string): boolean {
  const v4 = isIP(host) === 6 ? embeddedIpv4(host) : host;
  return v4 === undefined ? LOOPBACK.check(host, 'ipv6') : LOOPBACK.check(v4, 'ipv4');
}

/**
 * The check before each connection: https only (http only to a loopback host, where loopback is
 * allowed), no credentials, and a literal address must be an allowed one. A name is left to the
 * resolver (`guardedLookup`): its answer at connect time is the one that counts.
 */
export function webhookTargetProblem(value: string, allowLoopback: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.username !== '' || url.password !== '') return 'must not carry credentials';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const literal = isIP(host) !== 0;
  if (literal && !isAllowedWebhookAddress(host, allowLoopback)) return REFUSED_TARGET;
  if (url.protocol === 'https:') return undefined;
  const loopback = literal ? isLoopbackLiteral(host) : isLoopbackName(host);
  if (url.protocol === 'http:' && allowLoopback && loopback) return undefined;
  return 'must be an https URL';
}

/**
 * The registration check of a webhook URL: the connection check, and `localhost` names refused
 * where loopback is (a plain mistake to say at once). Other names are not resolved here: a name can
 * resolve elsewhere later (DNS rebinding), so they are checked at connect time, every time.
 * Answers the reason when refused.
 */
export function webhookUrlProblem(value: string, allowLoopback: boolean): string | undefined {
  const problem = webhookTargetProblem(value, allowLoopback);
  if (problem !== undefined || allowLoopback) return problem;
  return isLoopbackName(new URL(value).hostname) ? REFUSED_TARGET : undefined;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** The refusal of a resolved address, as a resolver error (so the connection never opens). */
function refused(host: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${host} resolves to an address webhooks may not reach`), { code: 'EADDRNOTALLOWED' });
}

/**
 * A `lookup` for undici's connector: resolves the name as the system would and refuses when any
 * address it gives is not allowed, so the check and the connection use the same answer.
 */
export function guardedLookup(allowLoopback: boolean, resolve: typeof dnsLookup = dnsLookup) {
  return (hostname: string, options: { family?: number | string; all?: boolean }, callback: LookupCallback): void => {
    resolve(hostname, { ...options, all: true } as { all: true }, (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => {
      if (err !== null) {
        callback(err, []);
        return;
      }
      if (addresses.length === 0 || addresses.some((a) => !isAllowedWebhookAddress(a.address, allowLoopback))) {
        callback(refused(hostname), []);
        return;
      }
      if (options.all === true) callback(null, addresses);
      else callback(null, addresses[0]?.address ?? '', addresses[0]?.family);
    });
  };
}
