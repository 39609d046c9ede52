# rdsplan action: registry.deleteSubkeys
# Deletes the subkeys of a key whose names match NamePattern (PowerShell -like wildcard,
# case-insensitive, default '*'), keeping the key itself and its values. Snapshots of the
# deleted subkeys form the undo entry. A subkey tree holding a value of a kind .NET cannot read
# (REG_LINK, resource lists) is not deleted: the undo could not recreate it.
# Parameters: Path, View, NamePattern.

Register-RdsAction -Name 'registry.deleteSubkeys' -Test 'Test-RdsRegistrySubkeyRemovalStep' -Set 'Set-RdsRegistrySubkeyRemovalStep' -Undo 'Undo-RdsRegistrySubkeyRemovalStep'

# Returns the names of the subkeys matching the step's NamePattern.
function Get-RdsMatchingSubkeyName {
    param([Parameter(Mandatory)] [hashtable] $Parameters)
    $path = [string]$Parameters.Path
    $view = Get-RdsStepView -Parameters $Parameters
    $patternText = [string](Get-RdsParameter -Parameters $Parameters -Name 'NamePattern' -Default '*')
    if ($patternText -eq '') { $patternText = '*' }
    $pattern = [System.Management.Automation.WildcardPattern]::new($patternText, [System.Management.Automation.WildcardOptions]::IgnoreCase)
    $names = [System.Collections.Generic.List[string]]::new()
    if (Test-RdsRegistryKey -Path $path -View $view) {
        foreach ($name in @(Get-RdsRegistrySubkeyName -Path $path -View $view)) { if ($pattern.IsMatch($name)) { $names.Add($name) } }
    }
    return , $names.ToArray()
}

# Test of registry.deleteSubkeys: desired when no subkey matches; fails when a matching subkey holds a value that could not be restored.
function Test-RdsRegistrySubkeyRemovalStep {
    param([Parameter(Mandatory)] [hashtable] $Parameters, [Parameter(Mandatory)] [hashtable] $Context)
    $path = [string]$Parameters.Path
    $view = Get-RdsStepView -Parameters $Parameters
    $exists = Test-RdsRegistryKey -Path $path -View $view
    $matching = Get-RdsMatchingSubkeyName -Parameters $Parameters
    $all = [string[]]@()
    if ($exists) { $all = [string[]]@(Get-RdsRegistrySubkeyName -Path $path -View $view) }
    $remaining = [string[]]@($all | Where-Object { $matching -notcontains $_ })
    foreach ($name in $matching) { Assert-RdsRegistryTreeRestorable -Path ($path + '\' + $name) -View $view }
    if ($matching.Length -eq 0) {
        $message = 'no matching subkey'
        if (-not $exists) { $message = 'key absent' }
        return @{ InDesiredState = $true; Target = $path; Operation = 'Delete subkeys'; Before = @{ Exists = $exists; Subkeys = $all }; After = @{ Exists = $exists; Subkeys = $all }; Message = $message }
    }
    return @{
        InDesiredState = $false; Target = $path; Operation = 'Delete subkeys ' + [string]::Join(', ', $matching)
        Before = @{ Exists = $true; Subkeys = $all }; After = @{ Exists = $true; Subkeys = $remaining }
    }
}

# Set of registry.deleteSubkeys: snapshots then deletes each matching subkey tree.
function Set-RdsRegistrySubkeyRemovalStep {
    param([Parameter(Mandatory)] [hashtable] $Parameters, [Parameter(Mandatory)] [hashtable] $Context,
        [Parameter(Mandatory)] [System.Collections.IDictionary] $Test)
    $path = [string]$Parameters.Path
    $view = Get-RdsStepView -Parameters $Parameters
    $snapshots = [System.Collections.Generic.List[object]]::new()
    foreach ($name in (Get-RdsMatchingSubkeyName -Parameters $Parameters)) {
        $snapshots.Add((Get-RdsRegistryKeySnapshot -Path ($path + '\' + $name) -View $view))
    }
    $deleted = [System.Collections.Generic.List[object]]::new()
    try {
        foreach ($snapshot in $snapshots) {
            Remove-RdsRegistryKey -Path ([string]$snapshot.Path) -View $view -Recurse
            $deleted.Add($snapshot)
        }
    } catch {
        $failure = $_
        foreach ($snapshot in $deleted) {
            try { Restore-RdsRegistryKeySnapshot -Snapshot $snapshot -View $view } catch { Write-Warning ('rdsplan: ' + (Get-RdsExceptionMessage -ErrorRecord $_)) }
        }
        throw $failure
    }
    return @{
        After = @{ Exists = $true; Subkeys = [string[]]@(Get-RdsRegistrySubkeyName -Path $path -View $view) }; Backup = $null
        Undo = @{ Path = $path; View = $view; Subkeys = $deleted.ToArray() }; Message = ''
    }
}

# Undo of registry.deleteSubkeys: recreates each deleted subkey tree from its snapshot.
function Undo-RdsRegistrySubkeyRemovalStep {
    param([Parameter(Mandatory)] [System.Collections.IDictionary] $Entry, [Parameter(Mandatory)] [hashtable] $Context)
    foreach ($snapshot in @($Entry.Subkeys)) {
        if ($null -eq $snapshot) { continue }
        Restore-RdsRegistryKeySnapshot -Snapshot $snapshot -View ([string]$Entry.View)
    }
}
