/**
 * `npm run demo`: the whole flow with no AWS account. The project's fake Cognito on 127.0.0.1,
 * a temporary home with its own AWS config file, its own keychain (a private D-Bus session with
 * gnome-keyring), then setup, credential-process and the AWS JS SDK reading the profile.
 * Nothing touches the user's ~/.aws or keychain.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { FakeCognito } from '../test/fake-cognito/server.js';
import { viaAwsCliV2, viaJsSdkFromIni } from '../test/support/consumers.js';
import { makeTestHome, runCli, runCommand, type RunResult } from '../test/support/env.js';
import { startKeyring } from '../test/support/keyring.js';

const say = (text: string) => process.stdout.write(`${text}\n`);
const bold = process.stdout.isTTY ? (t: string) => `\x1b[1m${t}\x1b[0m` : (t: string) => t;
const shell = (text: string) => say(`\n${bold(`$ ${text}`)}`);

function check(r: RunResult, what: string): void {
  if (r.code !== 0) {
    process.stderr.write(r.stderr);
    throw new Error(`${what} failed (exit ${r.code})`);
  }
}

async function hasTool(cmd: string): Promise<boolean> {
  const r = await runCommand('sh', ['-c', `command -v ${cmd}`], { env: { PATH: process.env.PATH ?? '' } }).catch(() => undefined);
  return r?.code === 0;
}

async function main(): Promise<void> {
  // A private keychain when gnome-keyring is at hand; else the encrypted file store in the
  // temporary home. Either way, never the user's own keychain.
  const useKeyring = (await hasTool('dbus-daemon')) && (await hasTool('gnome-keyring-daemon'));
  const password = `Demo-${randomBytes(9).toString('base64url')}`;
  const fake = new FakeCognito({ users: [{ username: 'alice', password }] });
  await fake.start();
  const home = await makeTestHome();
  const keyring = useKeyring ? await startKeyring(home.home) : undefined;
  try {
    const env: Record<string, string> = keyring
      ? { ...home.env, ...keyring.env, AWS_ENDPOINT_URL: fake.url }
      : { ...home.env, XDG_DATA_HOME: `${home.home}/.local/share`, COGNITO_CREDS_FILE_PASSPHRASE: randomBytes(12).toString('base64url'), AWS_ENDPOINT_URL: fake.url };
    say(
      `Fake Cognito at ${fake.url}; temporary HOME ${home.home}; ` +
        (keyring ? `private keyring on ${keyring.env.DBUS_SESSION_BUS_ADDRESS}` : 'no gnome-keyring here: secrets in an encrypted file in the temporary home'),
    );

    const args = [
      'setup', '--profile', 'demo',
      '--user-pool-id', fake.userPoolId,
      '--client-id', fake.clientId,
      '--identity-pool-id', fake.identityPoolId,
      '--username', 'alice',
      '--password-stdin',
      ...(keyring ? [] : ['--secret-store', 'file']),
    ];
    shell(`printf '%s\\n' "$PASSWORD" | cognito-creds ${args.join(' ')}`);
    const setup = await runCli(args, { env, input: `${password}\n` });
    check(setup, 'setup');
    process.stdout.write(setup.stdout);

    shell(`cat ${home.configFile}`);
    process.stdout.write(await readFile(home.configFile, 'utf8'));

    shell('cognito-creds credential-process --profile demo');
    const cp = await runCli(['credential-process', '--profile', 'demo'], { env });
    check(cp, 'credential-process');
    process.stdout.write(cp.stdout);

    shell(`node -e "fromIni({ profile: 'demo' })()"   # the AWS SDK for JavaScript reads the profile`);
    const js = await viaJsSdkFromIni('demo', env);
    say(`AccessKeyId ${js.accessKeyId}, expires ${js.expiration ?? '?'}`);

    if (await hasTool('/usr/bin/aws')) {
      const version = await runCommand('/usr/bin/aws', ['--version'], { env });
      if (version.code === 0 && version.stdout.startsWith('aws-cli/2')) {
        shell('aws configure export-credentials --profile demo --format process   # the AWS CLI v2');
        const cli = await viaAwsCliV2('demo', env);
        say(`AccessKeyId ${cli.accessKeyId}`);
      }
    }
    const issued = fake.issued.map((c) => c.accessKeyId);
    const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
    say(
      `\nThe fake Cognito issued ${plural(issued.length, 'set')} of credentials (${plural(fake.count('InitiateAuth'), 'sign-in')}: ` +
        `setup's, then every call was served from the cache); the consumers got ${issued.includes(js.accessKeyId) ? 'them' : 'something else!'}.`,
    );
  } finally {
    await keyring?.stop();
    await fake.stop();
    await home.cleanup();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`demo: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
