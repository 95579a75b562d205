/** Pages that need a signed-in user; a visitor without a session is sent to /login first. */
export const PROTECTED_PATHS = ['/tasks', '/chat'] as const;
/** Pages only useful without a session; a signed-in user is sent on to the app. */
export const GUEST_ONLY_PATHS = ['/login', '/register'] as const;
export const HOME_AFTER_LOGIN = '/tasks';

function isUnder(pathname: string, base: string): boolean {
  return pathname === base || pathname.startsWith(`${base}/`);
}

export function isProtectedPath(pathname: string): boolean {
  return PROTECTED_PATHS.some((base) => isUnder(pathname, base));
}

export function isGuestOnlyPath(pathname: string): boolean {
  return GUEST_ONLY_PATHS.some((base) => isUnder(pathname, base));
}

/**
 * The in-app path to return to after login. Anything that could leave the site (`//evil.example`,
 * `/\evil.example`, `https://…`) or loop back to a login page falls back to `fallback`, so the
 * `next` parameter cannot be used as an open redirect.
 */
export function safeNextPath(next: string | null | undefined, fallback = HOME_AFTER_LOGIN): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) {
    return fallback;
  }
  // Browsers drop control characters and read `\` as `/`, turning `/\t/evil` into `//evil`.
  if (
    [...next].some(
      (char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f || char === '\\',
    )
  ) {
    return fallback;
  }
  const pathname = next.split(/[?#]/, 1)[0];
  if (isGuestOnlyPath(pathname)) return fallback;
  return next;
}

export function loginPathFor(pathname: string, search = ''): string {
  return `/login?${new URLSearchParams({ next: `${pathname}${search}` })}`;
}

/**
 * Where the proxy sends a request before any page renders, or `null` to let it through:
 * logged out on a protected page → `/login?next=<page>`; logged in on /login or /register →
 * the `next` page (when safe) or /tasks.
 */
export function redirectFor(
  pathname: string,
  searchParams: URLSearchParams,
  signedIn: boolean,
): string | null {
  if (!signedIn && isProtectedPath(pathname)) {
    const search = searchParams.toString();
    return loginPathFor(pathname, search ? `?${search}` : '');
  }
  if (signedIn && isGuestOnlyPath(pathname)) {
    return safeNextPath(searchParams.get('next'));
  }
  return null;
}
