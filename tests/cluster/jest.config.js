// The deploy path on a real control plane (tools/scripts/control-plane.sh): `npx nx deploy` with
// real Helm 3 and 4 and kubectl against a real API server, KWOK playing the nodes. Needs Go (to
// build the control plane once), podman, PostgreSQL server binaries and the images of
// `nx run-many -t docker-build`.
module.exports = {
  displayName: 'cluster',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  // A first `up` may build the control plane from source (minutes); deploys take tens of seconds.
  testTimeout: 300000,
};
