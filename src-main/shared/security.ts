/**
 * The desktop app serves its renderer from this privileged scheme (main/app-protocol.ts), never
 * from file://: the page gets a real origin for 'self' in the CSP, and the CSP comes as a
 * response header with every file.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'gan-studio';
export const APP_INDEX_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** The Content-Security-Policy of the renderer, in Electron and in browser mode alike. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob: gan-image:",
  "connect-src 'self' ws://127.0.0.1:* ws://localhost:*",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
