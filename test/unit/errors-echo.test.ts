/** What formatError lets reach a terminal: control characters escaped, URL credentials masked. */
import { describe, expect, it } from 'vitest';
import { CredsError, escapeControls, formatError, maskUrlCredentials, shownUrl } from '../../src/errors.js';
import { shown } from '../../src/config/validate.js';

describe('escapeControls', () => {
  it('escapes C0 as \\xNN, DEL as \\x7f, C1 as \\u00NN, and leaves the rest', () => {
    expect(escapeControls('a\x00b\tc\nd\re\x1b[2Jf\x7fg\u0085h\u009bi é 日本 \u2028')).toBe('a\\x00b\\x09c\\x0ad\\x0de\\x1b[2Jf\\x7fg\\u0085h\\u009bi é 日本 \u2028');
  });
  it('leaves every character from U+00A0 on as it is', () => {
    const all = Array.from({ length: 0x3000 - 0xa0 }, (_, i) => String.fromCharCode(0xa0 + i)).join('');
    expect(escapeControls(all)).toBe(all);
  });
});

describe('shownUrl', () => {
  it.each([
    ['http://user:s3cret@127.0.0.1:1', 'http://***@127.0.0.1:1'],
    ['http://user:s3cret@[not a host', 'http://***@[not a host'],
    ['user:s3cret@127.0.0.1:3128', '***@127.0.0.1:3128'],
    ['http://u:p@ss/w@rd@host:1/path', 'http://***@host:1/path'],
    ['HTTP://al%40ice:s%3At@h/', 'HTTP://***@h/'],
    ['https://cognito-idp.us-east-1.amazonaws.com', 'https://cognito-idp.us-east-1.amazonaws.com'],
    ['127.0.0.1:3128', '127.0.0.1:3128'],
  ])('%s is shown as %s', (url, expected) => {
    expect(shownUrl(url)).toBe(expected);
  });
});

describe('maskUrlCredentials', () => {
  it('masks every scheme://user:password@ in a text', () => {
    expect(maskUrlCredentials('a ("http://u:s3cret@h:1") and https://x:y@z/p, not user@example.com')).toBe('a ("http://***@h:1") and https://***@z/p, not user@example.com');
  });
});

describe('formatError', () => {
  it('escapes control characters in the message and the hint, keeping its own line break', () => {
    const err = new CredsError('config', 'profile "dev\x1b]0;owned\x07" is not in /tmp/a\rb', 'Run `setup --profile dev\u009b2J`.');
    expect(formatError(err)).toBe('cognito-creds: profile "dev\\x1b]0;owned\\x07" is not in /tmp/a\\x0db\n  Run `setup --profile dev\\u009b2J`.\n');
  });
  it('masks a URL password that reached a message anyway', () => {
    expect(formatError(new CredsError('network', 'cannot reach http://u:s3cret@127.0.0.1:1 (X)', 'See https://a:b@c.'))).toBe('cognito-creds: cannot reach http://***@127.0.0.1:1 (X)\n  See https://***@c.\n');
  });
  it('escapes an unexpected error, and every --debug stack line', () => {
    const err = new Error('bad \x1b[31m http://u:pw@h');
    const text = formatError(err, true);
    expect(text.split('\n').slice(0, 2)).toEqual(['cognito-creds: unexpected error: bad \\x1b[31m http://***@h', '  This is a bug in cognito-creds; run again with --debug and report what it prints.']);
    expect(text).toContain('[debug] Error: bad \\x1b[31m http://***@h\n    at ');
    // eslint-disable-next-line no-control-regex -- what must not be there
    expect(text).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
  });
});

describe('shown', () => {
  it('quotes a value, escaping C0 (JSON), DEL and C1 too', () => {
    expect(shown('a\x1bb\x7fc\u009bd"')).toBe('"a\\u001bb\\u007fc\\u009bd\\""');
  });
});
