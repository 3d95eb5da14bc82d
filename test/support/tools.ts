/**
 * Detection of the external tools the e2e specs need, and `describeWith`, which
 * skips a suite locally when tools are missing but FAILS it under CI so a CI
 * run can never go green by silently skipping end-to-end coverage.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, it } from 'vitest';

export type Tool = 'moto' | 'keyring' | 'awscli' | 'boto3' | 'openssl' | 'python-dotenv';

export interface ToolCheck {
  ok: boolean;
  /** Names of the missing tools, in the order asked. */
  missing: string[];
  /** Why each missing tool counts as missing. */
  reasons: Record<string, string>;
}

/** Absolute path of `name` on PATH, or undefined. */
export function which(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

function probe(cmd: string, args: string[], timeout = 30_000): { ok: boolean; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout, stdio: ['ignore', 'pipe', 'pipe'] });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() || String(r.error ?? '') };
}

const cache = new Map<Tool, string | null>();

/** null when available, else the reason it is not. */
function check(tool: Tool): string | null {
  const cached = cache.get(tool);
  if (cached !== undefined) return cached;
  let reason: string | null = null;
  switch (tool) {
    case 'moto': {
      if (!which('moto_server')) reason = 'moto_server not on PATH';
      else {
        // A pyenv shim exists even when the selected interpreter lacks moto.
        const r = probe('moto_server', ['--help']);
        if (!r.ok) reason = `moto_server --help failed: ${r.out.slice(0, 200)}`;
      }
      break;
    }
    case 'keyring': {
      // startKeyring spawns dbus-daemon itself (dbus-run-session is only a
      // wrapper around dbus-daemon, so dbus-daemon is what really matters) and
      // polls the bus with dbus-send until gnome-keyring owns the secrets name.
      const missing = ['dbus-daemon', 'dbus-send', 'gnome-keyring-daemon'].filter((n) => !which(n));
      if (missing.length) reason = `${missing.join(' and ')} not on PATH`;
      break;
    }
    case 'awscli': {
      const r = probe('/usr/bin/aws', ['--version']);
      if (!r.ok) reason = `/usr/bin/aws --version failed: ${r.out.slice(0, 200)}`;
      else if (!r.out.startsWith('aws-cli/2')) reason = `/usr/bin/aws is not AWS CLI v2 (${r.out.slice(0, 60)})`;
      break;
    }
    case 'openssl': {
      const r = probe('openssl', ['version']);
      if (!r.ok) reason = `openssl version failed: ${r.out.slice(0, 200)}`;
      break;
    }
    case 'boto3': {
      const r = probe('python3', ['-c', 'import boto3']);
      if (!r.ok) reason = `python3 -c 'import boto3' failed: ${r.out.slice(0, 200)}`;
      break;
    }
    case 'python-dotenv': {
      const r = probe('python3', ['-c', 'import dotenv']);
      if (!r.ok) reason = `python3 -c 'import dotenv' failed: ${r.out.slice(0, 200)}`;
      break;
    }
  }
  cache.set(tool, reason);
  return reason;
}

export function requireTools(names: Tool[]): ToolCheck {
  const missing: string[] = [];
  const reasons: Record<string, string> = {};
  for (const name of names) {
    const reason = check(name);
    if (reason !== null) {
      missing.push(name);
      reasons[name] = reason;
    }
  }
  return { ok: missing.length === 0, missing, reasons };
}

function isCi(): boolean {
  const v = process.env.CI;
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

/**
 * `describe(name, fn)` when all tools are present. Otherwise:
 * - under CI (process.env.CI set): a suite whose single test fails, naming
 *   the missing tools (a failing test, not a hook error, so it is counted) — CI must install them (.ci/run), never skip;
 * - locally: `describe.skip` with the reason in the suite name.
 */
export function describeWith(tools: Tool[], name: string, fn: () => void): void {
  const { ok, missing, reasons } = requireTools(tools);
  if (ok) {
    describe(name, fn);
    return;
  }
  const detail = missing.map((m) => `${m} (${reasons[m]})`).join('; ');
  if (isCi()) {
    describe(`${name} [MISSING TOOLS: ${missing.join(', ')}]`, () => {
      const message = `CI=${process.env.CI} but required tools are missing: ${detail}. Install them in .ci/run; e2e suites must not be skipped in CI.`;
      it(`requires ${missing.join(', ')}`, () => {
        throw new Error(message);
      });
    });
    return;
  }
  describe.skip(`${name} [skipped locally, missing: ${detail}]`, fn);
}
