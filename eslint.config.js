import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

/**
 * The layer graph (README, Architecture): each folder of src/ may import only the folders listed for it.
 * A wrong import fails `npm run lint`.
 */
function layers(graph) {
  const all = Object.keys(graph);
  return all.map((folder) => {
    const banned = all.filter((other) => other !== folder && !graph[folder].includes(other));
    return {
      files: [`src/${folder}/**/*.{ts,tsx}`],
      ignores: ['**/*.test.{ts,tsx}', '**/testing/**'],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: banned.map((other) => ({
              regex: `^(\\.\\./)+${other}/`,
              message: `src/${folder} may not import src/${other} (layer rule: see the README's Architecture section)`,
            })),
          },
        ],
      },
    };
  });
}

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['src/**/*.{ts,tsx}', 'test/**/*.{ts,tsx}'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: { '@typescript-eslint/no-floating-promises': 'error' },
  },
  ...layers({
    util: [],
    ganeti: ['util'],
    plan: ['ganeti', 'power', 'util'],
    jobs: ['plan'],
    config: ['jobs', 'text', 'util'],
    power: ['util'],
    store: ['jobs', 'util'],
    monitoring: ['config', 'util'],
    run: ['jobs', 'plan', 'ganeti', 'power', 'store', 'monitoring', 'util'],
    app: ['config', 'ganeti', 'plan', 'power', 'store', 'run', 'jobs', 'monitoring', 'util'],
    tui: ['app', 'jobs', 'plan', 'text', 'util'],
    cli: ['app', 'config', 'ganeti', 'jobs', 'monitoring', 'plan', 'power', 'store', 'text', 'util', 'tui', 'sim'],
    sim: ['config', 'ganeti', 'power', 'util'],
    text: ['jobs', 'util'],
  }),
  {
    files: ['src/tui/**/*.tsx', 'src/tui/**/*.ts', 'test/tui/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
);
