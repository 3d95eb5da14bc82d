/** The full command line, with yargs: help, version, every command and flag, strict checking. */
import yargs, { type ArgumentsCamelCase, type Argv } from 'yargs';
import { CredsError } from '../errors.js';
import type { Io } from './io.js';
import { profileNames } from './completion.js';
import { packageVersion } from './package-root.js';
import { COMPLETION_HELP, execWithoutDashDash, negatedWhenOn, withSuggestion, type KnownOptions } from './usage-hints.js';

/** The options every command has. */
type Global = { debug: boolean };

/**
 * One command of the table: its name and description (the help's command list), its options and
 * examples (its own --help), and what runs it: the argv mapped to the command's typed options.
 * A command file is imported only when its command runs. `run` returns the exit code, if not 0.
 */
interface CommandSpec<O = any> {
  name: string;
  description: string;
  builder: (y: Argv<Global>) => Argv<O>;
  run: (args: ArgumentsCamelCase<O>, io: Io) => Promise<number | void>;
}

/** Infers a command's options from its builder, for its `run`. */
function command<O>(spec: CommandSpec<O>): CommandSpec {
  return spec;
}

const COMMANDS: CommandSpec[] = [
  command({
    name: 'credential-process',
    description: 'Print credentials as credential_process JSON (run by the AWS CLI and SDKs)',
    builder: (y) =>
      y
        .option('profile', { type: 'string', describe: 'Profile to read (default: AWS_PROFILE, else "default")' })
        .example('$0 credential-process --profile dev', 'what `aws ... --profile dev` runs for you'),
    run: async (args, io) => {
      const { credentialProcess } = await import('./commands/credential-process.js');
      await credentialProcess({ profile: args.profile, debug: args.debug }, io);
    },
  }),
  command({
    name: 'setup',
    description: 'Store a password in the keychain (or the encrypted file) and write a profile into the AWS config file',
    builder: (y) =>
      y
        .option('profile', { type: 'string', describe: 'Profile to write (default: AWS_PROFILE, else "default")' })
        .option('user-pool-id', { type: 'string', describe: 'User pool id, e.g. us-east-1_AbCdEf123' })
        .option('client-id', { type: 'string', describe: 'App client id' })
        .option('identity-pool-id', { type: 'string', describe: 'Identity pool id, e.g. us-east-1:0e7b...' })
        .option('username', { type: 'string', describe: 'Cognito username' })
        .option('password-stdin', { type: 'boolean', default: false, describe: 'Read the password from the first line of stdin' })
        .option('auth-flow', { type: 'string', choices: ['USER_SRP_AUTH', 'USER_PASSWORD_AUTH'], describe: 'Sign-in flow (default USER_SRP_AUTH: the password never leaves this machine)' })
        .option('region', { type: 'string', describe: 'User pool region (default: the user pool id\'s prefix)' })
        .option('role-arn', { type: 'string', describe: 'IAM role to ask the identity pool for (CustomRoleArn)' })
        .option('device-name', { type: 'string', describe: 'The name Cognito gives this computer when the user pool remembers devices (default: the host name)' })
        .option('remember-device', {
          type: 'boolean',
          describe: 'Where the user pool lets the user choose, have it remember this computer, so that sign-ins from it skip MFA (default; --no-remember-device: not)',
        })
        .option('secret-store', {
          type: 'string',
          choices: ['keychain', 'file'],
          describe: 'Where secrets live: the OS keychain (default) or an encrypted file for hosts without one (passphrase: COGNITO_CREDS_FILE_PASSPHRASE or a prompt)',
        })
        .option('verify', { type: 'boolean', default: true, describe: 'Sign in once before saving (--no-verify skips it)' })
        .option('force', {
          type: 'boolean',
          default: false,
          describe: 'Use a section that already has credentials of its own (static keys, a role, SSO, another credential_process): setup removes those keys, and says so',
        })
        .example('$0 setup --profile dev', 'asks for each value in a terminal')
        .example('$0 setup --profile ci --secret-store file ...', 'no keychain: an encrypted file instead')
        .epilog(
          'A client secret and a TOTP secret come from COGNITO_CLIENT_SECRET and COGNITO_TOTP_SECRET, or hidden prompts. ' +
            'With --password-stdin, a second line is the new password if Cognito requires one.',
        )
        .example(
          'printf %s "$PW" | $0 setup --profile dev --user-pool-id us-east-1_AbC --client-id 1a2b... --identity-pool-id us-east-1:0e7b... --username alice --password-stdin',
          'scripted',
        ),
    run: async (args, io) => {
      const { setup } = await import('./commands/setup.js');
      await setup(
        {
          profile: args.profile,
          userPoolId: args.userPoolId,
          clientId: args.clientId,
          identityPoolId: args.identityPoolId,
          username: args.username,
          authFlow: args.authFlow,
          region: args.region,
          roleArn: args.roleArn,
          deviceName: args.deviceName,
          rememberDevice: args.rememberDevice,
          secretStore: args.secretStore,
          passwordStdin: args.passwordStdin,
          verify: args.verify,
          force: args.force,
          debug: args.debug,
        },
        io,
      );
    },
  }),
  command({
    name: 'remove',
    description: 'Delete a profile\'s secrets, its cached credentials and its section of the AWS config file',
    builder: (y) =>
      y
        .option('profile', { type: 'string', describe: 'Profile to remove (default: AWS_PROFILE, else "default")' })
        .example('$0 remove --profile dev', 'refuses a section without cognito_* keys'),
    run: async (args, io) => {
      const { remove } = await import('./commands/remove.js');
      await remove({ profile: args.profile, debug: args.debug }, io);
    },
  }),
  command({
    name: 'logout',
    description: 'Forget the cached credentials and the refresh token (the password stays)',
    builder: (y) =>
      y
        .option('profile', { type: 'string', describe: 'Profile (default: AWS_PROFILE, else "default")' })
        .option('forget-device', { type: 'boolean', default: false, describe: 'Also ask Cognito to forget this computer\'s remembered device (the next sign-in asks for the MFA code again)' })
        .example('$0 logout --profile dev', 'the next call signs in with the password')
        .example('$0 logout --profile dev --forget-device', 'and this computer is no longer a remembered device'),
    run: async (args, io) => {
      const { logout } = await import('./commands/logout.js');
      await logout({ profile: args.profile, forgetDevice: args.forgetDevice, debug: args.debug }, io);
    },
  }),
  command({
    name: 'status',
    description: 'Show the Cognito profiles, their stored secrets and cached credentials (never a secret)',
    builder: (y) =>
      y
        .option('profile', { type: 'string', describe: 'Only this profile (default: every cognito-creds profile)' })
        .example('$0 status', 'every profile')
        .example('$0 status --profile dev', 'one profile'),
    run: async (args, io) => {
      const { status } = await import('./commands/status.js');
      await status({ profile: args.profile, debug: args.debug }, io);
    },
  }),
  command({
    name: 'exec',
    description: 'Run a command with the credentials in its environment (AWS_ACCESS_KEY_ID, …, AWS_REGION)',
    builder: (y) =>
      y
        .option('profile', { type: 'string', describe: 'Profile (default: AWS_PROFILE, else "default")' })
        .parserConfiguration({ 'populate--': true })
        .usage('$0 exec [--profile NAME] -- COMMAND [ARGS...]')
        .example('$0 exec --profile dev -- aws sts get-caller-identity', 'AWS_PROFILE is removed from the command\'s environment')
        .example('$0 exec --profile dev -- terraform plan', 'signals reach the command; its exit code is returned'),
    run: async (args, io) => {
      const { exec } = await import('./commands/exec.js');
      const command = ((args as { '--'?: unknown[] })['--'] ?? []).map(String);
      return exec({ profile: args.profile, command, debug: args.debug }, io);
    },
  }),
  command({
    name: 'export',
    description: 'Print the credentials as environment variables (or JSON) for tools that do not read credential_process',
    builder: (y) =>
      y
        .option('profile', { type: 'string', describe: 'Profile (default: AWS_PROFILE, else "default")' })
        .option('format', { type: 'string', choices: ['sh', 'fish', 'powershell', 'dotenv', 'json'] as const, default: 'sh' as const, describe: 'Output format' })
        .example('eval "$($0 export --profile dev)"', 'sh, bash, zsh')
        .example('$0 export --profile dev --format fish | source', 'fish')
        .example('$0 export --profile dev --format dotenv > .env', 'a dotenv file (it holds secrets: keep it private)'),
    run: async (args, io) => {
      const { exportCredentials } = await import('./commands/export.js');
      await exportCredentials({ profile: args.profile, format: args.format, debug: args.debug }, io);
    },
  }),
  command({
    name: 'doctor',
    description: 'Check the config file, the profile, the keychain, the stored secrets, the cache and the endpoints',
    builder: (y) =>
      y
        .option('profile', { type: 'string', describe: 'Profile (default: AWS_PROFILE, else "default")' })
        .example('$0 doctor --profile dev', 'one line per check; exits non-zero when one fails'),
    run: async (args, io) => {
      const { doctor } = await import('./commands/doctor.js');
      return doctor({ profile: args.profile, debug: args.debug }, io);
    },
  }),
];

/** The help's width: the terminal's (help goes to stdout, else to the terminal of stderr), 80 for a pipe. */
function helpWidth(): number {
  return process.stdout.columns || process.stderr.columns || 80;
}

function optionsOf(parser: unknown): KnownOptions {
  return (parser as { getOptions?: () => KnownOptions }).getOptions?.() ?? {};
}

/** The long flags of those options. */
function knownFlags(parser: unknown): string[] {
  return Object.keys(optionsOf(parser).key ?? {}).filter((k) => k.length > 1 && !/[A-Z]/.test(k) && k !== '$0');
}

export async function runParser(argv: string[], io: Io): Promise<number> {
  const misplaced = execWithoutDashDash(argv);
  if (misplaced) throw misplaced;
  if (argv[0] === 'completion' && argv.some((a) => a === '--help' || a === '-h')) {
    io.stdout(COMPLETION_HELP);
    return 0;
  }
  let exitCode = 0;
  const parser = yargs(argv)
    .scriptName('cognito-creds')
    .usage('$0 <command> [options]\n\nTemporary AWS credentials for a person who signs in to an Amazon Cognito user pool.')
    .option('debug', { type: 'boolean', default: false, describe: 'Log each step and its timing on stderr (never a secret)' });
  for (const spec of COMMANDS) {
    parser.command(spec.name, spec.description, spec.builder, async (args) => {
      exitCode = (await spec.run(args, io)) ?? exitCode;
    });
  }
  parser
    .completion(
      'completion',
      'Print a bash or zsh completion script (by $SHELL)',
      (current: string, _args: unknown, defaults: (cb: (err: unknown, names?: string[]) => void) => void, done: (names: string[]) => void) => {
        // Profile names after --profile; yargs's own completion of commands and flags otherwise.
        if (argv.at(-2) === '--profile') done(profileNames(io).filter((n) => n.startsWith(current)));
        else defaults((_err, names) => done((names ?? []).map((name) => negatedWhenOn(name, optionsOf(parser)))));
      },
    )
    .example('$0 setup --profile dev', 'once: store the password, write [profile dev]')
    .example('aws sts get-caller-identity --profile dev', 'then: the AWS CLI and SDKs run credential-process')
    .example('$0 completion >> ~/.bashrc', 'shell completion (bash, or zsh when $SHELL is zsh)')
    .epilog('Docs: README.md and docs/ (configuration, troubleshooting, security, performance) in the package.')
    .demandCommand(1, 'Name a command.')
    .strict()
    .version(packageVersion())
    .help()
    .alias('h', 'help')
    .wrap(helpWidth())
    .exitProcess(false)
    .fail((msg, err) => {
      // Throwing is what stops yargs from running the command's handler after a failed check.
      throw err ?? new CredsError('usage', withSuggestion(msg, argv, knownFlags(parser), COMMANDS.map((c) => c.name).concat('completion')), 'Run `cognito-creds --help` for the commands and their options.');
    });
  let help = '';
  await parser.parseAsync(argv, {}, (_err, _argv, output) => {
    help = output;
  });
  if (help) io.stdout(help.endsWith('\n') ? help : `${help}\n`);
  return exitCode;
}
