import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AwsJsonClient, type AwsJsonClientOptions, MAX_ANSWER_BYTES } from '../../src/cognito/aws-json.js';
import { freePort } from '../support/env.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A loopback HTTP server answering each request with the next handler; counts TCP connections. */
async function server(...handlers: Array<(res: ServerResponse) => void>) {
  const seen: Seen[] = [];
  let connections = 0;
  const s: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
      const handler = handlers[Math.min(seen.length, handlers.length) - 1];
      handler?.(res);
    });
  });
  s.on('connection', () => connections++);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  servers.push(s);
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, seen, connections: () => connections };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

const json = (status: number, body: unknown, headers: Record<string, string> = {}) => (res: ServerResponse) => {
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
};

function client(endpoint: string, extra: Partial<AwsJsonClientOptions> = {}) {
  const delays: number[] = [];
  const c = new AwsJsonClient({
    endpoint,
    targetPrefix: 'AWSCognitoIdentityService',
    connectTimeoutMs: 1000,
    requestTimeoutMs: 1000,
    maxAttempts: 3,
    random: () => 1,
    sleep: async (ms) => {
      delays.push(ms);
    },
    ...extra,
  });
  return { c, delays };
}

async function rejection(p: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await p;
  } catch (err) {
    const e = err as Error & Record<string, unknown>;
    return { name: e.name, message: e.message, code: e.code, $fault: e.$fault, $metadata: e.$metadata };
  }
  throw new Error('did not reject');
}

describe('AwsJsonClient', () => {
  it('POSTs AWS JSON 1.1 with the target header, and reuses one connection for every call', async () => {
    const s = await server(json(200, { IdentityId: 'id-1' }));
    const { c } = client(s.url);
    expect(await c.call('GetId', { IdentityPoolId: 'p', Logins: { a: 'b' } })).toEqual({ IdentityId: 'id-1' });
    expect(await c.call('GetCredentialsForIdentity', { IdentityId: 'id-1' })).toEqual({ IdentityId: 'id-1' });
    expect(await c.call('GetId', {})).toEqual({ IdentityId: 'id-1' });
    c.destroy();
    expect(s.seen.map((r) => [r.method, r.url, r.headers['content-type'], r.headers['x-amz-target'], r.body])).toEqual([
      ['POST', '/', 'application/x-amz-json-1.1', 'AWSCognitoIdentityService.GetId', '{"IdentityPoolId":"p","Logins":{"a":"b"}}'],
      ['POST', '/', 'application/x-amz-json-1.1', 'AWSCognitoIdentityService.GetCredentialsForIdentity', '{"IdentityId":"id-1"}'],
      ['POST', '/', 'application/x-amz-json-1.1', 'AWSCognitoIdentityService.GetId', '{}'],
    ]);
    expect(s.connections()).toBe(1);
  });

  it('names the error from X-Amzn-ErrorType, else from __type, without namespace or URL; 4xx is not retried', async () => {
    const s = await server(
      json(400, { message: 'Incorrect username or password.' }, { 'x-amzn-errortype': 'NotAuthorizedException:http://internal.amazon.com/coral/com.amazonaws/' }),
      json(400, { __type: 'com.amazonaws.cognito.identity.model#ResourceNotFoundException', Message: 'no such pool' }),
    );
    const { c, delays } = client(s.url);
    expect(await rejection(c.call('InitiateAuth', {}))).toEqual({
      name: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
      code: undefined,
      $fault: 'client',
      $metadata: { httpStatusCode: 400, attempts: 1 },
    });
    expect(await rejection(c.call('GetId', {}))).toMatchObject({ name: 'ResourceNotFoundException', message: 'no such pool', $metadata: { attempts: 1 } });
    expect([s.seen.length, delays]).toEqual([2, []]);
    c.destroy();
  });

  it('retries 5xx with backoff (100 ms × 2^n at most), keeps the request id, and gives up after maxAttempts', async () => {
    const s = await server(json(503, { __type: 'ServiceUnavailableException', message: 'later' }, { 'x-amzn-requestid': 'req-3' }));
    const { c, delays } = client(s.url);
    expect(await rejection(c.call('GetId', {}))).toEqual({
      name: 'ServiceUnavailableException',
      message: 'later',
      code: undefined,
      $fault: 'server',
      $metadata: { httpStatusCode: 503, requestId: 'req-3', attempts: 3 },
    });
    expect([s.seen.length, delays]).toEqual([3, [100, 200]]);
    c.destroy();
  });

  it('retries throttling (by code, or HTTP 429) with the longer base, and succeeds when an attempt does', async () => {
    const s = await server(json(400, { __type: 'TooManyRequestsException', message: 'Rate exceeded' }), json(429, {}), json(200, { ok: 1 }));
    const { c, delays } = client(s.url);
    expect(await c.call('InitiateAuth', {})).toEqual({ ok: 1 });
    expect([s.seen.length, delays]).toEqual([3, [500, 1000]]);
    c.destroy();
  });

  it('a 200 that is not a JSON object is a SyntaxError carrying the status; an empty 200 is {}', async () => {
    const s = await server(json(200, '{"IdentityId": '), json(200, '[1]'), json(200, ''));
    const { c } = client(s.url);
    expect(await rejection(c.call('GetId', {}))).toMatchObject({ name: 'SyntaxError', $metadata: { httpStatusCode: 200, attempts: 1 } });
    expect(await rejection(c.call('GetId', {}))).toMatchObject({ name: 'SyntaxError', message: 'the answer is not a JSON object' });
    expect(await c.call('GetId', {})).toEqual({});
    c.destroy();
  });

  it('an error page that is not AWS JSON (a proxy\'s) is named UnknownError and says so', async () => {
    const s = await server((res) => {
      res.writeHead(403, { 'content-type': 'text/html' });
      res.end('<html>Forbidden</html>');
    });
    const { c } = client(s.url);
    expect(await rejection(c.call('GetId', {}))).toEqual({
      name: 'UnknownError',
      message: 'HTTP 403: the answer is not AWS JSON',
      code: undefined,
      $fault: 'client',
      $metadata: { httpStatusCode: 403, attempts: 1 },
    });
    c.destroy();
  });

  it('connection refused keeps its code and is retried', async () => {
    const port = await freePort();
    const { c, delays } = client(`http://127.0.0.1:${port}`);
    expect(await rejection(c.call('GetId', {}))).toMatchObject({ code: 'ECONNREFUSED' });
    expect(delays).toEqual([100, 200]);
    c.destroy();
  });

  it('a server that never answers: a TimeoutError per attempt after requestTimeoutMs', async () => {
    const s = await server(() => undefined);
    const { c, delays } = client(s.url, { requestTimeoutMs: 150 });
    const t0 = Date.now();
    expect(await rejection(c.call('GetId', {}))).toMatchObject({ name: 'TimeoutError', message: 'no answer within 150 ms' });
    const ms = Date.now() - t0;
    expect(ms).toBeGreaterThanOrEqual(3 * 150 - 20);
    expect(ms).toBeLessThan(3000);
    expect([s.seen.length, delays]).toEqual([3, [100, 200]]);
    c.destroy();
  });

  it('the abort signal stops a request under way at once, and is not retried', async () => {
    const s = await server(() => undefined);
    const abort = new AbortController();
    const { c, delays } = client(s.url, { signal: abort.signal, requestTimeoutMs: 5000 });
    setTimeout(() => abort.abort(), 100);
    const t0 = Date.now();
    expect(await rejection(c.call('GetId', {}))).toMatchObject({ name: 'AbortError' });
    expect(Date.now() - t0).toBeLessThan(2000);
    expect([s.seen.length, delays]).toEqual([1, []]);
    expect(await rejection(c.call('GetId', {}))).toMatchObject({ name: 'AbortError' });
    expect(s.seen.length).toBe(1);
    c.destroy();
  });

  it('preconnect opens the connection ahead, and the first call uses it', async () => {
    const s = await server(json(200, { IdentityId: 'id-1' }));
    const { c } = client(s.url);
    c.preconnect();
    for (let i = 0; i < 100 && s.connections() === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect([s.connections(), s.seen.length]).toEqual([1, 0]);
    expect(await c.call('GetId', {})).toEqual({ IdentityId: 'id-1' });
    expect(await c.call('GetId', {})).toEqual({ IdentityId: 'id-1' });
    expect([s.connections(), s.seen.length]).toEqual([1, 2]);
    c.destroy();
  });

  it('a connection opened ahead that failed is not used: the call opens its own and reports its failure', async () => {
    const port = await freePort();
    const { c, delays } = client(`http://127.0.0.1:${port}`);
    c.preconnect();
    await new Promise((r) => setTimeout(r, 50)); // the refusal has arrived
    expect(await rejection(c.call('GetId', {}))).toMatchObject({ code: 'ECONNREFUSED' });
    expect(delays).toEqual([100, 200]);
    c.destroy();
  });

  it('destroy closes a connection opened ahead and never used', async () => {
    const s = await server(json(200, {}));
    let closed = 0;
    servers.at(-1)!.on('connection', (socket) => socket.on('close', () => closed++));
    const { c } = client(s.url);
    c.preconnect();
    for (let i = 0; i < 100 && s.connections() === 0; i++) await new Promise((r) => setTimeout(r, 5));
    c.destroy();
    for (let i = 0; i < 100 && closed === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect([s.connections(), closed, s.seen.length]).toEqual([1, 1, 0]);
  });

  it('an http endpoint through a proxy: the request goes to the proxy in absolute form, with the endpoint as Host', async () => {
    const proxy = await server(json(200, { via: 'proxy' }));
    const target = await server(json(200, { via: 'target' }));
    const { c } = client(`${target.url}/cognito`, { proxy: new URL(proxy.url) });
    c.preconnect();
    expect(await c.call('GetId', {})).toEqual({ via: 'proxy' });
    expect(await c.call('GetId', {})).toEqual({ via: 'proxy' });
    c.destroy();
    expect(proxy.seen.map((r) => [r.url, r.headers.host])).toEqual([
      [`${target.url}/cognito`, target.url.replace('http://', '')],
      [`${target.url}/cognito`, target.url.replace('http://', '')],
    ]);
    expect([proxy.connections(), target.connections(), target.seen.length]).toEqual([1, 0, 0]);
  });

  it('an answer over 1 MiB is cut off: a SyntaxError with the status, not retried', async () => {
    const s = await server((res) => {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(`{"x":"${'a'.repeat(MAX_ANSWER_BYTES)}"}`);
    });
    const { c, delays } = client(s.url);
    expect(await rejection(c.call('GetId', {}))).toMatchObject({
      name: 'SyntaxError',
      message: `the answer is larger than ${MAX_ANSWER_BYTES} bytes`,
      $metadata: { httpStatusCode: 200, attempts: 1 },
    });
    expect([s.seen.length, delays]).toEqual([1, []]);
    c.destroy();
  });

  it('a path in the endpoint URL is kept', async () => {
    const s = await server(json(200, {}));
    const { c } = client(`${s.url}/cognito`);
    await c.call('GetId', {});
    expect(s.seen[0]?.url).toBe('/cognito');
    c.destroy();
  });
});
