# The RdsPlan module as a whole: manifest, source rules over every file, the layout (one
# function per file, a loader that exports the manifest's list), exported commands and their
# help, the argument array each command hands to node, exit codes as ErrorRecords, and how node
# and the CLI are found. Static.Tests.ps1 and Run.Tests.ps1 run the commands against the real CLI.
BeforeDiscovery {
    . (Join-Path $PSScriptRoot '../../test/support/pester/RdsPlanModule.ps1')
    $commandCases = foreach ($name in Get-RdsPlanExportedCommandName) {
        @{ Name = $name; SupportsShouldProcess = ($name -eq 'Invoke-RdsPlan' -or $name -eq 'Undo-RdsPlanRun') }
    }
    $publicFileCases = foreach ($file in Get-RdsPlanModuleFolderFile -Folder Public) {
        @{ File = $file; Name = [System.IO.Path]::GetFileName($file) }
    }
    $privateFileCases = foreach ($file in Get-RdsPlanModuleFolderFile -Folder Private) {
        @{ File = $file; Name = [System.IO.Path]::GetFileName($file) }
    }
}

BeforeAll {
    . (Join-Path $PSScriptRoot '../../test/support/pester/RdsPlanModule.ps1')
    $script:savedEnvironment = Initialize-RdsPlanModuleTest
}

AfterAll {
    Clear-RdsPlanModuleTest -SavedEnvironment $script:savedEnvironment
}

Describe 'RdsPlan module source (static), over the loader and every file of Public/ and Private/' {
    BeforeAll {
        $sources = foreach ($path in Get-RdsPlanModuleSourceFile) {
            $fileTokens = $null
            $fileErrors = $null
            $fileAst = [System.Management.Automation.Language.Parser]::ParseFile($path, [ref]$fileTokens, [ref]$fileErrors)
            [pscustomobject]@{ Path = $path; Text = [System.IO.File]::ReadAllText($path); Ast = $fileAst; Tokens = @($fileTokens); ParseErrors = @($fileErrors) }
        }
        # The code without comments: the rules below are about what runs, not what is explained.
        $code = (@($sources | ForEach-Object { $_.Text }) -join "`n" -replace '(?s)<#.*?#>', '' -split '\r?\n' | Where-Object { $_ -notmatch '^\s*#' }) -join "`n"
        $noStrings = ($code -replace "'[^'\n]*'", "''") -replace '"[^"\n]*"', '""'
        $commands = @($sources | ForEach-Object {
                $file = $_.Path
                $_.Ast.FindAll({ param($node) $node -is [System.Management.Automation.Language.CommandAst] }, $true) | ForEach-Object { [pscustomobject]@{ Path = $file; Command = $_ } }
            })
    }

    It 'scans the loader, the exported functions and the private ones' {
        $sources[0].Path | Should -BeExactly $RdsPlanModuleSourcePath
        $sources.Count | Should -BeGreaterThan (1 + @(Get-RdsPlanExportedCommandName).Count)
    }

    It 'parses without errors' {
        @($sources | ForEach-Object { $file = $_.Path; $_.ParseErrors | ForEach-Object { '{0}:{1} {2}' -f $file, $_.Extent.StartLineNumber, $_.Message } }) | Should -BeNullOrEmpty
    }

    It 'is ASCII, or UTF-8 with a byte order mark (Windows PowerShell 5.1 reads any other file as ANSI)' {
        @($sources | Where-Object {
                $bytes = [System.IO.File]::ReadAllBytes($_.Path)
                $bom = $bytes.Length -ge 3 -and $bytes[0] -eq 0xef -and $bytes[1] -eq 0xbb -and $bytes[2] -eq 0xbf
                -not $bom -and [System.Text.Encoding]::UTF8.GetString($bytes) -match '[^\x00-\x7f]'
            } | ForEach-Object { $_.Path }) | Should -BeNullOrEmpty
    }

    It 'never composes a command line: no Invoke-Expression, Start-Process, script blocks from text, cmd /c' {
        $code | Should -Not -Match 'Invoke-Expression|\biex\b|Start-Process|\[scriptblock\]::Create|NewScriptBlock|cmd(\.exe)?\s+/c|Invoke-Command'
        $names = @($commands | ForEach-Object { $_.Command.GetCommandName() } | Where-Object { $null -ne $_ })
        $names | Should -Not -Contain 'Invoke-Expression'
        $names | Should -Not -Contain 'Start-Process'
        $names | Should -Not -Contain 'Invoke-Command'
    }

    It 'only the loader dot-sources, once: the files it lists in Private/ and Public/' {
        $dotted = @($commands | Where-Object { $_.Command.InvocationOperator -eq [System.Management.Automation.Language.TokenKind]::Dot })
        @($dotted | ForEach-Object { '{0}: {1}' -f $_.Path, $_.Command.Extent.Text }) | Should -BeExactly @("${RdsPlanModuleSourcePath}: . `$file")
    }

    # Aliases are the next test's: by the parsed command names, so a foreach statement is not mistaken for one.
    It 'Windows PowerShell 5.1 syntax only: no ?:, ??, &&, ||, ?.' {
        $noStrings | Should -Not -MatchExactly '\?\?|&&|\|\||\?\.|\$\w+\s*\?\s*[^\s]+\s*:'
        $sevenOnly = @('QuestionQuestion', 'QuestionQuestionEquals', 'AndAnd', 'OrOr', 'QuestionDot', 'QuestionLBracket', 'QuestionMark')
        @($sources | ForEach-Object {
                $file = $_.Path
                $_.Tokens | Where-Object { $sevenOnly -contains [string]$_.Kind } | ForEach-Object { '{0} at {1}:{2}' -f $_.Kind, $file, $_.Extent.StartLineNumber }
            }) | Should -BeNullOrEmpty
    }

    It 'calls every command by its Verb-Noun name, never by an alias' {
        $names = @($commands | ForEach-Object { $_.Command } | Where-Object { $_.InvocationOperator -ne [System.Management.Automation.Language.TokenKind]::Ampersand -and $_.InvocationOperator -ne [System.Management.Automation.Language.TokenKind]::Dot } | ForEach-Object { $_.GetCommandName() } | Sort-Object -Unique)
        $names.Count | Should -BeGreaterThan 5
        @($names | Where-Object { $_ -notmatch '^[A-Z][a-z]+-[A-Za-z]+$' }) | Should -BeNullOrEmpty
        @($names | Where-Object { $null -ne (Get-Alias -Name $_ -ErrorAction SilentlyContinue) }) | Should -BeNullOrEmpty
    }

    It 'names every function it defines with an approved verb, and defines each name once' {
        $defined = @($sources | ForEach-Object { $_.Ast.FindAll({ param($node) $node -is [System.Management.Automation.Language.FunctionDefinitionAst] }, $true) } | ForEach-Object { $_.Name })
        $defined.Count | Should -BeGreaterThan 8
        # Every noun starts with Rds: most with RdsPlan, Get-RdsLicensingDiagnosis as its issue named it.
        @($defined | Where-Object { $_ -notmatch '^(\w+)-Rds\w+$' -or $null -eq (Get-Verb -Verb $Matches[1]) }) | Should -BeNullOrEmpty
        @($defined | Group-Object | Where-Object { $_.Count -gt 1 } | ForEach-Object { $_.Name }) | Should -BeNullOrEmpty
    }

    It 'the manifest exports exactly the public functions, no aliases, same version as package.json' {
        $manifest = Get-Content -LiteralPath $RdsPlanManifestPath -Raw
        $manifest | Should -Match ([regex]::Escape("ModuleVersion        = '$RdsPlanPackageVersion'"))
        $manifest | Should -Match 'AliasesToExport\s*=\s*@\(\)'
        $manifest | Should -Match "CompatiblePSEditions\s*=\s*@\('Desktop', 'Core'\)"
        foreach ($name in Get-RdsPlanExportedCommandName) {
            $manifest | Should -Match ([regex]::Escape("'$name'"))
        }
        $data = Import-PowerShellDataFile -LiteralPath $RdsPlanManifestPath
        @($data.FunctionsToExport | Sort-Object) | Should -BeExactly @(Get-RdsPlanExportedCommandName)
        @($data.CmdletsToExport) | Should -BeNullOrEmpty
        @($data.AliasesToExport) | Should -BeNullOrEmpty
        @($data.VariablesToExport) | Should -BeNullOrEmpty
    }
}

Describe 'RdsPlan module layout: one function per file, a loader that exports the manifest''s list' {
    BeforeAll {
        function Get-RdsPlanFileFunction {
            # Asserts that the file parses and holds one function named like it and nothing else (which would run or leak at import); returns it.
            param([string]$Path)
            $fileTokens = $null
            $fileErrors = $null
            $fileAst = [System.Management.Automation.Language.Parser]::ParseFile($Path, [ref]$fileTokens, [ref]$fileErrors)
            @($fileErrors) | Should -BeNullOrEmpty
            $topLevel = @(@($fileAst.ParamBlock, $fileAst.BeginBlock, $fileAst.ProcessBlock, $fileAst.DynamicParamBlock) | Where-Object { $null -ne $_ }) + @($fileAst.EndBlock.Statements)
            $functions = @($fileAst.FindAll({ param($node) $node -is [System.Management.Automation.Language.FunctionDefinitionAst] }, $true))
            $topLevel.Count | Should -Be 1
            $functions.Count | Should -Be 1
            $topLevel[0] | Should -Be $functions[0]
            $functions[0].Name | Should -BeExactly ([System.IO.Path]::GetFileNameWithoutExtension($Path))
            $functions[0]
        }
        $manifestNames = [string[]]@((Import-PowerShellDataFile -LiteralPath $RdsPlanManifestPath).FunctionsToExport)
        [System.Array]::Sort($manifestNames, [System.StringComparer]::Ordinal)
    }

    It 'Public/ holds one Name.ps1 per function in the manifest''s FunctionsToExport, and nothing else' {
        $expected = @($manifestNames | ForEach-Object { [System.IO.Path]::Combine($RdsPlanModuleRoot, 'Public', "$_.ps1") })
        @(Get-RdsPlanModuleFolderFile -Folder Public) | Should -BeExactly $expected
    }

    It 'Private/ holds only .ps1 files (no folders), none of them named like a public function' {
        $private = @(Get-RdsPlanModuleFolderFile -Folder Private)
        $private.Count | Should -BeGreaterThan 0
        @($private | Where-Object { [System.IO.Path]::GetDirectoryName($_) -cne [System.IO.Path]::Combine($RdsPlanModuleRoot, 'Private') -or [System.IO.Path]::GetExtension($_) -cne '.ps1' }) | Should -BeNullOrEmpty
        @($private | Where-Object { $manifestNames -contains [System.IO.Path]::GetFileNameWithoutExtension($_) }) | Should -BeNullOrEmpty
    }

    It 'Public/<Name>: exactly one function, named like the file, with .SYNOPSIS, .DESCRIPTION and an .EXAMPLE' -ForEach $publicFileCases {
        $definition = Get-RdsPlanFileFunction -Path $File
        $help = $definition.GetHelpContent()
        $help | Should -Not -BeNullOrEmpty
        ([string]$help.Synopsis).Trim() | Should -Not -BeNullOrEmpty
        ([string]$help.Description).Trim() | Should -Not -BeNullOrEmpty
        @($help.Examples | Where-Object { -not [string]::IsNullOrWhiteSpace($_) }).Count | Should -BeGreaterOrEqual 1
    }

    It 'Private/<Name>: exactly one function, named like the file, with a one-line comment and no comment-based help' -ForEach $privateFileCases {
        $definition = Get-RdsPlanFileFunction -Path $File
        $definition.GetHelpContent() | Should -BeNullOrEmpty
        $definition.Body.Extent.Text | Should -MatchExactly '^\{[ \t]*\r?\n[ \t]*# \S[^\r\n]*\r?\n(?![ \t]*#)'
    }

    It 'the loader imported on its own (without the manifest) exports exactly the manifest''s FunctionsToExport' {
        $shell = [powershell]::Create()
        try {
            $modules = @($shell.AddCommand('Import-Module').AddParameter('Name', $RdsPlanModuleSourcePath).AddParameter('PassThru', $true).AddParameter('ErrorAction', 'Stop').Invoke())
            @($shell.Streams.Error) | Should -BeNullOrEmpty
        }
        finally {
            $shell.Dispose()
        }
        $modules.Count | Should -Be 1
        $exported = [string[]]@($modules[0].ExportedFunctions.Keys)
        [System.Array]::Sort($exported, [System.StringComparer]::Ordinal)
        $exported | Should -BeExactly $manifestNames
        $modules[0].ExportedCmdlets.Count | Should -Be 0
        $modules[0].ExportedAliases.Count | Should -Be 0
        $modules[0].ExportedVariables.Count | Should -Be 0
    }
}

Describe 'RdsPlan module imported by path' {
    It 'exports exactly the public functions, no cmdlets and no aliases, at the version of package.json' {
        $manifest = Test-ModuleManifest -Path $RdsPlanManifestPath -ErrorAction Stop
        $module = Get-Module -Name RdsPlan
        $manifest.Version.ToString() | Should -BeExactly $RdsPlanPackageVersion
        $module.Version.ToString() | Should -BeExactly $RdsPlanPackageVersion
        $module.Path | Should -BeExactly $RdsPlanModuleSourcePath
        @($module.ExportedFunctions.Keys | Sort-Object) | Should -BeExactly @(Get-RdsPlanExportedCommandName)
        $module.ExportedAliases.Count | Should -Be 0
        $module.ExportedCmdlets.Count | Should -Be 0
    }

    It 'Invoke-RdsPlan takes Path, ApprovalToken, Target, Simulate and ExpectState' {
        $parameters = @((Get-Command -Name Invoke-RdsPlan).Parameters.Keys)
        foreach ($name in @('Path', 'ApprovalToken', 'Target', 'Simulate', 'ExpectState')) {
            $parameters | Should -Contain $name
        }
    }

    Context '<Name>' -ForEach $commandCases {
        BeforeAll {
            $command = Get-Command -Name $Name -Module RdsPlan
            $help = Get-Help -Name $Name -Full
            $ownParameters = @($command.Parameters.Keys | Where-Object {
                    -not [System.Management.Automation.Cmdlet]::CommonParameters.Contains($_) -and -not [System.Management.Automation.Cmdlet]::OptionalCommonParameters.Contains($_)
                })
        }

        It 'is an advanced function' {
            $command.CommandType | Should -Be 'Function'
            $command.CmdletBinding | Should -BeTrue
        }

        It 'supports ShouldProcess: <SupportsShouldProcess>' {
            $command.Parameters.ContainsKey('WhatIf') | Should -Be $SupportsShouldProcess
            $command.Parameters.ContainsKey('Confirm') | Should -Be $SupportsShouldProcess
        }

        It 'has help with a real synopsis, not the generated syntax line' {
            $synopsis = [string]$help.Synopsis
            $synopsis.Length | Should -BeGreaterThan 20
            $synopsis | Should -Not -Match ([regex]::Escape($Name))
        }

        It 'has help with a description' {
            (@($help.description | ForEach-Object { $_.Text }) -join '').Trim().Length | Should -BeGreaterThan 40
        }

        It 'has help for each of its parameters' {
            $ownParameters.Count | Should -BeGreaterThan 0
            $documented = @{}
            foreach ($parameter in @($help.parameters.parameter)) {
                $documented[$parameter.name] = (@($parameter.description | ForEach-Object { $_.Text }) -join '').Trim()
            }
            foreach ($parameter in $ownParameters) {
                $documented.ContainsKey($parameter) | Should -BeTrue -Because "Get-Help $Name should list -$parameter"
                $documented[$parameter].Length | Should -BeGreaterThan 5 -Because "-$parameter of $Name needs a description"
            }
        }

        It 'has help with examples, each with code and an explanation' {
            $examples = @($help.examples.example)
            $examples.Count | Should -BeGreaterOrEqual 1
            foreach ($example in $examples) {
                ([string]$example.code).Trim() | Should -Match ([regex]::Escape($Name))
                (@($example.remarks | ForEach-Object { $_.Text }) -join '').Trim().Length | Should -BeGreaterThan 10
            }
        }
    }
}

Describe 'RdsPlan.Format.ps1xml: a default view for every object type the module emits' {
    BeforeAll {
        [xml]$formats = [System.IO.File]::ReadAllText((Join-Path $RdsPlanModuleRoot 'RdsPlan.Format.ps1xml'))
        $script:views = @($formats.Configuration.ViewDefinitions.View)
        $script:emitted = @(foreach ($path in Get-RdsPlanModuleSourceFile) {
                $text = [System.IO.File]::ReadAllText($path)
                foreach ($match in [regex]::Matches($text, "PSTypeName\s*=\s*'([^']+)'|TypeNames\.Insert\(0,\s*'([^']+)'\)")) {
                    if ($match.Groups[1].Success) { $match.Groups[1].Value } else { $match.Groups[2].Value }
                }
            }) | Sort-Object -Unique
    }

    It 'the views are exactly the emitted types, one each' {
        $emitted.Count | Should -BeGreaterThan 0
        @($views | ForEach-Object { $_.ViewSelectedBy.TypeName } | Sort-Object) | Should -BeExactly $emitted
        @($views | ForEach-Object { $_.Name }) | Should -BeExactly @($views | ForEach-Object { $_.ViewSelectedBy.TypeName })
    }

    It 'the loaded module formats each type with its own labels, in order' {
        foreach ($view in $views) {
            $type = $view.ViewSelectedBy.TypeName
            $sample = [pscustomobject]@{
                PSTypeName = $type; Path = 'p'; Valid = $true; Steps = 1; Diagnostics = @(); Line = 1; Column = 2; Severity = 'error'; Pointer = '/steps'; Message = 'm'
                Ok = $true; Findings = @(); Code = 'c'; Host = 'h'; StepId = 's'; Action = 'a'; Status = 'succeeded'; Change = 'x'; ExitCode = 0; Counts = $null; Error = $null
                StartedAt = [datetime]::UtcNow; Mode = 'apply'; Restored = 0; ApprovalToken = 't'; Review = 'r'
                plan = [pscustomobject]@{ name = 'n'; file = 'f' }; targets = @()
            }
            $text = $sample | Out-String -Width 200
            if ($null -ne $view.TableControl) {
                $labels = @($view.TableControl.TableHeaders.TableColumnHeader | ForEach-Object { $_.Label })
                $header = @($text -split '\r?\n' | Where-Object { $_.Trim().Length -gt 0 -and $_ -notmatch '^\s*Host: ' })[0]
                @($header.Trim() -split '\s+') | Should -BeExactly $labels -Because $type
            }
            else {
                $labels = @($view.ListControl.ListEntries.ListEntry.ListItems.ListItem | ForEach-Object { $_.Label })
                $shown = @($text -split '\r?\n' | Where-Object { $_ -match '^(\w+)\s*: ' } | ForEach-Object { $_ -replace '^(\w+)\s*: .*$', '$1' })
                $shown | Should -BeExactly $labels -Because $type
            }
        }
    }
}

Describe 'the argument array each command hands to node' {
    BeforeAll {
        Push-Location -LiteralPath $TestDrive
        # Node is started in one place: with that one mocked, a command that starts node another
        # way (RDSPLAN_NODE or `node` on PATH) runs this one, which leaves its arguments behind.
        $environmentBefore = Save-RdsPlanEnvironment
        $pathBefore = $env:PATH
        $fakeBin = Join-Path $TestDrive 'fake-bin'
        $null = New-Item -ItemType Directory -Path $fakeBin
        $nodeStarted = Join-Path $TestDrive 'node-started.txt'
        $fakeNode = Join-Path $fakeBin 'node'
        [System.IO.File]::WriteAllText($fakeNode, "#!/bin/sh`nprintf '%s\n' `"`$*`" >> '$nodeStarted'`n")
        [System.IO.File]::SetUnixFileMode($fakeNode, [System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute')
        $env:PATH = $fakeBin + [System.IO.Path]::PathSeparator + $env:PATH
        $env:RDSPLAN_NODE = $fakeNode
        # A CLI that answers every command successfully, so only the arguments are under test.
        Mock -ModuleName RdsPlan Invoke-RdsPlanCli {
            $plans = @($ArgumentList | Select-Object -Skip ([array]::IndexOf($ArgumentList, '--') + 1))
            $stdout = switch ($ArgumentList[0]) {
                'validate' { ConvertTo-Json -Compress -InputObject @($plans | ForEach-Object { [pscustomobject]@{ file = $_; valid = $true; steps = 1; diagnostics = @() } }) }
                'verify' { '{"ok":true,"findings":[]}' }
                'check' { '{"hosts":[]}' }
                'diagnose' { '{"hosts":[]}' }
                'apply' { '{"hosts":[]}' }
                'runs' { '[]' }
                default { 'the CLI''s text' }
            }
            [pscustomobject]@{ ExitCode = 0; StdOut = $stdout; StdErr = '' }
        }
    }
    AfterEach {
        # Read and removed, so that a stray start fails the test that made it and no later one.
        $started = $null
        if (Test-Path -LiteralPath $nodeStarted) {
            $started = Get-Content -LiteralPath $nodeStarted -Raw
            Remove-Item -LiteralPath $nodeStarted
        }
        $started | Should -BeNullOrEmpty -Because 'node is started only by Invoke-RdsPlanCli'
    }
    AfterAll {
        $env:PATH = $pathBefore
        Restore-RdsPlanEnvironment -SavedEnvironment $environmentBefore
        Pop-Location
    }

    It '<Name>: options first, then --, then the files, as full paths' -ForEach @(
        @{ Name = 'Test-RdsPlan'; Parameters = @{ Path = @('plan.json', '--help.json') }
            Expected = @('validate', '--format', 'json', '--', '{T}/plan.json', '{T}/--help.json') }
        @{ Name = 'Get-RdsPlanReview'; Parameters = @{ Path = 'plan.json'; Format = 'markdown'; OutFile = 'review.md' }
            Expected = @('review', '--format', 'markdown', '--out', '{T}/review.md', '--', '{T}/plan.json') }
        @{ Name = 'Get-RdsPlanReview'; Parameters = @{ Path = '-x.json' }
            Expected = @('review', '--format', 'text', '--', '{T}/-x.json') }
        @{ Name = 'Export-RdsPlanScript'; Parameters = @{ Path = 'plan.json'; OutFile = 'out.ps1'; Platform = 'sim' }
            Expected = @('render', '--platform', 'sim', '--out', '{T}/out.ps1', '--', '{T}/plan.json') }
        @{ Name = 'Test-RdsPlanScript'; Parameters = @{ Path = 'out.ps1' }
            Expected = @('verify', '--format', 'json', '--', '{T}/out.ps1') }
        @{ Name = 'Invoke-RdsPlanCheck'; Parameters = @{ Path = 'plan.json'; Target = @('rdsh01', 'rdsh 02'); Simulate = 'state.json'; Records = 'records'; TimeoutSeconds = 30; ThrottleLimit = 2 }
            Expected = @('check', '--format', 'json', '--target', 'rdsh01', '--target', 'rdsh 02', '--simulate', '{T}/state.json', '--records', '{T}/records', '--timeout', '30', '--throttle', '2', '--', '{T}/plan.json') }
        @{ Name = 'Invoke-RdsPlan'; Parameters = @{ Path = 'plan.json'; ApprovalToken = 'sha256:' + ('ab' * 32); Target = 'rdsh01'; Simulate = 'state.json'; ExpectState = 'expected.json'; Records = 'records'; TimeoutSeconds = 30; ThrottleLimit = 2; Confirm = $false }
            Expected = @('apply', '--format', 'json', '--approve', ('sha256:' + ('ab' * 32)), '--target', 'rdsh01', '--simulate', '{T}/state.json', '--records', '{T}/records', '--timeout', '30', '--throttle', '2', '--expect-state', '{T}/expected.json', '--', '{T}/plan.json') }
        @{ Name = 'Invoke-RdsPlan'; Parameters = @{ Path = 'plan.json'; ApprovalToken = 'sha256:' + ('ab' * 32); Target = 'rdsh01'; Simulate = 'state.json'; ExpectState = 'expected.json'; WhatIf = $true }
            Expected = @('check', '--format', 'json', '--target', 'rdsh01', '--simulate', '{T}/state.json', '--', '{T}/plan.json') }
        @{ Name = 'Undo-RdsPlanRun'; Parameters = @{ Path = 'runs/run1'; Approve = 'sha256:' + ('cd' * 32); Simulate = 'state.json'; TimeoutSeconds = 60; Confirm = $false }
            Expected = @('undo', '--approve', ('sha256:' + ('cd' * 32)), '--timeout', '60', '--simulate', '{T}/state.json', '--', '{T}/runs/run1') }
        @{ Name = 'Undo-RdsPlanRun'; Parameters = @{ Path = 'runs/run1'; Confirm = $false }
            Expected = @('undo', '--', '{T}/runs/run1') }
        @{ Name = 'Undo-RdsPlanRun'; Parameters = @{ Path = 'runs/run1'; Approve = 'sha256:' + ('cd' * 32); Simulate = 'state.json'; WhatIf = $true }
            Expected = @('undo', '--dry-run', '--simulate', '{T}/state.json', '--', '{T}/runs/run1') }
        @{ Name = 'Get-RdsLicensingDiagnosis'; Parameters = @{ Path = 'plan.json'; Target = @('rdsh01', 'rdls01'); Simulate = 'hosts'; TimeoutSeconds = 30; ThrottleLimit = 2 }
            Expected = @('diagnose', '--format', 'json', '--target', 'rdsh01', '--target', 'rdls01', '--simulate', '{T}/hosts', '--timeout', '30', '--throttle', '2', '--', '{T}/plan.json') }
        @{ Name = 'Get-RdsPlanRun'; Parameters = @{}
            Expected = @('runs', '--format', 'json', '--records', '{T}/.rdsplan') }
        @{ Name = 'Get-RdsPlanRun'; Parameters = @{ Records = 'records' }
            Expected = @('runs', '--format', 'json', '--records', '{T}/records') }
    ) {
        $expected = @($Expected | ForEach-Object { $_.Replace('{T}', $TestDrive) })
        $null = & $Name @Parameters -ErrorAction Stop
        Should -Invoke Invoke-RdsPlanCli -ModuleName RdsPlan -Times 1 -Exactly
        Should -Invoke Invoke-RdsPlanCli -ModuleName RdsPlan -Times 1 -Exactly -ParameterFilter {
            ($ArgumentList -join [char]0) -ceq ($expected -join [char]0)
        }
    }

    It 'Test-RdsPlan hands a long pipeline to node in batches of 25, in order' {
        $plans = @(1..60 | ForEach-Object { 'plan{0:d2}.json' -f $_ })
        $results = @($plans | Test-RdsPlan -ErrorAction Stop)
        @($results | ForEach-Object { $_.Path }) | Should -BeExactly @($plans | ForEach-Object { Join-Path $TestDrive $_ })
        Should -Invoke Invoke-RdsPlanCli -ModuleName RdsPlan -Times 3 -Exactly
        Should -Invoke Invoke-RdsPlanCli -ModuleName RdsPlan -Times 2 -Exactly -ParameterFilter { $ArgumentList.Count -eq 4 + 25 }
        Should -Invoke Invoke-RdsPlanCli -ModuleName RdsPlan -Times 1 -Exactly -ParameterFilter { $ArgumentList.Count -eq 4 + 10 -and $ArgumentList[-1] -ceq (Join-Path $TestDrive 'plan60.json') }
    }

    It '<Name> -WhatIf never starts the operation it would perform' -ForEach @(
        @{ Name = 'Invoke-RdsPlan'; Parameters = @{ Path = 'plan.json'; ApprovalToken = 'sha256:' + ('0' * 64) }; Operation = 'apply' }
        @{ Name = 'Undo-RdsPlanRun'; Parameters = @{ Path = 'runs/run1' }; Operation = 'undo' }
    ) {
        $null = & $Name @Parameters -WhatIf -ErrorAction Stop
        Should -Invoke Invoke-RdsPlanCli -ModuleName RdsPlan -Times 0 -Exactly -ParameterFilter {
            $ArgumentList[0] -ceq $Operation -and $ArgumentList -notcontains '--dry-run'
        }
        Should -Invoke Invoke-RdsPlanCli -ModuleName RdsPlan -Times 1 -Exactly
    }
}

Describe 'a CLI exit code becomes an ErrorRecord' {
    BeforeAll {
        Push-Location -LiteralPath $TestDrive
        $refusal = 'rdsplan: refused: the test''s CLI says no'
        Mock -ModuleName RdsPlan Invoke-RdsPlanCli {
            [pscustomobject]@{ ExitCode = 4; StdOut = ''; StdErr = $refusal }
        }
    }
    AfterAll {
        Pop-Location
    }

    It '<Name>: a non-terminating error per input (RdsPlan.Refused, PermissionDenied, ExitCode 4); the pipeline goes on' -ForEach @(
        @{ Name = 'Test-RdsPlan'; Parameters = @{}; Calls = 1 }
        @{ Name = 'Get-RdsPlanReview'; Parameters = @{ Format = 'json' }; Calls = 2 }
        @{ Name = 'Export-RdsPlanScript'; Parameters = @{ OutFile = 'out.ps1' }; Calls = 2 }
        @{ Name = 'Test-RdsPlanScript'; Parameters = @{}; Calls = 2 }
    ) {
        $failures = $null
        $output = @(@('first.json', 'second.json') | & $Name @Parameters -ErrorAction SilentlyContinue -ErrorVariable failures)
        $output | Should -BeNullOrEmpty
        Should -Invoke Invoke-RdsPlanCli -ModuleName RdsPlan -Times $Calls -Exactly
        $failures.Count | Should -Be $Calls
        $record = $failures[0]
        $record | Should -BeOfType [System.Management.Automation.ErrorRecord]
        $record.FullyQualifiedErrorId | Should -BeExactly "RdsPlan.Refused,$Name"
        $record.CategoryInfo.Category | Should -Be 'PermissionDenied'
        $record.Exception.Message | Should -BeExactly $refusal
        $record.Exception.Data['ExitCode'] | Should -Be 4
        $record.TargetObject | Should -BeExactly (Join-Path $TestDrive 'first.json')
        $record.InvocationInfo.MyCommand.Name | Should -BeExactly $Name
    }

    It '<Name>: a terminating error (RdsPlan.Refused, PermissionDenied, ExitCode 4)' -ForEach @(
        @{ Name = 'Invoke-RdsPlanCheck'; Parameters = @{ Path = 'first.json' }; Target = 'first.json' }
        @{ Name = 'Invoke-RdsPlan'; Parameters = @{ Path = 'first.json'; ApprovalToken = 'sha256:' + ('0' * 64); Confirm = $false }; Target = 'first.json' }
        @{ Name = 'Undo-RdsPlanRun'; Parameters = @{ Path = 'runs/run1'; Confirm = $false }; Target = 'runs/run1' }
        @{ Name = 'Get-RdsPlanRun'; Parameters = @{ Records = 'records' }; Target = 'records' }
    ) {
        $record = { & $Name @Parameters -ErrorAction SilentlyContinue } | Should -Throw -ErrorId "RdsPlan.Refused,$Name" -ExpectedMessage $refusal -PassThru
        $record.FullyQualifiedErrorId | Should -BeExactly "RdsPlan.Refused,$Name"
        $record.CategoryInfo.Category | Should -Be 'PermissionDenied'
        $record.Exception.Message | Should -BeExactly $refusal
        $record.Exception.Data['ExitCode'] | Should -Be 4
        $record.TargetObject | Should -BeExactly (Join-Path $TestDrive $Target)
        Should -Invoke Invoke-RdsPlanCli -ModuleName RdsPlan -Times 1 -Exactly
    }

    It 'exit <ExitCode> with "<StdErr>" is <ErrorId> (<Category>)' -ForEach @(
        @{ ExitCode = 1; StdErr = 'rdsplan: a step failed'; Fallback = ''; ErrorId = 'RdsPlan.Failed'; Category = 'OperationStopped'; Message = 'rdsplan: a step failed' }
        @{ ExitCode = 1; StdErr = ''; Fallback = 'rdsplan check failed: localhost: boom'; ErrorId = 'RdsPlan.Failed'; Category = 'OperationStopped'; Message = 'rdsplan check failed: localhost: boom' }
        @{ ExitCode = 2; StdErr = "rdsplan: unknown option --x`nusage: rdsplan check <plan.json>"; Fallback = ''; ErrorId = 'RdsPlan.Usage'; Category = 'InvalidArgument'; Message = "rdsplan: unknown option --x`nusage: rdsplan check <plan.json>" }
        @{ ExitCode = 2; StdErr = 'plan.json:1:1: error: /: not an object'; Fallback = ''; ErrorId = 'RdsPlan.InvalidPlan'; Category = 'InvalidData'; Message = 'plan.json:1:1: error: /: not an object' }
        @{ ExitCode = 4; StdErr = 'rdsplan: refused'; Fallback = ''; ErrorId = 'RdsPlan.Refused'; Category = 'PermissionDenied'; Message = 'rdsplan: refused' }
        @{ ExitCode = 7; StdErr = ''; Fallback = ''; ErrorId = 'RdsPlan.UnexpectedExit'; Category = 'NotSpecified'; Message = 'rdsplan check exited with code 7' }
    ) {
        $record = InModuleScope RdsPlan -Parameters @{ ExitCode = $ExitCode; StdErr = $StdErr; Fallback = $Fallback } {
            param($ExitCode, $StdErr, $Fallback)
            New-RdsPlanCliErrorRecord -Result ([pscustomobject]@{ ExitCode = $ExitCode; StdOut = ''; StdErr = $StdErr }) -Command 'check' -TargetObject 'plan.json' -Fallback $Fallback
        }
        $record | Should -BeOfType [System.Management.Automation.ErrorRecord]
        $record.FullyQualifiedErrorId | Should -BeExactly $ErrorId
        $record.CategoryInfo.Category | Should -Be $Category
        $record.Exception.Message | Should -BeExactly $Message
        $record.Exception.Data['ExitCode'] | Should -Be $ExitCode
        $record.TargetObject | Should -BeExactly 'plan.json'
    }
}

Describe 'locating node and the CLI' {
    BeforeEach {
        $environmentBefore = Save-RdsPlanEnvironment
    }
    AfterEach {
        Restore-RdsPlanEnvironment -SavedEnvironment $environmentBefore
    }

    It 'RDSPLAN_NODE pointing nowhere: one clear terminating error in the console, even for a pipeline of plans' {
        $r = Invoke-RdsPlanChildSession -Environment @{ RDSPLAN_NODE = '/nonexistent/rdsplan-test/node'; RDSPLAN_T_PLAN = $RdsPlanResetExample } -ScriptBlock {
            @($env:RDSPLAN_T_PLAN, $env:RDSPLAN_T_PLAN, $env:RDSPLAN_T_PLAN) | Test-RdsPlan
        }
        $r.ExitCode | Should -Be 1
        $r.StdOut | Should -BeExactly ''
        $message = "Node.js not found: RDSPLAN_NODE is set to '/nonexistent/rdsplan-test/node', which is not an existing file. Set RDSPLAN_NODE to the path of node (Node.js 20.5 or later), or remove it to use node from PATH."
        # ConciseView wraps at 120 columns inside a `|` box: compare with the box and wrapping undone.
        $flat = ($r.StdErr -replace '\r?\n\s*\|\s?', ' ') -replace '\s+', ' '
        ($flat.Split($message).Count - 1) | Should -Be 1
        $r.StdErr | Should -MatchExactly '(?m)^Test-RdsPlan: '
        $r.StdErr | Should -Not -Match '\n\s+at '
    }

    It 'RDSPLAN_NODE pointing nowhere: a terminating ErrorRecord from Test-RdsPlan and no output' {
        $env:RDSPLAN_NODE = '/nonexistent/rdsplan-test/node'
        $output = $null
        $thrown = $null
        try {
            $output = @(@($RdsPlanResetExample, $RdsPlanResetExample, $RdsPlanResetExample) | Test-RdsPlan)
        }
        catch {
            $thrown = $_
        }
        $thrown | Should -BeOfType [System.Management.Automation.ErrorRecord]
        $thrown.FullyQualifiedErrorId | Should -BeExactly 'RdsPlan.NodeNotFound,Test-RdsPlan'
        $thrown.Exception.Message | Should -BeExactly "Node.js not found: RDSPLAN_NODE is set to '/nonexistent/rdsplan-test/node', which is not an existing file. Set RDSPLAN_NODE to the path of node (Node.js 20.5 or later), or remove it to use node from PATH."
        $thrown.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $thrown.InvocationInfo.MyCommand.Name | Should -BeExactly 'Test-RdsPlan'
        $output | Should -BeNullOrEmpty
    }

    It 'the error record: ObjectNotFound, RdsPlan.NodeNotFound, a FileNotFoundException; RDSPLAN_NODE=<Node>' -ForEach @(
        @{ Node = '/nonexistent/rdsplan-test/node'; Message = "Node.js not found: RDSPLAN_NODE is set to '/nonexistent/rdsplan-test/node', which is not an existing file. Set RDSPLAN_NODE to the path of node (Node.js 20.5 or later), or remove it to use node from PATH." }
        @{ Node = 'rdsplan-no-such-node'; Message = "Node.js not found: RDSPLAN_NODE is set to 'rdsplan-no-such-node', which is not a program on PATH. Set RDSPLAN_NODE to the path of node (Node.js 20.5 or later)." }
    ) {
        $env:RDSPLAN_NODE = $Node
        $record = { Get-RdsPlanReview -Path $RdsPlanResetExample } | Should -Throw -ErrorId 'RdsPlan.NodeNotFound,Get-RdsPlanReview' -PassThru
        $record.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $record.Exception | Should -BeOfType [System.IO.FileNotFoundException]
        $record.Exception.Message | Should -BeExactly $Message
        $record.TargetObject | Should -BeExactly $Node
    }

    It 'a .cmd/.bat "node" (cmd.exe would re-parse the arguments) is refused, never run' {
        $shim = Join-Path $TestDrive 'node.cmd'
        [System.IO.File]::WriteAllText($shim, "#!/bin/sh`necho PWNED8`n")
        [System.IO.File]::SetUnixFileMode($shim, [System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute')
        $env:RDSPLAN_NODE = $shim
        $all = @(& {
                try { Test-RdsPlan -Path $RdsPlanResetExample } catch { $_ }
            } *>&1)
        $all.Count | Should -Be 1
        $all[0].FullyQualifiedErrorId | Should -BeExactly 'RdsPlan.NodeIsBatchFile,Test-RdsPlan'
        $all[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $all[0].Exception.Message | Should -BeExactly "rdsplan needs node itself, but RDSPLAN_NODE is a batch file ('$shim'); batch files pass their arguments through cmd.exe, which re-parses them. Set RDSPLAN_NODE to the path of node.exe."
        Get-RdsPlanInjectedLine -InputObject $all | Should -BeNullOrEmpty
    }

    It 'RDSPLAN_CLI pointing nowhere is named; RDSPLAN_NODE and RDSPLAN_CLI as real paths are used' {
        $missing = Join-Path $TestDrive 'no-such.mjs'
        $env:RDSPLAN_CLI = $missing
        $record = { Test-RdsPlan -Path $RdsPlanResetExample } | Should -Throw -ErrorId 'RdsPlan.CliNotFound,Test-RdsPlan' -PassThru
        $record.Exception.Message | Should -BeExactly "rdsplan CLI not found: RDSPLAN_CLI is set to '$missing', which is not an existing file. Set it to the path of rdsplan.mjs, or remove it to use '$RdsPlanCliPath'."
        $record.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $env:RDSPLAN_CLI = $RdsPlanCliPath
        $env:RDSPLAN_NODE = (Get-Command -Name node -CommandType Application -ErrorAction Stop)[0].Source
        $results = @(Test-RdsPlan -Path $RdsPlanResetExample -ErrorAction Stop)
        $results.Count | Should -Be 1
        $results[0].Path | Should -BeExactly $RdsPlanResetExample
        $results[0].Valid | Should -BeTrue
        $results[0].Steps | Should -Be 8
        $results[0].Diagnostics | Should -BeNullOrEmpty
        Test-Path -LiteralPath $missing | Should -BeFalse
    }

    Context 'the process node really gets' {
        BeforeAll {
            # A "node" that prints each argument it received on a line of its own, in brackets, then its stdin.
            $fakeNode = Join-Path $TestDrive 'fake-node'
            [System.IO.File]::WriteAllText($fakeNode, "#!/bin/sh`nfor a in `"`$@`"; do printf '[%s]\n' `"`$a`"; done`ncat`n")
            [System.IO.File]::SetUnixFileMode($fakeNode, [System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute')
            $fakeCli = Join-Path $TestDrive 'fake-rdsplan.mjs'
            [System.IO.File]::WriteAllText($fakeCli, '')
            # Wildcards that match files here, double quotes, a trailing backslash: what node's command line cannot carry.
            [System.IO.File]::WriteAllText((Join-Path $TestDrive 'match1.json'), '')
            $hostile = @('verify', '--', 'a b; c & d | e > f', "x'; Write-Host PWNED; '", '$(Write-Host PWNED2)', '--help', "it's `$env:HOME", "tab`there", 'ü 日本 😀', (Join-Path $TestDrive 'match*.json'), (Join-Path $TestDrive 'match?.json'), 'say "PWNED7"', 'C:\a b\', "line`nbreak")
        }
        BeforeEach {
            $passingBefore = $global:PSNativeCommandArgumentPassing
        }
        AfterEach {
            $global:PSNativeCommandArgumentPassing = $passingBefore
        }

        It 'node gets the CLI and --args-stdin; every value arrives intact in the JSON on its stdin (<Passing>)' -ForEach @(
            @{ Passing = 'Standard' }
            @{ Passing = 'Legacy' }
        ) {
            $env:RDSPLAN_NODE = $fakeNode
            $env:RDSPLAN_CLI = $fakeCli
            $global:PSNativeCommandArgumentPassing = $Passing
            $result = InModuleScope RdsPlan -Parameters @{ Arguments = $hostile } {
                param($Arguments)
                Invoke-RdsPlanCli -ArgumentList $Arguments
            }
            $result.ExitCode | Should -Be 0
            $result.StdErr | Should -BeExactly ''
            $lines = @($result.StdOut -split '\r?\n')
            $lines.Count | Should -Be 3
            @($lines[0], $lines[1]) | Should -BeExactly @("[$fakeCli]", '[--args-stdin]')
            # ASCII only: no code page between PowerShell and node can change it.
            $lines[2] | Should -MatchExactly '^\[[\x20-\x7e]+\]$'
            $received = @(ConvertFrom-Json -InputObject $lines[2])
            $received.Count | Should -Be $hostile.Count
            for ($i = 0; $i -lt $hostile.Count; $i++) {
                $received[$i] | Should -BeExactly $hostile[$i]
            }
        }

        It 'a CLI path that PowerShell would expand or mangle is refused before node starts' {
            $env:RDSPLAN_NODE = $fakeNode
            $folder = Join-Path $TestDrive 'cli[1]'
            $null = New-Item -ItemType Directory -Path $folder
            $wild = Join-Path $folder 'rdsplan.mjs'
            [System.IO.File]::WriteAllText($wild, '')
            $env:RDSPLAN_CLI = $wild
            $record = { InModuleScope RdsPlan { Invoke-RdsPlanCli -ArgumentList @('verify') } } | Should -Throw -ErrorId 'RdsPlan.UnsafeArgument' -PassThru
            $record.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $record.Exception.Message | Should -BeExactly "cannot start rdsplan from a path containing *, ? or [ on this platform, where PowerShell expands wildcards in a program's arguments: $wild. Move the package, or set RDSPLAN_CLI to a copy of rdsplan.mjs elsewhere."
        }
    }
}
