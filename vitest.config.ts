import { defineConfig } from 'vitest/config';
import { aliases } from './scripts/aliases.mjs';

export default defineConfig({
  resolve: { alias: aliases },
  test: {
    include: ['tests/unit/**/*.test.ts', 'simulations/**/*.test.ts', 'src/**/*.test.ts'],
    environment: 'node',
  },
});
