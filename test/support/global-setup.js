// Jest global setup: make sure the tests' PowerShell, Pester and the C# checker are in .tools/
// (test/toolchain/install.mjs; well under a second when they are). A failure stops the run
// with the installer's message instead of letting every PowerShell test fail on its own.
import { installToolchain } from '../toolchain/install.mjs';

export default async function globalSetup() {
  installToolchain();
}
