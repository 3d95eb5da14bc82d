/**
 * HTTPS, the production transport, which every other spec replaces by plain HTTP: the built
 * binary signs in through a TLS reverse proxy (a throwaway certificate for localhost, made with
 * openssl) in front of the fake Cognito. It checks that the certificate is verified (against
 * NODE_EXTRA_CA_CERTS here), that SNI names the host, and that each endpoint gets exactly one
 * connection (opened ahead of the requests, then kept alive for all of them).
 */
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { FakeCognito } from '../fake-cognito/server.js';
import { setupArgv } from '../support/argv.js';
import { makeTestHome, runCli, type TestHome } from '../support/env.js';
import { describeWith } from '../support/tools.js';

const PASSWORD = 'Tls-Test-Pw-1!';
const CLIENT = 'fakeclient0000000000000001';
const PASSPHRASE = 'tls test passphrase';

describeWith(['openssl'], 'HTTPS to Cognito (a TLS proxy in front of the fake, the file store)', () => {
  let fake: FakeCognito;
  let home: TestHome;
  let dir: string;
  let proxy: Server;
  let url: string;
  let env: Record<string, string>;
  const connections: Array<string | false | null> = [];

  beforeAll(async () => {
    fake = new FakeCognito({ users: [{ username: 'alice', password: PASSWORD }] });
    await fake.start();
    home = await makeTestHome();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cc-tls-'));
    const [key, cert] = [path.join(dir, 'key.pem'), path.join(dir, 'cert.pem')];
    const made = spawnSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost', '-keyout', key, '-out', cert,
    ], { encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    const target = new URL(fake.url);
    proxy = createServer({ key: await fs.readFile(key), cert: await fs.readFile(cert) }, (req, res) => {
      const upstream = httpRequest(
        { hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    proxy.on('secureConnection', (socket: TLSSocket) => connections.push(socket.servername));
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    url = `https://localhost:${(proxy.address() as AddressInfo).port}`;
    env = {
      ...home.env,
      AWS_ENDPOINT_URL: url,
      NODE_EXTRA_CA_CERTS: cert,
      XDG_DATA_HOME: path.join(home.home, '.local', 'share'),
      COGNITO_CREDS_FILE_PASSPHRASE: PASSPHRASE,
    };
    const ids = { userPoolId: fake.userPoolId, clientId: CLIENT, identityPoolId: fake.identityPoolId, username: 'alice' };
    const r = await runCli(setupArgv('tls', ids, ['--secret-store', 'file', '--auth-flow', 'USER_PASSWORD_AUTH']), { env, input: `${PASSWORD}\n` });
    expect([r.code, r.stderr]).toEqual([0, '']);
  });
  afterAll(async () => {
    proxy?.closeAllConnections();
    await new Promise((resolve) => (proxy ? proxy.close(resolve) : resolve(undefined)));
    await fake?.stop();
    await home?.cleanup();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await runCli(['logout', '--profile', 'tls'], { env });
    connections.length = 0;
    fake.requests.length = 0;
  });

  it('signs in over HTTPS: one verified connection per endpoint, SNI = the host', async () => {
    const r = await runCli(['credential-process', '--profile', 'tls'], { env });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(JSON.parse(r.stdout).AccessKeyId).toBe(fake.issued.at(-1)!.accessKeyId);
    expect(fake.requests.map((q) => q.operation)).toEqual(['InitiateAuth', 'GetId', 'GetCredentialsForIdentity']);
    // Both variables point at one URL, so two clients, two connections: no more, whatever the requests.
    expect(connections).toEqual(['localhost', 'localhost']);
  });

  it('an unknown certificate authority is refused: exit 6, stdout empty, the cause named, nothing signed in', async () => {
    const { NODE_EXTRA_CA_CERTS: _, ...untrusting } = env;
    const r = await runCli(['credential-process', '--profile', 'tls'], { env: untrusting });
    expect([r.code, r.stdout]).toEqual([6, '']);
    expect(r.stderr).toBe(
      `cognito-creds: profile "tls": cannot verify the TLS certificate of Cognito at ${url}: self-signed certificate (InitiateAuth)\n` +
        '  If a proxy inspects TLS on this network, add its CA certificate to NODE_EXTRA_CA_CERTS; also check the clock and AWS_ENDPOINT_URL.\n',
    );
    expect(fake.requests).toEqual([]);
  });
});
