/** Public API of @landside/config: validated environment configuration (SPEC §9). */
export { loadConfig, ConfigError, CONFIG_VARIABLES, LOG_LEVELS } from './config';
export type { AppConfig, LogLevel } from './config';
export { ConfigModule, APP_CONFIG } from './config.module';
