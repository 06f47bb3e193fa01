/** Jest: swc for speed (keeps decorator metadata for Nest DI), path aliases mirrored from tsconfig. */
const swc = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};
module.exports = {
  testEnvironment: 'node',
  rootDir: '.',
  roots: ['<rootDir>'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/dist/'],
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
  testMatch: ['**/*.spec.ts', '**/*.e2e.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', swc] },
  moduleNameMapper: { '^@landside/([a-z-]+)$': '<rootDir>/libs/$1/src' },
  maxWorkers: 2,
  // Generous: suites boot databases and servers on shared 2-core machines; speed is measured in bench/.
  testTimeout: 90000,
};
