/**
 * HTTPS, the production transport, which every other spec replaces by plain HTTP: the built
 * binary signs in through a TLS reverse proxy (a throwaway certificate for localhost, made with
 * openssl) in front of the fake Cognito. It checks that the certificate is verified (against
 * NODE_EXTRA_CA_CERTS here), that SNI names the host, and that each endpoint gets exactly one
 * connection (opened ahead of the requests, then kept alive for all of them). Then the same
 * through an HTTP CONNECT proxy (HTTPS_PROXY, NO_PROXY, proxy authentication): TLS stays end to
 * end, and the proxy's password never shows.
 */
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest, type Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:https';
import { type AddressInfo, connect as netConnect } from 'node:net';
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
const PROXY_PASSWORD = 'Proxy-Pw-7%';

/** A CONNECT proxy on loopback that records each tunnel; with `password`, it wants Basic auth. */
async function connectProxy(password?: string) {
  const tunnels: string[] = [];
  const refused: number[] = [];
  const server: HttpServer = createHttpServer((_req, res) => {
    res.writeHead(405);
    res.end();
  });
  server.on('connect', (req, client) => {
    const expected = password ? `Basic ${Buffer.from(`bob:${password}`).toString('base64')}` : undefined;
    if (expected && req.headers['proxy-authorization'] !== expected) {
      refused.push(407);
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    tunnels.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    // Loopback only: whatever the request names, the tunnel goes to 127.0.0.1.
    const upstream = netConnect(Number(port), '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.pipe(client);
      client.pipe(upstream);
    });
    void host;
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, tunnels, refused, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

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

  it('through an HTTP CONNECT proxy (HTTPS_PROXY): one tunnel per endpoint, TLS to the host; NO_PROXY bypasses it', async () => {
    const proxy = await connectProxy();
    try {
      const r = await runCli(['credential-process', '--profile', 'tls'], { env: { ...env, HTTPS_PROXY: proxy.url } });
      expect([r.code, r.stderr]).toEqual([0, '']);
      expect(JSON.parse(r.stdout).AccessKeyId).toBe(fake.issued.at(-1)!.accessKeyId);
      const authority = url.replace('https://', '');
      expect(proxy.tunnels).toEqual([authority, authority]);
      expect(connections).toEqual(['localhost', 'localhost']); // TLS inside the tunnels, SNI = the host

      await runCli(['logout', '--profile', 'tls'], { env });
      connections.length = 0;
      const direct = await runCli(['credential-process', '--profile', 'tls'], { env: { ...env, HTTPS_PROXY: proxy.url, NO_PROXY: 'example.com,localhost' } });
      expect([direct.code, direct.stderr]).toEqual([0, '']);
      expect([proxy.tunnels.length, connections.length]).toEqual([2, 2]);
    } finally {
      proxy.server.close();
      proxy.server.closeAllConnections();
    }
  });

  it('a proxy that wants a password: the right one in the URL works; a wrong one is exit 6, never shown', async () => {
    const proxy = await connectProxy(PROXY_PASSWORD);
    try {
      const withPassword = (pw: string) => proxy.url.replace('http://', `http://bob:${encodeURIComponent(pw)}@`);
      const wrong = await runCli(['credential-process', '--profile', 'tls'], { env: { ...env, HTTPS_PROXY: withPassword('nope') } });
      expect([wrong.code, wrong.stdout]).toEqual([6, '']);
      expect(wrong.stderr).toBe(
        `cognito-creds: profile "tls": the proxy refused the tunnel to Cognito at ${url} through the proxy http://***@${proxy.url.replace('http://', '')}/: HTTP 407 (proxy authentication required) (InitiateAuth)\n` +
          '  Check HTTPS_PROXY (and its user:password, URL-encoded), or list the Cognito host in NO_PROXY.\n',
      );
      const wrongDebug = await runCli(['credential-process', '--profile', 'tls', '--debug'], { env: { ...env, HTTPS_PROXY: withPassword('nope-again') } });
      expect([wrongDebug.code, wrongDebug.stdout]).toEqual([6, '']);
      expect(`${wrong.stderr}${wrongDebug.stderr}`).not.toMatch(/nope/);
      expect(proxy.refused).toEqual([407, 407]);

      const right = await runCli(['credential-process', '--profile', 'tls', '--debug'], { env: { ...env, HTTPS_PROXY: withPassword(PROXY_PASSWORD) } });
      expect([right.code, JSON.parse(right.stdout).AccessKeyId]).toEqual([0, fake.issued.at(-1)!.accessKeyId]);
      expect(right.stderr).toContain(`through the proxy http://***@${proxy.url.replace('http://', '')}/ (HTTPS_PROXY)`);
      for (const text of [right.stderr, right.stdout, wrong.stderr, wrongDebug.stderr]) {
        expect(text).not.toContain(PROXY_PASSWORD);
        expect(text).not.toContain(encodeURIComponent(PROXY_PASSWORD));
      }
      expect(proxy.tunnels).toHaveLength(2);
    } finally {
      proxy.server.close();
      proxy.server.closeAllConnections();
    }
  });
});
