import 'reflect-metadata';
import { loadConfig } from '@landside/config';
import { startApp } from '@landside/runtime';
import { GatewayModule } from './gateway.module';

async function main(): Promise<void> {
  const config = loadConfig();
  await startApp(GatewayModule.forRoot(config), config);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
