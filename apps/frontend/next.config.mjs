import path from 'node:path';

const workspaceRoot = path.join(import.meta.dirname, '../..');

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
        ],
      },
    ];
  },
  reactStrictMode: true,
};

export default nextConfig;
