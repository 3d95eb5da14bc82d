import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The layers of src/ (docs/architecture.md): cli → credentials → cognito | cache | secrets |
// config | output → fs | log, and the files at the root of src/ (errors, shapes, time, words) under
// everything. Each folder may import only the folders listed for it (and itself, and the root
// files); an import against the layers fails lint.
const LAYERS = {
  cli: ['credentials', 'cognito', 'cache', 'secrets', 'config', 'output', 'fs', 'log'],
  credentials: ['cognito', 'cache', 'secrets', 'config', 'output', 'fs', 'log'],
  cognito: ['fs', 'log'],
  cache: ['fs', 'log'],
  secrets: ['fs', 'log'],
  config: ['fs', 'log'],
  output: ['fs', 'log'],
  fs: [],
  log: [],
};
const FOLDERS = Object.keys(LAYERS);
/** A static import, export … from, or import() of a path that matches `regex` is an error saying `message`. */
function restrict(files, regex, message) {
  return {
    files,
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex, message }] }],
      'no-restricted-syntax': ['error', { selector: `ImportExpression > Literal[value=/${regex.replaceAll('/', '\\/')}/]`, message }],
    },
  };
}
const layerRules = [
  ...Object.entries(LAYERS).flatMap(([folder, allowed]) => {
    const denied = FOLDERS.filter((f) => f !== folder && !allowed.includes(f));
    if (denied.length === 0) return [];
    const may = allowed.length ? `${allowed.map((f) => `src/${f}/`).join(', ')} and ` : '';
    return restrict([`src/${folder}/**/*.ts`], `^(\\.\\./)+(${denied.join('|')})/`, `src/${folder}/ may import only ${may}the root files (errors, shapes, time, words): see docs/architecture.md.`);
  }),
  restrict(['src/*.ts'], `^\\./(${FOLDERS.join('|')})/`, 'The root files of src/ are the lowest layer: they import no folder of src/.'),
  // One file per command; commands never import each other (what two share lives in src/cli/).
  restrict(['src/cli/commands/**/*.ts'], '^\\./', 'Commands never import each other: put what two commands share in src/cli/.'),
];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', performance: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  ...layerRules,
  {
    files: ['test/**', 'scripts/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
