import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Database and server tests isolate themselves per file (own schema / own Dovecot),
    // so files can run in parallel; 2 cores here.
    pool: "forks",
  },
});
