import { describe, it, expect } from 'vitest';
import { parseIni, profileNameOfSection, profileSectionName, profilesFromIni } from '../../../src/config/ini-parse.js';
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

  it('joins continuation lines with a newline and keeps sub-setting keys as written', () => {
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
        settings: { credential_process: 'cognito-creds creds\n--profile a\n--verbose', region: 'x' },
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

  it('ignores lines before the first section, lines without = and keys without a name', () => {
    const text = 'stray = 1\n# top comment\n[ default ]\njust words\n= no key\nok = yes\n[]\nz = 1\n';
    expect(parseIni(text)).toEqual([
      { name: 'default', settings: { ok: 'yes' }, subsections: {} },
      { name: '', settings: { z: '1' }, subsections: {} },
    ]);
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

  it('merges a profile named twice, later keys winning, [profile default] included', () => {
    const text = '[default]\na = 1\nb = 1\n[profile x]\nk = 1\n[profile default]\nb = 2\nc = 2\n[profile x]\nk = 2\n';
    expect(profilesFromIni(text)).toEqual(
      new Map([
        ['default', { a: '1', b: '2', c: '2' }],
        ['x', { k: '2' }],
      ]),
    );
  });

  it('does not take [foo] without the profile prefix as a profile', () => {
    expect(profilesFromIni('[foo]\nregion = x\n[profile bar]\nregion = y\n')).toEqual(new Map([['bar', { region: 'y' }]]));
  });

  it('lists a profile whose section is empty', () => {
    expect(profilesFromIni('[profile empty]\n')).toEqual(new Map([['empty', {}]]));
  });
});
