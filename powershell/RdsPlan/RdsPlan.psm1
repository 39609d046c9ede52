#Requires -Version 5.1
# RdsPlan: runs the rdsplan CLI (dist/rdsplan.mjs) for PowerShell pipelines. One function per
# file, Public/ (exported, with help) and Private/; the rules every file keeps are in README.md.

Set-StrictMode -Version 3.0

# Package root: powershell/RdsPlan/ -> the package (dist/, examples/, schemas/ ...).
$script:PackageRoot = [System.IO.Path]::GetFullPath([System.IO.Path]::Combine($PSScriptRoot, '..', '..'))
$script:DefaultCli = [System.IO.Path]::Combine($script:PackageRoot, 'dist', 'rdsplan.mjs')

# Private/ then Public/, each in ordinal order: directory listings differ between file systems,
# the load must not.
$publicFunctions = [System.Collections.Generic.List[string]]::new()
foreach ($folder in @('Private', 'Public')) {
    # Not the pattern '*.ps1': .NET Framework's also matches longer extensions (.ps1xml, .ps1~).
    $files = @([System.IO.Directory]::GetFiles([System.IO.Path]::Combine($PSScriptRoot, $folder)) | Where-Object { [System.IO.Path]::GetExtension($_) -eq '.ps1' })
    [System.Array]::Sort($files, [System.StringComparer]::Ordinal)
    foreach ($file in $files) {
        . $file
        if ($folder -eq 'Public') {
            $publicFunctions.Add([System.IO.Path]::GetFileNameWithoutExtension($file))
        }
    }
}

# RdsPlan.psd1's FunctionsToExport is the list; the Pester tests keep it equal to Public/.
Export-ModuleMember -Function $publicFunctions.ToArray()
# The loop's variables would otherwise be module variables that a function could read by mistake.
Remove-Variable -Name 'folder', 'files', 'file', 'publicFunctions'
