import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const actionsCoreOnlyInAction = {
  group: ['@actions/core'],
  message: '@actions/core is imported only by src/action/ (everything else logs through the Logger port).',
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.build/', 'coverage/', 'demo-lake/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/**'],
    ignores: ['src/action/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [actionsCoreOnlyInAction] }] },
  },
  {
    // Domain code talks to the world through ports only (docs/architecture.md).
    files: ['src/audit/**', 'src/fill/**', 'src/report/**', 'src/config/**', 'src/layout/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            actionsCoreOnlyInAction,
            {
              group: ['@aws-sdk/*'],
              message: 'Domain code gets AWS through a port (src/commands/ports.ts).',
            },
            { group: ['@octokit/*', '@actions/*'], message: 'Domain code never talks to GitHub directly.' },
          ],
        },
      ],
    },
  },
);
