// Starts the release binary on a fresh database, reads the first admin's
// one-time password from its stdout, and waits until /readyz answers.
import { spawn } from 'child_process';
import * as fs from 'fs';
import { SERVER, ServerState } from './server';

export default async function globalSetup() {
  fs.rmSync(SERVER.stateDir, { recursive: true, force: true });
  fs.mkdirSync(SERVER.stateDir, { recursive: true });
  const child = spawn(SERVER.binary, ['serve'], {
    cwd: SERVER.root,
    env: {
      ...process.env,
      DATABASE_URL: SERVER.databaseURL,
      GATEHOUSE_BIND: `127.0.0.1:${SERVER.port}`,
      GATEHOUSE_SITE_ROOT: `${SERVER.root}/target/site`,
      GATEHOUSE_DATA_DIR: `${SERVER.stateDir}/data`,
      GATEHOUSE_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: false,
  });
  const password = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server printed no password: ${out}`)), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = out.match(/One-time password: (\S+)/);
      if (match && out.includes('Sign in at')) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
  child.stdout!.resume();
  for (let i = 0; i < 100; i++) {
    try {
      const res = await fetch(`${SERVER.baseURL}/readyz`);
      if (res.ok) break;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const state: ServerState = { pid: child.pid!, adminPassword: password };
  fs.writeFileSync(SERVER.stateFile, JSON.stringify(state));
  child.unref();
}
