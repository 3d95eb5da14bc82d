/**
 * The credential_process line means the same to every consumer, for any install path.
 *
 * Generated paths (a hostile alphabet: quotes, $ ` \ ! * ? [ ] { } ( ) ; & | < > # ~, white space
 * of several kinds before # and ;, controls, non-ASCII, leading -) go through:
 * - our ini writer (upsertProfile) into one config file, read back by our reader, by the JS SDK's
 *   (@smithy's loadSharedConfigFiles) and by botocore's (configloader.raw_config_parse);
 * - POSIX: /bin/sh (`set -- LINE; printf '%s\0' "$@"`, run in an empty directory that must stay
 *   empty) and botocore's compat_shell_split (shlex.split), which must give the exact argv;
 * - Windows: botocore's compat_shell_split(line, 'win32') (its _windows_shell_split, the C
 *   runtime's rules, which node.exe also follows) and a model of cmd.exe's reading as Node runs
 *   it (`cmd.exe /d /s /c "LINE"`; cmd.exe itself cannot run here).
 * Python runs once per batch (JSON on stdin). The real consumers, running real files under such
 * paths, are in test/e2e/quoting.e2e.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadSharedConfigFiles } from '@smithy/core/config';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { credentialProcessLine, quoteArg, selfCommand } from '../../../src/cli/self-command.js';
import { upsertProfile } from '../../../src/config/ini-edit.js';
import { profilesFromIni } from '../../../src/config/ini-parse.js';
import { errorOf } from '../../support/errors.js';
import { describeWith } from '../../support/tools.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'cc-quoting-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const TOKENS = [
  ...'abcXYZ019-_.@%+=:,~',
  ...` \t'"\\$\`!*?[]{}();&|<>#`,
  '$(touch pwned)', '`touch pwned`', '${HOME}', '$HOME', "'\\''", '\\$', '\\"', ' #', ' ;', '\t#', '\u00a0#', '\u3000;',
  '\u2028', '\u0085', '\x01', '\x1b[31m', '\x7f', '\u009b', 'é', '日本', '😀', '\u2018', '\u2019', '-', '--',
];
// Control characters (the config file cannot hold them) are refused: the refusal rows below.
const WRITABLE = TOKENS.filter((t) => !/(?!\t)\p{Cc}/u.test(t));
const segment = fc.array(fc.constantFrom(...WRITABLE), { minLength: 1, maxLength: 6 }).map((t) => t.join('').replaceAll('/', ''));
const posixPath = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => `/${s.join('/')}`);
const WIN_TOKENS = WRITABLE.filter((t) => !/["%!/]/.test(t) && !/\s[#;]/.test(t));
const winSegment = fc.array(fc.constantFrom(...WIN_TOKENS), { minLength: 1, maxLength: 6 }).map((t) => t.join('').replace(/\s+(?=[#;])/g, '_'));
const winPath = fc.array(winSegment, { minLength: 1, maxLength: 4 }).map((s) => `C:\\${s.join('\\')}\\x.exe`);
const profile = fc.constantFrom('dev', 'team.dev-1', 'a@b+c', '_x');

interface Case {
  name: string;
  node: string;
  script: string;
  profile: string;
  line: string;
}

function cases(platform: 'linux' | 'win32', count: number, seed: number): Case[] {
  const paths = platform === 'win32' ? winPath : posixPath;
  return fc.sample(fc.tuple(paths, paths, profile), { numRuns: count, seed }).map(([node, script, p], i) => ({
    name: `p${i}`,
    node,
    script,
    profile: p,
    line: credentialProcessLine(selfCommand(node, script, platform), p, platform),
  }));
}

const argvOf = (c: Case) => [c.node, c.script, 'credential-process', '--profile', c.profile];

/** The lines written by our ini writer into one config file, one profile each. */
function writeConfig(file: string, all: Case[]): string {
  let text = '# hand-written\n[default]\nregion = eu-west-1\n';
  for (const c of all) text = upsertProfile(text, c.name, { credential_process: c.line });
  writeFileSync(file, text);
  return text;
}

const PYTHON = `
import json, sys
from botocore.compat import compat_shell_split
from botocore.configloader import raw_config_parse
job = json.load(sys.stdin)
config = raw_config_parse(job["config"])
out = {}
for name in job["names"]:
    value = config["profile " + name]["credential_process"]
    try:
        argv = compat_shell_split(value, job["platform"])
    except ValueError as e:
        argv = "error: " + str(e)
    out[name] = {"value": value, "argv": argv}
json.dump(out, sys.stdout)
`;

function botocore(config: string, names: string[], platform: string): Record<string, { value: string; argv: string[] | string }> {
  const r = spawnSync('python3', ['-c', PYTHON], { input: JSON.stringify({ config, names, platform }), encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, { value: string; argv: string[] | string }>;
}

/** The words /bin/sh makes of the line (as arguments of `set --`), run where nothing must appear. */
function shWords(line: string, cwd: string): string[] | string {
  const r = spawnSync('/bin/sh', ['-c', `set -- ${line}; printf '%s\\0' "$@"`], { cwd, encoding: 'utf8' });
  if (r.status !== 0) return `sh exit ${r.status}: ${r.stderr}`;
  return r.stdout.split('\0').slice(0, -1);
}

async function jsSdkValues(config: string): Promise<Record<string, string | undefined>> {
  const { configFile } = await loadSharedConfigFiles({ filepath: path.join(tmp, 'no-credentials'), configFilepath: config, ignoreCache: true });
  return Object.fromEntries(Object.entries(configFile).map(([name, settings]) => [name, settings.credential_process]));
}

/**
 * cmd.exe as Node's child_process.exec runs it on Windows: `cmd.exe /d /s /c "LINE"`. Its rules
 * (Microsoft's `cmd /?` and the documented parsing): /s removes the first and the last quote,
 * leaving LINE; %NAME% (and !NAME! with delayed expansion) expand even inside quotes; outside
 * quotes & | < > ^ ( ) are operators; the command is the first word (a quoted run, or up to white
 * space or , ; =), and the program gets the whole line to split by the C runtime's rules.
 */
function cmdExeProgram(line: string): string {
  if (/[%!]/.test(line)) throw new Error(`cmd.exe would expand ${line}`);
  let quoted = false;
  for (const c of line) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && '&|<>^()'.includes(c)) throw new Error(`cmd.exe would take ${c} as an operator in ${line}`);
  }
  if (quoted) throw new Error(`unclosed quote in ${line}`);
  const m = /^"([^"]*)"(?=[ \t])|^([^\s",;=]+)(?=[ \t])/.exec(line);
  if (!m) throw new Error(`no command word in ${line}`);
  return (m[1] ?? m[2])!;
}

describeWith(['boto3'], 'the credential_process line, read by sh, shlex and the ini readers', () => {
  it('POSIX: 400 generated install paths give the exact argv to /bin/sh and botocore, run nothing, and survive every ini reader', async () => {
    const all = cases('linux', 400, 13);
    const config = path.join(tmp, 'config-posix');
    const text = writeConfig(config, all);
    const ours = profilesFromIni(text);
    const js = await jsSdkValues(config);
    const py = botocore(config, all.map((c) => c.name), 'linux');
    const empty = mkdtempSync(path.join(tmp, 'sh-'));
    for (const c of all) {
      const expected = argvOf(c);
      expect({ line: c.line, ours: ours.get(c.name)?.credential_process, js: js[c.name], botocore: py[c.name]?.value }).toEqual({ line: c.line, ours: c.line, js: c.line, botocore: c.line });
      expect({ line: c.line, sh: shWords(c.line, empty), shlex: py[c.name]?.argv }).toEqual({ line: c.line, sh: expected, shlex: expected });
    }
    expect(readdirSync(empty)).toEqual([]);
  });

  it('Windows: 300 generated install paths give the exact argv to botocore and to node.exe behind cmd.exe', async () => {
    const all = cases('win32', 300, 7);
    const config = path.join(tmp, 'config-win');
    const text = writeConfig(config, all);
    const ours = profilesFromIni(text);
    const js = await jsSdkValues(config);
    const py = botocore(config, all.map((c) => c.name), 'win32');
    for (const c of all) {
      const expected = argvOf(c);
      expect({ line: c.line, ours: ours.get(c.name)?.credential_process, js: js[c.name], botocore: py[c.name]?.value }).toEqual({ line: c.line, ours: c.line, js: c.line, botocore: c.line });
      expect({ line: c.line, argv: py[c.name]?.argv, command: cmdExeProgram(c.line) }).toEqual({ line: c.line, argv: expected, command: c.node });
    }
  });
});

describe('quoteArg', () => {
  it.each([
    ['/usr/local/bin/node', '/usr/local/bin/node'],
    ['/home/a b/x', "'/home/a b/x'"],
    ['/opt/$HOME/`x`/"q"\\', `'/opt/$HOME/\`x\`/"q"\\'`],
    ["/it's", `'/it'\\''s'`],
    ['/a #b/;c d ;e', `'/a ''#b/;c d '';e'`],
    ['', "''"],
    ['A=b', "'A=b'"],
    ['/x/A=b', '/x/A=b'],
    ['~/x', "'~/x'"],
  ])('POSIX: %j is written %s', (arg, quoted) => {
    expect(quoteArg(arg, 'linux')).toBe(quoted);
  });

  it.each([
    ['C:\\tools\\node.exe', 'C:\\tools\\node.exe'],
    ['C:\\Program Files (x86)\\nodejs\\node.exe', '"C:\\Program Files (x86)\\nodejs\\node.exe"'],
    ['C:\\a&b^c\\x', '"C:\\a&b^c\\x"'],
    ['C:\\a,b;c=d', '"C:\\a,b;c=d"'],
  ])('Windows: %j is written %s', (arg, quoted) => {
    expect(quoteArg(arg, 'win32')).toBe(quoted);
  });

  it.each([
    ['linux', '/opt/a\nb/node', 'a line break, which the config file cannot hold'],
    ['linux', '/opt/a\rb/node', 'a line break, which the config file cannot hold'],
    ['linux', '/opt/a\x1b[31mb/node', 'a control character, which the config file cannot hold'],
    ['linux', '/opt/a\u0085b/node', 'a control character, which the config file cannot hold'],
    ['win32', 'C:\\a%PATH%\\node.exe', 'a %, which cmd.exe and the AWS CLI would read differently'],
    ['win32', 'C:\\a!b\\node.exe', 'a !, which cmd.exe and the AWS CLI would read differently'],
    ['win32', 'C:\\a"b\\node.exe', 'a ", which cmd.exe and the AWS CLI would read differently'],
    ['win32', 'C:\\a #b\\node.exe', 'a # or ; after white space, which the config file would read as a comment'],
    ['win32', 'C:\\node\\', 'a \\ at its end, which cmd.exe and the AWS CLI would read differently'],
  ] as const)('%s: an install path with what the line cannot hold (%j) is refused, naming it', (platform, node, problem) => {
    const err = errorOf(() => selfCommand(node, platform === 'win32' ? 'C:\\cc\\cc.cjs' : '/cc/cc.cjs', platform));
    expect([err.kind, err.message, err.hint]).toEqual([
      'config',
      `the path of node (${JSON.stringify(node)}) has ${problem}, so setup cannot write the credential_process line`,
      'Install node under a path without it, then run setup again; nothing was sent or saved.',
    ]);
  });

  it('names cognito-creds when its own path is the one refused', () => {
    expect(errorOf(() => selfCommand('/usr/bin/node', '/opt/x\ny/cc.cjs', 'linux')).message).toBe(
      'the path of cognito-creds ("/opt/x\\ny/cc.cjs") has a line break, which the config file cannot hold, so setup cannot write the credential_process line',
    );
  });
});
