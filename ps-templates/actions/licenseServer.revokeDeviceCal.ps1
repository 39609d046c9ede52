# rdsplan action: licenseServer.revokeDeviceCal (on the license server; cannot be undone)
# Revokes the active per-device CALs issued to the named computers and/or before a date
# (Win32_TSIssuedLicense.Revoke), one at a time. Its allowance check (licenseServer.
# testRevokeAllowance) has refused the run before the first change when the revoke would go
# beyond the allowance; Set works the allowance out again and revokes nothing when it would. A
# revoke the server refuses ends the step failed with what was revoked before it and the
# server's NextRevokeAllowedOn. Nothing is journaled: a revoked CAL cannot be given back.
# Parameters: Computers (optional), IssuedBefore (optional, yyyy-MM-dd), MaxShare (percent).

Register-RdsAction -Name 'licenseServer.revokeDeviceCal' -Test 'Test-RdsDeviceCalRevokeStep' -Set 'Set-RdsDeviceCalRevokeStep' -Undo 'Undo-RdsNothingStep'

# Test of licenseServer.revokeDeviceCal: in desired state when no active per-device CAL matches.
function Test-RdsDeviceCalRevokeStep {
    param([Parameter(Mandatory)] [hashtable] $Parameters, [Parameter(Mandatory)] [hashtable] $Context)
    $plan = Get-RdsRevokePlan -Parameters $Parameters
    $cals = [string[]]@($plan.Selection | ForEach-Object { Format-RdsCal -Cal $_ })
    $result = @{ InDesiredState = ($cals.Length -eq 0); Target = 'per-device CALs on the license server'; Operation = 'Revoke ' + $cals.Length + ' per-device CAL(s)'; Before = @{ Active = $cals }; After = @{ Active = [string[]]@() } }
    if ($cals.Length -eq 0) { $result.Message = 'no active per-device CAL matches' }
    else { $result.Message = 'would revoke ' + $cals.Length + ' per-device CAL(s) (' + $plan.Words + '); a revoke cannot be undone' }
    return $result
}

# Set of licenseServer.revokeDeviceCal: revokes the selection one CAL at a time; each revoke is in After.Revoked.
function Set-RdsDeviceCalRevokeStep {
    param([Parameter(Mandatory)] [hashtable] $Parameters, [Parameter(Mandatory)] [hashtable] $Context, [Parameter(Mandatory)] [System.Collections.IDictionary] $Test)
    $plan = Get-RdsRevokePlan -Parameters $Parameters
    if ($plan.Exceeded.Length -gt 0) { throw ('refusing to revoke: it would go beyond the revoke allowance (' + $plan.Words + '); nothing was revoked') }
    $revoked = [System.Collections.Generic.List[object]]::new()
    $left = $null
    foreach ($cal in $plan.Selection) {
        # What was revoked before a failure is in its message: the step's After is not reported then, and nothing gives those CALs back.
        $done = 'nothing was revoked'
        if ($revoked.Count -gt 0) { $done = 'revoked before it, and not given back: ' + ([string[]]@($revoked | ForEach-Object { $_.Computer + ' (license ' + $_.LicenseId + ')' }) -join ', ') }
        try { $answer = Invoke-RdsLicenseRevoke -LicenseId $cal.LicenseId -KeyPackId $cal.KeyPackId }
        catch { throw ('revoking ' + (Format-RdsCal -Cal $cal) + ' failed: ' + (Get-RdsExceptionMessage -ErrorRecord $_) + '; ' + $done) }
        if ([long]$answer.ReturnValue -ne 0) {
            $next = 'the server named no date for the next revoke'
            if ([string]$answer.NextRevokeAllowedOn -ne '') { $next = 'the next revoke is allowed on ' + $answer.NextRevokeAllowedOn + ' (NextRevokeAllowedOn)' }
            throw ('the license server refused to revoke ' + (Format-RdsCal -Cal $cal) + ' (Revoke returned ' + $answer.ReturnValue + '): ' + $next + '; ' + $done)
        }
        $revoked.Add([ordered]@{ LicenseId = $cal.LicenseId; Computer = $cal.Computer; KeyPackId = $cal.KeyPackId; ProductVersion = $cal.ProductVersion })
        $left = $answer.RevokableCals
    }
    $message = 'revoked ' + $revoked.Count + ' per-device CAL(s); a revoke cannot be undone: the server issues a new CAL when the device connects again'
    if ($null -ne $left) { $message += '; the server can revoke ' + $left + ' more of this type now (RevokableCals)' }
    return @{ After = @{ Active = [string[]]@(); Revoked = $revoked.ToArray() }; Backup = $null; Undo = $null; Message = $message }
}
