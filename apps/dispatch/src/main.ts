import 'reflect-metadata';
import { loadConfig } from '@landside/config';
import { startApp } from '@landside/runtime';
import { DispatchAppModule } from './dispatch.module';

async function main(): Promise<void> {
  const config = loadConfig();
  await startApp(DispatchAppModule.forRoot(config), config);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
