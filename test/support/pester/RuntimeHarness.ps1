<#
.SYNOPSIS
    Pester harness for the runtime layer (ps-templates/runtime): runs plan scripts assembled as
    the renderer assembles them, in this PowerShell session, over an in-memory fake platform
    or the simulated Windows of platform/sim.
.DESCRIPTION
    Dot-source it in BeforeAll:
        . (Join-Path $PSScriptRoot '../../test/support/pester/RuntimeHarness.ps1')

    Invoke-RdsTestPlan writes a plan script into TestDrive (runtime/*.ps1, platform/sim/*.ps1
    when -Platform Sim, actions/*.ps1, New-RdsPlanContext, the steps, Complete-RdsPlan) and
    runs it with & in this session, so Pester's Mock and Should -Invoke see every platform
    call the runtime makes. A mock is an alias, and aliases come before functions, so a
    mock also hides the script's own definitions.

    The fake platform (-Platform Fake, the default) is the set of platform API functions
    below. They keep no state of their own: they read the host built by New-RdsFakeHost,
    which Invoke-RdsTestPlan binds to $RdsFakeHost for the run. The plan script runs in a
    script scope of its own, so the fake cannot use $script: variables. Instead it finds
    $RdsFakeHost through PowerShell's dynamic scoping. To make a platform call fail, mock
    it with a -ParameterFilter; calls that the filter does not match fall through to the
    fake.
#>

. (Join-Path $PSScriptRoot '../Get-RdsTemplateFile.ps1')

$RdsTestGracePeriodPath = 'HKLM\SYSTEM\CurrentControlSet\Control\Terminal Server\RCM\GracePeriod'
$RdsTestTimebombName = 'L$RTMTIMEBOMB_1320153D-8DA3-4e8e-B27B-0D888223A588'
$RdsTestPlanSha256 = 'ab' * 32
$RdsTestToolVersion = '0.1.0'
# The fake gives keys the tests do not describe an NS-owned SDDL, as the real GracePeriod key has.
$RdsTestFakeDefaultSddl = 'O:NSG:SYD:(A;CI;KR;;;BA)(A;CI;KA;;;NS)'

# ---------------------------------------------------------------------------------------------
# The fake host and its setup
# ---------------------------------------------------------------------------------------------

# A fresh in-memory host: no keys or services, both security privileges held but not enabled, unlocked, a 64-bit process.
function New-RdsFakeHost {
    [CmdletBinding()]
    [OutputType([hashtable])]
    param()
    return @{
        Keys                = @{}
        Services            = @{}
        HeldPrivileges      = @('SeTakeOwnershipPrivilege', 'SeRestorePrivilege')
        EnabledPrivileges   = [System.Collections.Generic.List[string]]::new()
        LockHeld            = $false
        GraceDays           = 42
        Sessions            = @()
        RestartDelaySeconds = -1
        Is64BitProcess      = $true
        Elevated            = $true
        Folders             = @{}
        Identity            = @{ ComputerName = 'FAKEHOST'; UserName = 'FAKE\admin'; IsDomainJoined = $false }
        TerminalServices    = @{ LicensingType = 5; SpecifiedLicenseServers = @(); PolicySourceLicensingType = 0; PolicySourceConfiguredLicenseServers = 0 }
    }
}

# Creates a key and any missing ancestors below the hive (ancestors get an Administrators-owned SDDL, as created keys do).
function Add-RdsFakeKey {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [hashtable] $FakeHost,
        [Parameter(Mandatory = $true)] [string] $Path,
        [string] $Sddl = $RdsTestFakeDefaultSddl
    )
    if (-not $FakeHost.Keys.ContainsKey($Path)) { $FakeHost.Keys[$Path] = @{ Values = [ordered]@{}; Sddl = $Sddl } }
    $parent = $Path.Substring(0, [Math]::Max(0, $Path.LastIndexOf('\')))
    if ($parent.Contains('\') -and -not $FakeHost.Keys.ContainsKey($parent)) { Add-RdsFakeKey -FakeHost $FakeHost -Path $parent -Sddl 'O:BAG:SYD:(A;CI;KA;;;BA)' }
}

# Writes a value without access checks (test setup, and the fake's own writes once they passed their checks).
function Set-RdsFakeValue {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [hashtable] $FakeHost,
        [Parameter(Mandatory = $true)] [string] $Path,
        [Parameter(Mandatory = $true)] [AllowEmptyString()] [string] $Name,
        [Parameter(Mandatory = $true)] [string] $Type,
        [AllowNull()] [AllowEmptyCollection()] [object] $Data
    )
    Add-RdsFakeKey -FakeHost $FakeHost -Path $Path
    $FakeHost.Keys[$Path].Values[$Name] = @{ Name = $Name; Type = $Type; Data = $Data }
}

# The fake's key or the error Windows gives for a missing one.
function Get-RdsFakeKey {
    [CmdletBinding()]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory = $true)] [string] $Path
    )
    if (-not $RdsFakeHost.Keys.ContainsKey($Path)) { throw "The system cannot find the file specified. ($Path)" }
    return $RdsFakeHost.Keys[$Path]
}

# ---------------------------------------------------------------------------------------------
# The fake platform: the platform API of ps-templates/README.md over $RdsFakeHost
# ---------------------------------------------------------------------------------------------

# The fake host is already in memory, so there is nothing to load; a test refuses an option with a mock.
function Initialize-RdsPlatform {
    [CmdletBinding()]
    param([AllowEmptyString()] [string] $Option)
}

# Nothing to save: the test reads the fake host itself.
function Complete-RdsPlatform {
    [CmdletBinding()]
    param()
}

# A fixed identity, so tests can assert the host and user the runtime reports.
function Get-RdsHostIdentity {
    [CmdletBinding()]
    param()
    return $RdsFakeHost.Identity
}

# Takes the lock ('Acquired'); another run holding it, or one that abandoned it, is a mock that says 'Held' or 'Abandoned'.
function Lock-RdsHost {
    [CmdletBinding()]
    param([string] $Name)
    $RdsFakeHost.LockHeld = $true
    return @{ Status = 'Acquired'; Lock = 'Global\rdsplan-' + $Name }
}

# An elevated token unless a test says otherwise (Elevated $false).
function Test-RdsElevation {
    [CmdletBinding()]
    param()
    return [bool]$RdsFakeHost.Elevated
}

# A folder that exists is SYSTEM's and Administrators' unless a test gives it other security in Folders (by path).
function Get-RdsDirectorySecurity {
    [CmdletBinding()]
    param([string] $Path)
    if (-not [System.IO.Directory]::Exists($Path)) { return $null }
    if ($RdsFakeHost.Folders.ContainsKey($Path)) { return $RdsFakeHost.Folders[$Path] }
    return @{ Owner = 'S-1-5-32-544'; Access = @(@{ Sid = 'S-1-5-18'; Allow = $true; Rights = 2032127; InheritOnly = $false }, @{ Sid = 'S-1-5-32-544'; Allow = $true; Rights = 2032127; InheritOnly = $false }) }
}

# A real folder (the runtime writes its run folder into it); its security is the trusted default of Get-RdsDirectorySecurity.
function New-RdsProtectedDirectory {
    [CmdletBinding()]
    param([string] $Path)
    [void][System.IO.Directory]::CreateDirectory($Path)
}

# Releases the lock so a test can see that every path out of a run gives it back.
function Unlock-RdsHost {
    [CmdletBinding()]
    param([string] $Name)
    $RdsFakeHost.LockHeld = $false
}

# Records the restart instead of doing it.
function Restart-RdsHost {
    [CmdletBinding()]
    param([int] $DelaySeconds)
    $RdsFakeHost.RestartDelaySeconds = $DelaySeconds
}

# A 64-bit process on 64-bit Windows unless a test says otherwise (WOW64: Is64BitProcess $false).
function Get-RdsProcessBitness {
    [CmdletBinding()]
    param()
    return @{ Is64BitProcess = $RdsFakeHost.Is64BitProcess; Is64BitOperatingSystem = $true }
}

# True when the key exists (views are not modelled).
function Test-RdsRegistryKey {
    [CmdletBinding()]
    param([string] $Path, [string] $View)
    return $RdsFakeHost.Keys.ContainsKey($Path)
}

# A copy of the value, so a caller changing it does not change the host.
function Get-RdsRegistryValue {
    [CmdletBinding()]
    param([string] $Path, [AllowEmptyString()] [string] $Name, [string] $View)
    if (-not $RdsFakeHost.Keys.ContainsKey($Path)) { return $null }
    $values = $RdsFakeHost.Keys[$Path].Values
    if (-not $values.Contains($Name)) { return $null }
    $value = $values[$Name]
    return @{ Name = $value.Name; Type = $value.Type; Data = $value.Data }
}

# Value names in insertion order (the order Windows enumerates them in).
function Get-RdsRegistryValueName {
    [CmdletBinding()]
    param([string] $Path, [string] $View)
    if (-not $RdsFakeHost.Keys.ContainsKey($Path)) { return }
    return [string[]]@($RdsFakeHost.Keys[$Path].Values.Keys)
}

# Direct subkey names, sorted ordinally so snapshots are deterministic.
function Get-RdsRegistrySubkeyName {
    [CmdletBinding()]
    param([string] $Path, [string] $View)
    $prefix = $Path + '\'
    $names = [System.Collections.Generic.List[string]]::new()
    foreach ($key in $RdsFakeHost.Keys.Keys) {
        if ($key.StartsWith($prefix, [System.StringComparison]::OrdinalIgnoreCase) -and -not $key.Substring($prefix.Length).Contains('\')) { $names.Add($key.Substring($prefix.Length)) }
    }
    $names.Sort([System.StringComparer]::Ordinal)
    return $names.ToArray()
}

# Denied on an NS-owned key, so the runtime must take ownership first, as on the real GracePeriod key.
function Set-RdsRegistryValue {
    [CmdletBinding()]
    param([string] $Path, [AllowEmptyString()] [string] $Name, [string] $Type, [AllowNull()] [AllowEmptyCollection()] $Data, [string] $View)
    if ($RdsFakeHost.Keys.ContainsKey($Path) -and $RdsFakeHost.Keys[$Path].Sddl.StartsWith('O:NS')) { throw "Access is denied. ($Path)" }
    if (-not $RdsFakeHost.Keys.ContainsKey($Path)) { Add-RdsFakeKey -FakeHost $RdsFakeHost -Path $Path -Sddl 'O:BAG:SYD:(A;CI;KA;;;BA)' }
    Set-RdsFakeValue -FakeHost $RdsFakeHost -Path $Path -Name $Name -Type $Type -Data $Data
}

# Denied on an NS-owned key, like Set-RdsRegistryValue.
function Remove-RdsRegistryValue {
    [CmdletBinding()]
    param([string] $Path, [AllowEmptyString()] [string] $Name, [string] $View)
    $key = Get-RdsFakeKey -Path $Path
    if ($key.Sddl.StartsWith('O:NS')) { throw "Access is denied. ($Path)" }
    if (-not $key.Values.Contains($Name)) { throw "value not found ($Path\$Name)" }
    $key.Values.Remove($Name)
}

# A created key is owned by Administrators.
function New-RdsRegistryKey {
    [CmdletBinding()]
    param([string] $Path, [string] $View)
    Add-RdsFakeKey -FakeHost $RdsFakeHost -Path $Path -Sddl 'O:BAG:SYD:(A;CI;KA;;;BA)'
}

# Refuses a key with subkeys unless -Recurse, as Windows does.
function Remove-RdsRegistryKey {
    [CmdletBinding()]
    param([string] $Path, [string] $View, [switch] $Recurse)
    [void](Get-RdsFakeKey -Path $Path)
    $children = @(Get-RdsRegistrySubkeyName -Path $Path -View $View)
    if ($children.Length -gt 0 -and -not $Recurse) { throw "Registry key has subkeys ($Path)" }
    foreach ($key in @($RdsFakeHost.Keys.Keys)) {
        if ($key -eq $Path -or $key.StartsWith($Path + '\', [System.StringComparison]::OrdinalIgnoreCase)) { $RdsFakeHost.Keys.Remove($key) }
    }
}

# Writes a minimal .reg file: the runtime hashes the file, it never parses it.
function Export-RdsRegistryKey {
    [CmdletBinding()]
    param([string] $Path, [string] $View, [string] $File)
    [System.IO.File]::WriteAllText($File, 'Windows Registry Editor Version 5.00' + "`r`n[" + $Path + "]`r`n")
}

# The key's SDDL as stored.
function Get-RdsRegistrySddl {
    [CmdletBinding()]
    param([string] $Path, [string] $View)
    return (Get-RdsFakeKey -Path $Path).Sddl
}

# Needs SeRestorePrivilege enabled, so a runtime that forgets to enable it fails.
function Set-RdsRegistrySddl {
    [CmdletBinding()]
    param([string] $Path, [string] $View, [string] $Sddl)
    if (-not $RdsFakeHost.EnabledPrivileges.Contains('SeRestorePrivilege')) { throw "A required privilege is not held by the client. ($Path)" }
    (Get-RdsFakeKey -Path $Path).Sddl = $Sddl
}

# Needs SeTakeOwnershipPrivilege enabled; replaces only the owner part of the SDDL.
function Set-RdsRegistryOwner {
    [CmdletBinding()]
    param([string] $Path, [string] $View, [string] $Sid)
    if (-not $RdsFakeHost.EnabledPrivileges.Contains('SeTakeOwnershipPrivilege')) { throw "Access is denied. ($Path)" }
    $key = Get-RdsFakeKey -Path $Path
    $key.Sddl = [regex]::Replace($key.Sddl, '\AO:[^G]+', 'O:' + $Sid)
}

# Appends an allow ACE (KA for FullControl, else KR), enough for the runtime's grant checks.
function Add-RdsRegistryAccessRule {
    [CmdletBinding()]
    param([string] $Path, [string] $View, [string] $Sid, [string] $Rights)
    $key = Get-RdsFakeKey -Path $Path
    $code = 'KR'
    if ($Rights -eq 'FullControl') { $code = 'KA' }
    $key.Sddl = $key.Sddl + '(A;CI;' + $code + ';;;' + $Sid + ')'
}

# Throws for a privilege the account does not hold, as AdjustTokenPrivileges reports it; returns whether it was enabled before (its PreviousState).
function Enable-RdsPrivilege {
    [CmdletBinding()]
    param([string] $Name)
    if ($RdsFakeHost.HeldPrivileges -notcontains $Name) { throw "privilege $Name is not held by this account" }
    if ($RdsFakeHost.EnabledPrivileges.Contains($Name)) { return $true }
    $RdsFakeHost.EnabledPrivileges.Add($Name)
    return $false
}

# Disabling is what a test checks at the end of a run: no privilege left enabled.
function Disable-RdsPrivilege {
    [CmdletBinding()]
    param([string] $Name)
    [void]$RdsFakeHost.EnabledPrivileges.Remove($Name)
}

# A service without dependencies, or $null.
function Get-RdsService {
    [CmdletBinding()]
    param([string] $Name)
    if (-not $RdsFakeHost.Services.ContainsKey($Name)) { return $null }
    $service = $RdsFakeHost.Services[$Name]
    return @{ Name = $Name; StartMode = $service.StartMode; Status = $service.Status; DependentServices = [string[]]@(); ServicesDependedOn = [string[]]@() }
}

# No access or dependency checks: the runtime tests need only the mode a step leaves (service rules are platform/sim's job).
function Set-RdsServiceStartMode {
    [CmdletBinding()]
    param([string] $Name, [string] $StartMode)
    $RdsFakeHost.Services[$Name].StartMode = $StartMode
}

# Starts at once, without dependencies, for the same reason as Set-RdsServiceStartMode.
function Start-RdsService {
    [CmdletBinding()]
    param([string] $Name, [switch] $Force)
    $RdsFakeHost.Services[$Name].Status = 'Running'
}

# Stops at once, without dependents, for the same reason as Set-RdsServiceStartMode.
function Stop-RdsService {
    [CmdletBinding()]
    param([string] $Name, [switch] $Force)
    $RdsFakeHost.Services[$Name].Status = 'Stopped'
}

# The fake's services change at once: they are in the status asked for, or never get there.
function Wait-RdsServiceStatus {
    [CmdletBinding()]
    param([string] $Name, [string] $Status, [int] $TimeoutSeconds)
    return ($RdsFakeHost.Services[$Name].Status -eq $Status)
}

# The live settings object, so a test's setup and the WMI setters below share one state.
function Get-RdsTerminalServiceSetting {
    [CmdletBinding()]
    param()
    return $RdsFakeHost.TerminalServices
}

# A fixed number of days (42 unless a test sets it) that a test can assert on.
function Get-RdsGracePeriodDays {
    [CmdletBinding()]
    param()
    return $RdsFakeHost.GraceDays
}

# The sessions a test puts in $RdsFakeHost.Sessions (none unless it does), besides session 0.
function Get-RdsSessionList {
    return , @(@(@{ Id = 0; Station = 'Services'; State = 'Disconnected'; User = '' }) + @($RdsFakeHost.Sessions))
}

# The WMI setting only: the policy path of rds.setLicenseServers goes through Set-RdsRegistryValue.
function Set-RdsSpecifiedLicenseServer {
    [CmdletBinding()]
    param([AllowEmptyCollection()] [string[]] $Server)
    $RdsFakeHost.TerminalServices.SpecifiedLicenseServers = $Server
}

# ChangeMode without its check of the type: rds.setLicensingMode converts and checks the mode before it calls this.
function Set-RdsLicensingType {
    [CmdletBinding()]
    param([int] $Type)
    $RdsFakeHost.TerminalServices.LicensingType = $Type
}

# ---------------------------------------------------------------------------------------------
# Plan scripts
# ---------------------------------------------------------------------------------------------

# A value as PowerShell literal text, so steps reach the script as literals (the runtime reads -StepId, -Action and -DependsOn from the script's syntax tree).
function ConvertTo-RdsTestLiteral {
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)] [AllowNull()] [AllowEmptyString()] [AllowEmptyCollection()] [object] $Value
    )
    if ($null -eq $Value) { return '$null' }
    if ($Value -is [bool] -or $Value -is [switch]) {
        if ([bool]$Value) { return '$true' }
        return '$false'
    }
    if ($Value -is [string]) { return "'" + $Value.Replace("'", "''") + "'" }
    if ($Value -is [int] -or $Value -is [long]) { return $Value.ToString([System.Globalization.CultureInfo]::InvariantCulture) }
    if ($Value -is [System.Collections.IDictionary]) {
        $keys = [string[]]@($Value.Keys)
        [System.Array]::Sort($keys, [System.StringComparer]::Ordinal)
        $pairs = foreach ($key in $keys) { $key + ' = ' + (ConvertTo-RdsTestLiteral -Value $Value[$key]) }
        return '@{ ' + (@($pairs) -join '; ') + ' }'
    }
    if ($Value -is [System.Collections.IEnumerable]) {
        $items = foreach ($item in $Value) { ConvertTo-RdsTestLiteral -Value $item }
        return '@(' + (@($items) -join ', ') + ')'
    }
    throw ('ConvertTo-RdsTestLiteral: no literal for a ' + $Value.GetType().FullName)
}

# One Invoke-RdsPlanStep line of a steps section, as the renderer writes it.
function New-RdsTestStep {
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)] [string] $StepId,
        [Parameter(Mandatory = $true)] [string] $Action,
        [hashtable] $Parameters = @{},
        [AllowEmptyCollection()] [string[]] $DependsOn = @(),
        [ValidateSet('always', 'changed')] [string] $RunWhen = 'always',
        # The switches src/render/step-call.ts decides from the action definitions and the plan.
        [switch] $Deferred,
        [switch] $CoversKey,
        [switch] $BeforeAnyChange,
        [switch] $ClosesDeferred,
        [switch] $NoHostChange
    )
    $switches = ''
    foreach ($name in @('Deferred', 'CoversKey', 'BeforeAnyChange', 'ClosesDeferred', 'NoHostChange')) {
        if ($PSBoundParameters.ContainsKey($name) -and [bool]$PSBoundParameters[$name]) { $switches += ' -' + $name }
    }
    return ('Invoke-RdsPlanStep -Context $RdsContext -StepId ' + (ConvertTo-RdsTestLiteral -Value $StepId) + ' -Action ' + (ConvertTo-RdsTestLiteral -Value $Action) +
        ' -RunWhen ' + (ConvertTo-RdsTestLiteral -Value $RunWhen) + ' -DependsOn ' + (ConvertTo-RdsTestLiteral -Value $DependsOn) + $switches + ' -Parameters ' + (ConvertTo-RdsTestLiteral -Value $Parameters))
}

# One Invoke-RdsUndoStep line of an undo script, as the renderer writes it from a run record.
function New-RdsTestUndoStep {
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)] [string] $StepId,
        [Parameter(Mandatory = $true)] [string] $Action,
        [Parameter(Mandatory = $true)] [hashtable] $Entry
    )
    return ('Invoke-RdsUndoStep -Context $RdsContext -StepId ' + (ConvertTo-RdsTestLiteral -Value $StepId) + ' -Action ' + (ConvertTo-RdsTestLiteral -Value $Action) + ' -Entry ' + (ConvertTo-RdsTestLiteral -Value $Entry))
}

# The grace-period reset preset as the renderer expands it: export, take ownership, delete the timebomb, restore the ACL.
function New-RdsTestGraceResetStep {
    [CmdletBinding()]
    [OutputType([string[]])]
    param(
        [Parameter(Mandatory = $true)] [bool] $MustExist
    )
    $path = $RdsTestGracePeriodPath
    return @(
        New-RdsTestStep -StepId 'grace.export' -Action 'registry.export' -NoHostChange -Deferred -CoversKey -Parameters @{ Path = $path; View = 'Default' }
        New-RdsTestStep -StepId 'grace.own' -Action 'registry.takeOwnership' -Deferred -DependsOn 'grace.export' -Parameters @{ Path = $path; View = 'Default'; Owner = 'S-1-5-32-544'; Grant = @(@{ Identity = 'S-1-5-32-544'; Rights = 'FullControl' }); Restore = 'afterPlan' }
        New-RdsTestStep -StepId 'grace.delete' -Action 'registry.deleteValue' -DependsOn 'grace.own' -Parameters @{ Path = $path; View = 'Default'; NamePattern = 'L$RTMTIMEBOMB*'; MustExist = $MustExist }
        New-RdsTestStep -StepId 'grace.restore' -Action 'registry.restoreSecurity' -ClosesDeferred -DependsOn 'grace.own' -Parameters @{ Path = $path; View = 'Default'; FromStep = 'grace.own' }
    )
}

# The text of the template files of some layers, concatenated in the renderer's order.
function Get-RdsTestTemplateText {
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)] [string[]] $Layer
    )
    $texts = foreach ($file in Get-RdsTemplateFile -Layer $Layer) { [System.IO.File]::ReadAllText($file) }
    return (@($texts) -join "`n")
}

# The command line that starts the PowerShell running these tests: pwsh installed as a dotnet tool is 'dotnet pwsh.dll', not an executable of its own.
function Get-RdsTestPowerShellCommand {
    [CmdletBinding()]
    [OutputType([string[]])]
    param()
    $process = [System.Environment]::ProcessPath
    if ([System.IO.Path]::GetFileNameWithoutExtension($process) -eq 'dotnet') { return @($process, [System.Environment]::GetCommandLineArgs()[0]) }
    return @($process)
}

<#
.SYNOPSIS
    Writes a plan script into a new folder of TestDrive, runs it, and returns what it reported.
.DESCRIPTION
    Arguments: -BackupDirectory <folder>\backups (or -SharedBackupDirectory, for runs that share one) -RunId <RunId> [-SimulationState] -ApprovalToken <the script's own token, or -ApprovalToken's value> [-WhatIf].
    The script carries the header the renderer writes, so the runtime's self-check runs as in a real run.
    In-process by default. -NewProcess runs it with pwsh -File instead, for what only a process
    shows (its exit code after an uncaught error, its stderr). Mocks do not reach that process,
    so -NewProcess needs -Platform Sim.
    Returns ExitCode (the script's exit code; $null when an error ended it in-process), Output
    (host lines in order), EventLines and Events (the '@@rdsplan ' lines, raw and parsed),
    Steps, Statuses ('<stepId>:<status>'), Summary, Warnings, Errors (error records written),
    Error (the error that ended the script in-process), Stdout, Stderr (with -NewProcess), and
    Directory, BackupDirectory, RunDirectory, ScriptPath.
#>
# The approval token src/render/hash.ts approvalToken() gives the test plan's body (LF line ends).
function Get-RdsTestApprovalToken {
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory = $true)] [string] $Body)
    $text = "rdsplan-approval/v1`n" + $RdsTestPlanSha256 + "`n" + $RdsTestToolVersion + "`n" + $Body.Replace("`r`n", "`n")
    $hash = [System.Security.Cryptography.SHA256]::Create().ComputeHash([System.Text.UTF8Encoding]::new($false).GetBytes($text))
    return 'sha256:' + (-join ($hash | ForEach-Object { $_.ToString('x2') }))
}

function Invoke-RdsTestPlan {
    [CmdletBinding()]
    param(
        [AllowEmptyCollection()] [string[]] $Steps = @(),
        [ValidateSet('rollback', 'stop', 'continue')] [string] $OnError = 'rollback',
        [ValidateSet('never', 'ifRequired', 'always')] [string] $Reboot = 'never',
        [string] $ContextArgument = '',
        [ValidateSet('Fake', 'Sim')] [string] $Platform = 'Fake',
        [hashtable] $FakeHost = $null,
        [string] $RunId = 'run-1',
        [string] $SimulationState = '',
        [string] $SharedBackupDirectory = '',
        [AllowNull()] [object] $ApprovalToken = $null,
        [switch] $CheckMode,
        [switch] $NewProcess
    )
    if ($Platform -eq 'Fake' -and $null -eq $FakeHost) { throw 'Invoke-RdsTestPlan: -Platform Fake needs -FakeHost (New-RdsFakeHost)' }
    if ($NewProcess -and $Platform -ne 'Sim') { throw 'Invoke-RdsTestPlan: -NewProcess needs -Platform Sim (the fake platform lives in this session)' }

    $directory = Join-Path $TestDrive ('plan-' + [guid]::NewGuid().ToString('N'))
    [void][System.IO.Directory]::CreateDirectory($directory)
    $backupDirectory = Join-Path $directory 'backups'
    if ($SharedBackupDirectory -ne '') { $backupDirectory = $SharedBackupDirectory }
    $layers = @('runtime')
    if ($Platform -eq 'Sim') { $layers += 'platform/sim' }
    $layers += 'actions'
    $context = "`$RdsContext = New-RdsPlanContext -PlanName 'test-plan' -PlanSha256 '$RdsTestPlanSha256' -ToolVersion '$RdsTestToolVersion'" +
        " -OnError '$OnError' -Reboot '$Reboot' -BackupDirectory `$BackupDirectory -RunId `$RunId -PlatformOption `$SimulationState -ApprovalToken `$ApprovalToken -Cmdlet `$PSCmdlet"
    if ($ContextArgument -ne '') { $context += ' ' + $ContextArgument }
    $body = @(
        '#Requires -Version 5.1'
        '[CmdletBinding(SupportsShouldProcess)]'
        'param('
        "    [string] `$BackupDirectory = '',"
        "    [string] `$RunId = '',"
        "    [string] `$SimulationState = '',"
        "    [string] `$ApprovalToken = ''"
        ')'
        "`$ErrorActionPreference = 'Stop'"
        'Set-StrictMode -Version 3.0'
        ''
        (Get-RdsTestTemplateText -Layer $layers)
        $context
        $Steps
        'Complete-RdsPlan -Context $RdsContext'
        ''
    ) -join "`n"
    $token = Get-RdsTestApprovalToken -Body $body
    $header = @('# rdsplan-script: v1', "# tool-version: $RdsTestToolVersion", '# plan: test-plan', "# plan-sha256: $RdsTestPlanSha256", "# approval-token: $token", '# Generated by rdsplan. Any edit changes the approval token; rdsplan verify detects it.', '') -join "`n"
    # The token a run is approved with: the script's own unless the test gives another ('' for none).
    if ($null -eq $ApprovalToken) { $ApprovalToken = $token }
    $ApprovalToken = [string]$ApprovalToken
    $scriptPath = Join-Path $directory 'plan.ps1'
    [System.IO.File]::WriteAllText($scriptPath, ($header + $body).Replace("`n", "`r`n"), [System.Text.UTF8Encoding]::new($true))

    $output = [System.Collections.Generic.List[string]]::new()
    $warnings = [System.Collections.Generic.List[string]]::new()
    $errors = [System.Collections.Generic.List[object]]::new()
    $terminating = $null
    $exitCode = $null
    $stdout = $null
    $stderr = $null
    if ($NewProcess) {
        $command = @(Get-RdsTestPowerShellCommand)
        $info = [System.Diagnostics.ProcessStartInfo]::new($command[0])
        foreach ($argument in @($command | Select-Object -Skip 1) + @('-NoLogo', '-NoProfile', '-NonInteractive', '-File', $scriptPath, '-BackupDirectory', $backupDirectory, '-RunId', $RunId, '-SimulationState', $SimulationState, '-ApprovalToken', $ApprovalToken)) { $info.ArgumentList.Add($argument) }
        if ($CheckMode) { $info.ArgumentList.Add('-WhatIf') }
        $info.UseShellExecute = $false
        $info.RedirectStandardOutput = $true
        $info.RedirectStandardError = $true
        $info.Environment['NO_COLOR'] = '1'
        $info.Environment['TERM'] = 'dumb'
        $process = [System.Diagnostics.Process]::Start($info)
        try {
            # Both pipes are drained at once: a child blocked on a full stderr pipe would never exit.
            $stderrRead = $process.StandardError.ReadToEndAsync()
            $stdout = $process.StandardOutput.ReadToEnd()
            $stderr = $stderrRead.GetAwaiter().GetResult()
            if (-not $process.WaitForExit(120000)) {
                $process.Kill($true)
                throw "Invoke-RdsTestPlan: $scriptPath did not finish within 120 s"
            }
            $exitCode = $process.ExitCode
        }
        finally {
            $process.Dispose()
        }
        foreach ($line in $stdout.Split("`n")) {
            $text = $line.TrimEnd("`r")
            if ($text.StartsWith('WARNING: ')) { $warnings.Add($text.Substring('WARNING: '.Length)) } else { $output.Add($text) }
        }
    }
    else {
        $arguments = @{ BackupDirectory = $backupDirectory; RunId = $RunId; SimulationState = $SimulationState; ApprovalToken = $ApprovalToken }
        if ($CheckMode) { $arguments['WhatIf'] = $true }
        # Read by the fake platform through dynamic scope (see the file's description).
        $RdsFakeHost = $FakeHost
        # exit in the script sets the global $LASTEXITCODE; clear it so a script that ends without exit shows $null.
        $global:LASTEXITCODE = $null
        try {
            & $scriptPath @arguments 2>&1 3>&1 6>&1 | ForEach-Object {
                if ($_ -is [System.Management.Automation.WarningRecord]) { $warnings.Add($_.Message) }
                elseif ($_ -is [System.Management.Automation.ErrorRecord]) { $errors.Add($_) }
                elseif ($_ -is [System.Management.Automation.InformationRecord]) { $output.Add([string]$_.MessageData) }
                else { $output.Add([string]$_) }
            }
            $exitCode = $global:LASTEXITCODE
        }
        catch {
            $terminating = $_
        }
    }

    $eventLines = [string[]]@($output | Where-Object { $_.StartsWith('@@rdsplan ') } | ForEach-Object { $_.Substring('@@rdsplan '.Length) })
    $events = @(foreach ($line in $eventLines) { ConvertFrom-Json -InputObject $line -AsHashtable })
    $stepEvents = @($events | Where-Object { $_['event'] -eq 'step' })
    $summary = $null
    foreach ($event in $events) {
        if ($event['event'] -eq 'summary') { $summary = $event; break }
    }
    return [pscustomobject]@{
        ExitCode        = $exitCode
        Output          = [string[]]$output.ToArray()
        EventLines      = $eventLines
        Events          = $events
        Steps           = $stepEvents
        Statuses        = [string[]]@($stepEvents | ForEach-Object { [string]$_['stepId'] + ':' + [string]$_['status'] })
        Summary         = $summary
        Warnings        = [string[]]$warnings.ToArray()
        Errors          = $errors.ToArray()
        Error           = $terminating
        Stdout          = $stdout
        Stderr          = $stderr
        Directory       = $directory
        BackupDirectory = $backupDirectory
        RunDirectory    = Join-Path $backupDirectory $RunId
        ScriptPath      = $scriptPath
    }
}

# ---------------------------------------------------------------------------------------------
# Reading results
# ---------------------------------------------------------------------------------------------

# The event lines that break schemas/result.schema.json, each with Test-Json's reason (none: empty).
function Get-RdsTestSchemaViolation {
    [CmdletBinding()]
    [OutputType([string[]])]
    param(
        [Parameter(Mandatory = $true)] [object] $Result
    )
    $schema = [System.IO.File]::ReadAllText((Join-Path $PSScriptRoot '../../../schemas/result.schema.json'))
    foreach ($line in $Result.EventLines) {
        $problems = $null
        if (-not (Test-Json -Json $line -Schema $schema -ErrorAction SilentlyContinue -ErrorVariable problems)) {
            $line + ' -> ' + ((@($problems) | ForEach-Object { $_.Exception.Message }) -join '; ')
        }
    }
}

# The journal of a run (journal.jsonl in the run folder), one parsed entry per line.
function Read-RdsTestJournal {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [object] $Result
    )
    $text = [System.IO.File]::ReadAllText((Join-Path $Result.RunDirectory 'journal.jsonl'))
    foreach ($line in $text.Trim().Split("`n")) { ConvertFrom-Json -InputObject $line -AsHashtable }
}

# A simulated host's state file, parsed.
function Read-RdsTestSimState {
    [CmdletBinding()]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory = $true)] [string] $Path
    )
    return (ConvertFrom-Json -InputObject ([System.IO.File]::ReadAllText($Path)) -AsHashtable)
}

# Deep-sorted copy of a value: dictionaries by key (ordinal), lists in order, so two values compare as JSON text.
function ConvertTo-RdsTestCanonical {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [AllowNull()] [AllowEmptyString()] [AllowEmptyCollection()] [object] $Value
    )
    if ($null -eq $Value) { return $null }
    if ($Value -is [System.Collections.IDictionary]) {
        $sorted = [System.Collections.Generic.SortedDictionary[string, object]]::new([System.StringComparer]::Ordinal)
        foreach ($key in $Value.Keys) { $sorted[[string]$key] = ConvertTo-RdsTestCanonical -Value $Value[$key] }
        return , $sorted
    }
    if ($Value -is [System.Collections.IEnumerable] -and $Value -isnot [string]) {
        $list = [System.Collections.Generic.List[object]]::new()
        foreach ($item in $Value) { $list.Add((ConvertTo-RdsTestCanonical -Value $item)) }
        return , $list
    }
    return $Value
}

# Compact JSON of a value with every dictionary's keys sorted: compare two structures with Should -BeExactly, as deep equality.
function ConvertTo-RdsTestJson {
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)] [AllowNull()] [AllowEmptyString()] [AllowEmptyCollection()] [object] $InputObject
    )
    return (ConvertTo-Json -InputObject (ConvertTo-RdsTestCanonical -Value $InputObject) -Compress -Depth 64)
}
