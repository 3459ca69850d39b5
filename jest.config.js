/** Jest: TypeScript via @swc/jest; workspace packages resolve to their src/ (no build needed for unit tests). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }] },
  moduleNameMapper: { '^@minidfs/(common|namenode|datanode|client|sim|loadgen|membership)$': '<rootDir>/packages/$1/src' },
  testTimeout: 60000,
};
