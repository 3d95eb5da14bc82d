/**
 * A loopback HTTP proxy in front of moto that records each AWS JSON request (its X-Amz-Target
 * and body) and can hold requests unanswered, so e2e tests can count requests against moto as
 * they do against the fake Cognito.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedRequest {
  operation: string;
  body: Record<string, unknown>;
}

export class CountingProxy {
  readonly requests: ProxiedRequest[] = [];
  private server: http.Server | undefined;
  private holds = new Map<string, number>();
  private held = new Set<http.ServerResponse>();

  constructor(private readonly target: string) {}

  get url(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('proxy not started');
    return `http://127.0.0.1:${address.port}`;
  }

  count(operation: string): number {
    return this.requests.filter((r) => r.operation === operation).length;
  }

  /** `InitiateAuth:USER_PASSWORD_AUTH`-style names, in order. */
  operations(): string[] {
    return this.requests.map((r) => (r.operation === 'InitiateAuth' ? `InitiateAuth:${String(r.body.AuthFlow)}` : r.operation));
  }

  /** Hold the next n requests of an operation without answering until stop(). */
  holdNext(operation: string, times = 1): void {
    this.holds.set(operation, times);
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const operation = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
        let body: Record<string, unknown> = {};
        try {
          body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
        } catch {
          /* not JSON: recorded without a body */
        }
        this.requests.push({ operation, body });
        const hold = this.holds.get(operation) ?? 0;
        if (hold > 0) {
          this.holds.set(operation, hold - 1);
          this.held.add(res);
          return;
        }
        const upstream = http.request(
          `${this.target}${req.url ?? '/'}`,
          { method: req.method, headers: { ...req.headers, host: new URL(this.target).host } },
          (up) => {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
          },
        );
        upstream.on('error', () => {
          res.writeHead(502);
          res.end();
        });
        upstream.end(raw);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this.url;
  }

  async stop(): Promise<void> {
    for (const res of this.held) res.destroy();
    this.held.clear();
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
