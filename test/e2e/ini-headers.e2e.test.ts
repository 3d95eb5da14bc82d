/**
 * The header forms of the AWS config file, as a table: what botocore (the AWS CLI, boto3) and the
 * JS SDK each make of them, checked against both REAL readers (python3's botocore in one process,
 * @smithy/core's loadSharedConfigFiles), then against our parser (which must read them exactly as
 * botocore does) and our editor (which must refuse, naming the line, wherever botocore refuses the
 * file or the two readers disagree on the profile; and elsewhere write what both read back).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { isValidProfileName, removeProfile, upsertProfile } from '../../src/config/ini-edit.js';
import { showLine } from '../../src/config/ini-agree.js';
import { sectionsOf, parseIni, scan, splitLines } from '../../src/config/ini-parse.js';
import { type BotocoreReading, readWithBotocore, readWithJsSdk } from '../support/ini-readers.js';
import { describeWith } from '../support/tools.js';

interface Row {
  /** The header line; in the file `[base]`, `k = 1`, this line (line 3), `region = r1`. */
  line: string;
  /** The whole file instead, when the form is about the file (line breaks, a BOM, two sections). */
  file?: string;
  /**
   * botocore's section for the line ('refused': it refuses the whole file; null: the line is no
   * header, e.g. it continues `k`), and the profile it holds.
   */
  botocore: { section: string | null; profile: string | null } | 'refused';
  /** The profile the JS SDK finds in the file (null: none). */
  js: string | null;
  /** What our editor does when asked to set `output` in profile "dev". */
  edit: 'ok' | 'refused';
  /** The line the refusal names (1-based), when not 3. */
  at?: number;
}

const h = (section: string | null, profile: string | null) => ({ section, profile });

const HEADER_FORMS: Row[] = [
  // The forms both read as the profile.
  { line: '[profile dev]', botocore: h('profile dev', 'dev'), js: 'dev', edit: 'ok' },
  { line: '[profile\tdev]', botocore: h('profile\tdev', 'dev'), js: 'dev', edit: 'ok' },
  { line: '[profile "dev"]', botocore: h('profile "dev"', 'dev'), js: 'dev', edit: 'ok' },
  { line: "[profile 'dev']", botocore: h("profile 'dev'", 'dev'), js: 'dev', edit: 'ok' },
  { line: '[profile dev] # a comment', botocore: h('profile dev', 'dev'), js: 'dev', edit: 'ok' },
  { line: '[profile dev] ; a comment', botocore: h('profile dev', 'dev'), js: 'dev', edit: 'ok' },
  { line: '[profile dev]\u00a0', botocore: h('profile dev', 'dev'), js: 'dev', edit: 'ok' },
  // Text after `]`: botocore ignores it, the JS SDK needs the line to end with `]`.
  { line: '[profile dev]# a comment', botocore: h('profile dev', 'dev'), js: null, edit: 'refused' },
  { line: '[profile dev]x', botocore: h('profile dev', 'dev'), js: null, edit: 'refused' },
  { line: '[profile dev]\u001c', botocore: h('profile dev', 'dev'), js: null, edit: 'refused' },
  // botocore's header runs to the LAST `]`; the JS SDK cuts the comment first.
  { line: '[profile dev] # a ]', botocore: h('profile dev] # a ', null), js: 'dev', edit: 'refused' },
  { line: '[profile dev]]', botocore: h('profile dev]', 'dev]'), js: null, edit: 'ok' },
  // White space inside the brackets.
  { line: '[ profile dev ]', botocore: h(' profile dev ', null), js: null, edit: 'ok' },
  { line: '[profile  dev]', botocore: h('profile  dev', 'dev'), js: null, edit: 'refused' },
  { line: '[profile dev ]', botocore: h('profile dev ', 'dev'), js: null, edit: 'refused' },
  { line: '[profile\t dev]', botocore: h('profile\t dev', 'dev'), js: null, edit: 'refused' },
  { line: '[profile\u00a0dev]', botocore: h('profile\u00a0dev', null), js: 'dev', edit: 'refused' },
  { line: '  [profile dev]', botocore: h(null, null), js: 'dev', edit: 'refused' },
  { line: '\u00a0[profile dev]', botocore: h(null, null), js: 'dev', edit: 'refused' },
  // Prefixes and names.
  { line: '[default]', botocore: h('default', 'default'), js: 'default', edit: 'ok' },
  { line: '[profile default]', botocore: h('profile default', 'default'), js: 'default', edit: 'ok' },
  { line: '[profile.dev]', botocore: h('profile.dev', null), js: 'dev', edit: 'refused' },
  { line: '[profiles dev]', botocore: h('profiles dev', 'dev'), js: null, edit: 'refused' },
  { line: '[PROFILE dev]', botocore: h('PROFILE dev', null), js: null, edit: 'ok' },
  { line: '[dev]', botocore: h('dev', null), js: null, edit: 'ok' },
  { line: '[profile]', botocore: h('profile', null), js: null, edit: 'ok' },
  { line: '[profile dev extra]', botocore: h('profile dev extra', null), js: null, edit: 'ok' },
  { line: '[profile "my dev"]', botocore: h('profile "my dev"', 'my dev'), js: null, edit: 'ok' },
  { line: '[profile "dev]', botocore: h('profile "dev', null), js: null, edit: 'ok' },
  { line: '[profile ünïcode]', botocore: h('profile ünïcode', 'ünïcode'), js: null, edit: 'ok' },
  { line: '[sso-session dev]', botocore: h('sso-session dev', null), js: null, edit: 'ok' },
  { line: '[services dev]', botocore: h('services dev', null), js: null, edit: 'ok' },
  // What botocore refuses, or the JS SDK throws on.
  { line: '[profile dev', botocore: 'refused', js: null, edit: 'refused' },
  { line: '[]', botocore: 'refused', js: null, edit: 'refused' },
  { line: '\ufeff[profile dev]', botocore: 'refused', js: 'dev', edit: 'refused' },
  { line: '[profile dev]', file: '[profile dev]\na = 1\n[profile dev]\nregion = r1\n', botocore: 'refused', js: 'dev', edit: 'refused' },
  { line: '[__proto__]', botocore: h('__proto__', null), js: null, edit: 'refused' },
  { line: '[profile __proto__]', botocore: h('profile __proto__', '__proto__'), js: null, edit: 'refused' },
  // [DEFAULT]: botocore adds its keys to every section (here `region` goes to [base]), the JS SDK ignores it.
  { line: '[DEFAULT]', botocore: h(null, null), js: null, edit: 'refused' },
  // The whole file.
  { line: '\ufeff[profile dev]', file: '\ufeff[profile dev]\nregion = r1\n', botocore: 'refused', js: 'dev', edit: 'refused', at: 1 },
  { line: '[profile dev]', file: '[base]\rk = 1\r[profile dev]\rregion = r1\r', botocore: h('profile dev', 'dev'), js: null, edit: 'refused', at: 1 },
  { line: '[profile dev]', file: '[base]\r\nk = 1\r\n[profile dev]\r\nregion = r1\r\n', botocore: h('profile dev', 'dev'), js: 'dev', edit: 'ok' },
  { line: '[profile dev]', file: '[profile dev]\na = 1\n[profile\tdev]\nregion = r1\n', botocore: h('profile\tdev', 'dev'), js: 'dev', edit: 'refused', at: 1 },
  { line: '[default]', file: '[profile default]\na = 1\n[default]\nregion = r1\n', botocore: h('default', 'default'), js: 'default', edit: 'ok' },
];

const fileOf = (row: Row): string => row.file ?? `[base]\nk = 1\n${row.line}\nregion = r1\n`;
const edited = (row: Row): string | undefined => {
  try {
    return upsertProfile(fileOf(row), 'dev', { output: 'json' });
  } catch {
    return undefined;
  }
};

/** Our reading in botocore's shape: section names (DEFAULT left out), profiles with their blocks. */
function ours(text: string): BotocoreReading {
  if (scan(splitLines(text)).problems.length > 0) return { refused: 'refused' };
  const sections = [...new Set(parseIni(text).map((s) => s.name))].filter((n) => n !== 'DEFAULT');
  const shaped = (kind: 'profile' | 'services') =>
    Object.fromEntries([...sectionsOf(text, kind)].map(([name, s]) => [name, { ...s.settings, ...s.subsections }]));
  return { sections, profiles: shaped('profile'), services: shaped('services') };
}

describeWith(['boto3'], 'the header forms, against real botocore and the real JS SDK', () => {
  let boto: BotocoreReading[] = [];
  let js: Record<string, Record<string, string>>[] = [];
  let botoEdited: BotocoreReading[] = [];
  let jsEdited: Record<string, Record<string, string>>[] = [];

  beforeAll(async () => {
    const files = HEADER_FORMS.map(fileOf);
    const edits = HEADER_FORMS.map((row) => edited(row) ?? '');
    [boto, js, botoEdited, jsEdited] = await Promise.all([readWithBotocore(files), readWithJsSdk(files), readWithBotocore(edits), readWithJsSdk(edits)]);
  });

  describe.each(HEADER_FORMS.map((row, i) => [JSON.stringify(row.file ?? row.line), row, i] as const))('%s', (_name, row, i) => {
    const file = fileOf(row);

    it('botocore and the JS SDK read it as the table says', () => {
      const reading = boto[i]!;
      if (row.botocore === 'refused') {
        expect(reading).toHaveProperty('refused');
      } else {
        expect(reading).not.toHaveProperty('refused');
        if ('sections' in reading) {
          const { section, profile } = row.botocore;
          if (!row.file) expect(reading.sections).toEqual(section === null ? ['base'] : ['base', section]);
          else if (section !== null) expect(reading.sections).toContain(section);
          expect(Object.keys(reading.profiles)).toEqual(profile === null ? [] : [profile]);
        }
      }
      expect(jsProfiles(js[i]!)).toEqual(row.js === null ? [] : [row.js]);
    });

    it('our parser reads it exactly as botocore does', () => {
      const reading = boto[i]!;
      expect(ours(file)).toEqual('refused' in reading ? { refused: 'refused' } : reading);
    });

    it(`our editor ${row.edit === 'ok' ? 'edits profile "dev" as both read it back' : 'refuses, naming the line'}`, () => {
      // The table's own rule: wherever botocore refuses the file or the readers disagree on "dev", we refuse.
      const botoDev = row.botocore !== 'refused' && row.botocore.profile === 'dev';
      if (row.botocore === 'refused' || botoDev !== (row.js === 'dev')) expect(row.edit).toBe('refused');
      if (row.edit === 'refused') {
        const line = splitLines(file)[(row.at ?? 3) - 1]!.text;
        expect(() => upsertProfile(file, 'dev', { output: 'json' })).toThrow(`line ${row.at ?? 3} ${showLine(line)}`);
        return;
      }
      const after = edited(row);
      expect(after).toBeDefined();
      const reading = botoEdited[i]!;
      expect(reading).not.toHaveProperty('refused');
      const before = boto[i]!;
      if (!('profiles' in reading) || !('profiles' in before)) throw new Error('unreachable');
      expect(reading.profiles['dev']).toEqual({ ...before.profiles['dev'], output: 'json' });
      expect(jsEdited[i]!['dev']).toEqual({ ...js[i]!['dev'], output: 'json' });
      // Every other profile reads as before, in both.
      expect({ ...reading.profiles, dev: undefined }).toEqual({ ...before.profiles, dev: undefined });
      expect({ ...jsEdited[i]!, dev: undefined }).toEqual({ ...js[i]!, dev: undefined });
      // And removing it again is allowed, and leaves no "dev" to either reader.
      expect(profilesAfterRemove(after!)).toBe(true);
    });
  });

  it('covers every way the two readers can disagree that the issue names', () => {
    const lines = HEADER_FORMS.map((r) => r.file ?? r.line);
    for (const form of ['[profile dev] # a ]', '[ profile dev ]', '[profile  dev]', '[base]\rk = 1\r[profile dev]\rregion = r1\r', '[profile dev]x']) {
      expect(lines).toContain(form);
    }
    expect(isValidProfileName('ünïcode')).toBe(false); // botocore reads [profile ünïcode], the JS SDK does not
  });
});

/** The profiles in the JS SDK's reading (it files sso-session and services sections there too). */
function jsProfiles(reading: Record<string, unknown>): string[] {
  return Object.keys(reading).filter((k) => !k.startsWith('sso-session.') && !k.startsWith('services.'));
}

function profilesAfterRemove(text: string): boolean {
  const { text: out, removed } = removeProfile(text, 'dev');
  return removed && !sectionsOf(out, 'profile').has('dev');
}
