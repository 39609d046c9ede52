function Invoke-RdsPlanCli {
    # Runs `node rdsplan.mjs @ArgumentList` and returns ExitCode, StdOut, StdErr; exit codes are the caller's business.
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][string[]]$ArgumentList
    )
    $node = Resolve-RdsPlanNode
    $cli = Resolve-RdsPlanCli

    $arguments = [System.Collections.Generic.List[string]]::new()
    $arguments.Add($cli)
    foreach ($argument in $ArgumentList) {
        $arguments.Add($argument)
    }
    if (Test-RdsPlanLegacyArgumentPassing) {
        for ($i = 0; $i -lt $arguments.Count; $i++) {
            $argument = $arguments[$i]
            if ($argument.Contains('"')) {
                throw (New-RdsPlanErrorRecord -Message ("cannot pass a value containing a double quote to rdsplan intact in this PowerShell (native argument passing is 'Legacy'): {0}" -f $argument) -ErrorId 'RdsPlan.UnsafeArgument' -Category InvalidArgument -TargetObject $argument)
            }
            if ($argument.Length -eq 0) {
                throw (New-RdsPlanErrorRecord -Message 'cannot pass an empty value to rdsplan in this PowerShell (native argument passing is Legacy)' -ErrorId 'RdsPlan.UnsafeArgument' -Category InvalidArgument -TargetObject $argument)
            }
            # An argument with whitespace is wrapped in quotes; backslashes before that
            # closing quote must be doubled or they escape it.
            if ($argument -match '\s' -and $argument.EndsWith('\')) {
                $trimmed = $argument.TrimEnd([char]'\')
                $count = $argument.Length - $trimmed.Length
                $arguments[$i] = $trimmed + ('\' * (2 * $count))
            }
        }
    }
    $argumentArray = $arguments.ToArray()

    # Local to this function: native stderr lines must not stop us, a non-zero exit is ours
    # to map (PowerShell 7.3+), and arguments are passed as separate strings (7.3+).
    # (Through PSVariable so that Windows PowerShell 5.1, which has neither preference
    # variable, never reads one under StrictMode; Set creates them in this function's scope.)
    $ErrorActionPreference = 'Continue'
    $variables = $ExecutionContext.SessionState.PSVariable
    $variables.Set('PSNativeCommandUseErrorActionPreference', $false)
    $passing = $variables.Get('PSNativeCommandArgumentPassing')
    if ($null -ne $passing -and ([string]$passing.Value) -ne 'Legacy') {
        $variables.Set('PSNativeCommandArgumentPassing', 'Standard')
    }

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
        $merged = & $node @argumentArray 2>&1
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
