export * from './env';
export * from './load';
export * from './backend';
export * from './frontend';
