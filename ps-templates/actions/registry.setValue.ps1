# rdsplan action: registry.setValue
# Sets a value (creating the key when missing). Desired when the value exists with the same
# type and data (canonical forms; MultiString element-wise). The undo entry holds the
# previous value (or its absence) and whether the key existed. A value of a kind .NET cannot
# read (Type 'Unknown': REG_LINK, resource lists) is not overwritten: it could not be restored.
# Parameters: Path, View, Name, Type, Data.

Register-RdsAction -Name 'registry.setValue' -Test 'Test-RdsRegistryValueStep' -Set 'Set-RdsRegistryValueStep' -Undo 'Undo-RdsRegistryValueStep'

# Describes a value for events: @{ Exists; Type; Data }.
function ConvertTo-RdsValueState {
    [CmdletBinding()] param([AllowNull()] [object] $Value)
    if ($null -eq $Value) { return @{ Exists = $false; Type = $null; Data = $null } }
    return @{ Exists = $true; Type = [string]$Value.Type; Data = $Value.Data }
}

# Test of registry.setValue: desired when the value has the wanted type and data; fails for a value that could not be restored.
function Test-RdsRegistryValueStep {
    param([Parameter(Mandatory)] [hashtable] $Parameters, [Parameter(Mandatory)] [hashtable] $Context)
    $path = [string]$Parameters.Path
    $view = Get-RdsStepView -Parameters $Parameters
    $name = [string]$Parameters.Name
    $type = [string]$Parameters.Type
    $data = ConvertTo-RdsCanonicalData -Type $type -Data $Parameters.Data
    $current = Get-RdsRegistryValue -Path $path -Name $name -View $view
    Assert-RdsRegistryValueRestorable -Path $path -Value $current
    $desired = $false
    if ($null -ne $current -and [string]$current.Type -eq $type) { $desired = Test-RdsRegistryDataEqual -Type $type -Left $current.Data -Right $data }
    return @{
        InDesiredState = $desired; Target = $path + '\' + $name; Operation = 'Set ' + $type + ' value'
        Before = ConvertTo-RdsValueState -Value $current; After = @{ Exists = $true; Type = $type; Data = $data }
    }
}

# Set of registry.setValue: writes the value; the undo entry keeps the previous value.
function Set-RdsRegistryValueStep {
    param([Parameter(Mandatory)] [hashtable] $Parameters, [Parameter(Mandatory)] [hashtable] $Context,
        [Parameter(Mandatory)] [System.Collections.IDictionary] $Test)
    $path = [string]$Parameters.Path
    $view = Get-RdsStepView -Parameters $Parameters
    $name = [string]$Parameters.Name
    $type = [string]$Parameters.Type
    $data = ConvertTo-RdsCanonicalData -Type $type -Data $Parameters.Data
    # Every key the write creates (Set-RdsRegistryValue creates missing parents too), topmost
    # first: the undo removes them all, not only the value's own key.
    $createdKeys = [System.Collections.Generic.List[string]]::new()
    $probe = $path
    while (-not (Test-RdsRegistryKey -Path $probe -View $view)) {
        $createdKeys.Insert(0, $probe)
        $cut = $probe.LastIndexOf('\')
        if ($cut -le 0) { break }
        $probe = $probe.Substring(0, $cut)
    }
    $keyExisted = ($createdKeys.Count -eq 0)
    $previous = Get-RdsRegistryValue -Path $path -Name $name -View $view
    Assert-RdsRegistryValueRestorable -Path $path -Value $previous
    Set-RdsRegistryValue -Path $path -Name $name -Type $type -Data $data -View $view
    $after = Get-RdsRegistryValue -Path $path -Name $name -View $view
    return @{
        After = ConvertTo-RdsValueState -Value $after; Backup = $null
        Undo = @{ Path = $path; View = $view; Name = $name; KeyExisted = $keyExisted; CreatedKeys = $createdKeys.ToArray(); Previous = $previous }
        Message = ''
    }
}

# Undo of registry.setValue: puts the previous value back, or removes the value (and the key when it was created empty).
function Undo-RdsRegistryValueStep {
    param([Parameter(Mandatory)] [System.Collections.IDictionary] $Entry, [Parameter(Mandatory)] [hashtable] $Context)
    $path = [string]$Entry.Path
    $view = [string]$Entry.View
    $name = [string]$Entry.Name
    # Invoke-RdsRegistryWrite: the key may have been locked again since the change.
    if ($null -ne $Entry.Previous) {
        Invoke-RdsRegistryWrite -Path $path -View $view -Write {
            Set-RdsRegistryValue -Path ([string]$Entry.Path) -Name ([string]$Entry.Name) -Type ([string]$Entry.Previous.Type) -Data $Entry.Previous.Data -View ([string]$Entry.View)
        }
        return
    }
    if ($null -ne (Get-RdsRegistryValue -Path $path -Name $name -View $view)) {
        Invoke-RdsRegistryWrite -Path $path -View $view -Write {
            Remove-RdsRegistryValue -Path ([string]$Entry.Path) -Name ([string]$Entry.Name) -View ([string]$Entry.View)
        }
    }
    $created = @()
    if ($Entry.Contains('CreatedKeys') -and $null -ne $Entry['CreatedKeys']) { $created = @($Entry['CreatedKeys']) }
    elseif (-not [bool]$Entry.KeyExisted) { $created = @($path) }
    # Deepest first; a key that holds anything by now (another step wrote there) stays, and so do its parents.
    for ($i = $created.Length - 1; $i -ge 0; $i--) {
        $key = [string]$created[$i]
        if (-not (Test-RdsRegistryKey -Path $key -View $view)) { continue }
        if (@(Get-RdsRegistryValueName -Path $key -View $view).Length -ne 0 -or @(Get-RdsRegistrySubkeyName -Path $key -View $view).Length -ne 0) { break }
        Remove-RdsRegistryKey -Path $key -View $view
    }
}
