import { defineConfig } from 'drizzle-kit';

// `npx drizzle-kit generate --config apps/backend/drizzle.config.ts` writes a new migration after a
// schema change; the app applies them at start-up (src/db/client.ts).
export default defineConfig({
  dialect: 'postgresql',
  schema: './apps/backend/src/db/schema.ts',
  out: './apps/backend/src/db/migrations',
});
