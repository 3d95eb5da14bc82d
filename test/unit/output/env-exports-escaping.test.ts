/**
 * export's formats, checked against their real parsers where this machine has them:
 * - dotenv: generated values (quotes, $( ), backticks, ${…}, backslashes, controls, non-ASCII)
 *   are written in one form that `set -a; . file` (/bin/sh, in an empty directory that must stay
 *   empty) and python-dotenv (dotenv_values, interpolation on, as load_dotenv does) both read as
 *   the exact value, or refused with a reason exactly when no such form exists. (The `dotenv` npm
 *   library is not a dependency here; its parser reads single quotes literally, double quotes with
 *   only \n and \r expanded, and bare values up to a #: the forms written avoid all three cases.)
 * - sh: any value, applied by /bin/sh, is the exact value and runs nothing.
 * - PowerShell: pwsh is not installed here, so the escaping is checked by its rule: a reader of
 *   PowerShell's single-quoted strings as its language specification gives them (any of
 *   ' U+2018 U+2019 U+201A U+201B ends the string; two in a row are one, the second).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { isCredsError } from '../../../src/errors.js';
import { dotenvValue, formatExports, psQuote, shSingleQuote } from '../../../src/output/env-exports.js';
import { describeWith } from '../../support/tools.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'cc-exports-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const TOKENS = [
  ...'aZ09-_./+=:,@%~ \t#;!*?[]{}()&|<>\'"\\$`',
  '$(touch pwned)', '`touch pwned2`', '${HOME}', '$HOME', "'\\''", '\\n', '\n', '\r', '\x01', '\x1b[31m', '\x7f', '\u0085', '\u009b',
  '\u00a0', 'é', '日本', '😀', '\u2018', '\u2019', '\u201a', '\u201b', '\u201c', '\u201d', ' #x', '=',
];
const value = fc.array(fc.constantFrom(...TOKENS), { maxLength: 8 }).map((t) => t.join(''));
const values = fc.sample(value, { numRuns: 500, seed: 13 });

/** Why no dotenv form reads alike everywhere, as the rule states it; undefined when one does. */
function expectedProblem(v: string): string | undefined {
  // eslint-disable-next-line no-control-regex -- control characters are what it looks for
  if (/[\x00-\x1f\x7f]/.test(v)) return 'a control character';
  if (v.includes('\\')) return 'a backslash';
  if (v.includes('${')) return '${';
  if (v.includes("'") && /["$`]/.test(v)) return `' together with " $ or \``;
  return undefined;
}

function written(): { lines: string[]; kept: string[] } {
  const lines: string[] = [];
  const kept: string[] = [];
  values.forEach((v, i) => {
    const problem = expectedProblem(v);
    try {
      const form = dotenvValue(`V${i}`, v);
      expect({ v, problem }).toEqual({ v, problem: undefined });
      lines.push(`V${kept.length}=${form}`);
      kept.push(v);
    } catch (err) {
      if (!isCredsError(err)) throw err;
      expect({ v, message: err.message }).toEqual({ v, message: `cannot write V${i} in dotenv form: its value holds ${problem}, which sh and the dotenv libraries read differently` });
    }
  });
  return { lines, kept };
}

function sourced(file: string, names: string[], cwd: string, prefix = 'set -a; '): string[] {
  const script = `${prefix}. ${JSON.stringify(file)}; printf '%s\\0' ${names.map((n) => `"$${n}"`).join(' ')}`;
  const r = spawnSync('/bin/sh', ['-c', script], { cwd, encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/nonexistent-home' } });
  expect(r.stderr).toBe('');
  return r.stdout.split('\0').slice(0, -1);
}

describe('dotenv', () => {
  it('500 generated values: written in a form `set -a; .` reads back exactly, running nothing, or refused exactly when none exists', () => {
    const { lines, kept } = written();
    expect(kept.length).toBeGreaterThan(100);
    const file = path.join(tmp, 'sh.env');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const empty = mkdtempSync(path.join(tmp, 'sh-'));
    const got = sourced(file, kept.map((_, i) => `V${i}`), empty);
    kept.forEach((v, i) => expect({ v, got: got[i] }).toEqual({ v, got: v }));
    expect(readdirSync(empty)).toEqual([]);
  });

  it('the whole export, sourced: each variable exact, exported to a child', () => {
    const region = 'x $(touch pwned) `touch pwned2` ~ #x';
    const text = formatExports({ accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'a/b+c=', sessionToken: 'tok+/=', expiration: new Date(Date.UTC(2030, 0, 2, 3, 4, 5)), region }, 'dotenv');
    expect(text).toBe(
      'AWS_ACCESS_KEY_ID=ASIAEXAMPLE\nAWS_SECRET_ACCESS_KEY=a/b+c=\nAWS_SESSION_TOKEN=tok+/=\nAWS_CREDENTIAL_EXPIRATION=2030-01-02T03:04:05Z\n' +
        `AWS_REGION='${region}'\nAWS_DEFAULT_REGION='${region}'\n`,
    );
    const file = path.join(tmp, 'whole.env');
    writeFileSync(file, text);
    const empty = mkdtempSync(path.join(tmp, 'whole-'));
    const r = spawnSync('/bin/sh', ['-c', `set -a; . ${JSON.stringify(file)}; exec /bin/sh -c 'printf "%s\\0" "$AWS_REGION" "$AWS_SECRET_ACCESS_KEY"'`], { cwd: empty, encoding: 'utf8' });
    expect([r.status, r.stdout]).toEqual([0, `${region}\0a/b+c=\0`]);
    expect(readdirSync(empty)).toEqual([]);
  });
});

describeWith(['python-dotenv'], 'dotenv, as python-dotenv reads it', () => {
  it('the same 500 values: python-dotenv reads every written one as the exact value', () => {
    const { lines, kept } = written();
    const file = path.join(tmp, 'py.env');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const r = spawnSync('python3', ['-c', 'import json, sys\nfrom dotenv import dotenv_values\njson.dump(dotenv_values(sys.argv[1]), sys.stdout)', file], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/nonexistent-home' },
    });
    expect(r.stderr).toBe('');
    const got = JSON.parse(r.stdout) as Record<string, string>;
    kept.forEach((v, i) => expect({ v, got: got[`V${i}`] }).toEqual({ v, got: v }));
  });
});

describe('sh', () => {
  it('500 generated values (controls and line breaks included), applied by /bin/sh: exact, running nothing', () => {
    const file = path.join(tmp, 'exports.sh');
    writeFileSync(file, `${values.map((v, i) => `export V${i}=${shSingleQuote(v)}`).join('\n')}\n`);
    const empty = mkdtempSync(path.join(tmp, 'export-'));
    const got = sourced(file, values.map((_, i) => `V${i}`), empty, '');
    values.forEach((v, i) => expect({ v, got: got[i] }).toEqual({ v, got: v }));
    expect(readdirSync(empty)).toEqual([]);
  });
});

/** PowerShell's single-quoted string literal, read from `text` at its opening quote: the value and where it ended. */
function readPsSingleQuoted(text: string): { value: string; end: number } {
  const isQuote = (c: string | undefined) => c !== undefined && "'\u2018\u2019\u201a\u201b".includes(c);
  const chars = [...text];
  if (!isQuote(chars[0])) throw new Error('not a single-quoted string');
  let value = '';
  for (let i = 1; i < chars.length; i++) {
    const c = chars[i]!;
    if (isQuote(c)) {
      if (!isQuote(chars[i + 1])) return { value, end: i + 1 };
      value += chars[++i];
    } else value += c;
  }
  throw new Error('unterminated string');
}

describe('PowerShell (by its rule; pwsh is not installed here)', () => {
  it('500 generated values read back exactly, the string ending where the line does', () => {
    for (const v of values) {
      const quoted = psQuote(v);
      expect({ v, read: readPsSingleQuoted(quoted) }).toEqual({ v, read: { value: v, end: [...quoted].length } });
    }
  });

  it('the reader is strict enough to fail the old escaping, which doubled only U+0027', () => {
    const v = 'a\u2019; Remove-Item x; \u2018';
    const old = `'${v.replace(/'/g, "''")}'`;
    expect(readPsSingleQuoted(old).value).not.toBe(v);
    expect(psQuote(v)).toBe("'a\u2019\u2019; Remove-Item x; \u2018\u2018'");
  });
});
