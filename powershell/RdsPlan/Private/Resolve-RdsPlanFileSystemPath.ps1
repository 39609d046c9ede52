function Resolve-RdsPlanFileSystemPath {
    # A literal (never wildcard-expanded) path, relative to the current location, as a full file-system path.
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)][string]$LiteralPath,
        [Parameter(Mandatory = $true)][string]$What
    )
    $provider = $null
    $drive = $null
    try {
        $resolved = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($LiteralPath, [ref]$provider, [ref]$drive)
    }
    catch {
        $inner = $_.Exception
        if ($null -ne $inner.InnerException) {
            $inner = $inner.InnerException
        }
        throw (New-RdsPlanErrorRecord -Message ("{0} '{1}' is not a usable file-system path: {2}" -f $What, $LiteralPath, $inner.Message) -ErrorId 'RdsPlan.BadPath' -Category InvalidArgument -TargetObject $LiteralPath)
    }
    if ($null -eq $provider -or $provider.Name -ne 'FileSystem') {
        throw (New-RdsPlanErrorRecord -Message ("{0} '{1}' is not a file-system path" -f $What, $LiteralPath) -ErrorId 'RdsPlan.BadPath' -Category InvalidArgument -TargetObject $LiteralPath)
    }
    # A trailing separator serves no purpose and would meet 5.1's quoting bug (see Invoke-RdsPlanCli).
    $root = [System.IO.Path]::GetPathRoot($resolved)
    if ($null -ne $root -and $resolved.Length -gt $root.Length) {
        $resolved = $resolved.TrimEnd([char[]]@([char]'\', [char]'/'))
    }
    return $resolved
}
