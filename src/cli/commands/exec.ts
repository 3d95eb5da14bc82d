/**
 * `cognito-creds exec -- COMMAND [ARGS…]`: run a command with the credentials in its environment,
 * for tools that do not read credential_process. Signals reach the child; its exit code is ours.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { CredsError, profileLabel } from '../../errors.js';
import { credentialVariables } from '../../output/env-exports.js';
import { serviceRegion } from '../../config/profile.js';
import { profileCredentials } from '../../credentials/profile-credentials.js';
import { credentialsContext, debugLog, type Io } from '../io.js';

export interface ExecOptions {
  profile?: string | undefined;
  command: string[];
  debug: boolean;
}

/** Variables that would make the child's SDK look elsewhere than the credentials we give it. */
/** Then the secrets of cognito-creds itself: the child gets AWS credentials, never what makes them. */
const REMOVED = [
  'AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN', 'AWS_CREDENTIAL_EXPIRATION',
  'COGNITO_CREDS_FILE_PASSPHRASE', 'COGNITO_CLIENT_SECRET', 'COGNITO_TOTP_SECRET',
];
const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'];

export async function exec(options: ExecOptions, io: Io): Promise<number> {
  const [command, ...args] = options.command;
  if (!command) {
    throw new CredsError('usage', 'exec needs a command to run after --', 'For example: `cognito-creds exec --profile dev -- aws sts get-caller-identity`.');
  }
  const { profile, entry } = await profileCredentials(options.profile, credentialsContext(io, debugLog(io, options.debug)));
  const env: Record<string, string | undefined> = { ...io.env };
  for (const name of REMOVED) delete env[name];
  const region = serviceRegion(profile, io.env);
  for (const [name, value] of credentialVariables({ ...entry, expiration: new Date(entry.expiresAt), region })) env[name] = value;
  env.COGNITO_CREDS_PROFILE = profile.name;

  const child = spawn(command, args, { env, stdio: 'inherit' });
  const forward = (signal: NodeJS.Signals) => () => {
    child.kill(signal);
  };
  const handlers = FORWARDED.map((signal) => [signal, forward(signal)] as const);
  for (const [signal, handler] of handlers) process.on(signal, handler);
  try {
    return await new Promise<number>((resolve, reject) => {
      child.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') {
          reject(new CredsError('usage', `${profileLabel(profile.name)}: cannot run ${JSON.stringify(command)}: command not found`, 'Check the command and your PATH.', { cause: err }));
        } else {
          reject(new CredsError('usage', `${profileLabel(profile.name)}: cannot run ${JSON.stringify(command)}: ${err.code ?? err.message}`, 'Check the command and its permissions.', { cause: err }));
        }
      });
      child.on('exit', (code, signal) => {
        // A child killed by a signal: the shell convention, 128 + the signal's number.
        resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
      });
    });
  } finally {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  }
}
