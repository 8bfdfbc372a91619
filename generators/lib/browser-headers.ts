// The browser policy headers nginx adds to every HTTPS answer (snippets/security-headers.conf), as
// pure values: the Content-Security-Policy the generated pages and Django's admin satisfy (tested in
// a headless Chromium, test/docker/security.test.ts) and the Permissions-Policy.
// https://owasp.org/www-project-secure-headers/ ; https://developer.mozilla.org/docs/Web/HTTP/CSP

/**
 * Only the site's own origin (and where a feature keeps its files: the object storage bucket) may
 * serve scripts, styles, images, fonts and fetches; no plugin, no inline script, no <base> or form
 * pointing elsewhere, no framing (as X-Frame-Options DENY). Django 5.2 has no CSP of its own (6.0
 * adds one): pages needing inline code add a nonce or hash to this header.
 */
export function contentSecurityPolicy(fileOrigins: readonly string[]): string {
  const own = ["'self'", ...new Set(fileOrigins)].join(' ');
  return [
    `default-src ${own}`,
    // data: images: the admin's widgets and many CSS frameworks inline small icons.
    `img-src ${own} data:`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * Powerful browser features no page of the site asks for are off for it and anything it embeds;
 * only features Chromium and Firefox both know (an unknown one is a console error).
 */
export const PERMISSIONS_POLICY = ['accelerometer', 'camera', 'geolocation', 'gyroscope', 'magnetometer', 'microphone', 'payment', 'usb']
  .map((feature) => `${feature}=()`)
  .join(', ');
