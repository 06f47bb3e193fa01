export * from './core-modules';
export * from './start-app';
export * from './domain-error.filter';
export * from './control-modules';
