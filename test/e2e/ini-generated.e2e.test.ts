/**
 * Generated config files (odd headers, indentation, `:` delimiters, lone CRs, a BOM, repeated
 * sections and keys) through REAL botocore and the REAL JS SDK: our parser must read each exactly
 * as botocore does, and each edit we make must either be refused or be read back by both as
 * intended, every other profile unchanged.
 */
import fc from 'fast-check';
import { beforeAll, expect, it } from 'vitest';
import { isIniEditRefused, removeProfile, upsertProfile } from '../../src/config/ini-edit.js';
import { shlexSplit } from '../../src/config/ini-headers.js';
import { parseIni, scan, sectionsOf, splitLines } from '../../src/config/ini-parse.js';
import { runCommand } from '../support/env.js';
import { type BotocoreReading, type BotoValue, readWithBotocore, readWithJsSdk } from '../support/ini-readers.js';
import { describeWith } from '../support/tools.js';

const name = fc.constantFrom('dev', 'prod', '"dev"', "'dev'", 'dev]', 'default');
const header = fc
  .tuple(
    fc.constantFrom('', '', '', ' ', '\t', '\u00a0'),
    fc.constantFrom('profile', 'profile', 'profile', 'default', 'sso-session', 'services', 'profiles', 'DEFAULT', '', 'PROFILE'),
    fc.constantFrom(' ', ' ', '  ', '\t', '.'),
    name,
    fc.constantFrom('', '', '', ' ', '\u00a0'),
    fc.constantFrom('', '', '', ' # c', '# c', ' ; c ]', ']'),
  )
  .map(([lead, prefix, gap, n, pad, trail]) => {
    const inner = prefix === 'default' || prefix === 'DEFAULT' ? prefix : prefix === '' ? n : `${prefix}${gap}${n}`;
    return `${lead}[${pad}${inner}${pad}]${trail}`;
  });
const setting = fc
  .tuple(
    fc.constantFrom('', '', '', ' ', '  ', '\t'),
    fc.constantFrom('region', 'output', 'Region', 's3', 'credential_process', 'a:b', 'endpoint_url'),
    fc.constantFrom(' = ', '=', ': ', ' =\t', ' = '),
    fc.constantFrom('x', 'y z', 'a#b', 'http://h:1/p', '', '', 'k = v', 'v # c', 'ü ; c'),
  )
  .map(([lead, key, eq, value]) => `${lead}${key}${eq}${value}`.replace(/\s+$/, ''));
const line = fc.oneof(
  { weight: 3, arbitrary: header },
  { weight: 6, arbitrary: setting },
  { weight: 2, arbitrary: fc.constantFrom('', '', '  ', '# note', '  ; note', '#') },
  { weight: 1, arbitrary: fc.constantFrom('just words', '= no key', '  indented words', '\ufeff[profile dev]') },
);
const file = fc
  .tuple(
    fc.array(fc.tuple(line, fc.constantFrom('\n', '\n', '\n', '\n', '\n', '\n', '\r\n', '\r')), { maxLength: 14 }),
    fc.boolean(),
    fc.constantFrom('', '', '', '\ufeff'),
  )
  .map(([lines, finalBreak, bom]) => {
    const text = lines.map(([l, eol], i) => l + (i < lines.length - 1 || finalBreak ? eol : '')).join('');
    return bom + (lines.length > 0 && !lines[0]![0].trimStart().startsWith('[') ? `[profile dev]\n${text}` : text);
  });

/**
 * botocore's reading with inline comments cut from the values, the one place we read as the JS
 * SDK does (` # …` or ` ; …` after white space; botocore keeps them, docs/configuration.md).
 */
function withoutInlineComments(reading: BotocoreReading): BotocoreReading {
  if ('refused' in reading) return { refused: 'refused' };
  const cut = (v: string) => v.split('\n').map((l) => { const m = /(^|\s)[#;]/.exec(l); return m ? l.slice(0, m.index).trim() : l; }).join('\n');
  const each = (m: Record<string, Record<string, BotoValue>>) =>
    Object.fromEntries(Object.entries(m).map(([n, s]) => [n, Object.fromEntries(Object.entries(s).map(([k, v]) => [k, typeof v === 'string' ? cut(v) : Object.fromEntries(Object.entries(v).map(([sk, sv]) => [sk, cut(sv)]))]))]));
  return { sections: reading.sections, profiles: each(reading.profiles), services: each(reading.services) };
}

function ours(text: string): BotocoreReading {
  if (scan(splitLines(text)).problems.length > 0) return { refused: 'refused' };
  const sections = [...new Set(parseIni(text).map((s) => s.name))].filter((n) => n !== 'DEFAULT');
  const shaped = (kind: 'profile' | 'services') =>
    Object.fromEntries([...sectionsOf(text, kind)].map(([n, s]) => [n, { ...s.settings, ...s.subsections }]));
  return { sections, profiles: shaped('profile'), services: shaped('services') };
}

type Edit = { kind: 'upsert' | 'remove'; before: number; out: string | undefined };

function tryEdit(fn: () => string): string | undefined {
  try {
    return fn();
  } catch (err) {
    if (isIniEditRefused(err)) return undefined;
    throw err;
  }
}

const SAMPLES = fc.sample(file, { numRuns: 400, seed: 13 });

describeWith(['boto3'], 'generated config files, against real botocore and the real JS SDK', () => {
  const edits: Edit[] = SAMPLES.flatMap((text, before) => [
    { kind: 'upsert' as const, before, out: tryEdit(() => upsertProfile(text, 'dev', { output: 'json', region: undefined })) },
    { kind: 'remove' as const, before, out: tryEdit(() => removeProfile(text, 'dev').text) },
  ]);
  let boto: BotocoreReading[] = [];
  let botoAfter: BotocoreReading[] = [];
  let js: Record<string, Record<string, string>>[] = [];
  let jsAfter: Record<string, Record<string, string>>[] = [];

  beforeAll(async () => {
    const outs = edits.map((e) => e.out ?? '');
    [boto, botoAfter, js, jsAfter] = await Promise.all([readWithBotocore(SAMPLES), readWithBotocore(outs), readWithJsSdk(SAMPLES), readWithJsSdk(outs)]);
  });

  it('the generator makes files of every kind (refused, read, edited, refused edits)', () => {
    expect(boto.filter((r) => 'refused' in r).length).toBeGreaterThan(40);
    expect(boto.filter((r) => !('refused' in r)).length).toBeGreaterThan(100);
    expect(edits.filter((e) => e.out !== undefined).length).toBeGreaterThan(100);
    expect(edits.filter((e) => e.out === undefined && !('refused' in boto[e.before]!)).length).toBeGreaterThan(20);
  });

  it('our parser reads every file exactly as botocore does', () => {
    SAMPLES.forEach((text, i) => {
      const theirs = boto[i]!;
      expect([text, ours(text)]).toEqual([text, withoutInlineComments(theirs)]);
    });
  });

  it('every edit we make is read back by botocore and the JS SDK as intended, the other profiles unchanged', () => {
    edits.forEach((edit, i) => {
      if (edit.out === undefined) return;
      const text = SAMPLES[edit.before]!;
      const before = boto[edit.before]!;
      const after = botoAfter[i]!;
      const context = { text, out: edit.out, kind: edit.kind };
      expect({ ...context, refused: 'refused' in after }).toEqual({ ...context, refused: false });
      if (!('profiles' in before) || !('profiles' in after)) throw new Error('a file botocore read is no longer read');
      {
        const { region: _r, ...kept } = before.profiles['dev'] ?? {};
        const expected = edit.kind === 'upsert' ? { ...kept, output: 'json' } : undefined;
        expect({ ...context, dev: after.profiles['dev'] }).toEqual({ ...context, dev: expected });
        expect({ ...context, others: { ...after.profiles, dev: 0 } }).toEqual({ ...context, others: { ...before.profiles, dev: 0 } });
        expect({ ...context, services: after.services }).toEqual({ ...context, services: before.services });
      }
      const jsDev = jsAfter[i]!['dev'];
      if (edit.kind === 'upsert') expect({ ...context, output: jsDev?.['output'], region: jsDev?.['region'] }).toEqual({ ...context, output: 'json', region: undefined });
      else expect({ ...context, dev: jsDev }).toEqual({ ...context, dev: undefined });
      expect({ ...context, others: { ...jsAfter[i]!, dev: 0 } }).toEqual({ ...context, others: { ...js[edit.before]!, dev: 0 } });
    });
  });

  it('our shlex.split splits section names as Python\'s does', async () => {
    const unit = fc.constantFrom('a', 'b', ' ', '\t', '"', "'", '\\', '\u00a0', '#', 'é');
    const names = fc.sample(fc.string({ unit, maxLength: 10 }), { numRuns: 2000, seed: 13 });
    const script = 'import json, sys, shlex\nout = []\nfor s in json.load(sys.stdin):\n    try: out.append(shlex.split(s))\n    except ValueError: out.append(None)\nprint(json.dumps(out))';
    const r = await runCommand('python3', ['-c', script], { env: { PYTHONUTF8: '1' }, input: JSON.stringify(names) });
    const python = JSON.parse(r.stdout) as (string[] | null)[];
    names.forEach((name, i) => expect([name, shlexSplit(name) ?? null]).toEqual([name, python[i]]));
  });
});
