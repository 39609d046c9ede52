# Sim.Registry.ps1: what the simulated registry shares with Windows where .NET is in the way:
# values of the kinds RegistryValueKind does not name (REG_LINK, the resource lists,
# REG_DWORD_BIG_ENDIAN) read as .NET reads them, and the Default view of a 32-bit process on
# 64-bit Windows (WOW64) is the 32-bit view.
BeforeAll {
    . (Join-Path $PSScriptRoot '../../../test/support/pester/SimHost.ps1')
    Set-StrictMode -Version 3.0
    $ErrorActionPreference = 'Stop'
    foreach ($file in Get-SimTestTemplateFile) { . $file }

    $System = 'HKLM\HARDWARE\DESCRIPTION\System'
    $SchemaFile = Join-Path $PSScriptRoot '../../../schemas/sim-state.schema.json'
    function Test-SimTestSchema {
        # The reasons a saved state file breaks schemas/sim-state.schema.json (none: nothing).
        param([string] $Path)
        $problems = $null
        $valid = Test-Json -Json ([System.IO.File]::ReadAllText($Path)) -SchemaFile $SchemaFile -ErrorVariable problems -ErrorAction SilentlyContinue
        @($problems | ForEach-Object { [string]$_ })
        if (-not $valid) { 'Test-Json: not valid' }
    }
    # One value of each kind .NET does not map, as a state file holds them: the raw bytes.
    $RawValues = @(
        @{ name = 'Configuration Data'; type = 'FullResourceDescriptor'; data = '0100000000000000' }
        @{ name = 'Resources'; type = 'ResourceList'; data = '01000000' }
        @{ name = 'Requirements'; type = 'ResourceRequirementsList'; data = '2000000000' }
        @{ name = 'SymbolicLinkValue'; type = 'Link'; data = '5c005200650067006900730074007200790000' }
        @{ name = 'BigEndian'; type = 'DWordBigEndian'; data = '0000000a' }
    )
}

Describe 'values of a kind .NET does not map' {
    BeforeAll {
        $statePath = Get-SimTestStatePath -Name 'raw.json'
        Write-SimTestState -Path $statePath -State @{
            registry = @{ $System = @{ values = @(@{ name = 'Identifier'; type = 'String'; data = 'AT/AT COMPATIBLE' }) + $RawValues } }
        }
        Initialize-RdsPlatform -Option $statePath
        $steps = [ordered]@{}
        $steps.Names = Invoke-SimTestStep { , @(Get-RdsRegistryValueName -Path $System -View 'Default') }
        $steps.Read = Invoke-SimTestStep { , @(foreach ($value in $RawValues) { Get-RdsRegistryValue -Path $System -Name $value.name -View 'Default' }) }
        $steps.Readable = Invoke-SimTestStep { Get-RdsRegistryValue -Path $System -Name 'Identifier' -View 'Default' }
        $steps.WriteUnknown = Invoke-SimTestStep { Set-RdsRegistryValue -Path $System -Name 'Resources' -Type 'Unknown' -Data $null -View 'Default' }
        $steps.WriteKind = Invoke-SimTestStep { Set-RdsRegistryValue -Path $System -Name 'Resources' -Type 'ResourceList' -Data '00' -View 'Default' }
        $steps.Delete = Invoke-SimTestStep { Remove-RdsRegistryValue -Path $System -Name 'BigEndian' -View 'Default'; , @(Get-RdsRegistryValueName -Path $System -View 'Default') }
        Complete-RdsPlatform
        $state = Read-SimTestState -Path $statePath
    }

    It 'their names are listed' {
        ConvertTo-SimTestJson -InputObject $steps.Names | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $true; Value = @('Identifier', 'Configuration Data', 'Resources', 'Requirements', 'SymbolicLinkValue', 'BigEndian') })
    }

    It 'each reads as Type Unknown without data (GetValueKind: Unknown; GetValue: nothing), a readable value as usual' {
        $unknown = @(foreach ($value in $RawValues) { @{ Name = $value.name; Type = 'Unknown'; Data = $null } })
        ConvertTo-SimTestJson -InputObject $steps.Read | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $true; Value = $unknown })
        ConvertTo-SimTestJson -InputObject $steps.Readable | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $true; Value = @{ Name = 'Identifier'; Type = 'String'; Data = 'AT/AT COMPATIBLE' } })
    }

    It 'the platform API cannot write them (as RegistryKey.SetValue cannot), but can delete them' {
        $steps.WriteUnknown.Ok | Should -BeFalse
        $steps.WriteUnknown.Error | Should -BeLikeExactly '*"Unknown" does not belong to the set*'
        $steps.WriteKind.Ok | Should -BeFalse
        $steps.WriteKind.Error | Should -BeLikeExactly '*"ResourceList" does not belong to the set*'
        ConvertTo-SimTestJson -InputObject $steps.Delete | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $true; Value = @('Identifier', 'Configuration Data', 'Resources', 'Requirements', 'SymbolicLinkValue') })
    }

    It 'the state keeps their kinds and bytes, as schemas/sim-state.schema.json describes them' {
        $saved = @((Get-SimTestStateKey -State $state -Path $System).values | Where-Object { $_.name -ne 'Identifier' })
        ConvertTo-SimTestJson -InputObject $saved | Should -BeExactly (ConvertTo-SimTestJson -InputObject @($RawValues | Where-Object { $_.name -ne 'BigEndian' }))
        Test-SimTestSchema -Path $statePath | Should -BeNullOrEmpty
    }
}

Describe 'the Default view of a 32-bit process on 64-bit Windows (WOW64)' {
    BeforeAll {
        $statePath = Get-SimTestStatePath -Name 'wow64.json'
        Write-SimTestState -Path $statePath -State @{
            host     = @{ is64BitProcess = $false }
            registry = @{
                'HKLM\SOFTWARE\Contoso'             = @{ values = @(@{ name = 'Bits'; type = 'DWord'; data = 64 }) }
                'HKLM\SOFTWARE\WOW6432Node\Contoso' = @{ values = @(@{ name = 'Bits'; type = 'DWord'; data = 32 }) }
                'HKLM\SYSTEM\Contoso'               = @{ values = @(@{ name = 'Bits'; type = 'DWord'; data = 64 }) }
            }
        }
        Initialize-RdsPlatform -Option $statePath
        $read = [ordered]@{
            Bitness = Get-RdsProcessBitness
            Default = (Get-RdsRegistryValue -Path 'HKLM\SOFTWARE\Contoso' -Name 'Bits' -View 'Default').Data
            View64  = (Get-RdsRegistryValue -Path 'HKLM\SOFTWARE\Contoso' -Name 'Bits' -View '64').Data
            View32  = (Get-RdsRegistryValue -Path 'HKLM\SOFTWARE\Contoso' -Name 'Bits' -View '32').Data
            System  = (Get-RdsRegistryValue -Path 'HKLM\SYSTEM\Contoso' -Name 'Bits' -View 'Default').Data
        }
        Set-RdsRegistryValue -Path 'HKLM\SOFTWARE\Contoso' -Name 'Written' -Type 'String' -Data 'x' -View 'Default'
        Complete-RdsPlatform
        $state = Read-SimTestState -Path $statePath
    }

    It 'Get-RdsProcessBitness reports the 32-bit process on the 64-bit OS' {
        ConvertTo-SimTestJson -InputObject $read.Bitness | Should -BeExactly '{"Is64BitOperatingSystem":true,"Is64BitProcess":false}'
    }

    It 'Default reads and writes the WOW6432Node copy of HKLM\SOFTWARE; 64 and 32 are explicit; HKLM\SYSTEM is not redirected' {
        $read.Default | Should -Be 32
        $read.View64 | Should -Be 64
        $read.View32 | Should -Be 32
        $read.System | Should -Be 64
        Get-SimTestStateValue -State $state -Path 'HKLM\SOFTWARE\WOW6432Node\Contoso' -Name 'Written' | Should -Not -BeNullOrEmpty
        Get-SimTestStateValue -State $state -Path 'HKLM\SOFTWARE\Contoso' -Name 'Written' | Should -Be $null
    }

    It 'the state keeps the process bitness (schemas/sim-state.schema.json); a 64-bit host does not spell it out' {
        $state.host.is64BitProcess | Should -BeExactly $false
        $state.host.Contains('is64BitOperatingSystem') | Should -BeFalse
        Test-SimTestSchema -Path $statePath | Should -BeNullOrEmpty
    }

    It 'on a 32-bit OS there is one view: 64, 32 and Default are the same keys' {
        $path = Get-SimTestStatePath -Name 'x86.json'
        Write-SimTestState -Path $path -State @{
            host     = @{ is64BitProcess = $false; is64BitOperatingSystem = $false }
            registry = @{ 'HKLM\SOFTWARE\Contoso' = @{ values = @(@{ name = 'Bits'; type = 'DWord'; data = 32 }) } }
        }
        Initialize-RdsPlatform -Option $path
        $views = @(foreach ($view in @('Default', '64', '32')) { (Get-RdsRegistryValue -Path 'HKLM\SOFTWARE\Contoso' -Name 'Bits' -View $view).Data })
        Complete-RdsPlatform
        ConvertTo-SimTestJson -InputObject $views | Should -BeExactly '[32,32,32]'
    }
}
