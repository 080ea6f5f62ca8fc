// ESLint flat config. The point is correctness, not style (Prettier owns style): no floating or
// misused promises anywhere, no stray console in library code, React hooks used by the rules.
import js from '@eslint/js';
import {defineConfig} from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  // A disable comment that no longer suppresses anything fails the gate too.
  {linterOptions: {reportUnusedDisableDirectives: 'error'}},

  {
    ignores: [
      'dist/**',
      'coverage/**',
      '.test-services/**',
      'node_modules/**',
      // Data the tests read byte for byte, not code of ours.
      'test/fixtures/**',
    ],
  },

  // TypeScript: type-aware, over everything tsconfig.json includes.
  {
    files: ['**/*.{ts,tsx}'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {projectService: true, tsconfigRootDir: import.meta.dirname},
    },
    plugins: {'react-hooks': reactHooks},
    rules: {
      // `void promise` marks an intentional fire-and-forget.
      '@typescript-eslint/no-floating-promises': ['error', {ignoreVoid: true}],
      // Ink's onChange/onSubmit props and useInput handlers may return promises on purpose.
      '@typescript-eslint/no-misused-promises': ['error', {checksVoidReturn: {attributes: false}}],
      // Off from the type-checked preset: the no-unsafe-* family flags every use of JSON and of
      // untyped client payloads (zod validates those at the boundary); unbound-method flags
      // vitest's expect(obj.method); prefer-promise-reject-errors flags rejecting with a caught
      // `unknown` as-is; no-base-to-string flags String(unknown) in messages; the other two are
      // style, not correctness.
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/prefer-promise-reject-errors': 'off',
      '@typescript-eslint/no-base-to-string': 'off',
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        {argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none'},
      ],
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },

  // Library code writes through source/lib/output.ts (or process streams), never console.
  {
    files: ['source/**/*.{ts,tsx}'],
    rules: {'no-console': 'error'},
  },

  // Plain JavaScript (benchmarks, build scripts, examples, this file): no type information.
  {
    files: ['**/*.{js,mjs,cjs}'],
    extends: [js.configs.recommended],
    languageOptions: {globals: {...globals.node}},
    rules: {
      'no-unused-vars': ['error', {argsIgnorePattern: '^_', caughtErrors: 'none'}],
    },
  },
);
