# rdsplan action: licenseServer.testRevokeAllowance (internal, read-only; brought by
# licenseServer.revokeDeviceCal)
# A license server revokes only a share of a product version's per-device CALs at a time and
# says so only by refusing a revoke, and a revoked CAL cannot be given back. This step stands
# first in the plan and is deferred (-BeforeAnyChange): just before the first change of the run
# it works out, from the inventory, whether the revoke stays within the allowance, and refuses
# the run (Deny-RdsHostChange, exit 4) when it would not, so nothing is revoked or changed.
# Parameters: those of the revoke it guards (Computers, IssuedBefore, MaxShare).

Register-RdsAction -Name 'licenseServer.testRevokeAllowance' -Test 'Test-RdsRevokeAllowanceStep' -Set 'Set-RdsRevokeAllowanceStep' -Undo 'Undo-RdsNothingStep'

# Test of licenseServer.testRevokeAllowance: in desired state when the revoke stays within the allowance of every product version it touches.
function Test-RdsRevokeAllowanceStep {
    param([Parameter(Mandatory)] [hashtable] $Parameters, [Parameter(Mandatory)] [hashtable] $Context)
    $plan = Get-RdsRevokePlan -Parameters $Parameters
    $state = @{ Allowance = $plan.Allowance }
    $result = @{ Target = 'the revoke allowance of the license server'; Operation = 'Decide whether the revoke stays within the allowance before the first change'; Before = $state; After = $state }
    $result.InDesiredState = ($plan.Exceeded.Length -eq 0)
    if ($plan.Selection.Length -eq 0) { $result.Message = 'no active per-device CAL matches: nothing to revoke' }
    elseif ($result.InDesiredState) { $result.Message = 'within the revoke allowance: ' + $plan.Words }
    else { $result.Message = 'beyond the revoke allowance: ' + $plan.Words + ': the apply is refused before its first change' }
    return $result
}

# Set of licenseServer.testRevokeAllowance: called only when the revoke would go beyond the allowance; refuses the run.
function Set-RdsRevokeAllowanceStep {
    param([Parameter(Mandatory)] [hashtable] $Parameters, [Parameter(Mandatory)] [hashtable] $Context, [Parameter(Mandatory)] [System.Collections.IDictionary] $Test)
    $plan = Get-RdsRevokePlan -Parameters $Parameters
    Deny-RdsHostChange -Context $Context -Message ('refused: the revoke would go beyond the license server''s revoke allowance (' + $plan.Words + '), so nothing was revoked or changed; revoke fewer CALs in this run (computers, issuedBefore) and the rest in a later one')
}
