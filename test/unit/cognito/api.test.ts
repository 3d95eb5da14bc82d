/**
 * The Cognito API on the AWS SDK clients, against loopback servers: what goes on the wire, the
 * connections, retries counted on the server, timeouts, the deadline, the errors the SDK makes of
 * each answer, and where requests go (the cognito-creds profile's settings, the SDK's rules).
 */
import { promises as fs } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type CognitoApiOptions, createCognitoApi } from '../../../src/cognito/api.js';
import { endpointChoices, type EndpointSettings } from '../../../src/config/endpoint-settings.js';
import { createDebugLog } from '../../../src/log/debug.js';
import { freePort } from '../../support/env.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

const servers: Server[] = [];
const savedEnv = { ...process.env };
afterEach(async () => {
  process.env = { ...savedEnv };
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

/** A loopback HTTP server answering each request with the next handler; counts TCP connections. */
async function server(...handlers: Array<(res: ServerResponse, req: Seen) => void>) {
  const seen: Seen[] = [];
  let connections = 0;
  const s: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() };
      seen.push(r);
      handlers[Math.min(seen.length, handlers.length) - 1]?.(res, r);
    });
  });
  s.on('connection', () => connections++);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  servers.push(s);
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, seen, connections: () => connections, server: s };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) => (res: ServerResponse) => {
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
};

/** Every proxy and endpoint variable cleared, then `env` set: the SDK and the proxy rules read process.env. */
function useEnv(env: Record<string, string> = {}): Record<string, string> {
  for (const name of Object.keys(process.env)) {
    if (/^(https?|no|all)_proxy$/i.test(name) || /^AWS_/.test(name)) delete process.env[name];
  }
  process.env.AWS_CONFIG_FILE = path.join(os.tmpdir(), 'cc-api-no-such-config');
  process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(os.tmpdir(), 'cc-api-no-such-credentials');
  Object.assign(process.env, env);
  return process.env as Record<string, string>;
}

function api(endpoint: string | undefined, over: Partial<CognitoApiOptions> = {}) {
  const env = useEnv(endpoint ? { AWS_ENDPOINT_URL: endpoint } : {});
  return createCognitoApi({
    profileName: 'dev',
    userPoolRegion: 'us-east-1',
    identityRegion: 'us-east-1',
    endpoints: endpointChoices({}, env),
    totalTimeoutMs: 10_000,
    connectTimeoutMs: 1000,
    requestTimeoutMs: 1000,
    log: createDebugLog(false, () => undefined),
    ...over,
  });
}

async function rejection(p: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await p;
  } catch (err) {
    const e = err as Error & Record<string, unknown>;
    const meta = e.$metadata as { httpStatusCode?: number; attempts?: number } | undefined;
    return { name: e.name, message: e.message, code: e.code, $fault: e.$fault, status: meta?.httpStatusCode, attempts: meta?.attempts };
  }
  throw new Error('did not reject');
}

describe('the Cognito API on the SDK clients', () => {
  it('sends AWS JSON 1.1 with the SDK user agent, unsigned, on one connection per endpoint', async () => {
    const s = await server(json(200, { IdentityId: 'us-east-1:id-1' }));
    const a = api(s.url);
    expect(await a.getId({ IdentityPoolId: 'us-east-1:p', Logins: { a: 'b' } })).toMatchObject({ IdentityId: 'us-east-1:id-1' });
    await a.getId({ IdentityPoolId: 'us-east-1:p', Logins: {} });
    await a.initiateAuth({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: 'c', AuthParameters: { USERNAME: 'u' } });
    a.destroy();
    expect(s.seen.map((r) => [r.method, r.url, r.headers['content-type'], r.headers['x-amz-target'], JSON.parse(r.body)])).toEqual([
      ['POST', '/', 'application/x-amz-json-1.1', 'AWSCognitoIdentityService.GetId', { IdentityPoolId: 'us-east-1:p', Logins: { a: 'b' } }],
      ['POST', '/', 'application/x-amz-json-1.1', 'AWSCognitoIdentityService.GetId', { IdentityPoolId: 'us-east-1:p', Logins: {} }],
      ['POST', '/', 'application/x-amz-json-1.1', 'AWSCognitoIdentityProviderService.InitiateAuth', { AuthFlow: 'USER_PASSWORD_AUTH', ClientId: 'c', AuthParameters: { USERNAME: 'u' } }],
    ]);
    for (const r of s.seen) {
      expect(r.headers['user-agent']).toMatch(/^aws-sdk-js\/3\.\d+\.\d+ .* api\/cognito-identity(-provider)?#3\.\d+\.\d+ .*cognito-creds$/);
      expect(r.headers['amz-sdk-request']).toBe('attempt=1; max=3');
      expect(r.headers.authorization).toBeUndefined();
    }
    // Two clients, one kept-alive connection each.
    expect(s.connections()).toBe(2);
  });

  it('GetCredentialsForIdentity: the wire\'s epoch seconds become a Date', async () => {
    const s = await server(json(200, { IdentityId: 'us-east-1:i', Credentials: { AccessKeyId: 'AK', SecretKey: 'SK', SessionToken: 'ST', Expiration: 1_800_000_000 } }));
    const a = api(s.url);
    const out = await a.getCredentialsForIdentity({ IdentityId: 'us-east-1:i', Logins: {} });
    a.destroy();
    expect(out.Credentials?.Expiration?.toISOString()).toBe('2027-01-15T08:00:00.000Z');
  });

  it('names errors from X-Amzn-ErrorType or __type; 4xx is not retried', async () => {
    const s = await server(
      json(400, { message: 'Incorrect username or password.' }, { 'x-amzn-errortype': 'NotAuthorizedException:http://internal.amazon.com/coral/com.amazonaws/' }),
      json(400, { __type: 'com.amazonaws.cognito.identity.model#ResourceNotFoundException', message: 'no such pool' }),
    );
    const a = api(s.url);
    expect(await rejection(a.initiateAuth({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: 'c', AuthParameters: {} }))).toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
      $fault: 'client',
      status: 400,
      attempts: 1,
    });
    expect(await rejection(a.getId({ IdentityPoolId: 'us-east-1:p', Logins: {} }))).toMatchObject({ name: 'ResourceNotFoundException', message: 'no such pool', attempts: 1 });
    a.destroy();
    expect(s.seen).toHaveLength(2);
  });

  it('retries 5xx and throttling, 3 attempts in all, counted on the server', async () => {
    const s = await server(json(503, { __type: 'ServiceUnavailableException', message: 'later' }));
    const a = api(s.url);
    expect(await rejection(a.getId({ IdentityPoolId: 'us-east-1:p', Logins: {} }))).toMatchObject({ name: 'ServiceUnavailableException', $fault: 'server', status: 503, attempts: 3 });
    a.destroy();
    expect(s.seen).toHaveLength(3);

    const t = await server(json(400, { __type: 'TooManyRequestsException', message: 'Rate exceeded' }), json(429, {}), json(200, { IdentityId: 'us-east-1:ok' }));
    const b = api(t.url);
    expect(await b.getId({ IdentityPoolId: 'us-east-1:p', Logins: {} })).toMatchObject({ IdentityId: 'us-east-1:ok' });
    b.destroy();
    expect(t.seen).toHaveLength(3);
  });

  it('a 200 that is not JSON is a SyntaxError carrying the status', async () => {
    const s = await server(json(200, '{"IdentityId": '));
    const a = api(s.url);
    expect(await rejection(a.getId({ IdentityPoolId: 'us-east-1:p', Logins: {} }))).toMatchObject({ name: 'SyntaxError', status: 200 });
    a.destroy();
  });

  it('connection refused keeps its code, and is retried', async () => {
    const port = await freePort();
    const a = api(`http://127.0.0.1:${port}`);
    expect(await rejection(a.getId({ IdentityPoolId: 'us-east-1:p', Logins: {} }))).toMatchObject({ code: 'ECONNREFUSED', attempts: 3 });
    a.destroy();
  });

  it('a server that never answers: a TimeoutError per attempt after the request timeout', async () => {
    const s = await server(() => undefined);
    const a = api(s.url, { requestTimeoutMs: 150 });
    const t0 = Date.now();
    expect(await rejection(a.getId({ IdentityPoolId: 'us-east-1:p', Logins: {} }))).toMatchObject({ name: 'TimeoutError', attempts: 3 });
    const ms = Date.now() - t0;
    expect(ms).toBeGreaterThanOrEqual(3 * 150 - 20);
    expect(ms).toBeLessThan(4000);
    a.destroy();
    expect(s.seen).toHaveLength(3);
  });

  it('the deadline aborts whatever is under way, and nothing is sent after it', async () => {
    const s = await server(() => undefined);
    const a = api(s.url, { totalTimeoutMs: 200, requestTimeoutMs: 5000 });
    const t0 = Date.now();
    expect(await rejection(a.getId({ IdentityPoolId: 'us-east-1:p', Logins: {} }))).toMatchObject({ name: 'AbortError' });
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(await rejection(a.getId({ IdentityPoolId: 'us-east-1:p', Logins: {} }))).toMatchObject({ name: 'AbortError' });
    a.destroy();
    expect(s.seen).toHaveLength(1);
  });

  it('an http endpoint through HTTP_PROXY: the request goes to the proxy in absolute form', async () => {
    const proxy = await server(json(200, { IdentityId: 'us-east-1:via-proxy' }));
    const target = await server(json(200, { IdentityId: 'us-east-1:direct' }));
    useEnv({ AWS_ENDPOINT_URL: `${target.url}/cognito`, HTTP_PROXY: proxy.url });
    const a = createCognitoApi(baseOptions());
    expect(a.routes.identity.described).toBe(`${target.url}/cognito through the proxy ${proxy.url}/`);
    expect(await a.getId({ IdentityPoolId: 'us-east-1:p', Logins: {} })).toMatchObject({ IdentityId: 'us-east-1:via-proxy' });
    a.destroy();
    // (the SDK adds a slash to the endpoint's path)
    expect(proxy.seen.map((r) => [r.url, r.headers.host])).toEqual([[`${target.url}/cognito/`, target.url.replace('http://', '')]]);
    expect(target.seen).toHaveLength(0);
  });
});

/** The options for the profile's endpoint settings, read with the environment as it is now. */
function baseOptions(settings: EndpointSettings = {}): CognitoApiOptions {
  return {
    profileName: 'dev',
    userPoolRegion: 'us-east-1',
    identityRegion: 'us-east-1',
    endpoints: endpointChoices(settings, process.env),
    totalTimeoutMs: 10_000,
    connectTimeoutMs: 1000,
    requestTimeoutMs: 1000,
    log: createDebugLog(false, () => undefined),
  };
}

/**
 * A CONNECT proxy on loopback that refuses every tunnel and records the host each one was for:
 * it shows where a request to a public endpoint would have gone, with nothing sent anywhere else.
 */
async function refusingProxy() {
  const targets: string[] = [];
  const s = createServer((_req, res) => res.writeHead(405).end());
  s.on('connect', (req: IncomingMessage, socket) => {
    targets.push(req.url ?? '');
    socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  servers.push(s);
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, targets };
}

describe('where requests go', () => {
  it('public endpoints come from the SDK\'s rules: partitions, FIPS, dual-stack', () => {
    const route = (region: string, variant: { useFipsEndpoint?: string; useDualstackEndpoint?: string } = {}) => {
      useEnv();
      const a = createCognitoApi({ ...baseOptions(variant), userPoolRegion: region, identityRegion: region });
      a.destroy();
      return [a.routes.userPool.url, a.routes.identity.url, a.routes.userPool.source];
    };
    expect(route('ap-northeast-1')).toEqual(['https://cognito-idp.ap-northeast-1.amazonaws.com', 'https://cognito-identity.ap-northeast-1.amazonaws.com', 'public endpoint']);
    expect(route('cn-north-1')[0]).toBe('https://cognito-idp.cn-north-1.amazonaws.com.cn');
    expect(route('us-west-2', { useFipsEndpoint: 'true' })).toEqual(['https://cognito-idp-fips.us-west-2.amazonaws.com', 'https://cognito-identity-fips.us-west-2.amazonaws.com', 'FIPS public endpoint']);
    expect(route('us-gov-west-1', { useDualstackEndpoint: 'true' })[0]).toBe('https://cognito-idp.us-gov-west-1.api.aws');
  });

  it('a request to the public endpoint goes where the route says (seen by a refusing CONNECT proxy), and the refusal is a ProxyError', async () => {
    const proxy = await refusingProxy();
    useEnv({ HTTPS_PROXY: proxy.url });
    const a = createCognitoApi({ ...baseOptions({ useFipsEndpoint: 'false' }), userPoolRegion: 'eu-west-1', identityRegion: 'eu-west-1', maxAttempts: 1 });
    expect(await rejection(a.initiateAuth({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: 'c', AuthParameters: {} }))).toMatchObject({ name: 'ProxyError', status: 403 });
    a.destroy();
    expect(proxy.targets).toEqual(['cognito-idp.eu-west-1.amazonaws.com:443']);
  });

  it('endpoint_url and services come from the cognito-creds profile, never from AWS_PROFILE\'s', async () => {
    const ours = await server(json(200, { IdentityId: 'us-east-1:ours' }));
    const theirs = await server(json(200, { IdentityId: 'us-east-1:theirs' }));
    const proxy = await refusingProxy();
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cc-api-'));
    const config = path.join(dir, 'config');
    await fs.writeFile(config, `[profile other]\nendpoint_url = ${theirs.url}\n[profile dev]\nregion = us-east-1\n`);
    try {
      // The profile's own endpoint_url is used …
      useEnv({ AWS_PROFILE: 'other', AWS_CONFIG_FILE: config });
      let a = createCognitoApi(baseOptions({ endpointUrl: ours.url }));
      expect(await a.getId({ IdentityPoolId: 'us-east-1:p', Logins: {} })).toMatchObject({ IdentityId: 'us-east-1:ours' });
      a.destroy();
      // … and with none, the public endpoint: not AWS_PROFILE's endpoint_url, which the SDK alone would take.
      useEnv({ AWS_PROFILE: 'other', AWS_CONFIG_FILE: config, HTTPS_PROXY: proxy.url });
      a = createCognitoApi({ ...baseOptions(), maxAttempts: 1 });
      expect(await rejection(a.getId({ IdentityPoolId: 'us-east-1:p', Logins: {} }))).toMatchObject({ name: 'ProxyError' });
      a.destroy();
      expect(proxy.targets).toEqual(['cognito-identity.us-east-1.amazonaws.com:443']);
      expect([ours.seen.length, theirs.seen.length]).toEqual([1, 0]);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
