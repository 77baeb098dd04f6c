/** Bindings and variables from wrangler.toml (variables are optional; the defaults are in the code that reads them). */
export interface Env {
  RESULTS: R2Bucket;
  /** Per-IP limit on publishing, versioning and withdrawing, as "COUNT/SECONDS" (default "30/600"). */
  RATE_LIMIT_WRITES?: string;
  /** Per-IP limit on comparisons, which compute distances (default "120/600"). */
  RATE_LIMIT_COMPARE?: string;
}
