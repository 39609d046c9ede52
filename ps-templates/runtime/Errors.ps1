# rdsplan runtime: Windows error codes of exceptions, bounded retries, and what the grace
# period's days left mean (the platform layer only calls; it decides nothing).
#
# Errors are classified by their code, never by their message: Windows localizes messages
# ("Das System kann die angegebene Datei nicht finden."). Invoke-CimMethod and Get-CimInstance
# throw Microsoft.Management.Infrastructure.CimException, whose HResult is not set: the Windows
# code is the error instance's error_Code (ErrorData.CimInstanceProperties['error_Code'].Value).

# ERROR_FILE_NOT_FOUND as an HRESULT: GetGracePeriodDays after the grace period expired (2022).
$script:RdsErrorFileNotFound = 0x80070002L

# After a TermService restart in this run, GetGracePeriodDays is read again until it answers or
# this bound is reached (the WMI provider answers once the service has read the timebomb).
$script:RdsGraceReadTimeoutMilliseconds = 60000
$script:RdsGraceReadIntervalMilliseconds = 1000

# Returns the Windows error code of an error as an HRESULT (0x80070002 = 2147942402), or $null when it carries none.
function Get-RdsErrorCode {
    [CmdletBinding(DefaultParameterSetName = 'ErrorRecord')] param(
        [Parameter(Mandatory, ParameterSetName = 'ErrorRecord')] [System.Management.Automation.ErrorRecord] $ErrorRecord,
        [Parameter(Mandatory, ParameterSetName = 'Exception')] [System.Exception] $Exception)
    if ($PSCmdlet.ParameterSetName -eq 'ErrorRecord') { $Exception = $ErrorRecord.Exception }
    $chain = Get-RdsExceptionChain -Exception $Exception
    foreach ($item in $chain) {
        $code = Get-RdsCimErrorCode -Exception $item
        if ($null -ne $code) { return (ConvertTo-RdsHResult -Code $code) }
    }
    foreach ($item in $chain) {
        if ($item -is [System.ComponentModel.Win32Exception]) { return (ConvertTo-RdsHResult -Code ([long]$item.NativeErrorCode)) }
    }
    foreach ($item in $chain) {
        $hresult = ConvertTo-RdsHResult -Code ([long]$item.HResult)
        # A failure (bit 31) of another facility than .NET's own (0x13).
        if (($hresult -band 0x80000000L) -ne 0 -and (($hresult -shr 16) -band 0x7FFL) -ne 0x13L) { return $hresult }
    }
    return $null
}

# Returns an exception and every exception behind it (inner exceptions, the errors that error records wrap), each once.
function Get-RdsExceptionChain {
    param([Parameter(Mandatory)] [System.Exception] $Exception)
    $chain = [System.Collections.Generic.List[System.Exception]]::new()
    $todo = [System.Collections.Generic.Queue[System.Exception]]::new()
    $todo.Enqueue($Exception)
    while ($todo.Count -gt 0) {
        $item = $todo.Dequeue()
        if ($null -eq $item -or $chain.Contains($item)) { continue }
        $chain.Add($item)
        if ($item -is [System.Management.Automation.IContainsErrorRecord] -and $null -ne $item.ErrorRecord) { $todo.Enqueue($item.ErrorRecord.Exception) }
        if ($null -ne $item.InnerException) { $todo.Enqueue($item.InnerException) }
    }
    return , $chain.ToArray()
}

# Returns ErrorData.CimInstanceProperties['error_Code'].Value of a CimException, or $null (read through PSObject: strict mode).
function Get-RdsCimErrorCode {
    param([Parameter(Mandatory)] [System.Exception] $Exception)
    $data = Get-RdsPropertyValue -InputObject $Exception -Name 'ErrorData'
    $properties = Get-RdsPropertyValue -InputObject $data -Name 'CimInstanceProperties'
    if ($null -eq $properties) { return $null }
    $value = Get-RdsPropertyValue -InputObject ($properties['error_Code']) -Name 'Value'
    if ($null -eq $value) { return $null }
    return [long]$value
}

# Returns a property of an object, $null when the object or the property is absent (strict mode throws on $object.Missing).
function Get-RdsPropertyValue {
    param([Parameter(Mandatory)] [AllowNull()] [object] $InputObject, [Parameter(Mandatory)] [string] $Name)
    if ($null -eq $InputObject) { return $null }
    $property = $InputObject.PSObject.Properties[$Name]
    if ($null -eq $property) { return $null }
    return , $property.Value
}

# Returns a Windows error code as an unsigned HRESULT (a Win32 code up to 0xFFFF becomes 0x8007xxxx).
function ConvertTo-RdsHResult {
    param([Parameter(Mandatory)] [long] $Code)
    $unsigned = $Code -band 0xFFFFFFFFL
    if ($unsigned -gt 0 -and $unsigned -le 0xFFFFL) { return (0x80070000L -bor $unsigned) }
    return $unsigned
}

# Writes an error code as Windows does: '0x80070002'.
function Format-RdsErrorCode {
    param([Parameter(Mandatory)] [long] $Code)
    return ('0x' + $Code.ToString('X8', [System.Globalization.CultureInfo]::InvariantCulture))
}

# Runs a script block until it returns without error or the time bound is reached; returns @{ Succeeded; Output; ErrorRecord; Attempts; ElapsedMilliseconds }.
function Invoke-RdsRetry {
    param([Parameter(Mandatory)] [scriptblock] $ScriptBlock, [ValidateRange(0, 3600000)] [int] $TimeoutMilliseconds = 0,
        [ValidateRange(1, 600000)] [int] $IntervalMilliseconds = 1000)
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    $attempts = 0
    while ($true) {
        $attempts++
        try {
            $output = @(& $ScriptBlock)
            return @{ Succeeded = $true; Output = $output; ErrorRecord = $null; Attempts = $attempts; ElapsedMilliseconds = [long]$watch.ElapsedMilliseconds }
        } catch { $failure = $_ }
        if ($watch.ElapsedMilliseconds + $IntervalMilliseconds -gt $TimeoutMilliseconds) {
            return @{ Succeeded = $false; Output = @(); ErrorRecord = $failure; Attempts = $attempts; ElapsedMilliseconds = [long]$watch.ElapsedMilliseconds }
        }
        [System.Threading.Thread]::Sleep($IntervalMilliseconds)
    }
}

# Reads the grace period days left and says what the answer means: @{ DaysLeft; Expired; Error; ErrorCode; Attempts; ElapsedMilliseconds }.
function Read-RdsGracePeriodDays {
    [CmdletBinding()] param([switch] $AfterRestart, [int] $TimeoutMilliseconds = $script:RdsGraceReadTimeoutMilliseconds,
        [int] $IntervalMilliseconds = $script:RdsGraceReadIntervalMilliseconds)
    $bound = 0
    if ($AfterRestart) { $bound = $TimeoutMilliseconds }
    $read = Invoke-RdsRetry -TimeoutMilliseconds $bound -IntervalMilliseconds $IntervalMilliseconds -ScriptBlock { Get-RdsGracePeriodDays }
    $result = @{ DaysLeft = $null; Expired = $false; Error = ''; ErrorCode = $null; Attempts = $read.Attempts; ElapsedMilliseconds = $read.ElapsedMilliseconds }
    if ($read.Succeeded) {
        if ($read.Output.Length -ne 1 -or $null -eq $read.Output[0]) { $result.Error = 'GetGracePeriodDays returned no DaysLeft' }
        else { $result.DaysLeft = [int]$read.Output[0] }
        return $result
    }
    $code = Get-RdsErrorCode -ErrorRecord $read.ErrorRecord
    $result.ErrorCode = $code
    if ($code -eq $script:RdsErrorFileNotFound) {
        $result.DaysLeft = 0
        $result.Expired = $true
        return $result
    }
    $result.Error = Get-RdsExceptionMessage -ErrorRecord $read.ErrorRecord
    if ($null -ne $code) { $result.Error += ' (' + (Format-RdsErrorCode -Code $code) + ')' }
    return $result
}
