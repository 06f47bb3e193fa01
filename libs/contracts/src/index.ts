export * from './roles';
export * from './device';
