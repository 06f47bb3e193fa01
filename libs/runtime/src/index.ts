export * from './core-modules';
export * from './start-app';
