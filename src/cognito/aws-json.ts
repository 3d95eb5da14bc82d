/**
 * A small client for the AWS JSON 1.1 protocol, for Cognito's unsigned operations only
 * (InitiateAuth, RespondToAuthChallenge, GetTokensFromRefreshToken, GetId,
 * GetCredentialsForIdentity): POST / with `X-Amz-Target: PREFIX.Operation` and a JSON body.
 *
 * It replaces the AWS SDK clients on the sign-in path, where loading and starting them cost more
 * than the three requests themselves (docs/performance.md). What it keeps of the SDK's behaviour:
 *
 * - one keep-alive connection per endpoint, reused by every request of a sign-in, and opened
 *   ahead (`preconnect`) while the sign-in still waits for the keychain: the TCP and TLS
 *   handshakes (two round trips or more to AWS) then cost nothing on the critical path;
 * - retries as the SDK's standard mode: at most `maxAttempts`, for throttling errors (HTTP 429 or
 *   a throttling error code), HTTP 500/502/503/504, timeouts and connection errors, after a
 *   random ("full jitter") delay of up to 100 ms × 2^n (500 ms × 2^n when throttled), 20 s at most;
 * - a connection timeout, a per-request timeout, and an AbortSignal bounding the whole sign-in;
 * - an http:// proxy when one is configured (src/cognito/proxy.ts): a CONNECT tunnel for https
 *   endpoints (TLS stays end to end, certificates checked as usual), a forward request for http;
 * - errors shaped like the SDK's: `name` is Cognito's error code, `$fault`, and `$metadata` with
 *   the HTTP status and the number of attempts, so src/cognito/errors.ts reads them unchanged.
 */
import type { Agent, ClientRequest, IncomingMessage } from 'node:http';
import { isIP, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { proxyAuthorization } from './proxy.js';
import { bareHost, portOf } from './url-parts.js';

export interface AwsJsonClientOptions {
  /** The endpoint URL, e.g. https://cognito-idp.us-east-1.amazonaws.com. */
  endpoint: string;
  /** X-Amz-Target prefix, e.g. AWSCognitoIdentityProviderService. */
  targetPrefix: string;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Aborts whatever is under way, retries and their waits included. */
  signal?: AbortSignal;
  /** The http:// proxy to go through (src/cognito/proxy.ts decides), if any. */
  proxy?: URL;
  /** Tests pass their own. */
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** What a failed call throws, besides the errors of Node's sockets (which keep their `code`). */
export interface AwsErrorShape extends Error {
  $fault?: 'client' | 'server';
  $metadata: { httpStatusCode?: number; requestId?: string; attempts: number };
}

const THROTTLING = new Set([
  'BandwidthLimitExceeded', 'EC2ThrottledException', 'LimitExceededException', 'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException', 'RequestLimitExceeded', 'RequestThrottled', 'RequestThrottledException',
  'SlowDown', 'ThrottledException', 'Throttling', 'ThrottlingException', 'TooManyRequestsException', 'TransactionInProgressException',
]);
const TRANSIENT_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
const TRANSIENT_STATUS = new Set([500, 502, 503, 504]);
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

const MAX_DELAY_MS = 20_000;
/** Cognito's answers are a few KB; anything much larger is not Cognito. */
export const MAX_ANSWER_BYTES = 1024 * 1024;

interface Transport {
  agent: Agent;
  /** The agent's own createConnection. */
  connect: Agent['createConnection'];
  transport: typeof import('node:http');
}

interface RawAnswer {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

export class AwsJsonClient {
  private readonly url: URL;
  private agentReady: Promise<Transport> | undefined;
  /** A connection opened ahead, handed to the first request that needs one. */
  private spare: Socket | undefined;
  /** CONNECT requests under way, ended by destroy(). */
  private readonly tunnels = new Set<ClientRequest>();
  private destroyed = false;

  constructor(private readonly options: AwsJsonClientOptions) {
    this.url = new URL(options.endpoint);
  }

  /**
   * Load the transport and open the connection now, while the caller waits for something else.
   * Nothing is reported from here: a connection that fails is simply not used, and the first
   * request opens its own (and meets, and reports, the same failure).
   */
  preconnect(): void {
    this.agent()
      .then(({ agent, connect }) => {
        // Through a tunnel, only the modules are loaded ahead.
        if (this.destroyed || this.spare || this.options.signal?.aborted || this.tunnelled()) return;
        const route = this.route();
        const https = this.url.protocol === 'https:';
        const socket = connect.call(agent, {
          host: route.host,
          port: route.port,
          ...(https && !isIP(route.host) ? { servername: route.host } : {}),
        }) as Socket;
        socket.on('error', () => undefined);
        this.spare = socket;
      })
      .catch(() => undefined);
  }

  /** One operation, with retries; resolves to the parsed answer. */
  async call<O>(operation: string, input: object): Promise<O> {
    const body = JSON.stringify(input);
    const { maxAttempts, signal } = this.options;
    for (let attempt = 1; ; attempt++) {
      let err: Error & { code?: string; $metadata?: { httpStatusCode?: number; attempts?: number } };
      try {
        const answer = await this.send(operation, body);
        return parseAnswer<O>(answer, attempt);
      } catch (e) {
        err = e as typeof err;
      }
      if (err.$metadata) err.$metadata.attempts = attempt;
      if (attempt >= maxAttempts || signal?.aborted || !retryable(err)) throw err;
      const base = isThrottling(err) ? 500 : 100;
      const delay = Math.floor((this.options.random ?? Math.random)() * Math.min(MAX_DELAY_MS, base * 2 ** (attempt - 1)));
      await (this.options.sleep ?? abortableSleep)(delay, signal);
    }
  }

  /** Close the kept-alive connection (and one opened ahead and never used). */
  destroy(): void {
    this.destroyed = true;
    for (const tunnel of this.tunnels) tunnel.destroy();
    this.spare?.destroy();
    this.spare = undefined;
    void this.agentReady?.then(({ agent }) => agent.destroy(), () => undefined);
  }

  private tunnelled(): boolean {
    return this.options.proxy !== undefined && this.url.protocol === 'https:';
  }

  /** Where the request's connection goes, and the request line's target. */
  private route(): { host: string; port: number; path: string } {
    const proxy = this.options.proxy;
    const path = this.url.pathname || '/';
    if (proxy && this.url.protocol === 'http:') {
      // A forward proxy: the connection goes to the proxy, the request line names the whole URL.
      return { host: bareHost(proxy), port: portOf(proxy), path: `${this.url.origin}${path}` };
    }
    return { host: bareHost(this.url), port: portOf(this.url), path };
  }

  /** A TLS connection to the endpoint through the proxy's CONNECT tunnel. */
  private async tunnel(): Promise<Duplex> {
    const proxy = this.options.proxy!;
    const [http, tls] = await Promise.all([import('node:http'), import('node:tls')]);
    const host = bareHost(this.url);
    const authority = `${isIP(host) === 6 ? `[${host}]` : host}:${portOf(this.url)}`;
    const auth = proxyAuthorization(proxy);
    return new Promise<Duplex>((resolve, reject) => {
      const req = http.request({
        hostname: bareHost(proxy),
        port: portOf(proxy),
        method: 'CONNECT',
        path: authority,
        headers: { host: authority, ...(auth ? { 'proxy-authorization': auth } : {}) },
        agent: false,
      });
      this.tunnels.add(req);
      const done = () => {
        clearTimeout(timer);
        this.tunnels.delete(req);
      };
      const ms = this.options.connectTimeoutMs;
      const timer = setTimeout(() => req.destroy(timeoutError(`the proxy opened no tunnel within ${ms} ms`)), ms);
      req.once('connect', (res, socket) => {
        done();
        if (res.statusCode !== 200) {
          socket.destroy();
          const err = new Error(`the proxy answered HTTP ${res.statusCode} to CONNECT ${authority}`) as AwsErrorShape;
          err.name = 'ProxyError';
          err.$metadata = { httpStatusCode: res.statusCode ?? 0, attempts: 1 };
          return reject(err);
        }
        resolve(tls.connect({ socket, ...(isIP(host) ? {} : { servername: host }) }));
      });
      req.once('error', (err) => {
        done();
        reject(err);
      });
      req.end();
    });
  }

  /** The keep-alive agent (one connection), whose first new connection is the one opened ahead. */
  private agent(): Promise<Transport> {
    this.agentReady ??= (async () => {
      // Only the module the endpoint needs: https (and TLS) is not loaded for a plain-http endpoint.
      const transport = (await (this.url.protocol === 'https:' ? import('node:https') : import('node:http'))) as typeof import('node:http');
      const agent = new transport.Agent({ keepAlive: true, maxSockets: 1 });
      const connect = agent.createConnection;
      if (this.tunnelled()) {
        // The agent waits for the callback; its sockets are the tunnels' TLS connections.
        agent.createConnection = (_options, callback) => {
          this.tunnel().then(
            (socket) => callback?.(null, socket),
            (err: Error) => callback?.(err, undefined as unknown as Duplex),
          );
          return undefined;
        };
        return { agent, connect, transport };
      }
      agent.createConnection = (options, callback) => {
        const spare = this.spare;
        this.spare = undefined;
        if (spare && !spare.destroyed) return spare;
        spare?.destroy();
        return connect.call(agent, options, callback);
      };
      return { agent, connect, transport };
    })();
    return this.agentReady;
  }

  private async send(operation: string, body: string): Promise<RawAnswer> {
    const { signal, connectTimeoutMs, requestTimeoutMs } = this.options;
    if (signal?.aborted) throw abortError();
    const { agent, transport } = await this.agent();
    if (signal?.aborted) throw abortError();
    return new Promise<RawAnswer>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const fail = (err: Error) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        req.destroy(err);
        reject(err);
      };
      const onAbort = () => fail(abortError());
      const startRequestTimer = () => {
        clearTimeout(timer);
        timer = setTimeout(() => fail(timeoutError(`no answer within ${requestTimeoutMs} ms`)), requestTimeoutMs);
      };
      const route = this.route();
      const req: ClientRequest = transport.request(
        {
          protocol: this.url.protocol,
          hostname: route.host,
          port: route.port,
          path: route.path,
          method: 'POST',
          agent,
          headers: {
            host: this.url.host,
            'content-type': 'application/x-amz-json-1.1',
            'x-amz-target': `${this.options.targetPrefix}.${operation}`,
            'content-length': Buffer.byteLength(body),
            'user-agent': `cognito-creds node/${process.version}`,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > MAX_ANSWER_BYTES) {
              const err = new SyntaxError(`the answer is larger than ${MAX_ANSWER_BYTES} bytes`) as SyntaxError & { $metadata: AwsErrorShape['$metadata'] };
              err.$metadata = { httpStatusCode: res.statusCode ?? 0, attempts: 1 };
              return fail(err);
            }
            chunks.push(c);
          });
          res.on('error', fail);
          res.on('end', () => {
            clearTimeout(timer);
            signal?.removeEventListener('abort', onAbort);
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
          });
        },
      );
      req.on('error', (err) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        reject(err);
      });
      req.on('socket', (socket) => {
        if (!socket.connecting) return startRequestTimer(); // a kept-alive connection
        timer = setTimeout(() => fail(timeoutError(`no connection within ${connectTimeoutMs} ms`)), connectTimeoutMs);
        socket.once('connect', startRequestTimer);
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      req.end(body);
    });
  }
}

/** A 200 answer's JSON, or the error an error answer describes. */
function parseAnswer<O>(answer: RawAnswer, attempts: number): O {
  const requestId = header(answer.headers, 'x-amzn-requestid');
  const $metadata = { httpStatusCode: answer.status, attempts, ...(requestId ? { requestId } : {}) };
  let doc: unknown;
  let syntax: Error | undefined;
  try {
    doc = answer.body.trim() === '' ? {} : JSON.parse(answer.body);
  } catch (err) {
    syntax = err as Error;
  }
  if (answer.status >= 200 && answer.status < 300) {
    if (syntax || typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
      throw Object.assign(new SyntaxError(`the answer is not a JSON object${syntax ? `: ${syntax.message}` : ''}`), { $metadata });
    }
    return doc as O;
  }
  const fields = (typeof doc === 'object' && doc !== null ? doc : {}) as Record<string, unknown>;
  // The error code: X-Amzn-ErrorType, else __type (both may carry a namespace or a URL).
  const rawType = header(answer.headers, 'x-amzn-errortype') ?? (typeof fields.__type === 'string' ? fields.__type : undefined);
  const name = rawType ? rawType.split(':')[0]!.split('#').pop()! : 'UnknownError';
  const text = [fields.message, fields.Message, fields.errorMessage].find((m): m is string => typeof m === 'string');
  const message = text ?? (syntax || !rawType ? `HTTP ${answer.status}: the answer is not AWS JSON` : '');
  const err = new Error(message) as AwsErrorShape;
  err.name = name;
  err.$fault = answer.status >= 500 ? 'server' : 'client';
  err.$metadata = $metadata;
  throw err;
}

function header(headers: IncomingMessage['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function isThrottling(err: { name?: string; $metadata?: { httpStatusCode?: number } }): boolean {
  return err.$metadata?.httpStatusCode === 429 || THROTTLING.has(err.name ?? '');
}

function retryable(err: Error & { code?: string; $metadata?: { httpStatusCode?: number } }): boolean {
  if (err.name === 'AbortError') return false;
  if (isThrottling(err) || TRANSIENT_NAMES.has(err.name)) return true;
  if (err.code && TRANSIENT_CODES.has(err.code)) return true;
  return TRANSIENT_STATUS.has(err.$metadata?.httpStatusCode ?? 0);
}

function timeoutError(message: string): Error {
  const err = new Error(message);
  err.name = 'TimeoutError';
  return err;
}

function abortError(): Error {
  const err = new Error('the sign-in took too long and was stopped');
  err.name = 'AbortError';
  return err;
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
