function Invoke-RdsPlanCli {
    # Runs `node rdsplan.mjs --args-stdin` with ArgumentList as JSON on its stdin and returns ExitCode, StdOut, StdErr; exit codes are the caller's business.
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][string[]]$ArgumentList
    )
    $node = Resolve-RdsPlanNode
    $cli = Resolve-RdsPlanCli
    # The values go on stdin, not on node's command line: pwsh on Linux and macOS expands
    # wildcards in native arguments, and Windows PowerShell 5.1 cannot pass a double quote.
    # Only the CLI's own path is still an argument, and it must survive both.
    if (Test-RdsPlanLegacyArgumentPassing) {
        if ($cli.Contains('"')) {
            throw (New-RdsPlanErrorRecord -Message ("cannot start rdsplan from a path containing a double quote in this PowerShell (native argument passing is 'Legacy'): {0}. Move the package, or set RDSPLAN_CLI to a copy of rdsplan.mjs elsewhere." -f $cli) -ErrorId 'RdsPlan.UnsafeArgument' -Category InvalidArgument -TargetObject $cli)
        }
    }
    if ([System.IO.Path]::DirectorySeparatorChar -eq '/' -and $cli.IndexOfAny([char[]]@([char]'*', [char]'?', [char]'[')) -ge 0) {
        throw (New-RdsPlanErrorRecord -Message ("cannot start rdsplan from a path containing *, ? or [ on this platform, where PowerShell expands wildcards in a program's arguments: {0}. Move the package, or set RDSPLAN_CLI to a copy of rdsplan.mjs elsewhere." -f $cli) -ErrorId 'RdsPlan.UnsafeArgument' -Category InvalidArgument -TargetObject $cli)
    }
    $request = ConvertTo-RdsPlanArgumentJson -ArgumentList $ArgumentList

    # Local to this function: native stderr lines must not stop us, a non-zero exit is ours
    # to map (PowerShell 7.3+).
    # (Through PSVariable so that Windows PowerShell 5.1, which has no such preference
    # variable, never reads one under StrictMode; Set creates it in this function's scope.)
    $ErrorActionPreference = 'Continue'
    $ExecutionContext.SessionState.PSVariable.Set('PSNativeCommandUseErrorActionPreference', $false)

    # node writes UTF-8; Windows PowerShell decodes native output with the console's encoding.
    $savedEncoding = $null
    try {
        $savedEncoding = [System.Console]::OutputEncoding
        [System.Console]::OutputEncoding = [System.Text.UTF8Encoding]::new($false)
    }
    catch {
        $savedEncoding = $null
    }
    $exitCode = -1
    try {
        $merged = $request | & $node $cli '--args-stdin' 2>&1
        $exitCode = $LASTEXITCODE
    }
    finally {
        if ($null -ne $savedEncoding) {
            try {
                [System.Console]::OutputEncoding = $savedEncoding
            }
            catch {
                Write-Verbose 'could not restore the console output encoding'
            }
        }
    }

    $stdout = [System.Collections.Generic.List[string]]::new()
    $stderr = [System.Collections.Generic.List[string]]::new()
    foreach ($item in @($merged)) {
        if ($null -eq $item) {
            continue
        }
        if ($item -is [System.Management.Automation.ErrorRecord]) {
            $stderr.Add($item.Exception.Message)
        }
        else {
            $stdout.Add([string]$item)
        }
    }
    [pscustomobject]@{
        ExitCode = [int]$exitCode
        StdOut   = ($stdout.ToArray() -join [System.Environment]::NewLine)
        StdErr   = ($stderr.ToArray() -join [System.Environment]::NewLine).Trim()
    }
}
