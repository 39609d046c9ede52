# rdsplan action: registry.takeOwnership
# DOMAIN.md "Taking ownership": save the original SDDL, enable SeTakeOwnershipPrivilege and
# SeRestorePrivilege (both checked up front: the restore needs SeRestorePrivilege to give
# the key back to a foreign owner such as NETWORK SERVICE), set the owner (a SID), add the
# grants, disable both privileges again. Restore 'afterPlan' registers a finalizer that puts
# the saved SDDL back whatever happens; a registry.restoreSecurity step deregisters it.
# Parameters: Path, View, Owner (SID), Grant (@(@{ Identity = SID; Rights = 'FullControl' })),
# Restore ('afterPlan' | 'never').
# An absent key is in desired state: there is nothing to take ownership of (the steps after
# it find nothing to change either).

Register-RdsAction -Name 'registry.takeOwnership' -Test 'Test-RdsRegistryOwnershipStep' -Set 'Set-RdsRegistryOwnershipStep' -Undo 'Undo-RdsRegistryOwnershipStep'

# Returns the Grant parameter as an array of @{ Identity; Rights }.
function Get-RdsOwnershipGrant {
    param([Parameter(Mandatory)] [hashtable] $Parameters)
    return , @(@(Get-RdsParameter -Parameters $Parameters -Name 'Grant' -Default @()) | Where-Object { $null -ne $_ } | ForEach-Object { @{ Identity = [string]$_.Identity; Rights = [string]$_.Rights } })
}

# Returns a key's SDDL, or $null when the key does not exist (any other failure is thrown); also used by registry.restoreSecurity.
function Get-RdsRegistrySddlIfPresent {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [string] $View)
    try { return (Get-RdsRegistrySddl -Path $Path -View $View) } catch { $failure = $_ }
    try { $exists = Test-RdsRegistryKey -Path $Path -View $View } catch { $exists = $true }
    if ($exists) { throw $failure }
    return $null
}

# Test of registry.takeOwnership: desired when the owner is already Owner and every grant is present, or when the key is absent.
function Test-RdsRegistryOwnershipStep {
    param([Parameter(Mandatory)] [hashtable] $Parameters, [Parameter(Mandatory)] [hashtable] $Context)
    $path = [string]$Parameters.Path
    $view = Get-RdsStepView -Parameters $Parameters
    $owner = [string](Get-RdsParameter -Parameters $Parameters -Name 'Owner' -Default 'S-1-5-32-544')
    $grants = Get-RdsOwnershipGrant -Parameters $Parameters
    $grantText = [string]::Join(', ', @($grants | ForEach-Object { $_.Identity + ':' + $_.Rights }))
    $operation = 'Take ownership as ' + $owner
    if ($grantText -ne '') { $operation += ' and grant ' + $grantText }
    $sddl = Get-RdsRegistrySddlIfPresent -Path $path -View $view
    if ($null -eq $sddl) {
        return @{ InDesiredState = $true; Target = $path; Operation = $operation; Before = @{ Exists = $false }; After = @{ Exists = $false }; Message = 'key absent: nothing to take ownership of' }
    }
    $current = ConvertFrom-RdsSddl -Sddl $sddl
    $desired = ($current.Owner -eq (ConvertTo-RdsSid -Trustee $owner))
    foreach ($grant in $grants) { if (-not (Test-RdsSddlGrant -Sddl $sddl -Sid $grant.Identity -Rights $grant.Rights)) { $desired = $false } }
    return @{
        InDesiredState = $desired; Target = $path; Operation = $operation; Before = @{ Owner = $current.Owner; Sddl = $sddl }
        After = @{ Owner = (ConvertTo-RdsSid -Trustee $owner); Grant = $grants }
    }
}

# Set of registry.takeOwnership: saves the SDDL, takes ownership, grants, registers the restore finalizer.
function Set-RdsRegistryOwnershipStep {
    param([Parameter(Mandatory)] [hashtable] $Parameters, [Parameter(Mandatory)] [hashtable] $Context,
        [Parameter(Mandatory)] [System.Collections.IDictionary] $Test)
    $path = [string]$Parameters.Path
    $view = Get-RdsStepView -Parameters $Parameters
    $owner = [string](Get-RdsParameter -Parameters $Parameters -Name 'Owner' -Default 'S-1-5-32-544')
    $restore = [string](Get-RdsParameter -Parameters $Parameters -Name 'Restore' -Default 'afterPlan')
    $grants = Get-RdsOwnershipGrant -Parameters $Parameters
    $stepId = $Context.CurrentStepId
    $original = Get-RdsRegistrySddl -Path $path -View $view
    $entry = @{ StepId = $stepId; Path = $path; View = $view; Sddl = $original }
    # Registered before anything changes: a failure half-way is restored too.
    Register-RdsFinalizer -Context $Context -Key $stepId -Function 'Undo-RdsRegistryOwnershipStep' -Entry $entry -Action 'registry.takeOwnership' -Description ('restored the original owner and ACL of ' + $path)
    try {
        Invoke-RdsWithSecurityPrivilege -ScriptBlock {
            Set-RdsRegistryOwner -Path $path -View $view -Sid $owner
            foreach ($grant in $grants) { Grant-RdsRegistryAccess -Path $path -View $view -Sid $grant.Identity -Rights $grant.Rights }
        }
    } catch {
        $failure = $_
        try { Undo-RdsRegistryOwnershipStep -Entry $entry -Context $Context }
        catch {
            Write-Warning ('rdsplan: restoring ' + $path + ' after a failed takeOwnership failed: ' + (Get-RdsExceptionMessage -ErrorRecord $_) + '; the finalizer tries again')
        }
        throw $failure
    }
    $owned = Get-RdsRegistrySddl -Path $path -View $view
    $Context.StepState[$stepId] = @{ Path = $path; View = $view; OriginalSddl = $original; OwnedSddl = $owned; Restore = $restore }
    $message = ''
    if ($restore -eq 'never') {
        Unregister-RdsFinalizer -Context $Context -Key $stepId
        $message = "restore 'never': the original owner and ACL are not restored (saved in the journal)"
    }
    return @{ After = @{ Owner = (ConvertFrom-RdsSddl -Sddl $owned).Owner; Sddl = $owned }; Backup = $null; Undo = $entry; Message = $message }
}

# Undo of registry.takeOwnership (also its finalizer): restores the saved SDDL, verifies it, deregisters the finalizer.
function Undo-RdsRegistryOwnershipStep {
    param([Parameter(Mandatory)] [System.Collections.IDictionary] $Entry, [Parameter(Mandatory)] [hashtable] $Context)
    Restore-RdsRegistrySecurity -Path ([string]$Entry.Path) -View ([string]$Entry.View) -Sddl ([string]$Entry.Sddl)
    if ($Entry.Contains('StepId') -and -not [string]::IsNullOrEmpty([string]$Entry.StepId)) {
        Unregister-RdsFinalizer -Context $Context -Key ([string]$Entry.StepId)
    }
}
