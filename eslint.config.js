// Lint rules, plus the layer rules of DESIGN.md: a folder may only import what its row allows.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import pluginVue from 'eslint-plugin-vue'
import globals from 'globals'

const layer = (files, forbidden, message) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', { patterns: [{ group: forbidden, message }] }],
  },
})

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', '.tmp/**', 'test-results/**', 'playwright-report/**', 'docs/**', 'bench/wasm/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'vue/multi-word-component-names': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
    },
  },
  layer(['src/common/**'], ['**/engine/**', '**/host/**', '**/main/**', '**/server/**', '**/cli/**', '**/renderer/**', 'node:*', 'electron'], 'src/common imports nothing of the lab (DESIGN.md layers).'),
  layer(['src/engine/**'], ['**/host/**', '**/main/**', '**/server/**', '**/cli/**', '**/renderer/**', 'node:*', 'electron', 'fs', 'path', 'worker_threads'], 'src/engine is pure TypeScript: src/common only (DESIGN.md layers).'),
  layer(['src/host/**'], ['**/main/**', '**/server/**', '**/cli/**', '**/renderer/**', 'electron'], 'src/host is Electron-free: src/engine and src/common only.'),
  layer(['src/renderer/**'], ['**/engine/**', '**/host/**', '**/main/**', '**/server/**', '**/cli/**', 'node:*', 'electron'], 'src/renderer talks to the lab through the API only.'),
  layer(['src/server/**', 'src/cli/**'], ['**/main/**', '**/renderer/**', 'electron'], 'Browser mode and the CLI never import Electron.'),
)
