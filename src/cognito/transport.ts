/**
 * The HTTP side of one Cognito client: the SDK's NodeHttpHandler with its connect and request
 * timeouts, on one keep-alive connection, through the proxy that src/cognito/proxy.ts chose
 * (https-proxy-agent's CONNECT tunnel for https endpoints, so TLS stays end to end;
 * http-proxy-agent's forward requests for http ones).
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import type { DebugLog } from '../log/debug.js';
import type { Proxy } from './proxy.js';

/** Where one client's requests go. */
export interface Hop {
  endpoint: string;
  proxy?: Proxy | undefined;
}

export interface TransportOptions {
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  log: DebugLog;
}

export interface Transport {
  handler: NodeHttpHandler;
  /** Give the handler its endpoint and proxy, once the client has resolved the endpoint. */
  route(hop: Hop): void;
  /**
   * The status of the proxy's answer to the last CONNECT, when it was not 200. https-proxy-agent
   * then hands the request the proxy's answer, which the SDK reads as Cognito's: this tells them apart.
   */
  proxyRefusal(): number | undefined;
}

/**
 * https-proxy-agent guesses per call whether a request is https (from the call stack when the
 * options do not say), and the guess is wrong when a kept-alive tunnel is handed back: it is
 * filed under another name and never reused, so every request opened a new tunnel. This agent
 * only ever carries https, and says so.
 */
class TunnelAgent extends HttpsProxyAgent<string> {
  override isSecureEndpoint(): boolean {
    return true;
  }
}

/**
 * A handler whose connection is chosen once its endpoint is known: the client resolves the
 * endpoint (its endpoint rules), and the handler, created with the client, waits for it (the
 * SDK's handler takes its options as a provider for this). Until `route` is called no request
 * can be sent; if it never is, none ever is.
 */
export function createTransport(options: TransportOptions): Transport {
  let refusal: number | undefined;
  let routed: (hop: Hop) => void = () => undefined;
  const hop = new Promise<Hop>((resolve) => {
    routed = resolve;
  });
  const { log } = options;
  const handler = new NodeHttpHandler(async () => {
    const { endpoint, proxy } = await hop;
    const https = new URL(endpoint).protocol === 'https:';
    // One connection per endpoint, kept alive: a sign-in's requests to it go one after the other.
    const agentOptions = { keepAlive: true, maxSockets: 1 };
    let agent: HttpAgent;
    if (!proxy) {
      agent = https ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
    } else if (https) {
      const tunnel = new TunnelAgent(proxy.url, agentOptions);
      tunnel.on('proxyConnect', ({ statusCode }: { statusCode: number }) => {
        refusal = statusCode === 200 ? undefined : statusCode;
      });
      agent = tunnel;
    } else {
      agent = new HttpProxyAgent(proxy.url, agentOptions);
    }
    return {
      connectionTimeout: options.connectTimeoutMs,
      requestTimeout: options.requestTimeoutMs,
      // Without it a request timeout only logs a warning and the request goes on waiting.
      throwOnRequestTimeout: true,
      ...(https ? { httpsAgent: agent as HttpsAgent } : { httpAgent: agent }),
      logger: { debug: () => undefined, info: () => undefined, warn: (m: unknown) => log(String(m)), error: (m: unknown) => log(String(m)) },
    };
  });
  return { handler, route: (h) => routed(h), proxyRefusal: () => refusal };
}
