/** The device simulator as a library: an airport, its devices, fault injection, ground truth, scoring. */
export * from './airport';
export { SimDevice, type SimulatorStats } from './device';
export { DispatchFlow, type DispatchStats } from './dispatch-flow';
export { createDriverAccounts, DriverApp, loginDriverTokens, type DriverTokenSource } from './drivers';
export { FaultInjector, type FaultPlan, type FaultRequest, type ScheduledFault } from './faults';
export { adminToken, type AdminCredentials } from './http';
export { LINK_KINDS, type LinkKind } from './links';
export { provisionAirport, restDeviceTokens, type DeviceToken, type DeviceTokenSource, type ProvisionResult } from './provision';
export { checkThresholds, figures, formatReport, score, type Detection, type Figures, type ScoreOptions, type DispatchScore, type ScoreReport, type Thresholds } from './score';
export { checkMatches, checkTaxiFifo, type DispatchInvariants, type MatchRecord } from './score-dispatch';
export { defaultMix, parseMix, startSimulation, type CommandStats, type Simulation, type SimulationOptions, type TransportMix } from './simulation';
export * from './truth';
