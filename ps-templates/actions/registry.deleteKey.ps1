# rdsplan action: registry.deleteKey
# Deletes a key. Desired when absent. A key with subkeys needs Recurse (else the step fails
# before anything is deleted). Set first captures a full snapshot (values, subkeys
# recursively, each key's SDDL) as the undo entry; Undo recreates the tree from it and
# restores the SDDL where the privileges allow. A tree holding a value of a kind .NET cannot
# read (REG_LINK, resource lists) is not deleted: the undo could not recreate it.
# Parameters: Path, View, Recurse.

Register-RdsAction -Name 'registry.deleteKey' -Test 'Test-RdsRegistryKeyRemovalStep' -Set 'Set-RdsRegistryKeyRemovalStep' -Undo 'Undo-RdsRegistryKeyRemovalStep'

# Test of registry.deleteKey: desired when the key is absent; fails when it has subkeys and Recurse is false, or holds a value that could not be restored.
function Test-RdsRegistryKeyRemovalStep {
    param([Parameter(Mandatory)] [hashtable] $Parameters, [Parameter(Mandatory)] [hashtable] $Context)
    $path = [string]$Parameters.Path
    $view = Get-RdsStepView -Parameters $Parameters
    $recurse = [bool](Get-RdsParameter -Parameters $Parameters -Name 'Recurse' -Default $false)
    if (-not (Test-RdsRegistryKey -Path $path -View $view)) {
        return @{ InDesiredState = $true; Target = $path; Operation = 'Delete key'; Before = @{ Exists = $false }; After = @{ Exists = $false }; Message = 'key absent' }
    }
    $subkeys = [string[]]@(Get-RdsRegistrySubkeyName -Path $path -View $view)
    $values = [string[]]@(Get-RdsRegistryValueName -Path $path -View $view)
    if ($subkeys.Length -gt 0 -and -not $recurse) {
        throw ('the key has ' + $subkeys.Length + ' subkey(s) (' + [string]::Join(', ', $subkeys) + ') and recurse is false (' + $path + ')')
    }
    Assert-RdsRegistryTreeRestorable -Path $path -View $view
    $operation = 'Delete key'
    if ($subkeys.Length -gt 0) { $operation = 'Delete key and its subkeys' }
    return @{
        InDesiredState = $false; Target = $path; Operation = $operation; Before = @{ Exists = $true; Values = $values; Subkeys = $subkeys }
        After = @{ Exists = $false }
    }
}

# Set of registry.deleteKey: snapshots the whole tree into the undo entry, then deletes the key.
function Set-RdsRegistryKeyRemovalStep {
    param([Parameter(Mandatory)] [hashtable] $Parameters, [Parameter(Mandatory)] [hashtable] $Context,
        [Parameter(Mandatory)] [System.Collections.IDictionary] $Test)
    $path = [string]$Parameters.Path
    $view = Get-RdsStepView -Parameters $Parameters
    $recurse = [bool](Get-RdsParameter -Parameters $Parameters -Name 'Recurse' -Default $false)
    $snapshot = Get-RdsRegistryKeySnapshot -Path $path -View $view
    if ($snapshot.Subkeys.Length -gt 0 -and -not $recurse) { throw ('the key has subkeys and recurse is false (' + $path + ')') }
    Remove-RdsRegistryKey -Path $path -View $view -Recurse:$recurse
    return @{
        After = @{ Exists = (Test-RdsRegistryKey -Path $path -View $view) }; Backup = $null
        Undo = @{ Path = $path; View = $view; Snapshot = $snapshot }; Message = ''
    }
}

# Undo of registry.deleteKey: recreates the key tree from the snapshot.
function Undo-RdsRegistryKeyRemovalStep {
    param([Parameter(Mandatory)] [System.Collections.IDictionary] $Entry, [Parameter(Mandatory)] [hashtable] $Context)
    Restore-RdsRegistryKeySnapshot -Snapshot $Entry.Snapshot -View ([string]$Entry.View)
}
