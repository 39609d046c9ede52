// Engine preparation (build or locate a PowerShell) is added by the engine tests' setup.
export default async function globalSetup() {}
