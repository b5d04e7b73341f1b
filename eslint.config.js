// Lint, and the layering rule: a folder name says where code runs and what it may import.
//   electron/contract  pure: no Node, no Electron, no other layer
//   electron/engine    Node, never Electron, never host/main/renderer
//   electron/host, cli Node, never Electron
//   electron/main, preload  the only places Electron is imported
//   renderer           the browser: contract only, never Node/engine/host/main
import tseslint from 'typescript-eslint';
import vue from 'eslint-plugin-vue';

// Bare names are matched exactly (so `electron` the module, not our `electron/` folder); globs as patterns.
const nodeModules = ['fs', 'path', 'child_process', 'os', 'crypto', 'http', 'url', 'module', 'worker_threads'];
const layer = (files, forbidden, message) => {
  const names = forbidden.filter((f) => !f.includes('*'));
  const globs = forbidden.filter((f) => f.includes('*'));
  return {
    files,
    rules: {
      'no-restricted-imports': ['error', {
        paths: names.map((name) => ({ name, message })),
        patterns: globs.length ? [{ group: globs, message }] : [],
      }],
    },
  };
};
const nodeBuiltins = ['node:*', ...nodeModules];

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'models/training/**', 'test-results/**', 'playwright-report/**'] },
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
    },
  },
  layer(['electron/contract/**'], ['electron', ...nodeBuiltins, '**/engine/**', '**/host/**', '**/main/**', '**/preload/**', '**/renderer/**'],
    'electron/contract is shared by every process: keep it free of Node, Electron and other layers.'),
  layer(['electron/engine/**'], ['electron', '**/host/**', '**/main/**', '**/preload/**', '**/renderer/**', '**/cli/**'],
    'The engine is Electron-free and knows nothing of its hosts.'),
  layer(['electron/host/**', 'electron/cli/**'], ['electron', '**/main/**', '**/preload/**', '**/renderer/**'],
    'The host and the CLI run in plain Node: no Electron here.'),
  layer(['renderer/**'], ['electron', ...nodeBuiltins, '**/electron/engine/**', '**/electron/host/**', '**/electron/main/**', '**/electron/preload/**', '**/electron/cli/**'],
    'The renderer reaches the host only through the typed API in electron/contract.'),
);
