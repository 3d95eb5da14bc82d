/**
 * Run a FakeCognito server as a process (for e2e tests and the README demo):
 *
 *   node dist/test/fake-cognito/cli.js --port 0 --user alice:PASSWORD [--user bob:pw2]
 *        [--region us-east-1] [--client-secret SECRET] [--srp-user-id-is-sub]
 *        [--user-status alice=FORCE_CHANGE_PASSWORD] [--credentials-ttl 3600] [--token-ttl 3600] [--log]
 *        [--user-totp alice=BASE32SECRET] [--user-sms alice=123456] [--user-email-otp alice=123456]
 *        [--user-mfa-setup alice]
 *        [--device-tracking off|always|user-opt-in] [--challenge-required-on-new-device true|false]
 *
 * Prints ONE line of JSON to stdout
 *   {"url":...,"region":...,"userPoolId":...,"clientId":...,"identityPoolId":...}
 * (plus "clientSecret" when given) and runs until SIGTERM/SIGINT. With --log, one line per request
 * goes to stderr. With device tracking on, tests in another process forget a device as an
 * administrator with AdminForgetDevice (the fake does not check the SigV4 signature of admin calls).
 */
import { parseArgs } from 'node:util';
import { DEVICE_TRACKING_MODES } from './devices.js';
import { decodeBase32Secret, DEFAULT_CLIENT_ID, FakeCognito, type DeviceTracking, type FakeUser, type FakeUserStatus } from './server.js';

const STATUSES: FakeUserStatus[] = ['CONFIRMED', 'UNCONFIRMED', 'RESET_REQUIRED', 'FORCE_CHANGE_PASSWORD'];

function fail(message: string): never {
  process.stderr.write(`fake-cognito: ${message}\n`);
  process.exit(2);
}

function positiveInt(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) fail(`--${name} must be a non-negative integer`);
  return n;
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        port: { type: 'string', default: '0' },
        user: { type: 'string', multiple: true, default: [] },
        'user-status': { type: 'string', multiple: true, default: [] },
        'user-totp': { type: 'string', multiple: true, default: [] },
        'user-sms': { type: 'string', multiple: true, default: [] },
        'user-email-otp': { type: 'string', multiple: true, default: [] },
        'user-mfa-setup': { type: 'string', multiple: true, default: [] },
        region: { type: 'string', default: 'us-east-1' },
        'user-pool-id': { type: 'string' },
        'identity-pool-id': { type: 'string' },
        'client-id': { type: 'string', default: DEFAULT_CLIENT_ID },
        'client-secret': { type: 'string' },
        'srp-user-id-is-sub': { type: 'boolean', default: false },
        'credentials-ttl': { type: 'string' },
        'token-ttl': { type: 'string' },
        'device-tracking': { type: 'string', default: 'off' },
        'challenge-required-on-new-device': { type: 'string', default: 'true' },
        log: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
  const v = parsed.values;
  const port = positiveInt(v.port, 'port') ?? 0;
  const region = v.region;

  const statuses = new Map<string, FakeUserStatus>();
  for (const s of v['user-status']) {
    const i = s.indexOf('=');
    const status = s.slice(i + 1) as FakeUserStatus;
    if (i <= 0 || !STATUSES.includes(status)) fail(`--user-status must be NAME=${STATUSES.join('|')}`);
    statuses.set(s.slice(0, i), status);
  }
  const nameValues = (specs: string[], option: string, what: string): Map<string, string> => {
    const out = new Map<string, string>();
    for (const s of specs) {
      const i = s.indexOf('=');
      if (i <= 0 || i === s.length - 1) fail(`--${option} must be NAME=${what}`);
      out.set(s.slice(0, i), s.slice(i + 1));
    }
    return out;
  };
  const totp = nameValues(v['user-totp'], 'user-totp', 'BASE32');
  for (const [name, secret] of totp) {
    try {
      decodeBase32Secret(secret);
    } catch (err) {
      fail(`--user-totp ${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const sms = nameValues(v['user-sms'], 'user-sms', 'CODE');
  const email = nameValues(v['user-email-otp'], 'user-email-otp', 'CODE');
  const mfaSetup = new Set(v['user-mfa-setup']);
  const users: FakeUser[] = v.user.map((spec) => {
    const i = spec.indexOf(':');
    if (i <= 0) fail('--user must be NAME:PASSWORD');
    const username = spec.slice(0, i);
    const status = statuses.get(username);
    const user: FakeUser = { username, password: spec.slice(i + 1), ...(status ? { status } : {}) };
    const totpSecret = totp.get(username);
    if (totpSecret !== undefined) user.totpSecret = totpSecret;
    const smsCode = sms.get(username);
    if (smsCode !== undefined) user.smsCode = smsCode;
    const emailOtpCode = email.get(username);
    if (emailOtpCode !== undefined) user.emailOtpCode = emailOtpCode;
    if (mfaSetup.has(username)) user.mfaSetupRequired = true;
    return user;
  });
  const known = new Set(users.map((u) => u.username));
  for (const [option, names] of [
    ['user-status', [...statuses.keys()]],
    ['user-totp', [...totp.keys()]],
    ['user-sms', [...sms.keys()]],
    ['user-email-otp', [...email.keys()]],
    ['user-mfa-setup', [...mfaSetup]],
  ] as const) {
    for (const name of names) if (!known.has(name)) fail(`--${option}: no --user named ${JSON.stringify(name)}`);
  }

  const deviceTracking = v['device-tracking'] as DeviceTracking;
  if (!DEVICE_TRACKING_MODES.includes(deviceTracking)) fail(`--device-tracking must be ${DEVICE_TRACKING_MODES.join('|')}`);
  const challengeOnNew = v['challenge-required-on-new-device'];
  if (challengeOnNew !== 'true' && challengeOnNew !== 'false') fail('--challenge-required-on-new-device must be true|false');

  const clientSecret = v['client-secret'];
  const credentialsTtlSeconds = positiveInt(v['credentials-ttl'], 'credentials-ttl');
  const tokenTtlSeconds = positiveInt(v['token-ttl'], 'token-ttl');
  const fake = new FakeCognito({
    region,
    userPoolId: v['user-pool-id'] ?? `${region}_FakePool1`,
    identityPoolId: v['identity-pool-id'] ?? `${region}:00000000-0000-4000-8000-000000000001`,
    clients: [{ clientId: v['client-id'], ...(clientSecret !== undefined ? { clientSecret } : {}) }],
    users,
    srpUserIdIsSub: v['srp-user-id-is-sub'],
    deviceTracking,
    challengeRequiredOnNewDevice: challengeOnNew === 'true',
    ...(credentialsTtlSeconds !== undefined ? { credentialsTtlSeconds } : {}),
    ...(tokenTtlSeconds !== undefined ? { tokenTtlSeconds } : {}),
    ...(v.log ? { onRequest: (r) => process.stderr.write(`fake-cognito: ${r.service} ${r.operation}\n`) } : {}),
  });
  const url = await fake.start(port);

  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    fake.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);

  const info: Record<string, string> = {
    url,
    region: fake.region,
    userPoolId: fake.userPoolId,
    clientId: fake.clientId,
    identityPoolId: fake.identityPoolId,
  };
  if (clientSecret !== undefined) info['clientSecret'] = clientSecret;
  process.stdout.write(JSON.stringify(info) + '\n');
}

main().catch((err: unknown) => fail(err instanceof Error ? err.stack ?? err.message : String(err)));
