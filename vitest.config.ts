import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // a throwaway PostgreSQL 15 for the store contract, multi-instance and bench-like tests
    globalSetup: ['./test/helpers/pg-global-setup.ts'],
  },
});
