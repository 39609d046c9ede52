function Resolve-RdsPlanNode {
    # node: $env:RDSPLAN_NODE (a path, or a command name looked up on PATH), else `node` on PATH.
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $configured = [System.Environment]::GetEnvironmentVariable('RDSPLAN_NODE')
    $batchMessage = "rdsplan needs node itself, but {0} is a batch file ('{1}'); batch files pass their arguments through cmd.exe, which re-parses them. Set RDSPLAN_NODE to the path of node.exe."
    if (-not [string]::IsNullOrEmpty($configured)) {
        $looksLikePath = $configured.Contains('\') -or $configured.Contains('/') -or [System.IO.Path]::IsPathRooted($configured)
        if ($looksLikePath) {
            $full = $null
            try {
                $full = Resolve-RdsPlanFileSystemPath -LiteralPath $configured -What 'RDSPLAN_NODE'
            }
            catch {
                $full = $null
            }
            if ($null -eq $full -or -not (Test-Path -LiteralPath $full -PathType Leaf)) {
                throw (New-RdsPlanErrorRecord -NotFound -Message ("Node.js not found: RDSPLAN_NODE is set to '{0}', which is not an existing file. Set RDSPLAN_NODE to the path of node (Node.js 20.5 or later), or remove it to use node from PATH." -f $configured) -ErrorId 'RdsPlan.NodeNotFound' -Category ObjectNotFound -TargetObject $configured)
            }
            if (Test-RdsPlanBatchFile $full) {
                throw (New-RdsPlanErrorRecord -Message ($batchMessage -f 'RDSPLAN_NODE', $full) -ErrorId 'RdsPlan.NodeIsBatchFile' -Category InvalidArgument -TargetObject $full)
            }
            return $full
        }
        $named = @(Get-Command -Name $configured -CommandType Application -ErrorAction SilentlyContinue | Where-Object { -not (Test-RdsPlanBatchFile $_.Path) })
        if ($named.Count -eq 0) {
            throw (New-RdsPlanErrorRecord -NotFound -Message ("Node.js not found: RDSPLAN_NODE is set to '{0}', which is not a program on PATH. Set RDSPLAN_NODE to the path of node (Node.js 20.5 or later)." -f $configured) -ErrorId 'RdsPlan.NodeNotFound' -Category ObjectNotFound -TargetObject $configured)
        }
        return $named[0].Path
    }
    $all = @(Get-Command -Name 'node' -CommandType Application -ErrorAction SilentlyContinue)
    $found = @($all | Where-Object { -not (Test-RdsPlanBatchFile $_.Path) })
    if ($found.Count -eq 0) {
        if ($all.Count -gt 0) {
            throw (New-RdsPlanErrorRecord -Message ($batchMessage -f "'node' on PATH", $all[0].Path) -ErrorId 'RdsPlan.NodeIsBatchFile' -Category InvalidArgument -TargetObject $all[0].Path)
        }
        throw (New-RdsPlanErrorRecord -NotFound -Message "Node.js not found: there is no 'node' program on PATH. Install Node.js 20.5 or later, or set RDSPLAN_NODE to the path of node." -ErrorId 'RdsPlan.NodeNotFound' -Category ObjectNotFound -TargetObject 'node')
    }
    return $found[0].Path
}
