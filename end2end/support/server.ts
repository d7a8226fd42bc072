// Where the server under test runs and how to reach its binary and data.
import * as path from 'path';

const root = path.resolve(__dirname, '..', '..');
const targetDir = process.env.CARGO_TARGET_DIR || path.join(process.env.HOME || '/root', '.cache', 'gatehouse-target');

export const SERVER = {
  root,
  port: Number(process.env.E2E_PORT || 3210),
  get baseURL() {
    return `http://127.0.0.1:${this.port}`;
  },
  binary: process.env.GATEHOUSE_BIN || path.join(targetDir, 'release', 'gatehouse'),
  stateDir: path.join(__dirname, '..', '.state'),
  get databaseURL() {
    return `sqlite://${path.join(this.stateDir, 'e2e.db')}?mode=rwc`;
  },
  get stateFile() {
    return path.join(this.stateDir, 'server.json');
  },
};

export interface ServerState {
  pid: number;
  adminPassword: string;
}
