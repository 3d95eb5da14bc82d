/** The parts of an endpoint or proxy URL that a connection needs. */

/** The host without an IPv6 address's brackets, as net.connect and NO_PROXY matching want it. */
export function bareHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

/** The port, or the scheme's default (443 for https:, else 80). */
export function portOf(url: URL): number {
  return Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
}
