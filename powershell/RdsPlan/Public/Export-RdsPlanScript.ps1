function Export-RdsPlanScript {
    <#
    .SYNOPSIS
        Renders a plan into its Windows PowerShell script (UTF-8 with BOM, CRLF).
    .DESCRIPTION
        Runs `rdsplan render --out`. The script is checked by rdsplan before it is written;
        returns the written file. Use -Platform sim for a script that runs against the
        simulated host instead of Windows.
    .PARAMETER Path
        The plan file. Accepts pipeline input by value and by the Path or FullName property.
    .PARAMETER OutFile
        The .ps1 file to write.
    .PARAMETER Platform
        windows (default) or sim.
    .EXAMPLE
        Export-RdsPlanScript -Path .\plans\reset-rdsh01.json -OutFile .\reset-rdsh01.ps1

        Writes the script a change board approved the review of.
    .EXAMPLE
        Export-RdsPlanScript -Path .\plans\reset-rdsh01.json -OutFile .\reset-sim.ps1 -Platform sim | Test-RdsPlanScript

        Renders the simulated-host script and verifies it.
    .INPUTS
        System.String, or any object with a Path or FullName property.
    .OUTPUTS
        System.IO.FileInfo
    #>
    [CmdletBinding()]
    [OutputType([System.IO.FileInfo])]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('FullName')]
        [string]$Path,

        [Parameter(Mandatory = $true, Position = 1)]
        [string]$OutFile,

        [ValidateSet('windows', 'sim')]
        [string]$Platform = 'windows'
    )
    process {
        try {
            $planPath = Resolve-RdsPlanFileSystemPath -LiteralPath $Path -What 'plan path'
            $outPath = Resolve-RdsPlanFileSystemPath -LiteralPath $OutFile -What 'OutFile'
        }
        catch {
            $PSCmdlet.WriteError($_)
            return
        }
        $cliArguments = @('render', '--platform', $Platform, '--out', $outPath, '--', $planPath)
        try {
            $result = Invoke-RdsPlanCli -ArgumentList $cliArguments
        }
        catch {
            $PSCmdlet.ThrowTerminatingError($_)
        }
        if ($result.ExitCode -ne 0) {
            $PSCmdlet.WriteError((New-RdsPlanCliErrorRecord -Result $result -Command 'render' -TargetObject $planPath))
            return
        }
        if (-not [string]::IsNullOrEmpty($result.StdErr)) {
            Write-Verbose $result.StdErr
        }
        [System.IO.FileInfo]::new($outPath)
    }
}
