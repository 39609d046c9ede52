function Test-RdsPlanBatchFile {
    # A .cmd/.bat "node" (a version-manager shim) runs through cmd.exe, which re-parses arguments (&, |, %VAR%).
    param([string]$FilePath)
    $extension = [System.IO.Path]::GetExtension($FilePath)
    return ($extension -eq '.cmd' -or $extension -eq '.bat')
}
