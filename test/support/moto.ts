/**
 * A private moto_server on 127.0.0.1 and a Cognito fixture (user pool, app
 * client, confirmed user, identity pool) created in it with the real SDK clients.
 */
import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { CognitoIdentityClient, CreateIdentityPoolCommand } from '@aws-sdk/client-cognito-identity';
import { freePort, killGroup, trackGroup, untrackGroup, waitForExit } from './env.js';

/**
 * What moto 5 returns from GetCredentialsForIdentity, whatever the identity
 * (from moto/cognitoidentity/models.py; checked against a real call in
 * test/e2e/harness.test.ts). Expiration is epoch seconds (a float on the wire)
 * 90 s after the call.
 */
export const MOTO_ACCESS_KEY_ID = 'TESTACCESSKEY12345';
export const MOTO_SECRET_ACCESS_KEY = 'ABCSECRETKEY';
export const MOTO_SESSION_TOKEN = 'ABC12345';
export const MOTO_CREDENTIALS_LIFETIME_SECONDS = 90;

/** Dummy credentials for talking to moto (it does not check signatures). */
export const MOTO_DUMMY_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;

export interface Moto {
  /** e.g. http://127.0.0.1:43123 */
  url: string;
  port: number;
  pid: number;
  /** Last lines moto printed (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startOnce(port: number, env: Record<string, string>, readyTimeoutMs: number): Promise<Moto> {
  const url = `http://127.0.0.1:${port}`;
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  trackGroup(child.pid);
  let tail = '';
  const keep = (b: Buffer) => {
    tail = (tail + b.toString('utf8')).slice(-8_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let spawnError: Error | undefined;
  child.on('error', (e) => {
    spawnError = e;
  });

  const stop = async () => {
    untrackGroup(child.pid);
    if (child.exitCode !== null || child.signalCode !== null) return;
    killGroup(child.pid, 'SIGTERM');
    if (!(await waitForExit(child, 5_000))) {
      killGroup(child.pid, 'SIGKILL');
      await waitForExit(child, 5_000);
    }
  };

  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (spawnError) throw new Error(`cannot spawn moto_server: ${spawnError.message}`);
    if (child.exitCode !== null || child.signalCode !== null) {
      untrackGroup(child.pid);
      throw new Error(`moto_server exited early (${child.exitCode ?? child.signalCode}):\n${tail}`);
    }
    try {
      // Any HTTP answer means the server is up.
      const res = await fetch(`${url}/moto-api/`, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`moto_server did not answer on ${url} within ${readyTimeoutMs} ms:\n${tail}`);
    }
    await sleep(100);
  }

  return { url, port, pid: child.pid!, output: () => tail, stop };
}

/**
 * Spawn `moto_server -H 127.0.0.1 -p <free port>` in its own process group and
 * wait (≤ 20 s) until it answers HTTP. `stop()` kills the group.
 */
export async function startMoto(opts: { env?: Record<string, string> } = {}): Promise<Moto> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  Object.assign(env, opts.env ?? {});
  let lastError: unknown;
  // Retry on a port race (another process grabbed the port between probe and bind).
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(await freePort(), env, 20_000);
    } catch (e) {
      lastError = e;
      if (e instanceof Error && e.message.includes('did not answer')) break;
    }
  }
  throw lastError;
}

export interface CognitoFixture {
  region: string;
  userPoolId: string;
  clientId: string;
  clientSecret?: string;
  identityPoolId: string;
  /** `cognito-idp.<region>.amazonaws.com/<userPoolId>` — the Logins key for GetId. */
  providerName: string;
  username: string;
  password: string;
}

export interface FixtureOptions {
  region?: string;
  username?: string;
  password?: string;
  clientSecret?: boolean;
}

export const DEFAULT_FIXTURE_USERNAME = 'alice';
export const DEFAULT_FIXTURE_PASSWORD = 'Correct-Horse-9-Battery!';

/** SDK clients pointed at moto with dummy credentials. */
export function motoClients(motoUrl: string, region = 'us-east-1') {
  const common = {
    region,
    endpoint: motoUrl,
    credentials: MOTO_DUMMY_CREDENTIALS,
    maxAttempts: 2,
    useFipsEndpoint: false,
    useDualstackEndpoint: false,
  };
  return {
    idp: new CognitoIdentityProviderClient(common),
    identity: new CognitoIdentityClient(common),
  };
}

/** Cognito's SECRET_HASH: base64(HMAC-SHA256(clientSecret, username + clientId)). */
export function secretHash(clientSecret: string, username: string, clientId: string): string {
  return createHmac('sha256', clientSecret).update(username + clientId).digest('base64');
}

export async function createCognitoFixture(motoUrl: string, opts: FixtureOptions = {}): Promise<CognitoFixture> {
  const region = opts.region ?? 'us-east-1';
  const username = opts.username ?? DEFAULT_FIXTURE_USERNAME;
  const password = opts.password ?? DEFAULT_FIXTURE_PASSWORD;
  const tag = randomBytes(4).toString('hex');
  const { idp, identity } = motoClients(motoUrl, region);
  try {
    const pool = await idp.send(new CreateUserPoolCommand({ PoolName: `cognito-creds-e2e-${tag}` }));
    const userPoolId = pool.UserPool?.Id;
    if (!userPoolId) throw new Error('CreateUserPool returned no Id');

    const client = await idp.send(
      new CreateUserPoolClientCommand({
        UserPoolId: userPoolId,
        ClientName: `cli-${tag}`,
        GenerateSecret: opts.clientSecret ?? false,
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      }),
    );
    const clientId = client.UserPoolClient?.ClientId;
    if (!clientId) throw new Error('CreateUserPoolClient returned no ClientId');
    const clientSecret = client.UserPoolClient?.ClientSecret;
    if (opts.clientSecret && !clientSecret) throw new Error('CreateUserPoolClient returned no ClientSecret');

    await idp.send(
      new AdminCreateUserCommand({
        UserPoolId: userPoolId,
        Username: username,
        TemporaryPassword: password,
        MessageAction: 'SUPPRESS',
      }),
    );
    await idp.send(
      new AdminSetUserPasswordCommand({ UserPoolId: userPoolId, Username: username, Password: password, Permanent: true }),
    );

    const providerName = `cognito-idp.${region}.amazonaws.com/${userPoolId}`;
    const idPool = await identity.send(
      new CreateIdentityPoolCommand({
        IdentityPoolName: `cognito_creds_e2e_${tag}`,
        AllowUnauthenticatedIdentities: false,
        CognitoIdentityProviders: [{ ProviderName: providerName, ClientId: clientId, ServerSideTokenCheck: false }],
      }),
    );
    const identityPoolId = idPool.IdentityPoolId;
    if (!identityPoolId) throw new Error('CreateIdentityPool returned no IdentityPoolId');

    const fixture: CognitoFixture = { region, userPoolId, clientId, identityPoolId, providerName, username, password };
    if (clientSecret) fixture.clientSecret = clientSecret;
    return fixture;
  } finally {
    idp.destroy();
    identity.destroy();
  }
}
