/**
 * The layers of src/ are enforced by `npm run lint` (eslint.config.js): an import against them
 * is an error. Linted here through ESLint's own API, as `npm run lint` does, on text given the
 * path of a file in each folder (nothing is written).
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

async function layerErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport const unused = 0;\n`, { filePath: file });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax').map((m) => m.message);
}

describe('lint enforces the layers', () => {
  it.each([
    ['src/fs/x.ts', "import '../cli/io.js';"],
    ['src/cognito/x.ts', "import '../cli/io.js';"],
    ['src/cognito/x.ts', "import '../secrets/session.js';"],
    ['src/cognito/x.ts', "import '../cache/entry.js';"],
    ['src/cognito/x.ts', "import type { CognitoProfile } from '../config/profile.js';"],
    ['src/config/x.ts', "export { SERVICES_KEYS } from '../cognito/api.js';"],
    ['src/cache/x.ts', "import '../credentials/sign-in.js';"],
    ['src/secrets/x.ts', "const m = () => import('../config/keys.js');"],
    ['src/credentials/x.ts', "import '../cli/io.js';"],
    ['src/errors.ts', "import './config/keys.js';"],
    ['src/cli/commands/x.ts', "import { exec } from './exec.js';"],
  ])('%s: %s is an error', async (file, code) => {
    const errors = await layerErrors(file, code);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/may import only|lowest layer|Commands never import each other/);
  });

  it.each([
    ['src/cli/commands/x.ts', "import { debugLog } from '../io.js'; import '../../credentials/sign-in.js'; import '../../cognito/api.js';"],
    ['src/credentials/x.ts', "import '../cognito/api.js'; import '../cache/entry.js'; import '../secrets/store.js'; import '../config/keys.js';"],
    ['src/cognito/x.ts', "import '../errors.js'; import '../shapes.js'; import '../log/debug.js'; import './api.js';"],
    ['src/fs/x.ts', "import '../errors.js'; import '../time.js'; import './lock.js';"],
  ])('%s: %s is allowed', async (file, code) => {
    expect(await layerErrors(file, code)).toEqual([]);
  });
});
