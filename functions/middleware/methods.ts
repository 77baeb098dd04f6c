import type { Handler } from 'hono';
import { ApiError } from '../lib/http';

/** Registered after a path's real handlers: any other method on a known path is a 405 naming the allowed ones. */
export function methodNotAllowed(allow: string): Handler {
  return (c) => {
    throw new ApiError(405, 'method_not_allowed', `${c.req.method} is not allowed here; use ${allow}`, {
      Allow: allow,
    });
  };
}
