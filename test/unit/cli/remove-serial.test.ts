/**
 * setup and remove of one profile, run at the same time, take turns under the profile's lock
 * (src/cli/profile-lock.ts): whatever the interleaving, the profile ends with its section and its
 * password (setup last) or with neither (remove last). In-process, against a secret store whose
 * every call takes a random few milliseconds, as a keychain's do, so the two really interleave.
 * The same race between two processes and the real keyring is in test/e2e/matrix-keychain.e2e.test.ts.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { profilesFromIni } from '../../../src/config/ini-parse.js';
import { profileLockPath, withProfileLock } from '../../../src/cli/profile-lock.js';
import { MemorySecretStore } from '../../support/memory-store.js';
import { useInProcessCli } from '../../support/in-process.js';
import { setupArgv } from '../../support/argv.js';

const PASSWORD = 'Serial-Pw-1!';
const cli = useInProcessCli({ users: [{ username: 'alice', password: PASSWORD }] });

/** A memory store whose calls each wait 0–3 ms first. */
class SlowStore extends MemorySecretStore {
  private pause = () => new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 4)));
  override async get(account: string) {
    await this.pause();
    return super.get(account);
  }
  override async set(account: string, secret: string) {
    await this.pause();
    return super.set(account, secret);
  }
  override async delete(account: string) {
    await this.pause();
    return super.delete(account);
  }
}

describe('setup and remove of one profile at the same time', () => {
  it('end with the section and the password, or with neither, every time (30 rounds)', async () => {
    const store = new SlowStore();
    const ids = { userPoolId: cli.fake.userPoolId, clientId: 'fakeclient0000000000000001', identityPoolId: cli.fake.identityPoolId, username: 'alice' };
    const setup = () => cli.run(setupArgv('dev', ids, ['--no-verify']), { stdin: `${PASSWORD}\n`, secrets: async () => store });
    const remove = () => cli.run(['remove', '--profile', 'dev'], { secrets: async () => store });
    await fs.mkdir(path.dirname(cli.configFile), { recursive: true });
    await fs.writeFile(cli.configFile, '[default]\nregion = eu-west-1\n');
    const outcomes = new Set<string>();
    for (let round = 0; round < 30; round++) {
      if (round % 2 === 0) expect((await setup()).code).toBe(0); // half the rounds start with the profile in place
      const delay = Math.floor(Math.random() * 6);
      const [s, r] = await Promise.all([
        setup(),
        new Promise((resolve) => setTimeout(resolve, delay)).then(remove),
      ]);
      expect([s.code, s.stderr]).toEqual([0, '']);
      // remove finds nothing when it ran wholly before a setup of a profile that was not there.
      expect([0, 3]).toContain(r.code);
      const text = await fs.readFile(cli.configFile, 'utf8');
      const section = profilesFromIni(text).has('dev');
      const password = store.entries.has('dev:password');
      expect({ round, section, password }).toEqual({ round, section: password, password });
      expect(text.startsWith('[default]\nregion = eu-west-1\n')).toBe(true);
      outcomes.add(section ? 'both' : 'neither');
    }
    expect(await fs.readdir(path.dirname(cli.configFile))).toEqual(['config']);
    console.log(`setup/remove race: end states seen: ${[...outcomes].join(', ')}`);
  });

  it('a lock held by another process: waits, then says who to ask, changing nothing', async () => {
    await cli.writeProfile();
    const lock = profileLockPath(cli.configFile, 'dev');
    expect(lock).toBe(`${cli.configFile}.cognito-creds.profile.dev.lock`);
    let error: unknown;
    await withProfileLock(cli.configFile, 'dev', async () => {
      error = await withProfileLock(cli.configFile, 'dev', async () => 'ran', { timeoutMs: 200 }).catch((err: unknown) => err);
    });
    expect(error).toMatchObject({
      kind: 'config',
      message: 'another cognito-creds process has been changing profile "dev" for 0 s; nothing was changed',
      hint: `Try again; if no other cognito-creds runs, delete ${lock}.`,
    });
    await expect(fs.stat(lock)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(profileLockPath('/x/config', 'a/b')).toMatch(/^\/x\/config\.cognito-creds\.profile\.[0-9a-f]{32}\.lock$/);
  });
});
