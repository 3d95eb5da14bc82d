import { afterEach, describe, expect, it } from 'vitest';
import { proxyFor } from '../../../src/cognito/proxy.js';
import { errorOf } from '../../support/errors.js';

const IDP = 'https://cognito-idp.us-east-1.amazonaws.com';
const saved = { ...process.env };

/** proxyFor reads process.env (as proxy-from-env does): each case sets only its own variables. */
function withEnv<T>(env: Record<string, string>, fn: () => T): T {
  for (const name of Object.keys(process.env)) if (/^(https?|no|all)_proxy$/i.test(name)) delete process.env[name];
  Object.assign(process.env, env);
  return fn();
}
afterEach(() => {
  process.env = { ...saved };
});

describe('proxyFor', () => {
  it('no variable: no proxy', () => {
    expect(withEnv({}, () => proxyFor(IDP))).toBeUndefined();
  });

  it('HTTPS_PROXY for https endpoints, HTTP_PROXY for http ones, lower case first; never ALL_PROXY', () => {
    expect(withEnv({ HTTPS_PROXY: 'http://127.0.0.1:3128' }, () => proxyFor(IDP))).toEqual({ url: new URL('http://127.0.0.1:3128'), source: 'HTTPS_PROXY', shown: 'http://127.0.0.1:3128/' });
    expect(withEnv({ https_proxy: 'http://127.0.0.1:1', HTTPS_PROXY: 'http://127.0.0.1:2' }, () => proxyFor(IDP)?.source)).toBe('https_proxy');
    expect(withEnv({ HTTP_PROXY: 'http://127.0.0.1:3128' }, () => proxyFor(IDP))).toBeUndefined();
    expect(withEnv({ HTTP_PROXY: 'http://127.0.0.1:3128' }, () => proxyFor('http://127.0.0.1:4566')?.source)).toBe('HTTP_PROXY');
    expect(withEnv({ HTTPS_PROXY: 'http://127.0.0.1:3128' }, () => proxyFor('http://127.0.0.1:4566'))).toBeUndefined();
    expect(withEnv({ ALL_PROXY: 'socks5://127.0.0.1:1080', all_proxy: 'http://127.0.0.1:3128' }, () => proxyFor(IDP))).toBeUndefined();
  });

  it('a URL without a scheme is http://; credentials are kept for the agent and never shown', () => {
    expect(withEnv({ HTTPS_PROXY: '127.0.0.1:3128' }, () => proxyFor(IDP)?.url.href)).toBe('http://127.0.0.1:3128/');
    const p = withEnv({ HTTPS_PROXY: 'http://al%40ice:s3cr%3At@127.0.0.1:3128' }, () => proxyFor(IDP))!;
    expect([p.url.username, p.url.password, p.shown]).toEqual(['al%40ice', 's3cr%3At', 'http://***@127.0.0.1:3128/']);
  });

  // proxy-from-env's rules: a bare name is that host only; a leading "." or "*." takes subdomains.
  it.each([
    ['*', IDP, true],
    ['.amazonaws.com', IDP, true],
    ['*.amazonaws.com', IDP, true],
    ['amazonaws.com', IDP, false],
    ['cognito-idp.us-east-1.amazonaws.com', IDP, true],
    ['cognito-idp.us-east-1.amazonaws.com:443', IDP, true],
    ['cognito-idp.us-east-1.amazonaws.com:8443', IDP, false],
    ['zonaws.com', IDP, false],
    ['example.com, localhost  .amazonaws.com', IDP, true],
    ['127.0.0.1', 'http://127.0.0.1:4566', true],
    ['127.0.0.1:4566', 'http://127.0.0.1:4566', true],
    ['127.0.0.1:9', 'http://127.0.0.1:4566', false],
    ['localhost', 'https://localhost:8443', true],
    ['[::1]', 'http://[::1]:4566', true],
  ])('NO_PROXY=%j for %s: bypass %s', (noProxy, endpoint, bypass) => {
    const env = { HTTPS_PROXY: 'http://127.0.0.1:3128', HTTP_PROXY: 'http://127.0.0.1:3128', NO_PROXY: noProxy };
    expect(withEnv(env, () => proxyFor(endpoint)) === undefined).toBe(bypass);
  });

  it('no_proxy wins over NO_PROXY', () => {
    expect(withEnv({ HTTPS_PROXY: 'http://127.0.0.1:3128', no_proxy: 'example.com', NO_PROXY: '*' }, () => proxyFor(IDP)?.source)).toBe('HTTPS_PROXY');
  });

  it.each([
    ['https://127.0.0.1:3128', 'HTTPS_PROXY ("https://127.0.0.1:3128") is not an http:// proxy URL'],
    ['socks5://u:pw@127.0.0.1:1080', 'HTTPS_PROXY ("socks5://***@127.0.0.1:1080") is not an http:// proxy URL'],
    ['http://', 'HTTPS_PROXY ("http://") is not an http:// proxy URL'],
  ])('%j is a config error that names the variable and never shows a password', (value, message) => {
    const err = withEnv({ HTTPS_PROXY: value }, () => errorOf(() => proxyFor(IDP)));
    expect([err.kind, err.message, err.hint]).toEqual([
      'config',
      message,
      'Set HTTPS_PROXY to http://HOST:PORT (https:// proxies are not supported), or list the Cognito host in NO_PROXY.',
    ]);
  });
});
