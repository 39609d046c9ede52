# rdsplan action: registry.export
# Exports a key with reg.exe (UTF-16LE .reg) and writes its SDDL beside it (<file>.sddl):
# a .reg file carries no ACL. The export always runs in apply mode (check mode reports
# wouldChange); an absent key is reported unchanged. The export is remembered in the
# context (Exports['<View>|<Path>']) for later steps and for rollback.
# Parameters: Path, View, File (optional absolute path; default <run dir>\<StepId>.reg).

Register-RdsAction -Name 'registry.export' -Test 'Test-RdsRegistryExportStep' -Set 'Set-RdsRegistryExportStep' -Undo 'Undo-RdsNothingStep'

# Returns the file a registry.export step writes (the File parameter or <run dir>\<StepId>.reg).
function Get-RdsRegistryExportFile {
    param([Parameter(Mandatory)] [hashtable] $Parameters, [Parameter(Mandatory)] [hashtable] $Context)
    $file = [string](Get-RdsParameter -Parameters $Parameters -Name 'File' -Default '')
    if ($file -ne '') { return $file }
    return (Get-RdsRunFilePath -Context $Context -Name ($Context.CurrentStepId + '.reg'))
}

# Test of registry.export: never in desired state while the key exists.
function Test-RdsRegistryExportStep {
    param([Parameter(Mandatory)] [hashtable] $Parameters, [Parameter(Mandatory)] [hashtable] $Context)
    $path = [string]$Parameters.Path
    $view = Get-RdsStepView -Parameters $Parameters
    $file = Get-RdsRegistryExportFile -Parameters $Parameters -Context $Context
    if (-not (Test-RdsRegistryKey -Path $path -View $view)) {
        return @{ InDesiredState = $true; Target = $path; Operation = 'Export'; Before = @{ Exists = $false }; After = @{ Exists = $false }; Message = 'key absent, nothing to export' }
    }
    return @{
        InDesiredState = $false; Target = $path; Operation = 'Export to ' + $file; Before = @{ Exists = $true }
        After = @{ Exists = $true; File = $file; SddlFile = $file + '.sddl' }
    }
}

# Set of registry.export: reg.exe export, SDDL file, sha256; remembers the export in the context.
function Set-RdsRegistryExportStep {
    param([Parameter(Mandatory)] [hashtable] $Parameters, [Parameter(Mandatory)] [hashtable] $Context,
        [Parameter(Mandatory)] [System.Collections.IDictionary] $Test)
    $path = [string]$Parameters.Path
    $view = Get-RdsStepView -Parameters $Parameters
    $file = Get-RdsRegistryExportFile -Parameters $Parameters -Context $Context
    $folder = [System.IO.Path]::GetDirectoryName($file)
    if (-not [string]::IsNullOrEmpty($folder)) { [void][System.IO.Directory]::CreateDirectory($folder) }
    Export-RdsRegistryKey -Path $path -View $view -File $file
    $sddlFile = $file + '.sddl'
    $sddl = Get-RdsRegistrySddl -Path $path -View $view
    Write-RdsTextFile -Path $sddlFile -Text ($sddl + "`r`n")
    $sha256 = Get-RdsFileSha256 -Path $file
    $Context.Exports[$view + '|' + $path] = @{ Path = $path; View = $view; File = $file; Sha256 = $sha256; SddlFile = $sddlFile; Sddl = $sddl; StepId = $Context.CurrentStepId }
    return @{
        After = @{ Exists = $true; File = $file; Sha256 = $sha256; SddlFile = $sddlFile; Sddl = $sddl }
        Backup = @{ File = $file; Sha256 = $sha256; SddlFile = $sddlFile }; Undo = $null; Message = ''
    }
}
