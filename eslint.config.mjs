import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.ci/node/**', 'clients/typescript/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        fetch: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        module: 'writable',
        require: 'readonly',
        __dirname: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  {
    // The layers (docs/architecture.md): src/http -> src/domain <- src/clients. The domain imports
    // neither side, and nothing under src imports the sandbox, the tests or the benchmarks.
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver()] },
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            { target: './src/domain', from: './src/http', message: 'The domain never imports the HTTP layer.' },
            { target: './src/domain', from: './src/clients', message: 'The domain never imports the clients.' },
            { target: './src', from: './sandbox', message: 'src never imports the sandbox.' },
            { target: './src', from: './test', message: 'src never imports the tests.' },
            { target: './src', from: './bench', message: 'src never imports the benchmarks.' },
          ],
        },
      ],
    },
  },
  {
    // Tests and the demo read JSON response bodies of the API they drive and assert on their shape.
    files: ['test/**/*.ts', 'sandbox/demo.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
