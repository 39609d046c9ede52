<#
.SYNOPSIS
    The ps-templates files of one layer, in the order the renderer concatenates them.
.DESCRIPTION
    For Pester tests: dot-source each returned path in BeforeAll to load a layer as the
    generated script has it (ordinal file order, *.Tests.ps1 left out).
        foreach ($file in Get-RdsTemplateFile -Layer 'runtime', 'platform/sim') { . $file }
.PARAMETER Layer
    Folders under ps-templates/: runtime, platform/sim, platform/windows, actions, fleet.
#>
function Get-RdsTemplateFile {
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)] [string[]] $Layer
    )
    $root = Join-Path (Split-Path -Parent (Split-Path -Parent $PSScriptRoot)) 'ps-templates'
    foreach ($name in $Layer) {
        $files = [System.IO.Directory]::GetFiles((Join-Path $root $name), '*.ps1') | Where-Object { -not $_.EndsWith('.Tests.ps1') }
        [System.Array]::Sort($files, [System.StringComparer]::Ordinal)
        foreach ($file in $files) { $file }
    }
}
