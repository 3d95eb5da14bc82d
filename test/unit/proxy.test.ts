import { describe, expect, it } from 'vitest';
import { proxyAuthorization, proxyFor } from '../../src/cognito/proxy.js';
import { errorOf } from '../support/errors.js';

const IDP = 'https://cognito-idp.us-east-1.amazonaws.com';

describe('proxyFor', () => {
  it('no proxy variable: a direct connection', () => {
    expect(proxyFor(IDP, {})).toBeUndefined();
  });

  it('https endpoints use https_proxy / HTTPS_PROXY (lower case first), http ones http_proxy / HTTP_PROXY', () => {
    expect(proxyFor(IDP, { HTTPS_PROXY: 'http://127.0.0.1:3128' })).toEqual({ url: new URL('http://127.0.0.1:3128'), source: 'HTTPS_PROXY', shown: 'http://127.0.0.1:3128/' });
    expect(proxyFor(IDP, { https_proxy: 'http://127.0.0.1:1', HTTPS_PROXY: 'http://127.0.0.1:2' })?.source).toBe('https_proxy');
    expect(proxyFor(IDP, { HTTP_PROXY: 'http://127.0.0.1:3128' })).toBeUndefined();
    expect(proxyFor('http://127.0.0.1:4566', { HTTP_PROXY: 'http://127.0.0.1:3128' })?.source).toBe('HTTP_PROXY');
    expect(proxyFor('http://127.0.0.1:4566', { HTTPS_PROXY: 'http://127.0.0.1:3128' })).toBeUndefined();
  });

  it('a bare host:port is an http:// proxy; credentials are never shown', () => {
    expect(proxyFor(IDP, { HTTPS_PROXY: '127.0.0.1:3128' })?.url.href).toBe('http://127.0.0.1:3128/');
    const p = proxyFor(IDP, { HTTPS_PROXY: 'http://al%40ice:s3cr%3At@127.0.0.1:3128' })!;
    expect(p.shown).toBe('http://***@127.0.0.1:3128/');
    expect(proxyAuthorization(p.url)).toBe(`Basic ${Buffer.from('al@ice:s3cr:t').toString('base64')}`);
    expect(proxyAuthorization(new URL('http://127.0.0.1:3128'))).toBeUndefined();
  });

  it.each([
    ['*', IDP, true],
    ['amazonaws.com', IDP, true],
    ['.amazonaws.com', IDP, true],
    ['*.amazonaws.com', IDP, true],
    ['cognito-idp.us-east-1.amazonaws.com', IDP, true],
    ['cognito-idp.us-east-1.amazonaws.com:443', IDP, true],
    ['cognito-idp.us-east-1.amazonaws.com:8443', IDP, false],
    ['zonaws.com', IDP, false],
    ['example.com, localhost  amazonaws.com', IDP, true],
    ['127.0.0.1', 'http://127.0.0.1:4566', true],
    ['127.0.0.0/8', 'http://127.0.0.1:4566', true],
    ['10.0.0.0/8', 'http://127.0.0.1:4566', false],
    ['::1', 'http://[::1]:4566', true],
    ['[::1]:4566', 'http://[::1]:4566', true],
    ['0.0.1', 'http://127.0.0.1:4566', false], // an IP is not a domain: no suffix match
  ])('NO_PROXY=%j for %s: bypass %s', (noProxy, endpoint, bypass) => {
    const env = { HTTPS_PROXY: 'http://127.0.0.1:3128', HTTP_PROXY: 'http://127.0.0.1:3128', NO_PROXY: noProxy };
    expect(proxyFor(endpoint, env) === undefined).toBe(bypass);
  });

  it('no_proxy wins over NO_PROXY', () => {
    expect(proxyFor(IDP, { HTTPS_PROXY: 'http://127.0.0.1:3128', no_proxy: 'example.com', NO_PROXY: '*' })?.source).toBe('HTTPS_PROXY');
  });

  it.each([
    ['https://127.0.0.1:3128', 'HTTPS_PROXY ("https://127.0.0.1:3128") is not an http:// proxy URL'],
    ['socks5://u:pw@127.0.0.1:1080', 'HTTPS_PROXY ("socks5://***@127.0.0.1:1080") is not an http:// proxy URL'],
    ['http://', 'HTTPS_PROXY ("http://") is not an http:// proxy URL'],
  ])('%j is a config error that names the variable and never shows a password', (value, message) => {
    const err = errorOf(() => proxyFor(IDP, { HTTPS_PROXY: value }));
    expect([err.kind, err.message, err.hint]).toEqual([
      'config',
      message,
      'Set HTTPS_PROXY to http://HOST:PORT (https:// proxies are not supported), or list the Cognito host in NO_PROXY.',
    ]);
  });
});
