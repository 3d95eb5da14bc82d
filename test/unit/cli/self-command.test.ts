import { describe, expect, it } from 'vitest';
import { credentialProcessLine, quoteArg } from '../../../src/cli/self-command.js';
import { parseCredentialProcessArgs } from '../../../src/cli/main.js';
import { credentialProcessJson, isoSeconds } from '../../../src/output/credential-process.js';

describe('quoteArg', () => {
  it('leaves plain paths alone', () => {
    expect(quoteArg('/usr/local/bin/node', 'linux')).toBe('/usr/local/bin/node');
  });
  it('single-quotes what a shell or shlex would read (more in self-command-quoting.test.ts)', () => {
    expect(quoteArg('/home/a b/x', 'linux')).toBe("'/home/a b/x'");
    expect(quoteArg('/opt/$HOME/`x`/"q"\\', 'linux')).toBe(`'/opt/$HOME/\`x\`/"q"\\'`);
  });
  it('quotes Windows paths without escaping backslashes', () => {
    expect(quoteArg('C:\\Program Files\\nodejs\\node.exe', 'win32')).toBe('"C:\\Program Files\\nodejs\\node.exe"');
    expect(quoteArg('C:\\tools\\node.exe', 'win32')).toBe('C:\\tools\\node.exe');
  });
  it('builds the credential_process line', () => {
    expect(credentialProcessLine("'/a b/node' /x/cc.js", 'team.dev-1')).toBe("'/a b/node' /x/cc.js credential-process --profile team.dev-1");
  });
});

describe('parseCredentialProcessArgs', () => {
  it.each([
    [['credential-process'], { debug: false }],
    [['credential-process', '--profile', 'dev'], { profile: 'dev', debug: false }],
    [['credential-process', '--profile=dev', '--debug'], { profile: 'dev', debug: true }],
  ])('takes %j', (argv, expected) => {
    expect(parseCredentialProcessArgs(argv)).toEqual(expected);
  });
  it.each([[['setup']], [['credential-process', '--profile']], [['credential-process', '--help']], [['credential-process', '--profile', 'a', '--profile', 'b']], [['credential-process', 'extra']]])(
    'leaves %j to the full parser',
    (argv) => {
      expect(parseCredentialProcessArgs(argv)).toBeUndefined();
    },
  );
});

describe('credentialProcessJson', () => {
  it('prints the exact document, Expiration in UTC to the second', () => {
    const text = credentialProcessJson({
      accessKeyId: 'ASIAXXXX',
      secretAccessKey: 'sk',
      sessionToken: 'st',
      expiration: new Date(Date.UTC(2026, 10, 26, 5, 6, 7, 890)),
    });
    expect(text).toBe('{"Version":1,"AccessKeyId":"ASIAXXXX","SecretAccessKey":"sk","SessionToken":"st","Expiration":"2026-11-26T05:06:07Z"}\n');
    expect(isoSeconds(new Date(0))).toBe('1970-01-01T00:00:00Z');
  });
});
