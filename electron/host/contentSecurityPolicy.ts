/**
 * The renderer's CSP: our own scripts and styles only, no remote content. `connectSelf` lets the web
 * build reach its own host over HTTP and WebSocket; media may come from our own origin, blobs or the
 * desktop app's media protocol.
 */
export function contentSecurityPolicy({ connectSelf }: { connectSelf: boolean }): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob: sketchpad-media:",
    `connect-src 'self'${connectSelf ? ' ws://127.0.0.1:*' : ''} blob: sketchpad-media:`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
