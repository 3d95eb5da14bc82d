/**
 * src/cognito/srp.ts against two independent implementations: amazon-cognito-identity-js
 * (AuthenticationHelper + the HMAC step of CognitoUser.authenticateUserDefaultAuth) and the fake
 * Cognito's server-side verifier, both directly and over the wire with the real SDK client.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cognitoTimestamp, passwordVerifier, startSrp, startSrpWithPrivateKey, type SrpSession } from '../../../src/cognito/srp.js';
import { FakeCognito, type FakeCognitoOptions } from '../../fake-cognito/server.js';
import {
  computeX,
  g,
  k,
  makeServerEphemeral,
  makeVerifier,
  modPowN,
  N,
  passwordClaimSignature,
  serverAuthenticationKey,
} from '../../fake-cognito/srp-verifier.js';

// ------------------------------------------------------------ amazon-cognito-identity-js (CommonJS)
const require = createRequire(import.meta.url);
interface BigIntegerLike {
  toString(radix: number): string;
}
type BigIntegerCtor = new (value: string, radix: number) => BigIntegerLike;
interface AuthenticationHelperLike {
  smallAValue: BigIntegerLike;
  largeAValue: BigIntegerLike | undefined;
  getLargeAValue(cb: (err: unknown, A: BigIntegerLike) => void): void;
  getPasswordAuthenticationKey(
    userId: string,
    password: string,
    B: BigIntegerLike,
    salt: BigIntegerLike,
    cb: (err: unknown, hkdf: Buffer) => void,
  ): void;
}
const AuthenticationHelper = (
  require('amazon-cognito-identity-js/lib/AuthenticationHelper.js') as { default: new (poolName: string) => AuthenticationHelperLike }
).default;
const BigInteger = (require('amazon-cognito-identity-js/lib/BigInteger.js') as { default: BigIntegerCtor }).default;
const DateHelper = (require('amazon-cognito-identity-js/lib/DateHelper.js') as { default: new () => { getNowString(): string } }).default;
// The library's own SHA-256 (it computes HMAC-SHA256 as `new Sha256(key)`), resolved from the library.
const { Sha256 } = createRequire(require.resolve('amazon-cognito-identity-js'))('@aws-crypto/sha256-js') as {
  Sha256: new (secret?: Uint8Array) => { update(data: Uint8Array): void; digestSync(): Uint8Array };
};

interface ChallengeCase {
  poolId: string;
  userIdForSrp: string;
  password: string;
  saltHex: string;
  srpBHex: string;
  secretBlock: string;
  timestamp: string;
}

/** The library's signature for private value a, as CognitoUser.authenticateUserDefaultAuth signs it. */
function librarySignature(a: bigint, c: ChallengeCase): { srpA: string; signature: string } {
  const poolName = c.poolId.split('_')[1]!; // CognitoUserPool.getUserPoolName()
  const helper = new AuthenticationHelper(poolName);
  helper.smallAValue = new BigInteger(a.toString(16), 16);
  helper.largeAValue = undefined;
  let A: BigIntegerLike | undefined;
  helper.getLargeAValue((err, value) => {
    if (err) throw err;
    A = value;
  });
  let hkdf: Buffer | undefined;
  helper.getPasswordAuthenticationKey(c.userIdForSrp, c.password, new BigInteger(c.srpBHex, 16), new BigInteger(c.saltHex, 16), (err, key) => {
    if (err) throw err;
    hkdf = key;
  });
  if (!A || !hkdf) throw new Error('the library did not answer synchronously');
  const hmac = new Sha256(hkdf);
  hmac.update(
    Buffer.concat([
      Buffer.from(poolName, 'utf8'),
      Buffer.from(c.userIdForSrp, 'utf8'),
      Buffer.from(c.secretBlock, 'base64'),
      Buffer.from(c.timestamp, 'utf8'),
    ]),
  );
  return { srpA: A.toString(16), signature: Buffer.from(hmac.digestSync()).toString('base64') };
}

function ours(session: SrpSession, c: ChallengeCase, now: Date) {
  return passwordVerifier({
    session,
    poolId: c.poolId,
    userIdForSrp: c.userIdForSrp,
    password: c.password,
    saltHex: c.saltHex,
    srpBHex: c.srpBHex,
    secretBlock: c.secretBlock,
    now,
  });
}

const TRICKY_PASSWORDS = [
  'Correct-Horse-1',
  'pässwörd Ünïcødé',
  'with "double" and \'single\' quotes',
  '  leading and trailing spaces  ',
  '🔑 密码 パスワード',
  'back\\slash:colon=equals',
  'x',
];

describe('SRP client maths against amazon-cognito-identity-js and the fake verifier', () => {
  it('gives the same A and PASSWORD_CLAIM_SIGNATURE for the same private value (random cases)', () => {
    const poolIds = ['us-east-1_AbC123xyz', 'eu-west-2_Zz9', 'ap-southeast-1_q'];
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom(...TRICKY_PASSWORDS), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 })),
        fc.constantFrom(...poolIds),
        fc.oneof(fc.constantFrom('alice', 'Jörg Müller', 'o\'brien "x"'), fc.uuid()),
        fc.date({ min: new Date(0), max: new Date(Date.UTC(2100, 0, 1)), noInvalidDate: true }),
        (password, poolId, userIdForSrp, now) => {
          const poolName = poolId.split('_')[1]!;
          // A realistic server side: a verifier for the right password, and B = k*v + g^b.
          const verifier = makeVerifier(poolName, userIdForSrp, password);
          const { b, B } = makeServerEphemeral(verifier.verifier);
          const session = startSrp();
          const c: ChallengeCase = {
            poolId,
            userIdForSrp,
            password,
            saltHex: verifier.saltHex,
            srpBHex: B.toString(16),
            secretBlock: randomBytes(1 + (now.getTime() % 500)).toString('base64'),
            timestamp: cognitoTimestamp(now),
          };
          const mine = ours(session, c, now);
          const lib = librarySignature(session.a, c);
          expect(session.srpA).toBe(lib.srpA);
          expect(mine).toEqual({ TIMESTAMP: c.timestamp, PASSWORD_CLAIM_SIGNATURE: lib.signature, PASSWORD_CLAIM_SECRET_BLOCK: c.secretBlock });
          // ...and the fake's server-side key, S = (A * v^u)^b, agrees too.
          const serverKey = serverAuthenticationKey(BigInt('0x' + session.srpA), B, b, verifier.verifier);
          expect(passwordClaimSignature(serverKey, poolName, userIdForSrp, c.secretBlock, c.timestamp)).toBe(mine.PASSWORD_CLAIM_SIGNATURE);
        },
      ),
      { numRuns: 12 },
    );
  });

  it('agrees with the library on random (not server-made) B and salts with leading zeros', () => {
    for (let i = 0; i < 5; i++) {
      const B = BigInt('0x' + randomBytes(384).toString('hex')) % N;
      const c: ChallengeCase = {
        poolId: 'us-east-1_Pool',
        userIdForSrp: randomUUID(),
        password: TRICKY_PASSWORDS[i]!,
        saltHex: i % 2 ? '00' + randomBytes(15).toString('hex') : 'ff' + randomBytes(15).toString('hex'),
        srpBHex: i % 2 ? B.toString(16).toUpperCase() : B.toString(16),
        secretBlock: randomBytes(384).toString('base64'),
        timestamp: cognitoTimestamp(new Date(T0)),
      };
      const session = startSrp();
      expect(ours(session, c, new Date(T0)).PASSWORD_CLAIM_SIGNATURE).toBe(librarySignature(session.a, c).signature);
    }
  });

  it('handles the edge cases OpenSSL refuses (base 1, N-1 or a non-residue, exponent beyond N-1) like the library', () => {
    const poolName = 'Edge';
    const c0 = { poolId: `us-east-1_${poolName}`, userIdForSrp: 'edgy', password: 'pw', saltHex: '0abc', secretBlock: 'AAAA', timestamp: cognitoTimestamp(new Date(T0)) };
    const gx = modPowN(g, computeX(poolName, c0.userIdForSrp, c0.password, 0xabcn));
    const kgx = (k * gx) % N;
    // 4 is a quadratic residue mod N and -2 is not: OpenSSL 3.5 (Node 22, 24) refuses a
    // non-residue as a DH peer key, so both kinds must come out right.
    const bases = { one: (kgx + 1n) % N, minusOne: (kgx + N - 1n) % N, residue: (kgx + 4n) % N, nonResidue: (kgx + N - 2n) % N };
    for (const [name, B] of Object.entries(bases)) {
      const c = { ...c0, srpBHex: B.toString(16) };
      const session = startSrp();
      expect(ours(session, c, new Date(T0)).PASSWORD_CLAIM_SIGNATURE, name).toBe(librarySignature(session.a, c).signature);
    }
    // a close to N-1, so a + u*x exceeds N-1 and the exponent is reduced mod N-1
    const big = startSrpWithPrivateKey(N - 2n);
    const c = { ...c0, srpBHex: (BigInt('0x' + randomBytes(384).toString('hex')) % N).toString(16) };
    const lib = librarySignature(N - 2n, c);
    expect(big.srpA).toBe(lib.srpA);
    expect(ours(big, c, new Date(T0)).PASSWORD_CLAIM_SIGNATURE).toBe(lib.signature);
  });

  it('one sign-in\'s maths takes milliseconds on this Node, not seconds (Node 24\'s createDiffieHellman took 1.6 s a call)', () => {
    const c0 = { poolId: 'us-east-1_Pool', userIdForSrp: 'u', password: 'pw', saltHex: '0abc', secretBlock: 'AAAA', timestamp: cognitoTimestamp(new Date(T0)) };
    const c = { ...c0, srpBHex: (BigInt('0x' + randomBytes(384).toString('hex')) % N).toString(16) };
    ours(startSrp(), c, new Date(T0)); // node:crypto loaded, functions compiled
    const t0 = performance.now();
    for (let i = 0; i < 3; i++) ours(startSrp(), c, new Date(T0));
    expect((performance.now() - t0) / 3).toBeLessThan(250);
  });

  it('refuses B = 0 mod N, a degenerate B, malformed hex and pool ids', () => {
    const session = startSrp();
    const c = { session, poolId: 'us-east-1_Pool', userIdForSrp: 'u', password: 'p', saltHex: '0abc', secretBlock: 'AAAA' };
    expect(() => passwordVerifier({ ...c, srpBHex: '0' })).toThrow(/SRP_B = 0 mod N/);
    expect(() => passwordVerifier({ ...c, srpBHex: N.toString(16) })).toThrow(/SRP_B = 0 mod N/);
    expect(() => passwordVerifier({ ...c, srpBHex: (2n * N).toString(16) })).toThrow(/SRP_B = 0 mod N/);
    // B = k*g^x makes S = 0 whatever the password
    const kgx = (k * modPowN(g, computeX('Pool', 'u', 'p', 0xabcn))) % N;
    expect(() => passwordVerifier({ ...c, srpBHex: kgx.toString(16) })).toThrow(/degenerate/);
    expect(() => passwordVerifier({ ...c, srpBHex: 'xyz' })).toThrow(/SRP_B is not a hex number/);
    expect(() => passwordVerifier({ ...c, srpBHex: '1234', saltHex: '' })).toThrow(/SALT is not a hex number/);
    expect(() => passwordVerifier({ ...c, srpBHex: '1234', poolId: 'nounderscore' })).toThrow(/not a user pool id/);
    expect(() => startSrpWithPrivateKey(0n)).toThrow(RangeError);
  });

  it('makes a fresh random A every time, 1 < A < N', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const { srpA, a } = startSrp();
      const A = BigInt('0x' + srpA);
      expect(srpA).toMatch(/^[0-9a-f]+$/);
      expect(A > 1n && A < N).toBe(true);
      expect(a > 0n && a < 1n << 1024n).toBe(true);
      seen.add(srpA);
    }
    expect(seen.size).toBe(20);
  });

  it('is fast: logs the median time of startSrp + passwordVerifier over 20 runs', () => {
    const poolName = 'Bench';
    const verifier = makeVerifier(poolName, 'bench-user', 'Bench-Password-1');
    const { B } = makeServerEphemeral(verifier.verifier);
    const input = { poolId: `us-east-1_${poolName}`, userIdForSrp: 'bench-user', password: 'Bench-Password-1', saltHex: verifier.saltHex, srpBHex: B.toString(16), secretBlock: randomBytes(384).toString('base64') };
    for (let i = 0; i < 3; i++) passwordVerifier({ ...input, session: startSrp() }); // warm-up
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      passwordVerifier({ ...input, session: startSrp() });
      const c1 = process.cpuUsage(c0);
      wall.push(performance.now() - t0);
      cpu.push((c1.user + c1.system) / 1000);
    }
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
    console.log(`SRP client (startSrp + passwordVerifier), median of 20: ${median(cpu).toFixed(2)} ms CPU, ${median(wall).toFixed(2)} ms wall`);
    expect(wall.length).toBe(20);
  });
});

// ------------------------------------------------------------ over the wire, against FakeCognito
const T0 = Date.UTC(2024, 0, 2, 3, 4, 5);
const creds = { accessKeyId: 'x', secretAccessKey: 'x' };

let fakes: FakeCognito[] = [];
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(fakes.map((f) => f.stop()));
  fakes = [];
});

async function startFake(extra: FakeCognitoOptions = {}): Promise<FakeCognito> {
  const fake = new FakeCognito({
    users: [
      { username: 'alice', password: 'Correct-Horse-1', sub: '11111111-2222-4333-8444-555555555555' },
      { username: 'jörg', password: 'pässwörd "with" spaces 🔑' },
    ],
    ...extra,
  });
  await fake.start();
  fakes.push(fake);
  return fake;
}

async function srpSignIn(fake: FakeCognito, username: string, password: string) {
  const client = new CognitoIdentityProviderClient({ region: 'us-east-1', endpoint: fake.url, credentials: creds });
  const session = startSrp();
  const init = await client.send(
    new InitiateAuthCommand({ AuthFlow: 'USER_SRP_AUTH', ClientId: fake.clientId, AuthParameters: { USERNAME: username, SRP_A: session.srpA } }),
  );
  expect(init.ChallengeName).toBe('PASSWORD_VERIFIER');
  const p = init.ChallengeParameters!;
  const userIdForSrp = p['USER_ID_FOR_SRP']!;
  const responses = passwordVerifier({
    session,
    poolId: fake.userPoolId,
    userIdForSrp,
    password,
    saltHex: p['SALT']!,
    srpBHex: p['SRP_B']!,
    secretBlock: p['SECRET_BLOCK']!,
  });
  const out = await client.send(
    new RespondToAuthChallengeCommand({
      ClientId: fake.clientId,
      ChallengeName: 'PASSWORD_VERIFIER',
      Session: init.Session,
      ChallengeResponses: { ...responses, USERNAME: userIdForSrp },
    }),
  );
  return { userIdForSrp, out };
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('SRP sign-in against FakeCognito with the real SDK client', () => {
  for (const srpUserIdIsSub of [false, true]) {
    it(`signs in and refuses a wrong password (USER_ID_FOR_SRP = ${srpUserIdIsSub ? 'sub' : 'username'})`, async () => {
      const fake = await startFake({ srpUserIdIsSub });
      const alice = await srpSignIn(fake, 'alice', 'Correct-Horse-1');
      expect(alice.userIdForSrp).toBe(srpUserIdIsSub ? '11111111-2222-4333-8444-555555555555' : 'alice');
      expect(alice.out.AuthenticationResult?.IdToken).toBeTruthy();
      expect(alice.out.AuthenticationResult?.RefreshToken).toBeTruthy();

      const jorg = await srpSignIn(fake, 'jörg', 'pässwörd "with" spaces 🔑');
      expect(jorg.out.AuthenticationResult?.IdToken).toBeTruthy();

      for (const wrong of ['Correct-Horse-2', 'correct-horse-1', 'Correct-Horse-1 ', '']) {
        const err = await rejection(srpSignIn(fake, 'alice', wrong));
        expect([err.name, err.message], JSON.stringify(wrong)).toEqual(['NotAuthorizedException', 'Incorrect username or password.']);
      }
    });
  }
});

describe('cognitoTimestamp', () => {
  it('writes the day of month unpadded and the time padded, in English and UTC', () => {
    const cases: Array<[number, string]> = [
      [Date.UTC(2024, 0, 2, 3, 4, 5), 'Tue Jan 2 03:04:05 UTC 2024'],
      [Date.UTC(2024, 1, 9, 23, 59, 59), 'Fri Feb 9 23:59:59 UTC 2024'],
      [Date.UTC(2024, 2, 1, 0, 0, 0), 'Fri Mar 1 00:00:00 UTC 2024'],
      [Date.UTC(2025, 5, 10, 12, 0, 7), 'Tue Jun 10 12:00:07 UTC 2025'],
      [Date.UTC(2023, 11, 31, 23, 59, 59, 999), 'Sun Dec 31 23:59:59 UTC 2023'],
      [Date.UTC(2024, 1, 29, 0, 0, 0), 'Thu Feb 29 00:00:00 UTC 2024'],
      [Date.UTC(2030, 8, 30, 9, 9, 9), 'Mon Sep 30 09:09:09 UTC 2030'],
      [0, 'Thu Jan 1 00:00:00 UTC 1970'],
    ];
    for (const [ms, text] of cases) expect(cognitoTimestamp(new Date(ms))).toBe(text);
  });

  it('does not depend on the local time zone', () => {
    const saved = process.env.TZ;
    try {
      for (const tz of ['Pacific/Kiritimati', 'America/Los_Angeles', 'UTC']) {
        process.env.TZ = tz; // Node applies a new TZ at once
        expect(cognitoTimestamp(new Date(Date.UTC(2024, 0, 1, 0, 30, 0))), tz).toBe('Mon Jan 1 00:30:00 UTC 2024');
      }
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it("equals amazon-cognito-identity-js's DateHelper for random dates", () => {
    vi.useFakeTimers();
    fc.assert(
      fc.property(fc.date({ min: new Date(0), max: new Date(Date.UTC(2200, 0, 1)), noInvalidDate: true }), (date) => {
        vi.setSystemTime(date);
        expect(cognitoTimestamp(date)).toBe(new DateHelper().getNowString());
      }),
      { numRuns: 300 },
    );
  });
});
