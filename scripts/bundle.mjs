// Bundle the warm path (main, credential-process, cache, config) into one CommonJS file, so a
// cached call loads one file with Node's CommonJS loader instead of an ESM module graph. Every
// module that only a sign-in or another command needs stays a separate ESM file in dist/src,
// loaded with import() when it is needed.
import { build } from 'esbuild';
import path from 'node:path';

const root = path.resolve(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), '..');
const lazy = /\/(cli\/parser|cli\/tty|cli\/commands\/(setup|remove|logout|status)|cognito\/provider|secrets\/(keytar-store|file-store))\.js$/;

await build({
  entryPoints: [path.join(root, 'src/cli/main.ts')],
  outfile: path.join(root, 'dist/cognito-creds.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  legalComments: 'none',
  plugins: [
    {
      name: 'lazy-modules-stay-outside',
      setup(b) {
        b.onResolve({ filter: /\.js$/ }, (args) => {
          if (args.kind !== 'dynamic-import') return undefined;
          const target = path.resolve(args.resolveDir, args.path);
          if (!lazy.test(target)) return undefined;
          const compiled = path.relative(path.join(root, 'dist'), target.replace(`${root}/src/`, `${root}/dist/src/`));
          return { path: `./${compiled}`, external: true };
        });
      },
    },
  ],
});
