// The published program is a handful of CommonJS bundles (esbuild), each loaded only when needed:
//
//   dist/cognito-creds.cjs  main and the warm path: credential-process served from the cache
//   dist/provider.cjs       the sign-in: Cognito flows and their AWS JSON requests
//   dist/keytar-store.cjs   the OS keychain (keytar itself stays a native dependency)
//   dist/file-store.cjs     the encrypted file store
//   dist/tty.cjs            terminal prompts
//   dist/parser.cjs         every other command, with yargs
//
// CommonJS because Node's CommonJS loader starts faster than its ESM loader, and one file per part
// because resolving and reading many small files costs more than reading one. An `import()` of
// another part becomes a `require()` of its bundle.
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const parts = {
  'cognito-creds': 'src/cli/main.ts',
  provider: 'src/cognito/provider.ts',
  'keytar-store': 'src/secrets/keytar-store.ts',
  'file-store': 'src/secrets/file-store.ts',
  tty: 'src/cli/tty.ts',
  parser: 'src/cli/parser.ts',
};
const partOf = new Map(Object.entries(parts).map(([name, file]) => [path.join(root, file.replace(/\.ts$/, '.js')), name]));

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
    legalComments: 'eof',
    logLevel: 'warning',
    external: ['keytar'],
    // import() of another part (or of keytar) becomes require().
    supported: { 'dynamic-import': false },
    // import.meta.url has no meaning in CommonJS: give it this bundle's own URL (only the part that
    // finds the package root uses it).
    define: { 'import.meta.url': '__cognitoCredsUrl', __COGNITO_CREDS_BUNDLE__: 'true' },
    banner: { js: name === 'parser' ? 'const __cognitoCredsUrl = require("node:url").pathToFileURL(__filename).href;' : '' },
    plugins: [
      {
        name: 'parts',
        setup(b) {
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
