// Applies the gallery index's migrations to the test D1 before each test file (applying is idempotent: D1 records
// which migrations ran), so the API tests run against the same schema as `npm start` and a deployment.
import { applyD1Migrations, type D1Migration } from 'cloudflare:test';
import { env } from 'cloudflare:workers';

const e = env as { GALLERY: D1Database; TEST_MIGRATIONS: D1Migration[] };
await applyD1Migrations(e.GALLERY, e.TEST_MIGRATIONS);
