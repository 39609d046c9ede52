# rdsplan platform (simulated Windows): the Win32_TerminalServiceSetting provider and the grace
# period timebomb that TermService reads when it starts (Sim.Services.ps1 and a simulated reboot
# call Update-RdsSimGraceCache).
#
# Win32_TerminalServiceSetting reads the registry (policy key first, as Windows does), except
# GetGracePeriodDays, which returns the value TermService read when it last started
# (DOMAIN.md): deleting the L$RTMTIMEBOMB value resets the days to 120 only after TermService
# restarts (Start-RdsService, a dependent's start, or a simulated reboot). A TermService start
# without the value writes a fresh one (DOMAIN.md, "The timebomb comes back"), creating the
# GracePeriod key when it is missing. After expiry GetGracePeriodDays throws what
# Invoke-CimMethod throws on Server 2022: a CimException with error_Code 0x80070002, no HResult
# and a localized message (New-RdsSimCimException builds a stand-in of that shape).

$script:RdsSimTimebombName = 'L$RTMTIMEBOMB_1320153D-8DA3-4e8e-B27B-0D888223A588'
# The key's security as found on Windows (NETWORK SERVICE owns it, Administrators read only);
# also what TermService gives the key when it has to create it again.
$script:RdsSimGracePeriodSddl = 'O:NSG:SYD:PAI(A;CI;KA;;;NS)(A;CI;KA;;;SY)(A;CI;KR;;;BA)'
# A DPAPI blob's fixed header (the version and the provider GUID); the rest differs per blob.
$script:RdsSimTimebombHeader = '01000000d08c9ddf0115d1118c7a00c04fc297eb01000000'
# What Windows answers GetGracePeriodDays after expiry, in the language of a German host: the
# message is not the code (error_Code is).
$script:RdsSimFileNotFoundMessage = 'Das System kann die angegebene Datei nicht finden. '

# Returns the data (hex) of the L$RTMTIMEBOMB (or L$GracePeriodTimeBomb) value in RCM\GracePeriod, or $null.
function Get-RdsSimTimebombData {
    param([Parameter(Mandatory)] [hashtable] $State)
    $key = Get-RdsSimKey -State $State -Physical $script:RdsSimGracePeriodKey
    if ($null -eq $key) { return $null }
    foreach ($value in $key.ValueList) {
        if ($value.Name.StartsWith('L$RTMTIMEBOMB', [System.StringComparison]::OrdinalIgnoreCase) -or $value.Name.StartsWith('L$GracePeriodTimeBomb', [System.StringComparison]::OrdinalIgnoreCase)) {
            return [string]$value.Data
        }
    }
    return $null
}

# Keeps timebombGraceDays with the timebomb value it belongs to (DOMAIN.md: re-importing an old value brings back its expiry).
function Sync-RdsSimTimebomb {
    param([Parameter(Mandatory)] [hashtable] $State, [switch] $Learn)
    $data = Get-RdsSimTimebombData -State $State
    if ($null -eq $data) { return }
    # Keyed by the blob's hex data itself (no hash: a cold SHA256 costs ~0.1 s per run).
    $history = $State.TerminalServices.timebombHistory
    if (-not $Learn -and $history.Contains($data)) { $State.TerminalServices.timebombGraceDays = [long]$history[$data] }
    else { $history[$data] = [long]$State.TerminalServices.timebombGraceDays }
}

# Returns the hex data of the timebomb blob TermService writes as its generation-th fresh value (deterministic, so states compare).
function New-RdsSimTimebombData {
    param([Parameter(Mandatory)] [ValidateRange(1, 2147483647)] [int] $Generation)
    $body = $Generation.ToString('x8', [System.Globalization.CultureInfo]::InvariantCulture)
    return ($script:RdsSimTimebombHeader + 'a5' + ($body * 7) + '0000')
}

# TermService starting: re-reads the grace period (the L$RTMTIMEBOMB value present: its days; absent: writes a fresh value, a new 120-day grace period).
function Update-RdsSimGraceCache {
    param([Parameter(Mandatory)] [hashtable] $State)
    # The days follow the blob: a blob written back after a reset stands for its old expiry.
    Sync-RdsSimTimebomb -State $State
    if ($null -eq (Get-RdsSimTimebombData -State $State)) {
        $history = $State.TerminalServices.timebombHistory
        $generation = $history.Count
        do {
            $generation++
            $data = New-RdsSimTimebombData -Generation $generation
        } while ($history.Contains($data))
        if ($null -eq (Get-RdsSimKey -State $State -Physical $script:RdsSimGracePeriodKey)) {
            $key = Add-RdsSimMissingKey -State $State -Path $script:RdsSimGracePeriodKey
            $key.Sddl = $script:RdsSimGracePeriodSddl
        }
        Set-RdsSimValueUnchecked -State $State -Path $script:RdsSimGracePeriodKey -Name $script:RdsSimTimebombName -Type 'Binary' -Data $data
        $State.TerminalServices.timebombGraceDays = [long]120
        $history[$data] = [long]120
    }
    $State.TerminalServices.graceDays = [long]$State.TerminalServices.timebombGraceDays
    $State.TerminalServices.graceDaysThrows = ($State.TerminalServices.graceDays -le 0)
}

# Returns an exception shaped like the CimException Invoke-CimMethod throws (the real type cannot be built off Windows).
function New-RdsSimCimException {
    param([Parameter(Mandatory)] [long] $Code, [Parameter(Mandatory)] [string] $Message)
    $hex = '0x' + $Code.ToString('X8', [System.Globalization.CultureInfo]::InvariantCulture)
    $properties = @{}
    foreach ($entry in @(
            @('error_Code', [uint32]$Code, 'UInt32'),
            @('error_Type', 'HRESULT', 'String'),
            @('error_WindowsErrorMessage', $Message, 'String'),
            @('MessageID', ('HRESULT ' + $hex), 'String'),
            @('Message', $Message, 'String'),
            @('CIMStatusCode', [uint32]1, 'UInt32'))) {
        $properties[$entry[0]] = [pscustomobject]@{ Name = $entry[0]; Value = $entry[1]; CimType = $entry[2] }
    }
    $errorData = [pscustomobject]@{ CimSystemProperties = [pscustomobject]@{ Namespace = 'root/cimv2'; ClassName = 'MSFT_WmiError' }; CimInstanceProperties = $properties }
    $exception = [System.Exception]::new($Message)
    $members = ([psobject]$exception).PSObject.Properties
    $members.Add([System.Management.Automation.PSNoteProperty]::new('ErrorData', $errorData))
    $members.Add([System.Management.Automation.PSNoteProperty]::new('StatusCode', [uint32]1))
    $members.Add([System.Management.Automation.PSNoteProperty]::new('NativeErrorCode', 'Failed'))
    return $exception
}

# Returns @{ LicensingType; SpecifiedLicenseServers; PolicySourceLicensingType; PolicySourceConfiguredLicenseServers } of the simulated host.
function Get-RdsTerminalServiceSetting {
    [CmdletBinding()] param()
    $state = Get-RdsSimState
    Register-RdsSimCall -Call 'Get-RdsTerminalServiceSetting'
    $licensingType = [long]5
    $typeSource = [long]0
    $policyMode = Get-RdsSimValueUnchecked -State $state -Path $script:RdsSimTerminalServicesPolicyKey -Name 'LicensingMode'
    $localMode = Get-RdsSimValueUnchecked -State $state -Path $script:RdsSimLicensingCoreKey -Name 'LicensingMode'
    if ($null -ne $policyMode -and $policyMode.Type -eq 'DWord') {
        $licensingType = [long]$policyMode.Data
        $typeSource = [long]1
    } elseif ($null -ne $localMode -and $localMode.Type -eq 'DWord') { $licensingType = [long]$localMode.Data }
    $servers = [System.Collections.Generic.List[string]]::new()
    $serverSource = [long]0
    $policyServers = Get-RdsSimValueUnchecked -State $state -Path $script:RdsSimTerminalServicesPolicyKey -Name 'LicenseServers'
    $localServers = Get-RdsSimValueUnchecked -State $state -Path $script:RdsSimLicenseServersKey -Name 'SpecifiedLicenseServers'
    if ($null -ne $policyServers -and ($policyServers.Type -eq 'String' -or $policyServers.Type -eq 'ExpandString')) {
        $serverSource = [long]1
        foreach ($part in ([string]$policyServers.Data).Split(',')) { if ($part.Trim() -ne '') { $servers.Add($part.Trim()) } }
    } elseif ($null -ne $localServers -and $localServers.Type -eq 'MultiString') {
        foreach ($server in $localServers.Data) { if ($server -ne '') { $servers.Add($server) } }
    }
    return @{
        LicensingType = $licensingType; SpecifiedLicenseServers = $servers.ToArray(); PolicySourceLicensingType = $typeSource
        PolicySourceConfiguredLicenseServers = $serverSource
    }
}

# Returns the grace period days left as TermService read them at its last start; after expiry (graceDaysThrows) throws the CimException of 0x80070002.
function Get-RdsGracePeriodDays {
    [CmdletBinding()] param()
    $state = Get-RdsSimState
    Register-RdsSimCall -Call 'Get-RdsGracePeriodDays'
    if ($state.TerminalServices.graceDaysThrows) { throw (New-RdsSimCimException -Code 0x80070002L -Message $script:RdsSimFileNotFoundMessage) }
    return [int]$state.TerminalServices.graceDays
}

# Returns what GetTStoLSConnectivityStatus answers for a server: the state's terminalServices.connectivity, else 6 (LS_NOT_CONNECTABLE: no such server answers).
function Get-RdsLicenseServerConnectivity {
    param([Parameter(Mandatory)] [string] $Server)
    $state = Get-RdsSimState
    Register-RdsSimCall -Call 'Get-RdsLicenseServerConnectivity' -Name $Server
    $known = $state.TerminalServices.connectivity
    if ($known.Contains($Server)) { return [long]$known[$Server] }
    return [long]6
}

# Sets the specified license server list (TermService\Parameters\LicenseServers SpecifiedLicenseServers; an empty list empties it).
function Set-RdsSpecifiedLicenseServer {
    param([Parameter(Mandatory)] [AllowEmptyCollection()] [string[]] $Server)
    $state = Get-RdsSimState
    Register-RdsSimCall -Call 'Set-RdsSpecifiedLicenseServer' -Name ($Server -join ',') -Mutating
    Set-RdsSimValueUnchecked -State $state -Path $script:RdsSimLicenseServersKey -Name 'SpecifiedLicenseServers' -Type 'MultiString' -Data ([string[]]$Server)
}

# Sets the licensing mode like ChangeMode (RCM\Licensing Core LicensingMode): 0, 1, 2 (per device) or 4 (per user).
function Set-RdsLicensingType {
    param([Parameter(Mandatory)] [int] $Type)
    $state = Get-RdsSimState
    Register-RdsSimCall -Call 'Set-RdsLicensingType' -Name ([string]$Type) -Mutating
    if (@(0, 1, 2, 4) -notcontains $Type) {
        throw ('Win32_TerminalServiceSetting.ChangeMode returned 87 (LicensingType ' + $Type + ': Invalid parameter)')
    }
    Set-RdsSimValueUnchecked -State $state -Path $script:RdsSimLicensingCoreKey -Name 'LicensingMode' -Type 'DWord' -Data ([long]$Type)
}
