import type { DynamicModule } from '@nestjs/common';
import { AuthModule } from '@landside/auth';
import { BusModule } from '@landside/bus';
import { ConfigModule, type AppConfig } from '@landside/config';
import { MessagingModule } from '@landside/messaging';
import { ObservabilityModule } from '@landside/observability';
import { PersistenceModule } from '@landside/persistence';
import type { StompServerOptions } from '@landside/stomp';

/**
 * The modules every Landside process composes, configured from the one validated AppConfig:
 * config, logging/metrics/health, database, bus, auth and the STOMP gateway. Apps add their
 * domain modules on top (control, dispatch, parking, dashboard).
 */
export function coreModules(config: AppConfig): DynamicModule[] {
  return [
    ConfigModule.forRoot(config),
    ObservabilityModule.forRoot({ logLevel: config.logLevel }),
    PersistenceModule.forRoot({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }),
    BusModule.forRoot({ redisUrl: config.redisUrl }),
    AuthModule.forRoot({
      jwt: config.jwt,
      accessTokenTtlS: config.auth.accessTokenTtlS,
      refreshTokenTtlS: config.auth.refreshTokenTtlS,
      deviceTokenTtlS: config.auth.deviceTokenTtlS,
      loginMaxFailures: config.auth.loginMaxFailures,
      loginLockoutS: config.auth.loginLockoutS,
      admin: config.admin,
      dataDir: config.dataDir,
      embedded: config.embedded,
    }),
    MessagingModule.forRoot({
      host: config.host,
      wsPath: '/stomp',
      sockjsPrefix: '/sockjs',
      sockjsClientUrl: '/assets/sockjs.min.js',
      tcpPort: config.stomp.tcpPort,
      allowedOrigins: config.allowedOrigins,
      stomp: stompOptions(config),
    }),
  ];
}

export function stompOptions(config: AppConfig): StompServerOptions {
  const s = config.stomp;
  return {
    maxFrameBytes: s.maxFrameBytes,
    maxPreConnectFrameBytes: s.maxPreconnectFrameBytes,
    connectTimeoutMs: s.connectTimeoutMs,
    maxSubscriptions: s.maxSubscriptions,
    ratePerS: s.ratePerS,
    rateBurst: s.rateBurst,
    maxSessionsPerPrincipal: s.maxSessionsPerPrincipal,
    heartbeat: [s.heartbeatMs, s.heartbeatMs],
    outbound: { highWaterBytes: 256 * 1024, maxMessages: s.outboundMaxMessages, maxBytes: s.outboundMaxBytes },
    serverName: 'Landside/0.1',
  };
}
