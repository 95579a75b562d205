export default async function globalTeardown(): Promise<void> {
  await globalThis.__BACKEND_TEST_POSTGRES__?.destroy();
}
