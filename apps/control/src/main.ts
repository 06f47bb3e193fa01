import 'reflect-metadata';
import { loadConfig } from '@landside/config';
import { startApp } from '@landside/runtime';
import { ControlModule } from './control.module';

async function main(): Promise<void> {
  const config = loadConfig();
  await startApp(ControlModule.forRoot(config), config);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
