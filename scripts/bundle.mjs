// The published program is a handful of CommonJS bundles (esbuild), each loaded only when needed:
//
//   dist/cognito-creds.cjs  main and the warm path: credential-process served from the cache
//   dist/provider.cjs       the sign-in: Cognito flows and the AWS SDK clients
//   dist/cognito-api.cjs    the SDK clients alone, for doctor's probes
//   dist/keytar-store.cjs   the OS keychain (keytar itself stays a native dependency)
//   dist/file-store.cjs     the encrypted file store
//   dist/tty.cjs            terminal prompts
//   dist/parser.cjs         every other command, with yargs
//
// CommonJS because Node's CommonJS loader starts faster than its ESM loader, and one file per part
// because resolving and reading the SDK's hundreds of small files costs more than reading one. An
// `import()` of another part becomes a `require()` of its bundle.
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const parts = {
  'cognito-creds': 'src/cli/main.ts',
  provider: 'src/credentials/sign-in.ts',
  'cognito-api': 'src/cognito/api.ts',
  'keytar-store': 'src/secrets/keytar-store.ts',
  'file-store': 'src/secrets/file-store.ts',
  tty: 'src/cli/tty.ts',
  parser: 'src/cli/parser.ts',
};
const partOf = new Map(Object.entries(parts).map(([name, file]) => [path.join(root, file.replace(/\.ts$/, '.js')), name]));

// The SDK clients reach for the default credential chain (SSO, IMDS, INI files, …) when no
// credentials are given; cognito-creds gives its own and sends only unsigned requests, so those
// modules are replaced by stubs that fail loudly should anything ever call them. `debug` (of the
// proxy agents) would print on stderr whenever DEBUG is set: it is a stub that prints nothing.
const unused = /^(@aws-sdk\/credential-provider-[a-z-]+|@aws-sdk\/nested-clients(\/.*)?|@aws-sdk\/token-providers|@smithy\/credential-provider-imds)$/;
const stubs = {
  unused: (p) => `module.exports = new Proxy({}, { get(_, key) { if (key === '__esModule') return false; return () => { throw new Error('cognito-creds does not bundle ${p}'); }; } });`,
  silent: () => 'module.exports = () => Object.assign(() => undefined, { enabled: false });',
};

for (const [name, entry] of Object.entries(parts)) {
  await build({
    entryPoints: [path.join(root, entry)],
    outfile: path.join(root, 'dist', `${name}.cjs`),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    minifySyntax: true,
    minifyWhitespace: true,
    // The warm path's part is read and compiled on every call of every AWS command: short local
    // names make it a third smaller (44 → 30 KB), about 1 ms of a ~30 ms call. Other parts keep
    // their names for --debug's stack traces.
    minifyIdentifiers: name === 'cognito-creds',
    legalComments: 'eof',
    logLevel: 'warning',
    // keytar is native; kerberos is an optional peer of the proxy agents (Negotiate auth, unused).
    external: ['keytar', 'kerberos'],
    // The SDK's ES module builds let esbuild drop the commands and protocols the sign-in never uses.
    mainFields: ['module', 'main'],
    // import() of another part (or of keytar) becomes require().
    supported: { 'dynamic-import': false },
    // import.meta.url has no meaning in CommonJS: give it this bundle's own URL (only the part that
    // finds the package root uses it).
    define: { 'import.meta.url': '__cognitoCredsUrl', __COGNITO_CREDS_BUNDLE__: 'true' },
    banner: { js: name === 'parser' ? 'const __cognitoCredsUrl = require("node:url").pathToFileURL(__filename).href;' : '' },
    plugins: [
      {
        name: 'parts-and-stubs',
        setup(b) {
          b.onResolve({ filter: unused }, (args) => ({ path: args.path, namespace: 'unused' }));
          b.onResolve({ filter: /^debug$/ }, (args) => ({ path: args.path, namespace: 'silent' }));
          for (const namespace of Object.keys(stubs)) {
            b.onLoad({ filter: /.*/, namespace }, (args) => ({ contents: stubs[namespace](args.path), loader: 'js' }));
          }
          b.onResolve({ filter: /\.js$/ }, (args) => {
            if (args.kind !== 'dynamic-import') return undefined;
            const other = partOf.get(path.resolve(args.resolveDir, args.path));
            return other && other !== name ? { path: `./${other}.cjs`, external: true } : undefined;
          });
        },
      },
    ],
  });
}
