import type { AddressInfo } from 'node:net';
import { BadRequestException, ValidationPipe, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { ValidationError } from 'class-validator';
import type { AppConfig } from '@landside/config';
import { StompGateway } from '@landside/messaging';
import { DomainErrorFilter } from './domain-error.filter';
import { LOGGER, OBSERVABILITY_ROUTES, PinoNestLogger, type AppLogger } from '@landside/observability';

export interface RunningApp {
  readonly app: INestApplication;
  readonly httpPort: number;
  readonly tcpPort: number | undefined;
  close(): Promise<void>;
}

/**
 * Creates and starts a Landside process: global `/api` prefix (metrics, health and the dashboard
 * stay outside it), strict validation answering 400 with the failing fields, CORS for the allowed
 * origins, OpenAPI at /api/docs, the STOMP transports on the same HTTP server plus TCP.
 */
export async function startApp(rootModule: Type<unknown> | ReturnType<typeof Object>, config: AppConfig): Promise<RunningApp> {
  const app = await NestFactory.create<NestExpressApplication>(rootModule, { bufferLogs: true, abortOnError: false });
  const logger = app.get<AppLogger>(LOGGER);
  app.useLogger(new PinoNestLogger(logger));
  app.enableShutdownHooks();
  app.disable('x-powered-by');
  // PUT /api/topology carries a whole airport (thousands of devices) in one document.
  app.useBodyParser('json', { limit: '25mb' });
  app.setGlobalPrefix('api', { exclude: OBSERVABILITY_ROUTES });
  app.enableCors({ origin: [...config.allowedOrigins], credentials: false });
  app.useGlobalFilters(new DomainErrorFilter());
  app.useGlobalPipes(
    new ValidationPipe({
      transform: true,
      whitelist: true,
      forbidNonWhitelisted: true,
      exceptionFactory: (errors) => new BadRequestException({ statusCode: 400, error: 'validation-failed', fields: fieldErrors(errors) }),
    }),
  );
  const openapi = SwaggerModule.createDocument(
    app,
    new DocumentBuilder().setTitle('Landside API').setVersion('0.1').addBearerAuth().build(),
  );
  SwaggerModule.setup('api/docs', app, openapi, { useGlobalPrefix: false });
  app.useStaticAssets(require.resolve('sockjs-client/dist/sockjs.min.js').replace(/sockjs\.min\.js$/, ''), {
    prefix: '/assets/',
    index: false,
  });

  const gateway = app.get(StompGateway);
  gateway.attach(app.getHttpServer());
  await app.listen(config.port, config.host);
  const tcpPort = await gateway.listenTcp();
  const httpPort = (app.getHttpServer().address() as AddressInfo).port;
  logger.info({ httpPort, tcpPort, embedded: config.embedded }, 'Landside listening');
  return { app, httpPort, tcpPort, close: () => app.close() };
}

function fieldErrors(errors: ValidationError[], parent = ''): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const error of errors) {
    const path = parent ? `${parent}.${error.property}` : error.property;
    if (error.constraints) out[path] = Object.values(error.constraints);
    if (error.children?.length) Object.assign(out, fieldErrors(error.children, path));
  }
  return out;
}
