/**
 * Loading the sign-in (the Cognito flows and the AWS SDK clients). From the sources (tests) it is
 * a plain import. In the published bundle it is dist/provider.cjs, compiled through a V8 code
 * cache kept in the credentials cache directory: compiling the SDK's ~400 KB is most of what
 * loading it costs, and the cache nearly halves that from the second cold sign-in on
 * (docs/performance.md). The cache file is named after Node's version and the bundle file's
 * identity (size, times, inode), since V8 itself only checks the source's length; a cache V8
 * rejects is simply rewritten.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { withRegularFileSync } from '../fs/regular-file.js';
import type { DebugLog } from '../log/debug.js';

type SignIn = typeof import('./sign-in.js');

declare const __COGNITO_CREDS_BUNDLE__: boolean | undefined;
declare const __dirname: string;

export async function loadSignIn(cacheDir: string | undefined, log: DebugLog): Promise<SignIn> {
  if (typeof __COGNITO_CREDS_BUNDLE__ === 'undefined' || !cacheDir) return import('./sign-in.js');
  return log.step('load sign-in module', async () => loadWithCodeCache(path.join(__dirname, 'provider.cjs'), cacheDir, log));
}

async function loadWithCodeCache(file: string, cacheDir: string, log: DebugLog): Promise<SignIn> {
  const [{ Script }, { default: Module }] = await Promise.all([import('node:vm'), import('node:module')]);
  const source = readFileSync(file, 'utf8');
  const stat = statSync(file);
  const cacheFile = path.join(cacheDir, `v8-provider-${process.version}-${process.arch}-${stat.size}-${Math.round(stat.mtimeMs)}-${Math.round(stat.ctimeMs)}-${stat.ino}.bin`);
  let cached: Buffer | undefined;
  try {
    // Only a regular file of ours: a FIFO there must not block the sign-in, nor anyone's file be run.
    cached = withRegularFileSync(cacheFile, process.getuid?.(), (fd) => readFileSync(fd));
  } catch {
    cached = undefined;
  }
  const script = new Script(Module.wrap(source), { filename: file, ...(cached ? { cachedData: cached } : {}) });
  const module = { exports: {} as SignIn };
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(module.exports, module.exports, Module.createRequire(file), module, file, path.dirname(file));
  log(`code cache ${cached ? (script.cachedDataRejected ? 'rejected' : 'used') : 'absent'}: ${cacheFile}`);
  if (!cached || script.cachedDataRejected) {
    // Written once the sign-in is over, so that the functions it ran are compiled into it too.
    process.once('beforeExit', () => {
      void (async () => {
        const { atomicWriteFile } = await import('../fs/atomic-write.js');
        await atomicWriteFile(cacheFile, script.createCachedData(), 0o600, { durable: false });
        // Caches of other versions of Node or of the bundle are of no more use.
        const { readdir, rm } = await import('node:fs/promises');
        for (const name of await readdir(cacheDir)) {
          if (name.startsWith('v8-provider-') && name !== path.basename(cacheFile)) await rm(path.join(cacheDir, name), { force: true });
        }
      })().catch(() => undefined);
    });
  }
  return module.exports;
}
