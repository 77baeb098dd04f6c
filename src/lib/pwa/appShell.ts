/**
 * Which navigations the service worker may answer with, and store as, the app shell. The SPA has one
 * index.html for all its routes; any other path (a static file such as /favicon.svg opened directly, or a path
 * the app does not know) is not the shell, and storing its answer as the shell would replace the offline copy
 * of the whole app with it.
 */
const APP_ROUTES = [
  /^\/$/,
  /^\/gallery\/?$/,
  /^\/compare\/?$/,
  /^\/r\/[a-z2-7]{16}\/?$/,
  /^\/r\/[a-z2-7]{16}\/v\/[1-9][0-9]{0,8}\/?$/,
  /^\/x\/[a-z2-7]{16}\/?$/,
];

export function isAppRoute(pathname: string): boolean {
  return APP_ROUTES.some((route) => route.test(pathname));
}

/** Only a complete HTML page can stand in for index.html. */
export function isShellResponse(response: Response): boolean {
  const type = response.headers.get('content-type') ?? '';
  return response.status === 200 && response.type === 'basic' && /^text\/html\s*(;|$)/i.test(type);
}
