export * from './failover-policy';
export * from './failover.ports';
export * from './failover-repository';
