// The console's end-to-end tests: Debian's Chromium, driven by playwright-core, against the four
// built services. Apart from the unit and integration projects (jest.config.js at the root) because
// they need a browser and a build; run them with `bash scripts/console-e2e.sh`.
/** @type {import('jest').Config} */
export default {
  rootDir: '../..',
  displayName: 'console-e2e',
  testEnvironment: 'node',
  testEnvironmentOptions: { customExportConditions: ['@event-scheduler/source', 'node', 'node-addons'] },
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2024' }, module: { type: 'es6' }, sourceMaps: 'inline' },
    ],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/apps/console/test/**/*.e2e.test.ts'],
  globalSetup: '<rootDir>/packages/testing/src/global-setup.ts',
  globalTeardown: '<rootDir>/packages/testing/src/global-teardown.ts',
  slowTestThreshold: 60,
};
