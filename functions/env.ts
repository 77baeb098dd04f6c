/** Bindings and variables from wrangler.toml (variables are optional; the defaults are in the code that reads them). */
export interface Env {
  RESULTS: R2Bucket;
  /** The gallery's index (D1, migrations/): one row per published result, rebuilt from R2 when stale. */
  GALLERY: D1Database;
  /** Per-IP limit on publishing, versioning and withdrawing, as "COUNT/SECONDS" (default "30/600"). */
  RATE_LIMIT_WRITES?: string;
  /** Per-IP limit on comparisons, which compute distances (default "120/600"). */
  RATE_LIMIT_COMPARE?: string;
  /** Per-IP limit on reads: results, version lists and gallery pages (default "600/600"). */
  RATE_LIMIT_READS?: string;
  /**
   * "cloudflare" where Cloudflare's edge sets CF-Connecting-IP (the deployed environments in wrangler.toml);
   * anything else ignores client address headers and counts every request against one local address.
   */
  CLIENT_IP_SOURCE?: string;
  /** How long a pooled experiment's run lease lasts, in seconds (default 600). */
  EXPERIMENT_LEASE_SECONDS?: string;
  /** Per-IP limit on experiment leases, "COUNT/SECONDS" (default "60/600"). */
  RATE_LIMIT_LEASES?: string;
  /** Per-IP limit on kernel uploads (default "600/600"). */
  RATE_LIMIT_UPLOADS?: string;
  /** Secret key of the address hashes in rate-limit keys (`wrangler pages secret put RATE_LIMIT_SALT`). */
  RATE_LIMIT_SALT?: string;
}
