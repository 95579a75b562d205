import path from 'node:path';

const workspaceRoot = path.join(import.meta.dirname, '../..');

// Next inlines its bootstrap scripts and styles (no nonces without dynamic rendering of every page),
// and its dev server evaluates code; everything else comes from this origin only — the browser never
// talks to the backend directly.
const contentSecurityPolicy = [
  "default-src 'self'",
  `script-src 'self' 'unsafe-inline'${process.env.NODE_ENV === 'production' ? '' : " 'unsafe-eval'"}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** @type {import('next').NextConfig} */
const nextConfig = {
  // A self-contained server (server.js + the traced node_modules) for the container image.
  output: 'standalone',
  // Trace from the workspace root so the @todo/* libraries and hoisted packages are found.
  outputFileTracingRoot: workspaceRoot,
  turbopack: { root: workspaceRoot },
  // No image optimiser: the app has no raster images, and its native library (sharp) would add
  // ~20 MB to the image; scripts/assemble-standalone.mjs leaves it out.
  images: { unoptimized: true },
  // Type checking and linting are their own Nx targets (typecheck, lint); the build only builds.
  typescript: { ignoreBuildErrors: true },
  poweredByHeader: false,
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'Referrer-Policy', value: 'same-origin' },
          { key: 'Content-Security-Policy', value: contentSecurityPolicy },
          // Browsers honour it only over https, so it is harmless on a plain-http Minikube URL.
          { key: 'Strict-Transport-Security', value: 'max-age=31536000; includeSubDomains' },
          { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
          { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=()' },
        ],
      },
    ];
  },
  reactStrictMode: true,
};

export default nextConfig;
