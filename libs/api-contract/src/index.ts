export * from './auth';
export * from './tasks';
export * from './chat';
export * from './common';
