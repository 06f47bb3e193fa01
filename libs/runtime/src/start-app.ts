import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
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
  serveDashboard(app);

  const gateway = app.get(StompGateway);
  gateway.attach(app.getHttpServer());
  await app.listen(config.port, config.host);
  const tcpPort = await gateway.listenTcp();
  const httpPort = (app.getHttpServer().address() as AddressInfo).port;
  logger.info({ httpPort, tcpPort, embedded: config.embedded }, 'Landside listening');
  return { app, httpPort, tcpPort, close: () => app.close() };
}

/**
 * The operator dashboard (apps/dashboard, built by `npm run build` into dist/dashboard): the page at
 * `/`, its script and styles under `/dashboard/`, the STOMP browser bundle at
 * `/assets/stomp.umd.min.js` (SockJS is at `/assets/sockjs.min.js`). Nothing from a CDN.
 */
function serveDashboard(app: NestExpressApplication): void {
  const dir = dashboardDir();
  const express = app.getHttpAdapter().getInstance() as import('express').Express;
  // build.mjs copies the bundle into dist/dashboard (@stomp/stompjs is a dev dependency)
  const stompBundle = dir ? join(dir, 'vendor', 'stomp.umd.min.js') : stompBundleFromModules();
  if (stompBundle && existsSync(stompBundle)) express.get('/assets/stomp.umd.min.js', (_req, res) => res.sendFile(stompBundle));
  if (dir) {
    app.useStaticAssets(dir, { prefix: '/dashboard/', index: false });
    express.get(['/', '/index.html'], (_req, res) => res.sendFile(join(dir, 'index.html')));
  } else {
    express.get(['/', '/index.html'], (_req, res) => {
      res
        .status(503)
        .type('html')
        .send('<!doctype html><title>Landside</title><p>The dashboard is not built: run <code>npm run build</code> and restart.</p>');
    });
  }
}

function stompBundleFromModules(): string | undefined {
  try {
    return join(dirname(require.resolve('@stomp/stompjs')), 'stomp.umd.min.js');
  } catch {
    return undefined;
  }
}

/** dist/dashboard, whether running from dist/ (node dist/apps/…) or from sources (tests). */
function dashboardDir(): string | undefined {
  const candidates = [
    resolve(process.cwd(), 'dist', 'dashboard'),
    // dist/libs/runtime/src/start-app.js → dist/dashboard
    resolve(__dirname, '..', '..', '..', 'dashboard'),
    // libs/runtime/src/start-app.ts → dist/dashboard
    resolve(__dirname, '..', '..', '..', 'dist', 'dashboard'),
  ];
  return candidates.find((dir) => existsSync(join(dir, 'index.html')));
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
