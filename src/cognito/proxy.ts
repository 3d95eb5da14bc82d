/**
 * Which HTTP proxy, if any, a request to an endpoint goes through: `https_proxy` / `HTTPS_PROXY`
 * for https endpoints, `http_proxy` / `HTTP_PROXY` for http ones (lower case first, as curl and
 * Python's requests read them), unless `no_proxy` / `NO_PROXY` lists the host. Pure.
 *
 * NO_PROXY entries, separated by commas or white space: `*` (every host), a host or domain
 * (`example.com` and `.example.com` both match example.com and its subdomains), either with
 * `:port`, an IP address, or an IP range in CIDR form (`10.0.0.0/8`).
 *
 * Only `http://` proxies are supported (for https endpoints through a CONNECT tunnel, so TLS
 * stays end to end); `user:password@` in the proxy URL is sent as Proxy-Authorization: Basic.
 */
import { BlockList, isIP } from 'node:net';
import { CredsError } from '../errors.js';
import { bareHost, portOf } from './url-parts.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface Proxy {
  /** The proxy's URL, credentials included (never shown: see `shown`). */
  url: URL;
  /** Where it came from, for messages: e.g. HTTPS_PROXY. */
  source: string;
  /** The URL without credentials, for messages and --debug. */
  shown: string;
}

/** The proxy for `endpoint`, or undefined for a direct connection. */
export function proxyFor(endpoint: string, env: Env = process.env): Proxy | undefined {
  const target = new URL(endpoint);
  const scheme = target.protocol === 'https:' ? 'https' : 'http';
  const [source, raw] = first(env, `${scheme}_proxy`, `${scheme.toUpperCase()}_PROXY`);
  if (!source || !raw) return undefined;
  const [, noProxy] = first(env, 'no_proxy', 'NO_PROXY');
  const host = bareHost(target).toLowerCase();
  const port = portOf(target);
  if (noProxy && bypasses(noProxy, host, port)) return undefined;

  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`);
  } catch {
    url = undefined as unknown as URL;
  }
  if (!url || url.protocol !== 'http:' || !url.hostname) {
    throw new CredsError(
      'config',
      `${source} (${JSON.stringify(shownUrl(raw))}) is not an http:// proxy URL`,
      `Set ${source} to http://HOST:PORT (https:// proxies are not supported), or list the Cognito host in NO_PROXY.`,
    );
  }
  return { url, source, shown: shownUrl(url.href) };
}

/** `Proxy-Authorization` for a proxy URL with credentials. */
export function proxyAuthorization(url: URL): string | undefined {
  if (!url.username && !url.password) return undefined;
  const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  return `Basic ${Buffer.from(credentials).toString('base64')}`;
}

function first(env: Env, ...names: string[]): [string, string] | [undefined, undefined] {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return [name, value];
  }
  return [undefined, undefined];
}

function bypasses(noProxy: string, host: string, port: number): boolean {
  for (const raw of noProxy.split(/[\s,]+/)) {
    let entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    if (entry.includes('/')) {
      if (inCidr(entry, host)) return true;
      continue;
    }
    // host:port (but not a bare IPv6 address, which has colons of its own)
    const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(entry);
    if (m) {
      if (Number(m[2]) !== port) continue;
      entry = m[1]!;
    }
    entry = entry.replace(/^\[|\]$/g, '').replace(/^\*?\./, '');
    if (host === entry || (!isIP(host) && host.endsWith(`.${entry}`))) return true;
  }
  return false;
}

function inCidr(entry: string, host: string): boolean {
  const [net, bits] = entry.split('/');
  const family = isIP(net ?? '');
  const hostFamily = isIP(host);
  if (!family || family !== hostFamily || !/^\d+$/.test(bits ?? '')) return false;
  const list = new BlockList();
  try {
    list.addSubnet(net!, Number(bits), family === 4 ? 'ipv4' : 'ipv6');
  } catch {
    return false;
  }
  return list.check(host, hostFamily === 4 ? 'ipv4' : 'ipv6');
}

/** A URL with any user:password replaced by `***`. */
function shownUrl(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1***@');
}
