# Static contract of the platform layer, read with PowerShell's own parser: platform/sim and
# platform/windows both define exactly the platform API of ps-templates/README.md (its
# "Platform API" table is the one list of it), with the same parameters in the same order;
# the sim's other functions are *-RdsSim* helpers; approved verbs; a one-line comment on each function (comment-based help is
# for what an administrator calls, and no platform function is).
BeforeDiscovery {
    . (Join-Path $PSScriptRoot '../../../test/support/Get-RdsTemplateFile.ps1')

    function Get-SimTestPlatformApi {
        # The rows of the README's "Platform API" table: the backticked function names of the first column, each with the parameters (and their types where given) of the second.
        param([string] $Path)
        $lines = [System.IO.File]::ReadAllLines($Path)
        $start = [System.Array]::FindIndex($lines, [System.Predicate[string]] { param($line) $line.StartsWith('## Platform API', [System.StringComparison]::Ordinal) })
        if ($start -lt 0) { throw "no '## Platform API' section ($Path)" }
        $api = [System.Collections.Generic.List[hashtable]]::new()
        $inTable = $false
        for ($i = $start + 1; $i -lt $lines.Length; $i++) {
            $line = $lines[$i]
            if ($line.StartsWith('## ', [System.StringComparison]::Ordinal)) { break }
            if (-not $line.StartsWith('|', [System.StringComparison]::Ordinal)) {
                if ($inTable) { break }
                continue
            }
            $inTable = $true
            $cells = $line.Split('|')
            $parameters = [System.Collections.Generic.List[hashtable]]::new()
            foreach ($code in [regex]::Matches($cells[2], '`([^`]*)`')) {
                foreach ($match in [regex]::Matches($code.Groups[1].Value, '(?<![\w-])-([A-Za-z]+)(?:\s+\[([A-Za-z]+(?:\[\])?)\])?')) {
                    $parameters.Add(@{ Name = $match.Groups[1].Value; Type = $match.Groups[2].Value })
                }
            }
            foreach ($name in [regex]::Matches($cells[1], '`([^`]+)`')) {
                $api.Add(@{ Name = $name.Groups[1].Value; Parameters = $parameters.ToArray() })
            }
        }
        return $api.ToArray()
    }

    function Get-SimTestFunctionTable {
        # Every function a layer defines, in file order, with its parameters, help and the comment line above it, and the parse errors of its files.
        param([string] $Layer)
        $functions = [System.Collections.Generic.List[hashtable]]::new()
        $problems = [System.Collections.Generic.List[string]]::new()
        foreach ($file in Get-RdsTemplateFile -Layer $Layer) {
            $tokens = $null
            $errors = $null
            $ast = [System.Management.Automation.Language.Parser]::ParseFile($file, [ref]$tokens, [ref]$errors)
            $lines = [System.IO.File]::ReadAllLines($file)
            foreach ($parseError in $errors) { $problems.Add($file + ':' + $parseError.Extent.StartLineNumber + ': ' + $parseError.Message) }
            foreach ($definition in $ast.FindAll({ param($node) $node -is [System.Management.Automation.Language.FunctionDefinitionAst] }, $true)) {
                $parameters = [System.Collections.Generic.List[hashtable]]::new()
                if ($null -ne $definition.Body.ParamBlock) {
                    foreach ($parameter in $definition.Body.ParamBlock.Parameters) {
                        $parameters.Add(@{ Name = $parameter.Name.VariablePath.UserPath; Type = $parameter.StaticType.FullName })
                    }
                }
                $help = $definition.GetHelpContent()
                $synopsis = ''
                if ($null -ne $help -and $null -ne $help.Synopsis) { $synopsis = $help.Synopsis.Trim() }
                $above = ''
                if ($definition.Extent.StartLineNumber -ge 2) { $above = $lines[$definition.Extent.StartLineNumber - 2] }
                $functions.Add(@{ Name = $definition.Name; Parameters = $parameters.ToArray(); Synopsis = $synopsis; Comment = $above; File = [System.IO.Path]::GetFileName($file) })
            }
        }
        return @{ Layer = $Layer; Functions = $functions.ToArray(); Problems = $problems.ToArray() }
    }

    $api = Get-SimTestPlatformApi -Path (Join-Path $PSScriptRoot '../../README.md')
    $contract = @{
        Api       = $api
        Platforms = @(
            (Get-SimTestFunctionTable -Layer 'platform/sim'),
            (Get-SimTestFunctionTable -Layer 'platform/windows'))
    }
    $apiFunctions = @(foreach ($entry in $api) { @{ Name = $entry.Name; Documented = $entry.Parameters } })
}

BeforeAll {
    . (Join-Path $PSScriptRoot '../../../test/support/pester/SimHost.ps1')
    Set-StrictMode -Version 3.0
    $ErrorActionPreference = 'Stop'

    function Get-SimTestDefinition {
        # The definitions of one function name in a parsed layer (more than one when a later file redefines it).
        param([hashtable] $Platform, [string] $Name)
        return @($Platform.Functions | Where-Object { $_.Name -ceq $Name })
    }
}

Describe 'Platform API contract' -ForEach @(@{ Contract = $contract }) {
    BeforeAll {
        $apiNames = [string[]]@($Contract.Api | ForEach-Object { $_.Name })
        $sim = $Contract.Platforms[0]
        $windows = $Contract.Platforms[1]
    }

    It 'the README table names the platform API, each function once' {
        $apiNames.Count | Should -BeGreaterThan 0
        foreach ($name in $apiNames) { $name | Should -MatchExactly '^[A-Z][a-z]+-Rds[A-Za-z]+$' }
        @($apiNames | Group-Object | Where-Object { $_.Count -gt 1 } | ForEach-Object { $_.Name }) | Should -BeNullOrEmpty
        # The rows that share one line are read as separate functions.
        $apiNames -ccontains 'Lock-RdsHost' | Should -BeTrue
        $apiNames -ccontains 'Unlock-RdsHost' | Should -BeTrue
    }

    It '<Layer> parses without errors' -ForEach @($contract.Platforms) {
        $Problems | Should -BeNullOrEmpty
        $Functions.Count | Should -BeGreaterThan 0
    }

    It 'platform/sim defines exactly the API; every other function is an *-RdsSim* helper' {
        $public = [string[]]@($sim.Functions | Where-Object { $_.Name -cnotlike '*-RdsSim*' } | ForEach-Object { $_.Name })
        [System.Array]::Sort($public, [System.StringComparer]::Ordinal)
        $expected = [string[]]$apiNames.Clone()
        [System.Array]::Sort($expected, [System.StringComparer]::Ordinal)
        ConvertTo-SimTestJson -InputObject $public | Should -BeExactly (ConvertTo-SimTestJson -InputObject $expected)
    }

    It 'platform/windows defines every API function' {
        $missing = @($apiNames | Where-Object { @(Get-SimTestDefinition -Platform $windows -Name $_).Count -eq 0 })
        ConvertTo-SimTestJson -InputObject $missing | Should -BeExactly '[]'
    }

    It 'no function is defined twice on <Layer> (a later file would silently replace it)' -ForEach @($contract.Platforms) {
        @($Functions | Group-Object -Property { $_.Name } | Where-Object { $_.Count -gt 1 } | ForEach-Object { $_.Name }) | Should -BeNullOrEmpty
    }

    It '<Name>: the same parameters, in the same order and of the same types, on both platforms and in the README' -ForEach $apiFunctions {
        $simDefinitions = @(Get-SimTestDefinition -Platform $sim -Name $Name)
        $windowsDefinitions = @(Get-SimTestDefinition -Platform $windows -Name $Name)
        $simDefinitions | Should -HaveCount 1
        $windowsDefinitions | Should -HaveCount 1
        $simParameters = @($simDefinitions[0].Parameters)
        $windowsParameters = @($windowsDefinitions[0].Parameters)
        ($simParameters | ForEach-Object { $_.Name }) -join ',' | Should -BeExactly (($windowsParameters | ForEach-Object { $_.Name }) -join ',') -Because 'platform/windows has these parameters'
        ($simParameters | ForEach-Object { $_.Type }) -join ',' | Should -BeExactly (($windowsParameters | ForEach-Object { $_.Type }) -join ',') -Because 'platform/windows has these parameter types'
        ($simParameters | ForEach-Object { $_.Name }) -join ',' | Should -BeExactly (($Documented | ForEach-Object { $_.Name }) -join ',') -Because 'ps-templates/README.md documents these parameters'
        foreach ($documented in @($Documented | Where-Object { $_.Type -ne '' })) {
            $declared = @($simParameters | Where-Object { $_.Name -ceq $documented.Name })[0].Type
            $declared | Should -BeExactly ([type]$documented.Type).FullName -Because ('the README gives -' + $documented.Name + ' [' + $documented.Type + ']')
        }
    }

    It '<Layer>: every function has an approved verb' -ForEach @($contract.Platforms) {
        $approved = [string[]]@(Get-Verb | ForEach-Object { $_.Verb })
        $unapproved = @($Functions | Where-Object { $approved -cnotcontains $_.Name.Split('-')[0] } | ForEach-Object { $_.Name })
        ConvertTo-SimTestJson -InputObject $unapproved | Should -BeExactly '[]'
    }

    It '<Layer>: every function has a one-line comment above it and no comment-based help' -ForEach @($contract.Platforms) {
        $withoutComment = @($Functions | Where-Object { $_.Comment -notmatch '^\s*# \S' } | ForEach-Object { $_.Name })
        ConvertTo-SimTestJson -InputObject $withoutComment | Should -BeExactly '[]'
        $withHelp = @($Functions | Where-Object { $_.Synopsis.Length -gt 0 } | ForEach-Object { $_.Name })
        ConvertTo-SimTestJson -InputObject $withHelp | Should -BeExactly '[]'
    }
}
