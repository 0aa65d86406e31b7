// drizzle-kit reads this for `npm run db:generate`: the schema lives in src/store/schema,
// generated SQL is committed under migrations/ and applied by `support-inbox migrate`.
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "postgresql",
  schema: "./src/store/schema/index.ts",
  out: "./migrations",
});
