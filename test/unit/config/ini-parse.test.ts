import { describe, it, expect } from 'vitest';
import { botocoreProfileOf as profileNameOfSection, shlexSplit } from '../../../src/config/ini-headers.js';
import { parseIni, profileSectionName, profilesFromIni, scan, sectionsOf, splitLines } from '../../../src/config/ini-parse.js';
import { REALISTIC } from './ini-sample.js';

describe('parseIni', () => {
  it('parses a realistic config: sections in order, keys lower-cased, sub-settings apart', () => {
    expect(parseIni(REALISTIC)).toEqual([
      {
        name: 'default',
        settings: { region: 'eu-west-1', output: 'json', cli_pager: '' },
        subsections: { s3: { max_concurrent_requests: '20', max_queue_size: '10000' } },
      },
      {
        name: 'profile team.dev-1',
        settings: {
          region: 'us-east-1',
          credential_process: 'cognito-creds creds --profile team.dev-1',
          cognito_user_pool_id: 'us-east-1_AbC123',
        },
        subsections: {},
      },
      {
        name: 'sso-session my-sso',
        settings: {
          sso_start_url: 'https://example.awsapps.com/start',
          sso_region: 'us-east-1',
          sso_registration_scopes: 'sso:account:access',
        },
        subsections: {},
      },
      {
        name: 'profile\t sso-user',
        settings: {
          sso_session: 'my-sso',
          sso_account_id: '111122223333',
          sso_role_name: 'ReadOnly',
          services: 'my-services',
        },
        subsections: {},
      },
      {
        name: 'services my-services',
        settings: {},
        subsections: {
          s3: { endpoint_url: 'http://localhost:4566' },
          dynamodb: { endpoint_url: 'http://localhost:8000' },
        },
      },
      { name: 'legacy', settings: { region: 'ap-south-1' }, subsections: {} },
    ]);
  });

  it('reads CRLF files, a BOM and a last line without a line break', () => {
    expect(parseIni('\uFEFF[default]\r\nRegion = us-east-1\r\n  more\r\nOutput=json')).toEqual([
      { name: 'default', settings: { region: 'us-east-1\nmore', output: 'json' }, subsections: {} },
    ]);
  });

  it('strips inline comments only after white space, and whole-line comments', () => {
    const text = [
      '[profile x] # the x profile',
      'a = one # note',
      'b = two ; note',
      'c = three#four',
      'd = five;six',
      '  # an indented comment',
      '; e = gone',
      '# f = gone',
      'g = # only a comment',
      '',
    ].join('\n');
    expect(parseIni(text)).toEqual([
      {
        name: 'profile x',
        settings: { a: 'one', b: 'two', c: 'three#four', d: 'five;six', g: '' },
        subsections: {},
      },
    ]);
  });

  it('joins continuation lines with a newline (a blank line in between kept) and keeps sub-setting keys as written', () => {
    const text = [
      '[profile a]',
      'credential_process = cognito-creds creds',
      '  --profile a',
      '',
      '  # a comment does not end the value',
      '  --verbose',
      's3 =',
      '  Max_Concurrent_Requests = 20',
      '  not a setting',
      '  addressing_style = path',
      'region = x',
    ].join('\n');
    expect(parseIni(text)).toEqual([
      {
        name: 'profile a',
        settings: { credential_process: 'cognito-creds creds\n--profile a\n\n--verbose', region: 'x' },
        subsections: { s3: { Max_Concurrent_Requests: '20', addressing_style: 'path' } },
      },
    ]);
  });

  it('measures indentation relative to the key line', () => {
    const text = '[profile a]\n  region = x\n    more\n  output = json\n';
    expect(parseIni(text)).toEqual([
      { name: 'profile a', settings: { region: 'x\nmore', output: 'json' }, subsections: {} },
    ]);
  });

  it('ignores lines before the first section, lines without = and keys without a name (botocore refuses them)', () => {
    const text = 'stray = 1\n# top comment\n[ default ]\njust words\n= no key\nok = yes\n[]\nz = 1\n';
    // `[ default ]` keeps its spaces (it is no profile); `[]` is no header.
    expect(parseIni(text)).toEqual([{ name: ' default ', settings: { ok: 'yes', z: '1' }, subsections: {} }]);
    expect(profilesFromIni(text).size).toBe(0);
  });

  it('reads headers as configparser does: up to the last `]`, text after it ignored, the brackets\' spaces kept', () => {
    const text = '[profile a] # one ]\nx = 1\n[profile b]# two\ny = 2\n[profile c]]\nz = 3\n[profile d ]\n[\tprofile e]\nw = 4\n';
    expect(parseIni(text).map((s) => s.name)).toEqual(['profile a] # one ', 'profile b', 'profile c]', 'profile d ', '\tprofile e']);
    expect([...profilesFromIni(text).keys()]).toEqual(['b', 'c]', 'd']);
  });

  it('takes an indented header after a less indented key for a continuation of the key, as botocore does', () => {
    const text = '[profile a]\nk = 1\n  [profile b]\nj = 2\n[profile c]\n  i = 3\n  [profile d]\n';
    expect(parseIni(text)).toEqual([
      { name: 'profile a', settings: { k: '1\n[profile b]', j: '2' }, subsections: {} },
      { name: 'profile c', settings: { i: '3' }, subsections: {} },
      { name: 'profile d', settings: {}, subsections: {} },
    ]);
  });

  it('splits lines at a lone CR too (Python\'s universal newlines)', () => {
    expect(parseIni('[default]\rregion = x\r\n[profile b]\ry = 2')).toEqual([
      { name: 'default', settings: { region: 'x' }, subsections: {} },
      { name: 'profile b', settings: { y: '2' }, subsections: {} },
    ]);
  });

  it('splits a setting at the first = or :', () => {
    expect(parseIni('[profile a]\nregion: x\na:b = c\nurl = http://h:1\n')[0]?.settings).toEqual({ region: 'x', a: 'b = c', url: 'http://h:1' });
  });

  it('reads non-ASCII names and values', () => {
    const text = '[profile ünï]\ncognito_username = jürgen.müller@例え.jp\n';
    expect(profilesFromIni(text)).toEqual(new Map([['ünï', { cognito_username: 'jürgen.müller@例え.jp' }]]));
  });

  it('keeps duplicate sections apart, and a later line for a key wins within a section', () => {
    const text = '[profile a]\nx = 1\nx = 2\ns3 = flat\ns3 =\n  k = v\n[profile a]\ny = 3\n';
    expect(parseIni(text)).toEqual([
      { name: 'profile a', settings: { x: '2' }, subsections: { s3: { k: 'v' } } },
      { name: 'profile a', settings: { y: '3' }, subsections: {} },
    ]);
  });

  it('treats __proto__ as a plain key', () => {
    const [section] = parseIni('[profile a]\n__proto__ =\n  polluted = yes\nconstructor = x\n');
    expect(section?.subsections['__proto__']).toEqual({ polluted: 'yes' });
    expect(section?.settings['constructor']).toBe('x');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('profile names', () => {
  it('names the section of a profile', () => {
    expect(profileSectionName('default')).toBe('default');
    expect(profileSectionName('team.dev-1')).toBe('profile team.dev-1');
  });

  it('knows which sections are profiles', () => {
    expect(profileNameOfSection('default')).toBe('default');
    expect(profileNameOfSection('profile default')).toBe('default');
    expect(profileNameOfSection('profile dev')).toBe('dev');
    expect(profileNameOfSection('profile \t  dev')).toBe('dev');
    expect(profileNameOfSection('profile "quoted"')).toBe('quoted');
    expect(profileNameOfSection("profile 'quoted'")).toBe('quoted');
    expect(profileNameOfSection('dev')).toBeUndefined();
    expect(profileNameOfSection('profile')).toBeUndefined();
    expect(profileNameOfSection('profiledev')).toBeUndefined();
    expect(profileNameOfSection('profile a b')).toBeUndefined();
    expect(profileNameOfSection('profile "open')).toBeUndefined();
    expect(profileNameOfSection('profile "my dev"')).toBe('my dev');
    // botocore only checks that the name starts with `profile`.
    expect(profileNameOfSection('profiles dev')).toBe('dev');
    expect(profileNameOfSection('profile.dev')).toBeUndefined();
    expect(profileNameOfSection(' profile dev')).toBeUndefined();
    expect(profileNameOfSection('sso-session my-sso')).toBeUndefined();
    expect(profileNameOfSection('services my-services')).toBeUndefined();
  });
});

describe('profilesFromIni', () => {
  it('resolves profiles as the AWS CLI does', () => {
    const profiles = profilesFromIni(REALISTIC);
    expect([...profiles.keys()]).toEqual(['default', 'team.dev-1', 'sso-user']);
    expect(profiles.get('default')).toEqual({ region: 'eu-west-1', output: 'json', cli_pager: '' });
    expect(profiles.get('team.dev-1')).toEqual({
      region: 'us-east-1',
      credential_process: 'cognito-creds creds --profile team.dev-1',
      cognito_user_pool_id: 'us-east-1_AbC123',
    });
    expect(profiles.get('legacy')).toBeUndefined();
    expect(profiles.get('my-sso')).toBeUndefined();
  });

  it('takes the last section of a profile whole, as botocore does; sections of one exact name merge', () => {
    const text = '[default]\na = 1\nb = 1\n[profile x]\nk = 1\nm = 1\n[profile default]\nb = 2\nc = 2\n[profile x]\nk = 2\n[profile\tx]\nn = 3\n';
    expect(profilesFromIni(text)).toEqual(
      new Map([
        ['default', { b: '2', c: '2' }],
        ['x', { n: '3' }],
      ]),
    );
    expect(profilesFromIni('[profile x]\nk = 1\nm = 1\n[profile x]\nk = 2\n').get('x')).toEqual({ k: '2', m: '1' });
  });

  it('puts the keys of [DEFAULT] under every section, as configparser does', () => {
    const text = '[DEFAULT]\nregion = x\ns3 =\n  a = 1\n[profile a]\nk = 1\n[profile b]\nregion = y\ns3 = flat\n[services s]\n';
    expect(profilesFromIni(text)).toEqual(
      new Map([
        ['a', { region: 'x', k: '1' }],
        ['b', { region: 'y', s3: 'flat' }],
      ]),
    );
    expect(sectionsOf(text, 'profile').get('a')?.subsections).toEqual({ s3: { a: '1' } });
    expect(sectionsOf(text, 'services').get('s')?.settings).toEqual({ region: 'x' });
  });

  it('does not take [foo] without the profile prefix as a profile', () => {
    expect(profilesFromIni('[foo]\nregion = x\n[profile bar]\nregion = y\n')).toEqual(new Map([['bar', { region: 'y' }]]));
  });

  it('lists a profile whose section is empty', () => {
    expect(profilesFromIni('[profile empty]\n')).toEqual(new Map([['empty', {}]]));
  });
});

describe('what botocore refuses', () => {
  const problems = (text: string) => scan(splitLines(text)).problems.map((p) => [p.line + 1, p.message]);

  it('reports each thing that makes configparser refuse the file, with its line', () => {
    expect(problems('\uFEFF[default]\n')).toEqual([[1, 'it starts with a byte order mark (BOM)']]);
    expect(problems('x = 1\n[default]\n')).toEqual([[1, 'it comes before any [section] header']]);
    expect(problems('[a]\njust words\n')).toEqual([[2, 'it is neither a setting (key = value), a comment nor a [section] header']]);
    expect(problems('[a]\n[]\n')).toEqual([[2, 'it is neither a setting (key = value), a comment nor a [section] header']]);
    expect(problems('[a]\n= 1\n')).toEqual([[2, 'it is a setting without a key']]);
    expect(problems('[a]\nx = 1\n[b]\n[a]\n')).toEqual([[4, 'it repeats the section [a] of line 1']]);
    expect(problems('[a]\nRegion = 1\nregion = 2\n')).toEqual([[3, 'it sets region again in [a] (first on line 2)']]);
    expect(problems('[a]\ns3 =\n  x = 1\n  not a setting\n')).toEqual([[4, 'it is in the sub-settings of s3 but has no =']]);
  });

  it('finds nothing to refuse in a file botocore reads', () => {
    expect(problems('# c\n\n[default]\nregion = x\n  more\ns3 =\n\n  a = 1\n[DEFAULT]\n[DEFAULT]\nk = 1\n')).toEqual([]);
    expect(problems('')).toEqual([]);
    // The blocks of [DEFAULT] are parsed only as part of another section.
    expect(problems('[DEFAULT]\ns3 =\n  bad\n')).toEqual([]);
    expect(problems('[DEFAULT]\ns3 =\n  bad\n[a]\n')).toEqual([[3, 'it is in the sub-settings of s3 but has no =']]);
  });
});

describe('shlexSplit (Python\'s shlex.split, as botocore splits section names)', () => {
  it('splits at blanks and takes quotes and backslashes as POSIX does', () => {
    expect(shlexSplit('profile  dev')).toEqual(['profile', 'dev']);
    expect(shlexSplit('profile "my dev"')).toEqual(['profile', 'my dev']);
    expect(shlexSplit("profile 'a\\b'")).toEqual(['profile', 'a\\b']);
    expect(shlexSplit('profile "a\\"b\\x"')).toEqual(['profile', 'a"b\\x']);
    expect(shlexSplit('profile a\\ b')).toEqual(['profile', 'a b']);
    expect(shlexSplit("profile ''")).toEqual(['profile', '']);
    expect(shlexSplit('profile a""b')).toEqual(['profile', 'ab']);
    expect(shlexSplit('profile\u00a0dev')).toEqual(['profile\u00a0dev']);
    expect(shlexSplit('profile "open')).toBeUndefined();
    expect(shlexSplit('profile a\\')).toBeUndefined();
  });
});
