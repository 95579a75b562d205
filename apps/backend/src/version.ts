/** Reported by GET / and the OpenAPI document; images set APP_VERSION at build time. */
export const APP_VERSION = process.env['APP_VERSION'] || '1.0.0';
