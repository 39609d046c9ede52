@{
    RootModule           = 'RdsPlan.psm1'
    ModuleVersion        = '0.1.0'
    GUID                 = '6b1f4c2e-8d3a-4e57-9a61-2c7e0f5b9d84'
    Author               = 'rdsplan'
    CompanyName          = 'rdsplan'
    Copyright            = '(c) rdsplan contributors. MIT License.'
    Description          = 'Pipeline wrapper for the rdsplan CLI: validate, review, render, verify, check, apply and undo RDS licensing maintenance plans from Windows PowerShell 5.1 and PowerShell 7.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    # The views of the objects the functions return (tables that fit 80 columns).
    FormatsToProcess     = @('RdsPlan.Format.ps1xml')
    FunctionsToExport    = @(
        'Test-RdsPlan'
        'Get-RdsPlanReview'
        'Export-RdsPlanScript'
        'Test-RdsPlanScript'
        'Invoke-RdsPlanCheck'
        'Invoke-RdsPlan'
        'Undo-RdsPlanRun'
        'Get-RdsPlanRun'
        'Get-RdsLicensingDiagnosis'
    )
    CmdletsToExport      = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('RDS', 'RemoteDesktop', 'Licensing', 'Registry', 'Windows')
            LicenseUri = 'https://opensource.org/licenses/MIT'
        }
    }
}
