// Lint: type-aware rules that matter in a socket server (a floating promise is a lost error),
// plus the dependency direction of ARCHITECTURE.md enforced with no-restricted-imports.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const appImports = { group: ['**/apps/**', '@landside/app*'], message: 'libs never import apps (ARCHITECTURE.md).' };

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'data/**', 'test-output/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  {
    files: ['libs/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [appImports] }] },
  },
  {
    // The protocol library is framework-free: no Nest, no other Landside lib.
    files: ['libs/stomp/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [appImports, { group: ['@nestjs/*', '@landside/*', 'typeorm', 'ws', 'sockjs'], message: 'libs/stomp depends on nothing (ARCHITECTURE.md).' }] }],
    },
  },
  {
    // Domain-facing contracts are shared with the simulator and the dashboard: no framework.
    files: ['libs/contracts/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [appImports, { group: ['@nestjs/*', '@landside/*', 'typeorm'], message: 'contracts depend on nothing but validators.' }] }],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.e2e.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
