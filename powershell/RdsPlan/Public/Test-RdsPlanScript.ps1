function Test-RdsPlanScript {
    <#
    .SYNOPSIS
        Verifies a PowerShell script (rendered by rdsplan or hand-edited).
    .DESCRIPTION
        Runs `rdsplan verify --format json`: syntax errors, PowerShell 7-only syntax,
        non-literal step arguments and tampering against the header hash. Returns Path, Ok
        and Findings (Line, Column, Severity, Code, Message). A script with findings is a
        result with Ok = $false, not an error.
    .PARAMETER Path
        The script file(s). Accepts pipeline input by value and by the Path or FullName property.
    .EXAMPLE
        Test-RdsPlanScript -Path .\reset-rdsh01.ps1

        Checks one script before it is handed to operations.
    .EXAMPLE
        Get-ChildItem .\scripts\*.ps1 | Test-RdsPlanScript | Where-Object { -not $_.Ok } | ForEach-Object { $_.Findings }

        Lists the findings of every script that fails verification.
    .INPUTS
        System.String, or any object with a Path or FullName property.
    .OUTPUTS
        RdsPlan.ScriptVerification
    #>
    [CmdletBinding()]
    [OutputType('RdsPlan.ScriptVerification')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('FullName')]
        [string[]]$Path
    )
    process {
        foreach ($item in $Path) {
            try {
                $scriptPath = Resolve-RdsPlanFileSystemPath -LiteralPath $item -What 'script path'
            }
            catch {
                $PSCmdlet.WriteError($_)
                continue
            }
            try {
                $result = Invoke-RdsPlanCli -ArgumentList @('verify', '--format', 'json', '--', $scriptPath)
            }
            catch {
                $PSCmdlet.ThrowTerminatingError($_)
            }
            if ($result.ExitCode -ne 0 -and $result.ExitCode -ne 1) {
                $PSCmdlet.WriteError((New-RdsPlanCliErrorRecord -Result $result -Command 'verify' -TargetObject $scriptPath))
                continue
            }
            $report = $null
            try {
                $report = ConvertFrom-RdsPlanCliJson -Result $result -Command 'verify' -TargetObject $scriptPath
            }
            catch {
                $PSCmdlet.WriteError($_)
                continue
            }
            $findings = [System.Collections.Generic.List[object]]::new()
            foreach ($f in @(Get-RdsPlanProperty $report 'findings')) {
                if ($null -eq $f) {
                    continue
                }
                $findings.Add([pscustomobject]@{
                        PSTypeName = 'RdsPlan.ScriptFinding'
                        Line       = Get-RdsPlanProperty $f 'line'
                        Column     = Get-RdsPlanProperty $f 'column'
                        Severity   = Get-RdsPlanProperty $f 'severity'
                        Code       = Get-RdsPlanProperty $f 'code'
                        Message    = Get-RdsPlanProperty $f 'message'
                    })
            }
            [pscustomobject]@{
                PSTypeName = 'RdsPlan.ScriptVerification'
                Path       = $scriptPath
                Ok         = [bool](Get-RdsPlanProperty $report 'ok')
                Findings   = $findings.ToArray()
            }
        }
    }
}
