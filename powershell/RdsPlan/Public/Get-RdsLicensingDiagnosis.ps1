function Get-RdsLicensingDiagnosis {
    <#
    .SYNOPSIS
        Read-only licensing diagnosis of a plan's targets: one object per host with its findings.
    .DESCRIPTION
        Runs `rdsplan diagnose --format json` (what RD Licensing Diagnoser shows, as data: the
        licensing mode and license servers with their source, the connectivity to each server,
        the grace days, TermServLicensing, recent licensing events and, on a license server, its
        CAL packs) and returns one object per host with Host, Healthy, ExitCode (0 healthy,
        3 findings, 1 not diagnosed), Findings (Severity, Code, Text, Fix: the preset that
        repairs it), Facts and Error. Findings (exit code 3) are the diagnosis, not an error; a
        host that could not be diagnosed (exit 1) or an invalid plan or usage (exit 2) is a
        terminating error whose message is the CLI's, written after the host objects that were
        reported. The plan's steps are not run; nothing is changed.
    .PARAMETER Path
        The plan whose targets are diagnosed. Accepts pipeline input by value and by the Path or FullName property.
    .PARAMETER Target
        Diagnose only these targets of the plan (default: all of them).
    .PARAMETER Simulate
        Diagnose the simulated host instead of Windows: a state file (one target) or a folder of <host>.json files.
    .PARAMETER TimeoutSeconds
        Seconds before a host's reading is killed (default: the plan's timeoutSeconds).
    .PARAMETER ThrottleLimit
        Hosts read at once (default 16).
    .EXAMPLE
        Get-RdsLicensingDiagnosis -Path .\plans\farm.json | Where-Object { -not $_.Healthy } | Select-Object -ExpandProperty Findings

        Lists what is wrong on the farm's unhealthy hosts, each with its fix.
    .INPUTS
        System.String, or any object with a Path or FullName property.
    .OUTPUTS
        RdsPlan.LicensingDiagnosis
    #>
    [CmdletBinding()]
    [OutputType('RdsPlan.LicensingDiagnosis')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('FullName')]
        [string[]]$Path,

        [ValidateNotNullOrEmpty()]
        [string[]]$Target,

        [ValidateNotNullOrEmpty()]
        [string]$Simulate,

        [ValidateRange(1, 86400)]
        [int]$TimeoutSeconds,

        [ValidateRange(1, 1024)]
        [int]$ThrottleLimit
    )
    process {
        foreach ($item in $Path) {
            $outcome = $null
            try {
                $planPath = Resolve-RdsPlanFileSystemPath -LiteralPath $item -What 'plan path'
                $outcome = Invoke-RdsPlanDiagnoseCore -PlanPath $planPath -Target $Target -Simulate $Simulate -TimeoutSeconds $TimeoutSeconds -ThrottleLimit $ThrottleLimit
            }
            catch {
                $PSCmdlet.ThrowTerminatingError($_)
            }
            foreach ($row in $outcome.Rows) {
                $row
            }
            if ($null -ne $outcome.Error) {
                $PSCmdlet.ThrowTerminatingError($outcome.Error)
            }
        }
    }
}
