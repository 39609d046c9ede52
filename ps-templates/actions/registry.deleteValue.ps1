# rdsplan action: registry.deleteValue
# Deletes one value (Name) or every value matching a wildcard (NamePattern, PowerShell -like,
# case-insensitive). Desired when nothing matches; MustExist turns that into a failure.
# The undo entry holds the deleted values (name, type, data) to recreate them.
# Parameters: Path, View, Name | NamePattern, MustExist.

Register-RdsAction -Name 'registry.deleteValue' -Test 'Test-RdsRegistryValueRemovalStep' -Set 'Set-RdsRegistryValueRemovalStep' -Undo 'Undo-RdsRegistryValueRemovalStep'

# Returns the values of a key matching the step's Name or NamePattern (array of @{ Name; Type; Data }).
function Get-RdsMatchingRegistryValue {
    param([Parameter(Mandatory)] [hashtable] $Parameters)
    $path = [string]$Parameters.Path
    $view = Get-RdsStepView -Parameters $Parameters
    if (-not (Test-RdsRegistryKey -Path $path -View $view)) { return , @() }
    if ($Parameters.ContainsKey('Name') -and $null -ne $Parameters.Name) {
        $wanted = [string]$Parameters.Name
        $filter = { param($candidate) [string]::Equals($candidate, $wanted, [System.StringComparison]::OrdinalIgnoreCase) }.GetNewClosure()
    } else {
        $pattern = [System.Management.Automation.WildcardPattern]::new([string]$Parameters.NamePattern, [System.Management.Automation.WildcardOptions]::IgnoreCase)
        $filter = { param($candidate) $pattern.IsMatch($candidate) }.GetNewClosure()
    }
    return , (Get-RdsRegistryValueList -Path $path -View $view -Filter $filter)
}

# Test of registry.deleteValue: desired when no value matches (fails when MustExist).
function Test-RdsRegistryValueRemovalStep {
    param([Parameter(Mandatory)] [hashtable] $Parameters, [Parameter(Mandatory)] [hashtable] $Context)
    $path = [string]$Parameters.Path
    $selector = "matching '" + [string](Get-RdsParameter -Parameters $Parameters -Name 'NamePattern' -Default '') + "'"
    if ($Parameters.ContainsKey('Name') -and $null -ne $Parameters.Name) { $selector = "'" + [string]$Parameters.Name + "'" }
    $values = Get-RdsMatchingRegistryValue -Parameters $Parameters
    if ($values.Length -eq 0) {
        if ([bool](Get-RdsParameter -Parameters $Parameters -Name 'MustExist' -Default $false)) {
            throw ('value ' + $selector + ' not found (' + $path + ')')
        }
        return @{ InDesiredState = $true; Target = $path; Operation = 'Delete value ' + $selector; Before = @{ Values = @() }; After = @{ Values = @() }; Message = 'no value ' + $selector }
    }
    $names = [string]::Join(', ', @($values | ForEach-Object { [string]$_.Name }))
    return @{
        InDesiredState = $false; Target = $path; Operation = 'Delete value(s) ' + $names; Before = @{ Values = $values }; After = @{ Values = @() }
    }
}

# Set of registry.deleteValue: deletes the matching values; the undo entry keeps them.
function Set-RdsRegistryValueRemovalStep {
    param([Parameter(Mandatory)] [hashtable] $Parameters, [Parameter(Mandatory)] [hashtable] $Context,
        [Parameter(Mandatory)] [System.Collections.IDictionary] $Test)
    $path = [string]$Parameters.Path
    $view = Get-RdsStepView -Parameters $Parameters
    $values = Get-RdsMatchingRegistryValue -Parameters $Parameters
    $deleted = [System.Collections.Generic.List[object]]::new()
    try {
        foreach ($value in $values) {
            Remove-RdsRegistryValue -Path $path -Name ([string]$value.Name) -View $view
            $deleted.Add($value)
        }
    } catch {
        $failure = $_
        # Put back what was already deleted before reporting the failure.
        foreach ($value in $deleted) {
            try { Set-RdsRegistryValue -Path $path -Name ([string]$value.Name) -Type ([string]$value.Type) -Data $value.Data -View $view } catch { Write-Warning ('rdsplan: ' + (Get-RdsExceptionMessage -ErrorRecord $_)) }
        }
        throw $failure
    }
    return @{ After = @{ Values = (Get-RdsMatchingRegistryValue -Parameters $Parameters) }; Backup = $null; Undo = @{ Path = $path; View = $view; Values = $deleted.ToArray() }; Message = '' }
}

# Undo of registry.deleteValue: recreates the deleted values.
function Undo-RdsRegistryValueRemovalStep {
    param([Parameter(Mandatory)] [System.Collections.IDictionary] $Entry, [Parameter(Mandatory)] [hashtable] $Context)
    # Invoke-RdsRegistryWrite: the key may have been locked again since (its original ACL
    # restored by registry.restoreSecurity or a finalizer).
    Invoke-RdsRegistryWrite -Path ([string]$Entry.Path) -View ([string]$Entry.View) -Write {
        foreach ($deletedValue in @($Entry['Values'])) {
            if ($null -eq $deletedValue) { continue }
            Set-RdsRegistryValue -Path ([string]$Entry.Path) -Name ([string]$deletedValue.Name) -Type ([string]$deletedValue.Type) -Data $deletedValue.Data -View ([string]$Entry.View)
        }
    }
}
