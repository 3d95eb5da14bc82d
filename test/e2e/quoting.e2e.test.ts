/**
 * The built binary installed under a hostile path ($, backticks, quotes, a backslash, $(…), # and
 * ; after a space, non-ASCII): setup writes the credential_process line, and the real consumers
 * (AWS CLI v2 and botocore, which split it with shlex; the JS SDK, which runs it through /bin/sh)
 * all run it and get the credentials, running nothing else. Against the fake Cognito, with the
 * encrypted file store (no keychain needed).
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FakeCognito } from '../fake-cognito/server.js';
import { CONSUMERS, type ConsumerName } from '../support/consumers.js';
import { makeTestHome, REPO_ROOT, runCommand, type TestHome } from '../support/env.js';
import { describeWith } from '../support/tools.js';

const PASSPHRASE = 'quoting passphrase';
const PASSWORD = 'Qu0ting-Pw!';
/** The issue's case ($ and a backtick), and everything else at once. */
const FOLDERS = { q1: 'opt $HOME `id` x', q2: `it's "q" $HOME \`id\` $(touch pwned) \\ ; #h (x) & é` } as const;
const PROFILES = Object.keys(FOLDERS) as Array<keyof typeof FOLDERS>;

describeWith(['awscli', 'boto3'], 'installed under a hostile path: every consumer runs the credential_process line', () => {
  let work: string;
  const bins: Record<string, string> = {};
  let home: TestHome;
  let fake: FakeCognito;
  let env: Record<string, string>;

  /** A copy of the built package as npm installs it (bin, dist/*.cjs, package.json) under `folder`; node_modules is the repo's. */
  async function install(folder: string): Promise<string> {
    const root = path.join(work, folder, 'cognito-creds');
    await fs.mkdir(path.join(root, 'bin'), { recursive: true });
    await fs.mkdir(path.join(root, 'dist'));
    for (const file of (await fs.readdir(path.join(REPO_ROOT, 'dist'))).filter((f) => f.endsWith('.cjs'))) {
      await fs.copyFile(path.join(REPO_ROOT, 'dist', file), path.join(root, 'dist', file));
    }
    await fs.copyFile(path.join(REPO_ROOT, 'bin', 'cognito-creds.cjs'), path.join(root, 'bin', 'cognito-creds.cjs'));
    await fs.copyFile(path.join(REPO_ROOT, 'package.json'), path.join(root, 'package.json'));
    await fs.symlink(path.join(REPO_ROOT, 'node_modules'), path.join(root, 'node_modules'));
    return path.join(root, 'bin', 'cognito-creds.cjs');
  }

  beforeAll(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'cc-quoting-'));
    fake = new FakeCognito({ users: [{ username: 'alice', password: PASSWORD }] });
    await fake.start();
    home = await makeTestHome();
    env = { ...home.env, AWS_ENDPOINT_URL: fake.url, XDG_DATA_HOME: path.join(home.home, '.local', 'share'), COGNITO_CREDS_FILE_PASSPHRASE: PASSPHRASE };
    for (const profile of PROFILES) {
      bins[profile] = await install(FOLDERS[profile]);
      const setup = await runCommand(
        process.execPath,
        [bins[profile]!, 'setup', '--profile', profile, '--user-pool-id', fake.userPoolId, '--client-id', fake.clientId, '--identity-pool-id', fake.identityPoolId, '--username', 'alice', '--secret-store', 'file', '--password-stdin'],
        { env, input: `${PASSWORD}\n` },
      );
      expect([setup.code, setup.stderr]).toEqual([0, '']);
    }
  }, 60_000);
  afterAll(async () => {
    await fake?.stop();
    await home?.cleanup();
    if (work) await fs.rm(work, { recursive: true, force: true });
  });

  it.each(PROFILES)('setup writes the line of %s single-quoted', async (profile) => {
    const config = await fs.readFile(home.configFile, 'utf8');
    const quoted = `'${bins[profile]!.replaceAll("'", `'\\''`).replace(/(\s)(?=[#;])/g, `$1''`)}'`;
    expect(config).toContain(`\ncredential_process = ${process.execPath} ${quoted} credential-process --profile ${profile}\n`);
  });

  it('an install path with a line break is refused before any request, and nothing is written', async () => {
    const badBin = await install('line\nbreak');
    const before = await fs.readFile(home.configFile, 'utf8');
    const requests = fake.requests.length;
    const r = await runCommand(
      process.execPath,
      [badBin, 'setup', '--profile', 'nl', '--user-pool-id', fake.userPoolId, '--client-id', fake.clientId, '--identity-pool-id', fake.identityPoolId, '--username', 'alice', '--secret-store', 'file', '--password-stdin'],
      { env, input: `${PASSWORD}\n` },
    );
    expect([r.code, r.stdout, r.stderr]).toEqual([
      3,
      '',
      `cognito-creds: the path of cognito-creds (${JSON.stringify(badBin)}) has a line break, which the config file cannot hold, so setup cannot write the credential_process line\n` +
        '  Install cognito-creds under a path without it, then run setup again; nothing was sent or saved.\n',
    ]);
    expect(r.ms).toBeLessThan(5_000);
    expect(fake.requests.length).toBe(requests);
    expect(await fs.readFile(home.configFile, 'utf8')).toBe(before);
  });

  const consumers: ConsumerName[] = ['aws-cli-v2', 'botocore', 'js-sdk-fromIni'];
  it.each(PROFILES.flatMap((p) => consumers.map((c) => [c, p] as const)))('%s gets the credentials of %s, and nothing in the path runs', async (consumer, profile) => {
    const creds = await CONSUMERS[consumer](profile, env, { timeoutMs: 30_000 });
    expect(creds.accessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
    expect(fake.issued.map((c) => c.accessKeyId)).toContain(creds.accessKeyId);
    for (const dir of [home.home, REPO_ROOT, work]) expect(await fs.readdir(dir)).not.toContain('pwned');
  });
});
