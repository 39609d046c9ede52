function Resolve-RdsPlanCli {
    # rdsplan.mjs: $env:RDSPLAN_CLI, else dist/rdsplan.mjs of the package this module is in.
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $configured = [System.Environment]::GetEnvironmentVariable('RDSPLAN_CLI')
    if (-not [string]::IsNullOrEmpty($configured)) {
        $full = $null
        try {
            $full = Resolve-RdsPlanFileSystemPath -LiteralPath $configured -What 'RDSPLAN_CLI'
        }
        catch {
            $full = $null
        }
        if ($null -eq $full -or -not (Test-Path -LiteralPath $full -PathType Leaf)) {
            throw (New-RdsPlanErrorRecord -NotFound -Message ("rdsplan CLI not found: RDSPLAN_CLI is set to '{0}', which is not an existing file. Set it to the path of rdsplan.mjs, or remove it to use '{1}'." -f $configured, $script:DefaultCli) -ErrorId 'RdsPlan.CliNotFound' -Category ObjectNotFound -TargetObject $configured)
        }
        return $full
    }
    if (-not (Test-Path -LiteralPath $script:DefaultCli -PathType Leaf)) {
        throw (New-RdsPlanErrorRecord -NotFound -Message ("rdsplan CLI not found: '{0}' does not exist. Build it with 'npm run build' in '{1}', or set RDSPLAN_CLI to the path of rdsplan.mjs." -f $script:DefaultCli, $script:PackageRoot) -ErrorId 'RdsPlan.CliNotFound' -Category ObjectNotFound -TargetObject $script:DefaultCli)
    }
    return $script:DefaultCli
}
