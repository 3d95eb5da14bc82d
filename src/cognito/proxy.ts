/**
 * Which HTTP proxy, if any, a request to an endpoint goes through: `https_proxy` / `HTTPS_PROXY`
 * for https endpoints, `http_proxy` / `HTTP_PROXY` for http ones (lower case first), unless
 * `no_proxy` / `NO_PROXY` lists the host. The NO_PROXY rules are proxy-from-env's (the ones npm,
 * axios and most Node tools follow): `*`, a host (`localhost`, `127.0.0.1`), a domain and its
 * subdomains with a leading `.` or `*.` (`.example.com`), any of these with `:port`.
 *
 * Only `http://` proxy URLs are taken (a URL without a scheme is http://, as curl and the AWS CLI
 * read it); `user:password@` in it becomes Proxy-Authorization: Basic, and is never shown.
 */
import { getProxyForUrl } from 'proxy-from-env';
import { CredsError, shownUrl } from '../errors.js';

export interface Proxy {
  /** The proxy's URL, credentials included (never shown: see `shown`). */
  url: URL;
  /** Where it came from, for messages: e.g. HTTPS_PROXY. */
  source: string;
  /** The URL without credentials, for messages and --debug. */
  shown: string;
}

/**
 * The proxy for `endpoint`, or undefined for a direct connection. From process.env, which
 * proxy-from-env reads (as the SDK does for its own settings).
 */
export function proxyFor(endpoint: string): Proxy | undefined {
  const env = process.env;
  const scheme = new URL(endpoint).protocol === 'https:' ? 'https' : 'http';
  // ALL_PROXY is left out on purpose: it is often a SOCKS proxy, which the AWS CLI ignores too.
  const source = [`${scheme}_proxy`, `${scheme.toUpperCase()}_PROXY`].find((name) => env[name]?.trim());
  if (!source) return undefined;
  if (!getProxyForUrl(endpoint)) return undefined; // NO_PROXY lists the host
  const raw = env[source]!.trim();
  let url: URL | undefined;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`);
  } catch {
    url = undefined;
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
