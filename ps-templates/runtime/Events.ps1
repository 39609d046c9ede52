# rdsplan runtime: results protocol and hashing helpers.
#
# Every event is one line on the host: '@@rdsplan ' + compact ASCII JSON (ConvertTo-RdsJson),
# described by schemas/result.schema.json. Write-Host reaches stdout when the script runs
# locally and is forwarded by PowerShell remoting.

function Get-RdsUtcTimestamp {
    <#
    .SYNOPSIS
    Returns the current UTC time as an ISO 8601 string (round-trip 'o' format).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    return [System.DateTime]::UtcNow.ToString('o', [System.Globalization.CultureInfo]::InvariantCulture)
}

function Write-RdsEvent {
    <#
    .SYNOPSIS
    Writes one results-protocol event ('@@rdsplan ' + compact JSON) to the host.
    .PARAMETER Event
    The event as an ordered dictionary or hashtable whose keys follow schemas/result.schema.json.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [System.Collections.IDictionary] $Event
    )
    Write-Host ('@@rdsplan ' + (ConvertTo-RdsJson -InputObject $Event))
}

function ConvertTo-RdsHexString {
    <#
    .SYNOPSIS
    Converts a byte array to a lowercase hexadecimal string without separators.
    .PARAMETER Bytes
    The bytes to convert.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)] [AllowEmptyCollection()] [byte[]] $Bytes
    )
    $builder = [System.Text.StringBuilder]::new($Bytes.Length * 2)
    foreach ($b in $Bytes) {
        [void]$builder.Append($b.ToString('x2', [System.Globalization.CultureInfo]::InvariantCulture))
    }
    return $builder.ToString()
}

function Get-RdsSha256Hex {
    <#
    .SYNOPSIS
    Returns the lowercase hex sha256 of a byte array.
    .PARAMETER Bytes
    The bytes to hash.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)] [AllowEmptyCollection()] [byte[]] $Bytes
    )
    $sha = [System.Security.Cryptography.SHA256]::Create()
    try {
        return (ConvertTo-RdsHexString -Bytes $sha.ComputeHash($Bytes))
    }
    finally {
        $sha.Dispose()
    }
}

function Get-RdsFileSha256 {
    <#
    .SYNOPSIS
    Returns the lowercase hex sha256 of a file's bytes.
    .PARAMETER Path
    The file to hash.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)] [string] $Path
    )
    return (Get-RdsSha256Hex -Bytes ([System.IO.File]::ReadAllBytes($Path)))
}

function Get-RdsTextSha256 {
    <#
    .SYNOPSIS
    Returns the lowercase hex sha256 of a string's UTF-8 bytes (no BOM).
    .PARAMETER Text
    The text to hash.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)] [AllowEmptyString()] [string] $Text
    )
    $encoding = [System.Text.UTF8Encoding]::new($false)
    return (Get-RdsSha256Hex -Bytes $encoding.GetBytes($Text))
}

function Write-RdsTextFile {
    <#
    .SYNOPSIS
    Writes a text file as UTF-8 without BOM (the directory must exist).
    .PARAMETER Path
    The file to write.
    .PARAMETER Text
    The content.
    .PARAMETER Append
    Appends instead of replacing the file.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [string] $Path,
        [Parameter(Mandatory = $true)] [AllowEmptyString()] [string] $Text,
        [switch] $Append
    )
    $encoding = [System.Text.UTF8Encoding]::new($false)
    if ($Append) {
        [System.IO.File]::AppendAllText($Path, $Text, $encoding)
    }
    else {
        [System.IO.File]::WriteAllText($Path, $Text, $encoding)
    }
}

function Test-RdsScriptIntegrity {
    <#
    .SYNOPSIS
    Recomputes the approval token of a rendered script and compares it with its header and with the approved token.
    .DESCRIPTION
    Mirrors src/render/header.ts splitScript() and src/render/hash.ts approvalToken(): the
    header is the first six lines; the token is 'sha256:' + sha256 of the UTF-8 text
    "rdsplan-approval/v1`n<planSha256>`n<toolVersion>`n<body>" with the BOM stripped and
    CRLF/CR normalised to LF. The text is what PowerShell parsed and runs (the script's own
    syntax tree), never the file again: a file swapped after it was read changes nothing.
    Returns @{ Ok = [bool]; Message = '...' }.
    .PARAMETER ScriptText
    The running script's text.
    .PARAMETER PlanSha256
    The plan hash the script was rendered for (must equal the header's).
    .PARAMETER ToolVersion
    The tool version the script was rendered by (must equal the header's).
    .PARAMETER ApprovedToken
    The token the change board approved; when given, the recomputed token must equal it
    (a same-user edit that also rewrites the header then fails too).
    #>
    [CmdletBinding()]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory = $true)] [AllowEmptyString()] [string] $ScriptText,
        [Parameter(Mandatory = $true)] [string] $PlanSha256,
        [Parameter(Mandatory = $true)] [string] $ToolVersion,
        [AllowEmptyString()] [string] $ApprovedToken = ''
    )
    # pwsh 7's parser drops the file's BOM; Windows PowerShell 5.1's cannot be run here, and a
    # BOM left in its text must not refuse every run.
    $text = $ScriptText
    if ($text.Length -gt 0 -and [int]$text[0] -eq 0xFEFF) {
        $text = $text.Substring(1)
    }
    $text = $text.Replace("`r`n", "`n").Replace("`r", "`n")
    $offset = 0
    $lines = [System.Collections.Generic.List[string]]::new()
    for ($i = 0; $i -lt 6; $i++) {
        $end = $text.IndexOf("`n", $offset)
        if ($end -lt 0) {
            return @{ Ok = $false; Message = 'script self-check failed: the script has no rdsplan header' }
        }
        $lines.Add($text.Substring($offset, $end - $offset))
        $offset = $end + 1
    }
    $body = $text.Substring($offset)
    $expected = @(
        '# rdsplan-script: v1',
        '# tool-version: ',
        '# plan: ',
        '# plan-sha256: ',
        '# approval-token: ',
        '# Generated by rdsplan. Any edit changes the approval token; rdsplan verify detects it.'
    )
    if (-not [string]::Equals($lines[0], $expected[0], [System.StringComparison]::Ordinal) -or
        -not [string]::Equals($lines[5], $expected[5], [System.StringComparison]::Ordinal)) {
        return @{ Ok = $false; Message = 'script self-check failed: the script has no rdsplan header' }
    }
    for ($i = 1; $i -le 4; $i++) {
        if (-not $lines[$i].StartsWith($expected[$i], [System.StringComparison]::Ordinal)) {
            return @{ Ok = $false; Message = "script self-check failed: header line $($i + 1) is malformed" }
        }
    }
    $headerVersion = $lines[1].Substring($expected[1].Length)
    $headerPlanSha = $lines[3].Substring($expected[3].Length)
    $headerToken = $lines[4].Substring($expected[4].Length)
    if (-not [string]::Equals($headerVersion, $ToolVersion, [System.StringComparison]::Ordinal) -or
        -not [string]::Equals($headerPlanSha, $PlanSha256, [System.StringComparison]::Ordinal)) {
        return @{ Ok = $false; Message = 'script self-check failed: the header does not match the plan hash or tool version in the script body' }
    }
    $token = 'sha256:' + (Get-RdsTextSha256 -Text ("rdsplan-approval/v1`n" + $PlanSha256 + "`n" + $ToolVersion + "`n" + $body))
    if (-not [string]::Equals($token, $headerToken, [System.StringComparison]::Ordinal)) {
        return @{ Ok = $false; Message = "script self-check failed: the script was modified after rendering (approval token $token, header says $headerToken)" }
    }
    if ($ApprovedToken -ne '' -and -not [string]::Equals($token, $ApprovedToken, [System.StringComparison]::Ordinal)) {
        return @{ Ok = $false; Message = "script self-check failed: the script is not the one approved as $ApprovedToken" }
    }
    return @{ Ok = $true; Message = '' }
}

function Get-RdsExceptionMessage {
    <#
    .SYNOPSIS
    Returns the message of an error without PowerShell's "Exception calling ..." wrapper.
    .PARAMETER ErrorRecord
    The error record (as in a catch block's $_).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)] [System.Management.Automation.ErrorRecord] $ErrorRecord
    )
    $exception = $ErrorRecord.Exception
    while ($exception -is [System.Management.Automation.MethodInvocationException] -and $null -ne $exception.InnerException) {
        $exception = $exception.InnerException
    }
    return [string]$exception.Message
}
