import 'reflect-metadata';
import { loadConfig } from '@landside/config';
import { startApp } from '@landside/runtime';
import { startDemo } from './demo';
import { LandsideModule } from './landside.module';

async function main(): Promise<void> {
  const config = loadConfig();
  const running = await startApp(LandsideModule.forRoot(config), config);
  if (config.demo) {
    const simulation = await startDemo(running, config);
    process.once('SIGTERM', () => void simulation.stop());
    process.once('SIGINT', () => void simulation.stop());
  }
  console.log(`Landside is running: http://localhost:${running.httpPort}  (STOMP: ws://localhost:${running.httpPort}/stomp, tcp ${running.tcpPort ?? 'off'})`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
