import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { detectLineBreak, isValidProfileName, removeProfile, upsertProfile } from '../../../src/config/ini-edit.js';
import { parseIni, profileNameOfSection, profilesFromIni } from '../../../src/config/ini-parse.js';
import { REALISTIC } from './ini-sample.js';

const crlf = (text: string): string => text.replace(/\n/g, '\r\n');

/** The text before `from` and from `to` on, to check that an edit kept them byte for byte. */
function around(text: string, from: string, to: string | undefined): { before: string; after: string } {
  const start = text.indexOf(from);
  const end = to === undefined ? text.length : text.indexOf(to);
  if (start < 0 || end < 0) throw new Error('marker not found');
  return { before: text.slice(0, start), after: text.slice(end) };
}

describe('profile names', () => {
  it('accepts names that can be written and read back, and rejects the others', () => {
    for (const name of ['dev', 'team.dev-1', 'a_b', 'x@y+z', 'default', 'ünïcode']) {
      expect(isValidProfileName(name)).toBe(true);
    }
    for (const name of ['', 'a b', 'a\tb', 'a[b', 'a]b', 'a#b', 'a;b', 'a=b', 'a\nb', 'a\u0000b', 'a"b', "a'b", 'a\\b']) {
      expect(isValidProfileName(name)).toBe(false);
    }
  });
});

describe('detectLineBreak', () => {
  it('follows the first line break', () => {
    expect(detectLineBreak('a\r\nb\nc')).toBe('\r\n');
    expect(detectLineBreak('a\nb\r\nc')).toBe('\n');
    expect(detectLineBreak('no break')).toBe('\n');
    expect(detectLineBreak('\r\n')).toBe('\r\n');
  });
});

describe('upsertProfile', () => {
  const TEAM_EDIT = {
    credential_process: 'cognito-creds creds --profile team.dev-1 --verbose',
    cognito_client_id: 'abc123',
    cognito_user_pool_id: undefined,
  };
  const TEAM_SECTION = [
    '[profile team.dev-1]',
    'region = us-east-1 # primary region',
    'credential_process = cognito-creds creds --profile team.dev-1 --verbose',
    'cognito_client_id = abc123',
    '; cognito_client_id = old',
    '',
    '',
  ].join('\n');

  it('edits one profile of a realistic config and keeps every other byte', () => {
    const out = upsertProfile(REALISTIC, 'team.dev-1', TEAM_EDIT);
    const { before, after } = around(REALISTIC, '[profile team.dev-1]', '[sso-session my-sso]');
    expect(out).toBe(before + TEAM_SECTION + after);
    expect(profilesFromIni(out).get('team.dev-1')).toEqual({
      region: 'us-east-1',
      credential_process: 'cognito-creds creds --profile team.dev-1 --verbose',
      cognito_client_id: 'abc123',
    });
  });

  it('keeps a CRLF file CRLF everywhere', () => {
    const out = upsertProfile(crlf(REALISTIC), 'team.dev-1', TEAM_EDIT);
    const { before, after } = around(REALISTIC, '[profile team.dev-1]', '[sso-session my-sso]');
    expect(out).toBe(crlf(before + TEAM_SECTION + after));
    expect(/(?<!\r)\n/.test(out)).toBe(false);

    const added = upsertProfile(crlf(REALISTIC), 'new', { region: 'x' });
    expect(added).toBe(`${crlf(REALISTIC)}\r\n[profile new]\r\nregion = x\r\n`);
  });

  it('edits [default], deleting a sub-setting block with its lines', () => {
    const out = upsertProfile(REALISTIC, 'default', { region: 'eu-central-1', s3: undefined, Output: 'text' });
    const { before, after } = around(REALISTIC, '[default]', '# Team profile');
    // Keys match without case; the line is written as the caller spells the key.
    expect(out).toBe(`${before}[default]\nregion = eu-central-1\nOutput = text\ncli_pager =\n\n${after}`);
  });

  it('finds [profile NAME] with tabs inside the brackets', () => {
    const out = upsertProfile(REALISTIC, 'sso-user', { region: 'us-west-2' });
    const { before, after } = around(REALISTIC, '[profile\t sso-user]', '[services my-services]');
    expect(out).toBe(
      `${before}[profile\t sso-user]\nsso_session = my-sso\nsso_account_id = 111122223333\n` +
        `sso_role_name = ReadOnly\nservices = my-services\nregion = us-west-2\n\n${after}`,
    );
  });

  it('appends a new profile after a blank line, the old text an exact prefix', () => {
    expect(upsertProfile(REALISTIC, 'new.one', { region: 'x', output: 'json' })).toBe(
      `${REALISTIC}\n[profile new.one]\nregion = x\noutput = json\n`,
    );
    // [legacy] is not a profile, so it gets a section of its own.
    expect(upsertProfile(REALISTIC, 'legacy', { region: 'x' })).toBe(`${REALISTIC}\n[profile legacy]\nregion = x\n`);
    expect(upsertProfile('[profile a]\nx = 1\n\n', 'b', { y: '2' })).toBe('[profile a]\nx = 1\n\n[profile b]\ny = 2\n');
  });

  it('adds to an empty file', () => {
    expect(upsertProfile('', 'dev', { region: 'us-east-1', output: 'json' })).toBe(
      '[profile dev]\nregion = us-east-1\noutput = json\n',
    );
    expect(upsertProfile('', 'default', { region: 'us-east-1' })).toBe('[default]\nregion = us-east-1\n');
    expect(upsertProfile('', 'dev', { region: undefined })).toBe('');
  });

  it('handles a file without a final line break', () => {
    const text = '[profile a]\nregion = x';
    expect(upsertProfile(text, 'a', { output: 'json' })).toBe('[profile a]\nregion = x\noutput = json');
    expect(upsertProfile(text, 'a', { region: 'y' })).toBe('[profile a]\nregion = y');
    expect(upsertProfile(text, 'a', { region: undefined })).toBe('[profile a]');
    expect(upsertProfile('[profile a]', 'a', { region: 'y' })).toBe('[profile a]\nregion = y');
    expect(upsertProfile(text, 'b', { region: 'y' })).toBe('[profile a]\nregion = x\n\n[profile b]\nregion = y\n');
    expect(upsertProfile('[profile a]\r\nregion = x', 'b', { region: 'y' })).toBe(
      '[profile a]\r\nregion = x\r\n\r\n[profile b]\r\nregion = y\r\n',
    );
  });

  it('does not leave blank lines at the end when deleting the last lines', () => {
    expect(upsertProfile('[profile a]\nx = 1\n\nregion = a', 'a', { region: undefined })).toBe('[profile a]\nx = 1');
    expect(upsertProfile('[profile a]\n\nregion = a\n', 'a', { region: undefined })).toBe('[profile a]\n');
  });

  it('replaces a key together with its continuation lines', () => {
    const text = '[profile a]\ncredential_process = old\n  --profile a\n\n  --verbose\nregion = x\n';
    expect(upsertProfile(text, 'a', { credential_process: 'new --profile a' })).toBe(
      '[profile a]\ncredential_process = new --profile a\nregion = x\n',
    );
  });

  it('deletes a key, and every copy of it in the section', () => {
    const text = '[profile a]\nregion = x\noutput = json\nregion = y\n# end\n';
    expect(upsertProfile(text, 'a', { region: undefined })).toBe('[profile a]\noutput = json\n# end\n');
    expect(upsertProfile(text, 'a', { region: 'z' })).toBe('[profile a]\nregion = z\noutput = json\n# end\n');
    expect(upsertProfile(text, 'a', { missing: undefined })).toBe(text);
  });

  it('puts new keys after the last content line, before trailing blank lines and comments', () => {
    const text = '[default]\ns3 =\n  max_queue_size = 10\n\n# about b\n[profile b]\nx = 1\n';
    const out = upsertProfile(text, 'default', { region: 'x' });
    expect(out).toBe('[default]\ns3 =\n  max_queue_size = 10\nregion = x\n\n# about b\n[profile b]\nx = 1\n');
    expect(parseIni(out)[0]).toEqual({
      name: 'default',
      settings: { region: 'x' },
      subsections: { s3: { max_queue_size: '10' } },
    });
    expect(upsertProfile('[profile a]\n\n[profile b]\n', 'a', { k: 'v' })).toBe('[profile a]\nk = v\n\n[profile b]\n');
  });

  it('keeps the indentation of a rewritten key', () => {
    const text = '[profile a]\n  region = x\n    more\n  output = json\n';
    expect(upsertProfile(text, 'a', { region: 'y' })).toBe('[profile a]\n  region = y\n  output = json\n');
  });

  it('writes an empty value as `key =`, and trims values', () => {
    expect(upsertProfile('[profile a]\nk = v\n', 'a', { k: '', m: '  spaced  ' })).toBe('[profile a]\nk =\nm = spaced\n');
  });

  it('edits [profile default] when it comes first, and [default] otherwise', () => {
    expect(upsertProfile('[profile default]\na = 1\n[default]\nb = 1\n', 'default', { c: '3' })).toBe(
      '[profile default]\na = 1\nc = 3\n[default]\nb = 1\n',
    );
    expect(upsertProfile('[default]\na = 1\n', 'default', { a: '2' })).toBe('[default]\na = 2\n');
  });

  it('handles names with dots and dashes, and quoted names in the file', () => {
    expect(upsertProfile('[profile team.dev-1]\na = 1\n', 'team.dev-1', { a: '2' })).toBe('[profile team.dev-1]\na = 2\n');
    expect(upsertProfile('[profile "team.dev-1"]\na = 1\n', 'team.dev-1', { a: '2' })).toBe(
      '[profile "team.dev-1"]\na = 2\n',
    );
  });

  it('edits the first of duplicate sections and drops the keys a later one would override', () => {
    const text = '[profile a]\nregion = x\n\n[profile b]\nk = 1\n\n[profile a]\nregion = y\noutput = json\n';
    const out = upsertProfile(text, 'a', { region: 'z' });
    expect(out).toBe('[profile a]\nregion = z\n\n[profile b]\nk = 1\n\n[profile a]\noutput = json\n');
    expect(profilesFromIni(out).get('a')).toEqual({ region: 'z', output: 'json' });
  });

  it('returns the text unchanged when there is nothing to change', () => {
    for (const text of [REALISTIC, crlf(REALISTIC), `\uFEFF${REALISTIC}`, '[profile a]', '[default]\r\nx=1']) {
      for (const profile of ['default', 'team.dev-1', 'sso-user', 'a']) {
        if (profilesFromIni(text).has(profile)) expect(upsertProfile(text, profile, {})).toBe(text);
      }
    }
  });

  it('keeps a BOM', () => {
    expect(upsertProfile('\uFEFF[default]\nregion = x\n', 'default', { region: 'y' })).toBe('\uFEFF[default]\nregion = y\n');
  });

  it('rejects bad profile names, keys and values', () => {
    for (const name of ['', 'a b', 'a[b', 'a]b', 'a#b', 'a;b', 'a=b', 'a\nb', 'a\u0007b']) {
      expect(() => upsertProfile('', name, { k: 'v' })).toThrow(/invalid profile name/);
      expect(() => removeProfile('', name)).toThrow(/invalid profile name/);
    }
    for (const key of ['', 'a b', '[a]', 'a=b', '#a', 'a\nb']) {
      expect(() => upsertProfile('', 'a', { [key]: 'v' })).toThrow(/invalid config key/);
    }
    expect(() => upsertProfile('', 'a', { k: 'v\n[profile evil]' })).toThrow(/line break/);
    expect(() => upsertProfile('', 'a', { k: 'v\rx' })).toThrow(/line break/);
    expect(() => upsertProfile('', 'a', { k: 'v # not a value' })).toThrow(/comment/);
    expect(() => upsertProfile('', 'a', { k: ';v' })).toThrow(/comment/);
    expect(upsertProfile('', 'a', { k: 'v#1;2' })).toBe('[profile a]\nk = v#1;2\n');
  });
});

describe('removeProfile', () => {
  it('removes the first section with the blank line after it', () => {
    const { text, removed } = removeProfile(REALISTIC, 'default');
    expect(removed).toBe(true);
    const { before, after } = around(REALISTIC, '[default]', '# Team profile');
    expect(text).toBe(before + after);
  });

  it('removes a section at the very start of the file', () => {
    expect(removeProfile('[profile a]\nx = 1\n\n[profile b]\ny = 2\n', 'a')).toEqual({
      text: '[profile b]\ny = 2\n',
      removed: true,
    });
  });

  it('removes a middle section and leaves the comments before it alone', () => {
    const { text } = removeProfile(REALISTIC, 'team.dev-1');
    const { before, after } = around(REALISTIC, '[profile team.dev-1]', '; cognito_client_id = old');
    expect(text).toBe(before + after);

    const sso = removeProfile(REALISTIC, 'sso-user').text;
    const cut = around(REALISTIC, '[profile\t sso-user]', '[services my-services]');
    expect(sso).toBe(cut.before + cut.after);
  });

  it('removes the last section with the blank lines before it', () => {
    expect(removeProfile('[profile a]\nx = 1\n\n[profile b]\ny = 2\n', 'b').text).toBe('[profile a]\nx = 1\n');
    expect(removeProfile('[profile a]\nx = 1\n# about b\n\n[profile b]\ny = 2\n\n', 'b').text).toBe(
      '[profile a]\nx = 1\n# about b\n',
    );
  });

  it('does not add a final line break', () => {
    expect(removeProfile('[profile a]\nx = 1\n\n[profile b]\ny = 2', 'b').text).toBe('[profile a]\nx = 1');
    expect(removeProfile('[profile a]\r\nx = 1\r\n[profile b]', 'b').text).toBe('[profile a]\r\nx = 1');
    expect(removeProfile('[profile a]\nx = 1\n[profile b]\ny = 2', 'a').text).toBe('[profile b]\ny = 2');
  });

  it('keeps a CRLF file CRLF', () => {
    const { text } = removeProfile(crlf(REALISTIC), 'sso-user');
    const cut = around(REALISTIC, '[profile\t sso-user]', '[services my-services]');
    expect(text).toBe(crlf(cut.before + cut.after));
  });

  it('removes every section of the profile, [profile default] too', () => {
    const text = '[default]\na = 1\n\n[profile b]\nk = 1\n\n[profile default]\nb = 2\n';
    expect(removeProfile(text, 'default')).toEqual({ text: '[profile b]\nk = 1\n', removed: true });
  });

  it('removes the only section, and keeps a BOM', () => {
    expect(removeProfile('[profile a]\nx = 1\n', 'a').text).toBe('');
    expect(removeProfile('\uFEFF[profile a]\nx = 1\n[profile b]\n', 'a').text).toBe('\uFEFF[profile b]\n');
  });

  it('reports a missing profile and changes nothing', () => {
    expect(removeProfile(REALISTIC, 'legacy')).toEqual({ text: REALISTIC, removed: false });
    expect(removeProfile(REALISTIC, 'my-sso')).toEqual({ text: REALISTIC, removed: false });
    expect(removeProfile('', 'a')).toEqual({ text: '', removed: false });
  });
});

// ---------------------------------------------------------------------------------------------
// Properties over generated config files

const NAMES = ['dev', 'prod', 'team.dev-1', 'default', 'x@y+z'] as const;
const KEYS = ['region', 'output', 'credential_process', 'cognito_client_id', 's3', 'endpoint_url', 'Region'] as const;
// No brackets (an indented `[x]` line is a header) and no line breaks.
const VALUE_CHARS = [...'abcXYZ019-_./:@="\' #;\té'];

const nameArb = fc.constantFrom(...NAMES);
const keyArb = fc.constantFrom(...KEYS);
const fileValueArb = fc
  .string({ unit: fc.constantFrom(...VALUE_CHARS), minLength: 1, maxLength: 12 })
  .map((s) => s.trim())
  .filter((s) => s !== '' && !/^[#;]/.test(s));
/** A value upsertProfile accepts. */
const newValueArb = fc
  .string({ unit: fc.constantFrom(...VALUE_CHARS), maxLength: 12 })
  .map((s) => s.trim())
  .filter((s) => !/(^|\s)[#;]/.test(s));

const commentArb = fc.constantFrom('# a comment', '; another', '  # indented', '#', ';[profile dev]');
const blankArb = fc.constantFrom('', '  ', '\t');
const inlineArb = fc.constantFrom('', '', ' # note', ' ; note');

/** One body item of a section: its lines. */
const itemArb: fc.Arbitrary<string[]> = fc.oneof(
  fc.tuple(keyArb, fileValueArb, inlineArb, fc.constantFrom(' = ', '=', ' =\t')).map(([k, v, c, eq]) => [`${k}${eq}${v}${c}`]),
  fc
    .tuple(keyArb, fileValueArb, fc.array(fileValueArb, { minLength: 1, maxLength: 2 }))
    .map(([k, v, more]) => [`${k} = ${v}`, ...more.map((m) => `  ${m}`)]),
  fc
    .tuple(keyArb, fc.array(fc.tuple(keyArb, fileValueArb), { minLength: 1, maxLength: 3 }), fc.boolean())
    .map(([k, subs, comment]) => [
      `${k} =`,
      ...subs.map(([sk, sv]) => `  ${sk} = ${sv}`),
      ...(comment ? ['  # inside the block'] : []),
    ]),
  keyArb.map((k) => [`${k} =`]),
  // Indented keys (deeper than the key before them, they continue it) and lines without `=`.
  fc.tuple(keyArb, fileValueArb, fc.constantFrom(' ', '  ', '\t')).map(([k, v, lead]) => [`${lead}${k} = ${v}`]),
  fc.constantFrom('just words', '  indented words').map((line) => [line]),
  commentArb.map((c) => [c]),
  blankArb.map((b) => [b]),
);

interface GenSection {
  /** The profile it holds, if any. */
  profile: string | undefined;
  lines: string[];
}

const sectionArb: fc.Arbitrary<GenSection> = fc
  .tuple(
    fc.constantFrom('default', 'profile', 'profile', 'profile', 'sso-session', 'services', 'bare'),
    nameArb,
    fc.constantFrom(' ', '  ', '\t', ' \t'),
    fc.constantFrom('', ' '),
    fc.constantFrom('', '', ' # header comment'),
    fc.array(itemArb, { maxLength: 5 }),
  )
  .map(([kind, name, gap, pad, comment, items]) => {
    const inner = {
      default: 'default',
      bare: name,
      profile: `profile${gap}${name}`,
      'sso-session': `sso-session ${name}`,
      services: `services ${name}`,
    }[kind];
    // `[default]`, `[profile NAME]`, and a bare `[default]` too, hold a profile.
    const profile = inner === 'default' ? 'default' : kind === 'profile' ? name : undefined;
    return { profile, lines: [`[${pad}${inner}${pad}]${comment}`, ...items.flat()] };
  });

interface GenFile {
  text: string;
  eol: '\n' | '\r\n';
  /** Each section's profile and the offset of its header line. */
  sections: { profile: string | undefined; offset: number }[];
}

const fileArb: fc.Arbitrary<GenFile> = fc
  .tuple(
    fc.array(fc.oneof(commentArb, blankArb), { maxLength: 2 }),
    fc.array(sectionArb, { maxLength: 6 }),
    fc.constantFrom('\n' as const, '\r\n' as const),
    fc.boolean(),
    fc.boolean(),
  )
  .map(([preamble, sections, eol, finalBreak, bom]) => {
    const lines: string[] = [...preamble];
    const headers: { profile: string | undefined; line: number }[] = [];
    for (const s of sections) {
      headers.push({ profile: s.profile, line: lines.length });
      lines.push(...s.lines);
    }
    const starts: number[] = [];
    let offset = 0;
    for (const [i, line] of lines.entries()) {
      starts.push(offset);
      offset += line.length + (i < lines.length - 1 || finalBreak ? eol.length : 0);
    }
    const body = lines.join(eol) + (finalBreak && lines.length > 0 ? eol : '');
    const shift = bom ? 1 : 0;
    return {
      text: (bom ? '\uFEFF' : '') + body,
      eol,
      // The BOM belongs to the first line, so the first header is still at 0 when it starts the file.
      sections: headers.map((h) => ({ profile: h.profile, offset: h.line === 0 ? 0 : (starts[h.line] ?? 0) + shift })),
    };
  });

const valuesArb = fc.dictionary(keyArb, fc.option(newValueArb, { nil: undefined }), { maxKeys: 4 });

/** Sections that do not hold `profile`, fully parsed. */
function otherSections(text: string, profile: string) {
  return parseIni(text).filter((s) => profileNameOfSection(s.name) !== profile);
}

function expectOtherProfilesUnchanged(before: string, after: string, profile: string): void {
  const was = profilesFromIni(before);
  const now = profilesFromIni(after);
  was.delete(profile);
  now.delete(profile);
  expect(now).toEqual(was);
  expect(otherSections(after, profile)).toEqual(otherSections(before, profile));
}

const RUNS = { numRuns: 200 };

describe('properties', () => {
  it('generated files have their sections where the generator says', () => {
    fc.assert(
      fc.property(fileArb, (file) => {
        const profiles = profilesFromIni(file.text);
        const expected = new Set(file.sections.flatMap((s) => (s.profile ? [s.profile] : [])));
        expect(new Set(profiles.keys())).toEqual(expected);
        for (const s of file.sections) expect(file.text.slice(s.offset).replace(/^\uFEFF/, '')[0]).toBe('[');
      }),
      RUNS,
    );
  });

  it('upsert changes only its profile, byte for byte outside the section', () => {
    fc.assert(
      fc.property(fileArb, nameArb, valuesArb, (file, profile, values) => {
        const { text } = file;
        const eol = text.includes('\n') ? file.eol : '\n'; // a file without line breaks gets LF
        const out = upsertProfile(text, profile, values);
        // Whether a key gets a value; keys differing only in case: the last one counts.
        const effective = new Map(Object.entries(values).map(([k, v]) => [k.toLowerCase(), v]));
        const writes = [...effective.values()].some((v) => v !== undefined);

        // Bytes: the text before the section header, and from the next header on, are kept.
        const index = file.sections.findIndex((s) => s.profile === profile);
        const target = file.sections[index];
        if (target) {
          expect(out.startsWith(text.slice(0, target.offset))).toBe(true);
          const rest = file.sections.slice(index + 1);
          const next = rest[0];
          if (next && !rest.some((s) => s.profile === profile)) expect(out.endsWith(text.slice(next.offset))).toBe(true);
          expect(out.endsWith('\n')).toBe(text.endsWith('\n'));
        } else if (writes) {
          expect(out.startsWith(text)).toBe(true);
          expect(out.endsWith(eol)).toBe(true);
        } else {
          expect(out).toBe(text);
        }
        if (eol === '\r\n') expect(/(?<!\r)\n/.test(out)).toBe(false);

        // Meaning: the new values for this profile, everything else unchanged.
        const before = profilesFromIni(text).get(profile);
        const expected: Record<string, string> = { ...before };
        for (const [key, value] of Object.entries(values)) {
          if (value === undefined) delete expected[key.toLowerCase()];
          else expected[key.toLowerCase()] = value;
        }
        const after = profilesFromIni(out).get(profile);
        if (before === undefined && !writes) expect(after).toBeUndefined();
        else expect({ ...after }).toEqual(expected);
        expectOtherProfilesUnchanged(text, out, profile);

        // Doing it again changes nothing; an empty edit of an existing profile changes nothing.
        expect(upsertProfile(out, profile, values)).toBe(out);
        if (target) expect(upsertProfile(text, profile, {})).toBe(text);
      }),
      RUNS,
    );
  });

  it('remove drops the profile and leaves the others', () => {
    fc.assert(
      fc.property(fileArb, nameArb, (file, profile) => {
        const { text } = file;
        const existed = profilesFromIni(text).has(profile);
        const out = removeProfile(text, profile);
        expect(out.removed).toBe(existed);
        if (!existed) expect(out.text).toBe(text);
        expect(profilesFromIni(out.text).has(profile)).toBe(false);
        expectOtherProfilesUnchanged(text, out.text, profile);
        if (!text.endsWith('\n')) expect(out.text.endsWith('\n')).toBe(false);
        const index = file.sections.findIndex((s) => s.profile === profile);
        const target = file.sections[index];
        if (target && file.eol === '\r\n') expect(/(?<!\r)\n/.test(out.text)).toBe(false);
        // Everything before the first removed section, up to its leading blank lines, is kept.
        if (target) expect(out.text.startsWith(text.slice(0, target.offset).replace(/(?:[ \t]*\r?\n)*$/, ''))).toBe(true);
      }),
      RUNS,
    );
  });

  const messyArb = fc.oneof(
    fc.string({ unit: 'binary' }),
    fc.string({ unit: 'grapheme' }),
    fc.string({
      unit: fc.constantFrom('[', ']', '=', '\n', '\r\n', '\r', ' ', '\t', '#', ';', 'a', 'B', 'profile ', 'default', 'dev', '\uFEFF', '"'),
      maxLength: 60,
    }),
  );

  it('parseIni never throws, and the editors stay consistent on any text', () => {
    fc.assert(
      fc.property(messyArb, (text) => {
        expect(() => parseIni(text)).not.toThrow();
        const profiles = profilesFromIni(text);
        if (profiles.has('dev')) expect(upsertProfile(text, 'dev', {})).toBe(text);
        const out = upsertProfile(text, 'dev', { region: 'us-east-1' });
        expect(profilesFromIni(out).get('dev')?.['region']).toBe('us-east-1');
        expectOtherProfilesUnchanged(text, out, 'dev');
        const removed = removeProfile(text, 'dev');
        expect(removed.removed).toBe(profiles.has('dev'));
        expect(profilesFromIni(removed.text).has('dev')).toBe(false);
        expectOtherProfilesUnchanged(text, removed.text, 'dev');
      }),
      RUNS,
    );
  });
});
