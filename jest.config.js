/** Unit tests run in parallel; integration and cluster tests start real processes and run one file at a time. */
const transform = { '^.+\\.(t|j)sx?$': ['@swc/jest'] };
// @anycable/* and nanoevents ship ES modules only; jest runs CommonJS.
const transformIgnorePatterns = ['/node_modules/(?!(@anycable|nanoevents)/)'];

module.exports = {
  testTimeout: 30000,
  projects: [
    { displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'], transform, transformIgnorePatterns },
    {
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts', '<rootDir>/test/cluster/**/*.test.ts'],
      transform,
      transformIgnorePatterns,
    },
  ],
};
