# rdsplan action: registry.restoreSecurity (internal; the renderer emits it after the steps
# that needed a registry.takeOwnership). Restores the SDDL that step saved and deregisters
# its finalizer. Its Undo re-applies the owned security (and the finalizer), so a rollback
# that runs in reverse can still undo the steps in between, then the takeOwnership undo
# restores the original. When the takeOwnership step changed nothing (e.g. the key is absent)
# there is nothing to restore and the key need not exist.
# Parameters: Path, View, FromStep (the takeOwnership step id).

Register-RdsAction -Name 'registry.restoreSecurity' -Test 'Test-RdsRegistrySecurityRestoreStep' -Set 'Set-RdsRegistrySecurityRestoreStep' -Undo 'Undo-RdsRegistrySecurityRestoreStep'

# Test of registry.restoreSecurity: desired when the takeOwnership step changed nothing or the SDDL is already the saved one.
function Test-RdsRegistrySecurityRestoreStep {
    param([Parameter(Mandatory)] [hashtable] $Parameters, [Parameter(Mandatory)] [hashtable] $Context)
    $path = [string]$Parameters.Path
    $view = Get-RdsStepView -Parameters $Parameters
    $fromStep = [string]$Parameters.FromStep
    $operation = 'Restore the original owner and ACL'
    if (-not $Context.StepState.ContainsKey($fromStep) -and -not ($Context.Steps.Contains($fromStep) -and [string]$Context.Steps[$fromStep] -eq 'wouldChange')) {
        $sddl = Get-RdsRegistrySddlIfPresent -Path $path -View $view
        $unchanged = @{ Exists = $false }
        if ($null -ne $sddl) { $unchanged = @{ Owner = (ConvertFrom-RdsSddl -Sddl $sddl).Owner; Sddl = $sddl } }
        return @{ InDesiredState = $true; Target = $path; Operation = $operation; Before = $unchanged; After = $unchanged; Message = "nothing to restore: step '$fromStep' changed nothing" }
    }
    $current = Get-RdsRegistrySddl -Path $path -View $view
    $before = @{ Owner = (ConvertFrom-RdsSddl -Sddl $current).Owner; Sddl = $current }
    if ($Context.StepState.ContainsKey($fromStep)) {
        $saved = [string]$Context.StepState[$fromStep].OriginalSddl
        return @{
            InDesiredState = [string]::Equals($current, $saved, [System.StringComparison]::Ordinal); Target = $path; Operation = $operation
            Before = $before; After = @{ Owner = (ConvertFrom-RdsSddl -Sddl $saved).Owner; Sddl = $saved }
        }
    }
    # Check mode: ownership would be taken, so it would be restored to what it is now.
    return @{ InDesiredState = $false; Target = $path; Operation = $operation; Before = $before; After = $before }
}

# Set of registry.restoreSecurity: restores and verifies the saved SDDL, deregisters the finalizer.
function Set-RdsRegistrySecurityRestoreStep {
    param([Parameter(Mandatory)] [hashtable] $Parameters, [Parameter(Mandatory)] [hashtable] $Context,
        [Parameter(Mandatory)] [System.Collections.IDictionary] $Test)
    $path = [string]$Parameters.Path
    $view = Get-RdsStepView -Parameters $Parameters
    $fromStep = [string]$Parameters.FromStep
    $state = $Context.StepState[$fromStep]
    $current = Get-RdsRegistrySddl -Path $path -View $view
    Restore-RdsRegistrySecurity -Path $path -View $view -Sddl ([string]$state.OriginalSddl)
    Unregister-RdsFinalizer -Context $Context -Key $fromStep
    $after = Get-RdsRegistrySddl -Path $path -View $view
    return @{
        After = @{ Owner = (ConvertFrom-RdsSddl -Sddl $after).Owner; Sddl = $after }; Backup = $null
        Undo = @{ Path = $path; View = $view; FromStep = $fromStep; Sddl = $current; OriginalSddl = [string]$state.OriginalSddl }; Message = ''
    }
}

# Undo of registry.restoreSecurity: re-applies the owned SDDL and re-registers the takeOwnership finalizer.
function Undo-RdsRegistrySecurityRestoreStep {
    param([Parameter(Mandatory)] [System.Collections.IDictionary] $Entry, [Parameter(Mandatory)] [hashtable] $Context)
    $finalizer = @{ StepId = [string]$Entry.FromStep; Path = [string]$Entry.Path; View = [string]$Entry.View; Sddl = [string]$Entry.OriginalSddl }
    Register-RdsFinalizer -Context $Context -Key $finalizer.StepId -Function 'Undo-RdsRegistryOwnershipStep' -Entry $finalizer -Action 'registry.takeOwnership' -Description ('restored the original owner and ACL of ' + $finalizer.Path)
    Restore-RdsRegistrySecurity -Path $finalizer.Path -View $finalizer.View -Sddl ([string]$Entry.Sddl)
}
