// Stops the server that global-setup started (by its recorded process id).
import * as fs from 'fs';
import { SERVER, ServerState } from './server';

export default async function globalTeardown() {
  if (!fs.existsSync(SERVER.stateFile)) return;
  const state: ServerState = JSON.parse(fs.readFileSync(SERVER.stateFile, 'utf8'));
  try {
    process.kill(state.pid, 'SIGTERM');
  } catch {
    /* already gone */
  }
}
