/** Bindings from wrangler.toml. */
export interface Env {
  RESULTS: R2Bucket;
}
