import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { detectLineBreak, isIniEditRefused, isValidProfileName, removeProfile, upsertProfile } from '../../../src/config/ini-edit.js';
import { botocoreProfileOf as profileNameOfSection } from '../../../src/config/ini-headers.js';
import { parseIni, profilesFromIni, scan, splitLines } from '../../../src/config/ini-parse.js';
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
    for (const name of ['dev', 'team.dev-1', 'a_b', 'x@y+z', 'default', 'a:b', 'a/b', 'a%b', 'Prod.EU']) {
      expect(isValidProfileName(name)).toBe(true);
    }
    // ünïcode: botocore reads [profile ünïcode], the JS SDK does not; __proto__ makes the JS SDK drop the file.
    for (const name of ['', 'a b', 'a\tb', 'a[b', 'a]b', 'a#b', 'a;b', 'a=b', 'a\nb', 'a\u0000b', 'a"b', "a'b", 'a\\b', 'ünïcode', 'a!b', '__proto__']) {
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

  it('finds [profile NAME] with a tab inside the brackets', () => {
    const text = '[profile a]\nx = 1\n\n[profile\tsso-user]\nsso_session = my-sso\n\n[profile b]\n';
    expect(upsertProfile(text, 'sso-user', { region: 'us-west-2' })).toBe(
      '[profile a]\nx = 1\n\n[profile\tsso-user]\nsso_session = my-sso\nregion = us-west-2\n\n[profile b]\n',
    );
  });

  it('refuses a header that botocore and the JS SDK read differently, naming the line, and edits the other profiles', () => {
    // botocore splits `profile\t sso-user` by shlex; the JS SDK wants exactly one blank.
    expect(() => upsertProfile(REALISTIC, 'sso-user', { region: 'us-west-2' })).toThrow(
      'line 24 "[profile\\t sso-user]": botocore reads the header of profile "sso-user", the JS SDK a header that holds no profile',
    );
    expect(() => removeProfile(REALISTIC, 'sso-user')).toThrow(/^line 24 /);
    expect(upsertProfile(REALISTIC, 'default', { region: 'x' })).toContain('[default]\nregion = x\n');
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

  it('deletes a key with its lines', () => {
    const text = '[profile a]\nregion = x\n  more\noutput = json\n# end\n';
    expect(upsertProfile(text, 'a', { region: undefined })).toBe('[profile a]\noutput = json\n# end\n');
    expect(upsertProfile(text, 'a', { region: 'z' })).toBe('[profile a]\nregion = z\noutput = json\n# end\n');
    expect(upsertProfile(text, 'a', { missing: undefined })).toBe(text);
  });

  it('refuses a file botocore refuses (a key set twice), naming the line', () => {
    const text = '[profile b]\nk = 1\n[profile a]\nregion = x\nRegion = y\n';
    expect(() => upsertProfile(text, 'b', { k: '2' })).toThrow(
      'line 5 "Region = y": it sets region again in [profile a] (first on line 4), so botocore (the AWS CLI, boto3) refuses the whole file',
    );
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

  it('edits [profile default] or [default], and refuses a file with both', () => {
    expect(upsertProfile('[profile default]\na = 1\n', 'default', { c: '3' })).toBe('[profile default]\na = 1\nc = 3\n');
    expect(upsertProfile('[default]\na = 1\n', 'default', { a: '2' })).toBe('[default]\na = 2\n');
    // botocore takes the last of the two whole; the JS SDK takes [profile default] whole.
    expect(() => upsertProfile('[profile default]\na = 1\n[default]\nb = 1\n', 'default', { c: '3' })).toThrow(
      'line 1 "[profile default]" and line 3 "[default]" both hold profile "default", which botocore (the last one whole) and the JS SDK combine differently',
    );
  });

  it('handles names with dots and dashes, and quoted names in the file', () => {
    expect(upsertProfile('[profile team.dev-1]\na = 1\n', 'team.dev-1', { a: '2' })).toBe('[profile team.dev-1]\na = 2\n');
    expect(upsertProfile('[profile "team.dev-1"]\na = 1\n', 'team.dev-1', { a: '2' })).toBe(
      '[profile "team.dev-1"]\na = 2\n',
    );
  });

  it('refuses a section named twice (botocore refuses the file) rather than append a third', () => {
    const text = '[profile a]\nregion = x\n\n[profile b]\nk = 1\n\n[profile a]\nregion = y\noutput = json\n';
    expect(() => upsertProfile(text, 'a', { region: 'z' })).toThrow(
      'line 7 "[profile a]": it repeats the section [profile a] of line 1, so botocore (the AWS CLI, boto3) refuses the whole file',
    );
    expect(() => upsertProfile(text, 'c', { region: 'z' })).toThrow(/^line 7 /);
  });

  it('returns the text unchanged when there is nothing to change', () => {
    for (const text of [REALISTIC, crlf(REALISTIC), '[profile a]', '[default]\r\nx=1']) {
      for (const profile of ['default', 'team.dev-1', 'a']) {
        if (profilesFromIni(text).has(profile)) expect(upsertProfile(text, profile, {})).toBe(text);
      }
    }
  });

  it('refuses a file that starts with a BOM (botocore refuses it) or has a lone CR (a line break to botocore only)', () => {
    expect(() => upsertProfile('\uFEFF[default]\nregion = x\n', 'default', { region: 'y' })).toThrow(
      'line 1 "\\ufeff[default]": it starts with a byte order mark (BOM), so botocore (the AWS CLI, boto3) refuses the whole file',
    );
    expect(() => removeProfile('[default]\nregion = x\r[profile a]\r', 'a')).toThrow(
      'line 2 "region = x" ends with a lone carriage return (CR): a line break to botocore, not to the JS SDK',
    );
  });

  it('refuses [DEFAULT] (botocore adds its keys to every profile) and names the JS SDK cannot take', () => {
    expect(() => upsertProfile('[DEFAULT]\nregion = x\n[profile a]\n', 'a', { k: 'v' })).toThrow(
      'line 1 "[DEFAULT]": botocore adds the keys of a [DEFAULT] section to every profile, the JS SDK ignores it',
    );
    expect(() => upsertProfile('[profile __proto__]\n', 'a', { k: 'v' })).toThrow(
      'line 1 "[profile __proto__]": the JS SDK refuses this section name, and then reads no profile in the file',
    );
  });

  it('writes new keys as deep as the next header, so that botocore does not take it for a continuation', () => {
    const text = '[profile a]\n  [profile b]\n  k = 1\n';
    expect(upsertProfile(text, 'a', { region: 'x' })).toBe('[profile a]\n  region = x\n  [profile b]\n  k = 1\n');
    const nested = '[profile a]\n  x = 1\n  [profile b]\n';
    expect(upsertProfile(nested, 'a', { x: '2' })).toBe('[profile a]\n  x = 2\n  [profile b]\n');
  });

  it('refuses an edit that would change how the lines after it read, and says why', () => {
    // Removing [profile a] would leave the indented header under `k = 1` of [profile b]: a continuation.
    const text = '[profile b]\nk = 1\n[profile a]\n    x = 1\n    [profile c]\n';
    expect(() => removeProfile(text, 'a')).toThrow(
      'editing profile "a" would change how botocore or the JS SDK reads the lines around it (indented lines); edit the file by hand',
    );
    expect(removeProfile('[profile b]\nk = 1\n[profile a]\n    x = 1\n[profile c]\n', 'a').text).toBe('[profile b]\nk = 1\n[profile c]\n');
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
    const { text } = removeProfile(crlf(REALISTIC), 'team.dev-1');
    const cut = around(REALISTIC, '[profile team.dev-1]', '; cognito_client_id = old');
    expect(text).toBe(crlf(cut.before + cut.after));
  });

  it('removes every section of the profile, [profile default] too', () => {
    const text = '[default]\na = 1\n\n[profile b]\nk = 1\n\n[profile default]\nb = 2\n';
    expect(removeProfile(text, 'default')).toEqual({ text: '[profile b]\nk = 1\n', removed: true });
  });

  it('removes the only section', () => {
    expect(removeProfile('[profile a]\nx = 1\n', 'a').text).toBe('');
  });

  it('reports a missing profile and changes nothing', () => {
    expect(removeProfile(REALISTIC, 'legacy')).toEqual({ text: REALISTIC, removed: false });
    expect(removeProfile(REALISTIC, 'my-sso')).toEqual({ text: REALISTIC, removed: false });
    expect(removeProfile('', 'a')).toEqual({ text: '', removed: false });
  });
});

// ---------------------------------------------------------------------------------------------
// Properties over generated config files (test/e2e/ini-generated.e2e.test.ts runs generated files
// through the real botocore and JS SDK too)

const NAMES = ['dev', 'prod', 'team.dev-1', 'default', 'x@y+z'] as const;
const KEYS = ['region', 'output', 'credential_process', 'cognito_client_id', 's3', 'endpoint_url', 'Region'] as const;
// No brackets (an indented `[x]` line may be a header) and no line breaks.
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

/** One body item of a section: its key (if it has one) and its lines. */
const itemArb: fc.Arbitrary<{ key?: string; lines: string[] }> = fc.oneof(
  fc.tuple(keyArb, fileValueArb, inlineArb, fc.constantFrom(' = ', '=', ' =\t')).map(([k, v, c, eq]) => ({ key: k, lines: [`${k}${eq}${v}${c}`] })),
  fc
    .tuple(keyArb, fileValueArb, fc.array(fileValueArb, { minLength: 1, maxLength: 2 }))
    .map(([k, v, more]) => ({ key: k, lines: [`${k} = ${v}`, ...more.map((m) => `  ${m}`)] })),
  fc
    .tuple(keyArb, fc.array(fc.tuple(keyArb, fileValueArb), { minLength: 1, maxLength: 3 }), fc.boolean())
    .map(([k, subs, comment]) => ({
      key: k,
      lines: [`${k} =`, ...subs.map(([sk, sv]) => `  ${sk} = ${sv}`), ...(comment ? ['  # inside the block'] : [])],
    })),
  keyArb.map((k) => ({ key: k, lines: [`${k} =`] })),
  // Indented keys: deeper than the key before them, they continue it.
  fc.tuple(keyArb, fileValueArb, fc.constantFrom(' ', '  ', '\t')).map(([k, v, lead]) => ({ key: k, lines: [`${lead}${k} = ${v}`] })),
  commentArb.map((c) => ({ lines: [c] })),
  blankArb.map((b) => ({ lines: [b] })),
);

interface GenSection {
  /** The profile it holds to botocore, if any. */
  profile: string | undefined;
  /** Whether the JS SDK reads another profile (or none) from the header: two blanks after `profile`. */
  jsDiffers: boolean;
  lines: string[];
}

const sectionArb: fc.Arbitrary<GenSection> = fc
  .tuple(
    fc.constantFrom('default', 'profile', 'profile', 'profile', 'sso-session', 'services', 'bare'),
    nameArb,
    fc.constantFrom(' ', ' ', '\t', '  '),
    fc.constantFrom('', '', ' # header comment'),
    fc.array(itemArb, { maxLength: 5 }),
  )
  .map(([kind, name, gap, comment, items]) => {
    const inner = {
      default: 'default',
      bare: name,
      profile: `profile${gap}${name}`,
      'sso-session': `sso-session ${name}`,
      services: `services ${name}`,
    }[kind];
    // `[default]`, `[profile NAME]`, and a bare `[default]` too, hold a profile.
    const profile = inner === 'default' ? 'default' : kind === 'profile' ? name : undefined;
    // A key once per section (botocore refuses a repeated key, ignoring case).
    const keys = new Set<string>();
    const kept = items.filter((item) => {
      if (item.key === undefined) return true;
      const key = item.key.toLowerCase();
      if (keys.has(key)) return false;
      keys.add(key);
      return true;
    });
    return { profile, jsDiffers: kind === 'profile' && gap === '  ', lines: [`[${inner}]${comment}`, ...kept.flatMap((item) => item.lines)] };
  });

interface GenFile {
  text: string;
  eol: '\n' | '\r\n';
  /** Each section's profile, whether the JS SDK reads its header differently, and its header line's offset. */
  sections: { profile: string | undefined; jsDiffers: boolean; offset: number }[];
}

const fileArb: fc.Arbitrary<GenFile> = fc
  .tuple(
    fc.array(fc.oneof(commentArb, blankArb), { maxLength: 2 }),
    fc.array(sectionArb, { maxLength: 6 }),
    fc.constantFrom('\n' as const, '\r\n' as const),
    fc.boolean(),
  )
  .map(([preamble, sections, eol, finalBreak]) => {
    const lines: string[] = [...preamble];
    const headers: { profile: string | undefined; jsDiffers: boolean; line: number }[] = [];
    for (const s of sections) {
      headers.push({ profile: s.profile, jsDiffers: s.jsDiffers, line: lines.length });
      lines.push(...s.lines);
    }
    const starts: number[] = [];
    let offset = 0;
    for (const [i, line] of lines.entries()) {
      starts.push(offset);
      offset += line.length + (i < lines.length - 1 || finalBreak ? eol.length : 0);
    }
    const text = lines.join(eol) + (finalBreak && lines.length > 0 ? eol : '');
    return { text, eol, sections: headers.map((h) => ({ profile: h.profile, jsDiffers: h.jsDiffers, offset: starts[h.line] ?? 0 })) };
  });

const valuesArb = fc.dictionary(keyArb, fc.option(newValueArb, { nil: undefined }), { maxKeys: 4 });

/** The edit, or undefined where the editor refuses the file (never another error). */
function attempt<T>(edit: () => T): T | undefined {
  try {
    return edit();
  } catch (err) {
    if (isIniEditRefused(err)) return undefined;
    throw err;
  }
}

/** Whether the editor must refuse to touch `profile` in the file: botocore refuses it, or the readers disagree. */
function mustRefuse(file: GenFile, profile: string, single: boolean): boolean {
  const mine = file.sections.filter((s) => s.profile === profile);
  return scan(splitLines(file.text)).problems.length > 0 || mine.some((s) => s.jsDiffers) || (single && mine.length > 1);
}

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

const RUNS = { numRuns: 300 };

describe('properties', () => {
  it('generated files have their sections where the generator says', () => {
    fc.assert(
      fc.property(fileArb, (file) => {
        const profiles = profilesFromIni(file.text);
        const expected = new Set(file.sections.flatMap((s) => (s.profile ? [s.profile] : [])));
        expect(new Set(profiles.keys())).toEqual(expected);
        for (const s of file.sections) expect(file.text[s.offset]).toBe('[');
      }),
      RUNS,
    );
  });

  it('upsert refuses an ambiguous file, else changes only its profile, byte for byte outside the section', () => {
    let edited = 0;
    fc.assert(
      fc.property(fileArb, nameArb, valuesArb, (file, profile, values) => {
        const { text } = file;
        const out = attempt(() => upsertProfile(text, profile, values));
        if (mustRefuse(file, profile, true)) expect(out).toBeUndefined();
        if (out === undefined) return;
        edited++;
        const eol = text.includes('\n') ? file.eol : '\n'; // a file without line breaks gets LF
        // Whether a key gets a value; keys differing only in case: the last one counts.
        const effective = new Map(Object.entries(values).map(([k, v]) => [k.toLowerCase(), v]));
        const writes = [...effective.values()].some((v) => v !== undefined);

        // Bytes: the text before the section header, and from the next header on, are kept.
        const index = file.sections.findIndex((s) => s.profile === profile);
        const target = file.sections[index];
        if (target) {
          expect(out.startsWith(text.slice(0, target.offset))).toBe(true);
          const next = file.sections[index + 1];
          if (next) expect(out.endsWith(text.slice(next.offset))).toBe(true);
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
    expect(edited).toBeGreaterThan(RUNS.numRuns / 3); // most files are edited, not refused
  });

  it('remove refuses an ambiguous file, else drops the profile and leaves the others', () => {
    let edited = 0;
    fc.assert(
      fc.property(fileArb, nameArb, (file, profile) => {
        const { text } = file;
        const out = attempt(() => removeProfile(text, profile));
        if (mustRefuse(file, profile, false)) expect(out).toBeUndefined();
        if (out === undefined) return;
        edited++;
        const existed = profilesFromIni(text).has(profile);
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
    expect(edited).toBeGreaterThan(RUNS.numRuns / 3);
  });

  const messyArb = fc.oneof(
    fc.string({ unit: 'binary' }),
    fc.string({ unit: 'grapheme' }),
    fc.string({
      unit: fc.constantFrom('[', ']', '=', '\n', '\r\n', '\r', ' ', '\t', '#', ';', 'a', 'B', 'profile ', 'default', 'dev', '\uFEFF', '"'),
      maxLength: 60,
    }),
  );

  it('parseIni never throws, and the editors refuse or stay consistent on any text', () => {
    fc.assert(
      fc.property(messyArb, (text) => {
        expect(() => parseIni(text)).not.toThrow();
        const profiles = profilesFromIni(text);
        const same = attempt(() => upsertProfile(text, 'dev', {}));
        if (profiles.has('dev') && same !== undefined) expect(same).toBe(text);
        const out = attempt(() => upsertProfile(text, 'dev', { region: 'us-east-1' }));
        if (out !== undefined) {
          expect(profilesFromIni(out).get('dev')?.['region']).toBe('us-east-1');
          expectOtherProfilesUnchanged(text, out, 'dev');
        }
        const removed = attempt(() => removeProfile(text, 'dev'));
        if (removed !== undefined) {
          expect(removed.removed).toBe(profiles.has('dev'));
          expect(profilesFromIni(removed.text).has('dev')).toBe(false);
          expectOtherProfilesUnchanged(text, removed.text, 'dev');
        }
      }),
      RUNS,
    );
  });
});
