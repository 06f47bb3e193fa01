import 'reflect-metadata';
export * from './roles';
export * from './device';
export * from './domain-error';
export * from './topics';
export * from './topology-extension';
export * from './pagination';
export * from './plain-validation';
