<#
.SYNOPSIS
    Shared setup of the Pester tests of ps-templates/platform/sim (the simulated Windows host).
.DESCRIPTION
    Dot-source in BeforeAll, then load the layer the sim needs into the test's scope:
        . (Join-Path $PSScriptRoot '../../../test/support/pester/SimHost.ps1')
        Set-StrictMode -Version 3.0
        $ErrorActionPreference = 'Stop'
        foreach ($file in Get-SimTestTemplateFile) { . $file }
    A test states its host as a state file in TestDrive: (Write-SimTestState, or a missing
    file for the built-in default host) and asserts the host the sim saved (Read-SimTestState).
#>

. (Join-Path (Split-Path -Parent $PSScriptRoot) 'Get-RdsTemplateFile.ps1')

# The facts of DOMAIN.md the tests name again and again.
$SimGracePeriodPath = 'HKLM\SYSTEM\CurrentControlSet\Control\Terminal Server\RCM\GracePeriod'
$SimTimebombName = 'L$RTMTIMEBOMB_1320153D-8DA3-4e8e-B27B-0D888223A588'
$SimGracePeriodSddl = 'O:NSG:SYD:PAI(A;CI;KA;;;NS)(A;CI;KA;;;SY)(A;CI;KR;;;BA)'

function Get-SimTestTemplateFile {
    # What the sim needs, in the renderer's order: its one runtime dependency (Json.ps1), then platform/sim.
    [CmdletBinding()]
    [OutputType([string])]
    param()
    foreach ($file in Get-RdsTemplateFile -Layer 'runtime') {
        if ([System.IO.Path]::GetFileName($file) -ceq 'Json.ps1') { $file }
    }
    Get-RdsTemplateFile -Layer 'platform/sim'
}

function Get-SimTestStatePath {
    # A state file (or any other file) in this test's TestDrive:, as a full path for [System.IO.File].
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)] [string] $Name
    )
    return [System.IO.Path]::Combine($TestDrive, $Name)
}

function Write-SimTestState {
    # Writes a hand-stated host (hashtables and arrays) as a JSON state file.
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [string] $Path,
        [Parameter(Mandatory = $true)] [System.Collections.IDictionary] $State
    )
    [System.IO.File]::WriteAllText($Path, (ConvertTo-Json -InputObject $State -Depth 64))
}

function Read-SimTestState {
    # The host the sim saved, as ordered hashtables (the file must exist: a missing one is a failure).
    [CmdletBinding()]
    [OutputType([System.Collections.IDictionary])]
    param(
        [Parameter(Mandatory = $true)] [string] $Path
    )
    return ConvertFrom-Json -InputObject ([System.IO.File]::ReadAllText($Path)) -AsHashtable -Depth 64 -DateKind String
}

function New-SimTestDefaultState {
    # Saves the built-in default host to a new state file (Initialize over a missing file, Complete) and returns it, for a test to edit.
    [CmdletBinding()]
    [OutputType([System.Collections.IDictionary])]
    param(
        [Parameter(Mandatory = $true)] [string] $Path
    )
    if ([System.IO.File]::Exists($Path)) { throw "the default host goes to a new file ($Path)" }
    Initialize-RdsPlatform -Option $Path
    Complete-RdsPlatform
    return Read-SimTestState -Path $Path
}

function Get-SimTestStateKey {
    # A registry key of a saved state, looked up case-insensitively as the sim does ($null when absent).
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [System.Collections.IDictionary] $State,
        [Parameter(Mandatory = $true)] [string] $Path
    )
    foreach ($name in $State.registry.Keys) {
        if ([string]::Equals($name, $Path, [System.StringComparison]::OrdinalIgnoreCase)) { return $State.registry[$name] }
    }
    return $null
}

function Get-SimTestStateValue {
    # A value ({ name, type, data }) of a saved state's key, looked up case-insensitively ($null when absent).
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [System.Collections.IDictionary] $State,
        [Parameter(Mandatory = $true)] [string] $Path,
        [Parameter(Mandatory = $true)] [string] $Name
    )
    $key = Get-SimTestStateKey -State $State -Path $Path
    if ($null -eq $key) { return $null }
    foreach ($value in $key.values) {
        if ([string]::Equals($value.name, $Name, [System.StringComparison]::OrdinalIgnoreCase)) { return $value }
    }
    return $null
}

function ConvertTo-SimTestJson {
    # Canonical compact JSON (keys sorted ordinally, arrays kept as arrays), so that two values compare exactly, without relying on ConvertTo-RdsJson.
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)] [AllowNull()] [AllowEmptyString()] [AllowEmptyCollection()] [object] $InputObject
    )
    return ConvertTo-Json -InputObject (ConvertTo-SimTestSortedNode -Node $InputObject) -Depth 64 -Compress
}

function ConvertTo-SimTestSortedNode {
    # Rebuilds a value with its dictionaries' keys in ordinal order (ConvertTo-Json keeps a hashtable's hash order).
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [AllowNull()] [AllowEmptyString()] [AllowEmptyCollection()] [object] $Node
    )
    if ($null -eq $Node) { return $null }
    if ($Node -is [System.Collections.IDictionary]) {
        $keys = [string[]]@($Node.Keys)
        [System.Array]::Sort($keys, [System.StringComparer]::Ordinal)
        $sorted = [ordered]@{}
        foreach ($key in $keys) { $sorted[$key] = ConvertTo-SimTestSortedNode -Node $Node[$key] }
        return $sorted
    }
    if ($Node -is [string]) { return $Node }
    if ($Node -is [System.Collections.IEnumerable]) {
        $list = [System.Collections.Generic.List[object]]::new()
        foreach ($item in $Node) { $list.Add((ConvertTo-SimTestSortedNode -Node $item)) }
        return , $list.ToArray()
    }
    return $Node
}

function Invoke-SimTestStep {
    # Runs one call of a sequence and records its outcome, so the sequence goes on after an expected failure: @{ Ok; Value } or @{ Ok; Error }.
    [CmdletBinding()]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory = $true)] [scriptblock] $Body
    )
    try {
        $output = @(& $Body)
    }
    catch {
        return @{ Ok = $false; Error = $_.Exception.Message }
    }
    $value = $null
    if ($output.Count -eq 1) { $value = $output[0] }
    elseif ($output.Count -gt 1) { $value = $output }
    return @{ Ok = $true; Value = $value }
}

function Open-SimTestGracePeriod {
    # Takes ownership of RCM\GracePeriod and opens it to Administrators, the first half of DOMAIN.md's ownership dance.
    [CmdletBinding()]
    param()
    Enable-RdsPrivilege -Name 'SeTakeOwnershipPrivilege'
    Set-RdsRegistryOwner -Path $SimGracePeriodPath -View 'Default' -Sid 'S-1-5-32-544'
    Add-RdsRegistryAccessRule -Path $SimGracePeriodPath -View 'Default' -Sid 'S-1-5-32-544' -Rights 'FullControl'
}

function Invoke-SimTestLockedRun {
    # One run against a state file as the runtime makes it (Initialize, lock, change, unlock, Complete); a lock held by another run (or an error) ends the run at once, before anything is changed or saved, as New-RdsPlanContext does.
    [CmdletBinding()]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param(
        [Parameter(Mandatory = $true)] [string] $StatePath,
        [int] $HoldMilliseconds = 0
    )
    $result = [ordered]@{}
    Initialize-RdsPlatform -Option $StatePath
    $result.Lock = Invoke-SimTestStep { Lock-RdsHost -Name 'rdsplan' }
    if ($result.Lock.Ok -and $result.Lock.Value.Status -ne 'Held') {
        $result.LockFile = [System.IO.File]::Exists($StatePath + '.lock')
        $result.Again = Invoke-SimTestStep { Lock-RdsHost -Name 'rdsplan' }
        [System.Threading.Thread]::Sleep($HoldMilliseconds)
        Set-RdsRegistryValue -Path 'HKLM\SOFTWARE\Contoso' -Name 'Run' -Type 'String' -Data ([System.IO.Path]::GetFileName($StatePath)) -View 'Default'
        $result.Unlock = Invoke-SimTestStep { Unlock-RdsHost -Name 'rdsplan' }
        $result.LockFileAfter = [System.IO.File]::Exists($StatePath + '.lock')
        Complete-RdsPlatform
    }
    return $result
}

function Start-SimTestJob {
    # Runs a script block in a new PowerShell process with the sim loaded, as a separate generated script would run (a fresh platform, its own process).
    [CmdletBinding()]
    [OutputType([System.Management.Automation.Job])]
    param(
        [Parameter(Mandatory = $true)] [scriptblock] $ScriptBlock,
        [object[]] $ArgumentList = @()
    )
    $templateFiles = @(Get-SimTestTemplateFile)
    $helperFile = Join-Path $PSScriptRoot 'SimHost.ps1'
    $job = Start-Job -ArgumentList $templateFiles, $helperFile, $ScriptBlock.ToString(), $ArgumentList -ScriptBlock {
        param([string[]] $TemplateFile, [string] $HelperFile, [string] $Body, [object[]] $BodyArgument)
        Set-StrictMode -Version 3.0
        $ErrorActionPreference = 'Stop'
        foreach ($file in $TemplateFile) { . $file }
        . $HelperFile
        & ([scriptblock]::Create($Body)) @BodyArgument
    }
    return $job
}
