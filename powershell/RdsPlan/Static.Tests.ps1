# The commands that only read plans and scripts, against the built CLI: Test-RdsPlan,
# Get-RdsPlanReview, Export-RdsPlanScript and Test-RdsPlanScript, and hostile paths and values.
BeforeAll {
    . (Join-Path $PSScriptRoot '../../test/support/pester/RdsPlanModule.ps1')
    $script:savedEnvironment = Initialize-RdsPlanModuleTest
    $examples = @([System.IO.Directory]::GetFiles($RdsPlanExamplesPath, '*.json'))
    [System.Array]::Sort($examples, [System.StringComparer]::Ordinal)
}

AfterAll {
    Clear-RdsPlanModuleTest -SavedEnvironment $script:savedEnvironment
}

Describe 'Test-RdsPlan' {
    It 'examples/*.json: strings, objects with Path, and FileInfo (FullName) from the pipeline' {
        $examples.Count | Should -BeGreaterThan 1
        $fromStrings = @($examples | Test-RdsPlan -ErrorAction Stop)
        $fromObjects = @($examples | ForEach-Object { [pscustomobject]@{ Path = $_ } } | Test-RdsPlan -ErrorAction Stop)
        $fromFiles = @([System.IO.DirectoryInfo]::new($RdsPlanExamplesPath).GetFiles('*.json') | Test-RdsPlan -ErrorAction Stop)
        $positional = @(Test-RdsPlan $examples[0] -ErrorAction Stop)

        @($fromStrings | ForEach-Object { $_.Path }) | Should -BeExactly $examples
        foreach ($result in $fromStrings) {
            $result.PSObject.TypeNames[0] | Should -BeExactly 'RdsPlan.ValidationResult'
            $result.Valid | Should -BeTrue
            $result.Steps | Should -BeGreaterThan 0
            $result.Diagnostics | Should -BeNullOrEmpty
        }
        ConvertTo-Json -InputObject $fromObjects -Depth 10 -Compress | Should -BeExactly (ConvertTo-Json -InputObject $fromStrings -Depth 10 -Compress)
        $fromFiles.Count | Should -Be $examples.Count
        @($fromFiles | Where-Object { -not $_.Valid }) | Should -BeNullOrEmpty
        ConvertTo-Json -InputObject $positional -Depth 10 -Compress | Should -BeExactly (ConvertTo-Json -InputObject @($fromStrings[0]) -Depth 10 -Compress)
    }

    It 'more plans than one validate call takes (25): still one result per plan, in order' {
        $many = @($examples + $examples + $examples + $examples + $examples + $examples + $examples)
        $many.Count | Should -BeGreaterThan 25
        $batched = @($many | Test-RdsPlan -ErrorAction Stop)
        $batched.Count | Should -Be ($examples.Count * 7)
        @($batched | ForEach-Object { $_.Path }) | Should -BeExactly $many
    }

    Context 'a broken plan' {
        BeforeAll {
            $dir = Join-Path $TestDrive 'broken'
            $null = New-Item -ItemType Directory -Path $dir
            $null = New-RdsPlanBrokenPlan -Path (Join-Path $dir 'broken.json')
            [System.IO.File]::WriteAllText((Join-Path $dir 'syntax.json'), "{`n  `"apiVersion`": `n")
            Push-Location -LiteralPath $dir
            try {
                $results = @(Test-RdsPlan -Path 'broken.json', 'syntax.json', 'missing.json' -ErrorAction Stop)
            }
            finally {
                Pop-Location
            }
        }

        It 'is a result with Valid false, not an error; relative paths resolve against the current location' {
            $results.Count | Should -Be 3
            @($results | ForEach-Object { $_.Path }) | Should -BeExactly @((Join-Path $dir 'broken.json'), (Join-Path $dir 'syntax.json'), (Join-Path $dir 'missing.json'))
            @($results | ForEach-Object { $_.Valid }) | Should -Be @($false, $false, $false)
        }

        It 'has diagnostics with line, column and pointer' {
            $diagnostics = @($results[0].Diagnostics)
            $diagnostics.Count | Should -Be 1
            $diagnostics[0].PSObject.TypeNames[0] | Should -BeExactly 'RdsPlan.Diagnostic'
            ConvertTo-Json -InputObject $diagnostics[0] -Compress | Should -BeExactly (ConvertTo-Json -Compress -InputObject ([pscustomobject][ordered]@{
                        Line     = 5
                        Column   = 36
                        Pointer  = '/steps/0/action'
                        Severity = 'error'
                        Code     = 'schema.discriminator'
                        Message  = $RdsPlanBrokenPlanDiagnostic
                    }))
        }

        It 'a syntax error and a missing file are diagnostics too' {
            $results[1].Diagnostics[0].Severity | Should -BeExactly 'error'
            $results[1].Diagnostics[0].Code | Should -BeExactly 'load.syntax'
            $results[2].Diagnostics[0].Line | Should -Be 1
            $results[2].Diagnostics[0].Column | Should -Be 1
            $results[2].Diagnostics[0].Code | Should -BeExactly 'load.read'
        }
    }

    It 'a path outside the file system is a non-terminating RdsPlan.BadPath error; the next plan is still validated' {
        # The error stream, not -ErrorVariable: that also collects the module's internally caught throws.
        $all = @(@('Env:\PATH', $RdsPlanResetExample) | Test-RdsPlan -ErrorAction Continue 2>&1)
        $failures = @($all | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        $results = @($all | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] })
        @($results | ForEach-Object { $_.Path }) | Should -BeExactly @($RdsPlanResetExample)
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeExactly 'RdsPlan.BadPath,Test-RdsPlan'
        $failures[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $failures[0].Exception.Message | Should -BeExactly "plan path 'Env:\PATH' is not a file-system path"
        $failures[0].TargetObject | Should -BeExactly 'Env:\PATH'
        $failures[0].Exception.Data.Contains('ExitCode') | Should -BeFalse
    }
}

Describe 'an error thrown downstream in the pipeline stays the caller''s, not an RdsPlan error' {
    It '<Command>' -ForEach @(
        @{ Command = 'Test-RdsPlan' }
        @{ Command = 'Get-RdsPlanReview' }
    ) {
        $record = { & $Command -Path $RdsPlanResetExample | ForEach-Object { throw 'downstream boom' } } | Should -Throw -PassThru
        $record.FullyQualifiedErrorId | Should -BeExactly 'downstream boom'
        $record.Exception.Message | Should -BeExactly 'downstream boom'
    }
}

Describe 'Get-RdsPlanReview' {
    It 'json is an object with the CLI''s ApprovalToken; text and markdown are strings; -OutFile returns the file' {
        $out = Join-Path $TestDrive 'review.md'
        $json = Get-RdsPlanReview -Path $RdsPlanResetExample -Format json -ErrorAction Stop
        $text = Get-RdsPlanReview -Path $RdsPlanResetExample -ErrorAction Stop
        $file = Get-RdsPlanReview -Path $RdsPlanResetExample -Format markdown -OutFile $out -ErrorAction Stop

        $json.ApprovalToken | Should -MatchExactly '^sha256:[0-9a-f]{64}$'
        $json.plan.name | Should -BeExactly $RdsPlanResetPlanName
        $text | Should -BeOfType [string]
        $text.Contains($json.ApprovalToken) | Should -BeTrue
        $file | Should -BeOfType [System.IO.FileInfo]
        $file.FullName | Should -BeExactly $out
        [System.IO.File]::ReadAllText($out).Contains($json.ApprovalToken) | Should -BeTrue
    }

    It 'an invalid plan is a non-terminating error with the CLI''s message; the next plan still runs' {
        $broken = New-RdsPlanBrokenPlan -Path (Join-Path $TestDrive 'broken.json')
        $failures = $null
        $tokens = @(@($broken, $RdsPlanResetExample) | Get-RdsPlanReview -Format json -ErrorAction SilentlyContinue -ErrorVariable failures | ForEach-Object { $_.ApprovalToken })
        $tokens.Count | Should -Be 1
        $tokens[0] | Should -MatchExactly '^sha256:[0-9a-f]{64}$'
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeExactly 'RdsPlan.InvalidPlan,Get-RdsPlanReview'
        [string]$failures[0].CategoryInfo.Category | Should -BeExactly 'InvalidData'
        $failures[0].TargetObject | Should -BeExactly $broken
        $failures[0].Exception.Data['ExitCode'] | Should -Be 2
        $failures[0].Exception.Message | Should -BeExactly "${broken}:5:36: error: /steps/0/action: $RdsPlanBrokenPlanDiagnostic`nrdsplan: ${broken}: 1 error; nothing was rendered"
    }
}

Describe 'Export-RdsPlanScript and Test-RdsPlanScript' {
    It 'Export-RdsPlanScript writes UTF-8 with BOM and CRLF; Test-RdsPlanScript passes it and catches tampering' {
        $script = Join-Path $TestDrive 'reset.ps1'
        $file = Export-RdsPlanScript -Path $RdsPlanResetExample -OutFile $script -ErrorAction Stop
        $token = Get-RdsPlanApprovalToken -Path $RdsPlanResetExample
        $clean = Test-RdsPlanScript -Path $file.FullName -ErrorAction Stop

        $file | Should -BeOfType [System.IO.FileInfo]
        $file.FullName | Should -BeExactly $script
        $clean.PSObject.TypeNames[0] | Should -BeExactly 'RdsPlan.ScriptVerification'
        $clean.Ok | Should -BeTrue
        $clean.Findings | Should -BeNullOrEmpty
        $bytes = [System.IO.File]::ReadAllBytes($script)
        @($bytes[0..2]) | Should -Be @(0xef, 0xbb, 0xbf)
        $text = [System.Text.UTF8Encoding]::new($false).GetString($bytes)
        $text.Contains("`r`n") | Should -BeTrue
        $text.Replace("`r`n", '').Contains("`n") | Should -BeFalse
        $text.Contains($token) | Should -BeTrue

        $tampered = [regex]::new('\r\n(\s*)Set-StrictMode -Version 3\.0').Replace($text, "`r`n`$1Set-StrictMode -Off", 1)
        $tampered | Should -Not -BeExactly $text
        [System.IO.File]::WriteAllText($script, $tampered)
        $verdicts = @([System.IO.FileInfo]::new($script) | Test-RdsPlanScript -ErrorAction Stop)
        $verdicts.Count | Should -Be 1
        $verdicts[0].Path | Should -BeExactly $script
        $verdicts[0].Ok | Should -BeFalse
        @($verdicts[0].Findings).Count | Should -BeGreaterThan 0
    }

    It 'Export-RdsPlanScript takes the plan from the pipeline, by value and by FullName' {
        $byValue = Join-Path $TestDrive 'by-value.ps1'
        $byName = Join-Path $TestDrive 'by-name.ps1'
        $first = @($RdsPlanResetExample | Export-RdsPlanScript -OutFile $byValue -Platform sim -ErrorAction Stop)
        $second = @([System.IO.FileInfo]::new($RdsPlanResetExample) | Export-RdsPlanScript -OutFile $byName -ErrorAction Stop)
        $first.Count | Should -Be 1
        $first[0].FullName | Should -BeExactly $byValue
        $second.Count | Should -Be 1
        $second[0].FullName | Should -BeExactly $byName
        # The sim script talks to the simulated host, the Windows one does not.
        [System.IO.File]::ReadAllText($byValue) | Should -Not -BeExactly ([System.IO.File]::ReadAllText($byName))
        @($first[0], $second[0] | Test-RdsPlanScript -ErrorAction Stop | ForEach-Object { $_.Ok }) | Should -Be @($true, $true)
    }

    It 'Export-RdsPlanScript: an invalid plan is a non-terminating RdsPlan.InvalidPlan error (exit 2); the next plan is still rendered' {
        $broken = New-RdsPlanBrokenPlan -Path (Join-Path $TestDrive 'broken-export.json')
        $out = Join-Path $TestDrive 'export.ps1'
        $failures = $null
        $files = @(@($broken, $RdsPlanResetExample) | Export-RdsPlanScript -OutFile $out -ErrorAction SilentlyContinue -ErrorVariable failures)
        $files.Count | Should -Be 1
        $files[0].FullName | Should -BeExactly $out
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeExactly 'RdsPlan.InvalidPlan,Export-RdsPlanScript'
        $failures[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $failures[0].TargetObject | Should -BeExactly $broken
        $failures[0].Exception.Data['ExitCode'] | Should -Be 2
        $failures[0].Exception.Message | Should -BeExactly "${broken}:5:36: error: /steps/0/action: $RdsPlanBrokenPlanDiagnostic`nrdsplan: ${broken}: 1 error; nothing was rendered"
    }

    It 'Test-RdsPlanScript: a missing script is a non-terminating RdsPlan.Failed error (exit 1); the next script is still verified' {
        $missing = Join-Path $TestDrive 'missing.ps1'
        $present = Join-Path $TestDrive 'present.ps1'
        $null = Export-RdsPlanScript -Path $RdsPlanResetExample -OutFile $present -ErrorAction Stop
        # The error stream, not -ErrorVariable: that also collects the module's internally caught throws.
        $all = @(@($missing, $present) | Test-RdsPlanScript -ErrorAction Continue 2>&1)
        $failures = @($all | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        $verdicts = @($all | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] })
        @($verdicts | ForEach-Object { $_.Path }) | Should -BeExactly @($present)
        $verdicts[0].Ok | Should -BeTrue
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeExactly 'RdsPlan.Failed,Test-RdsPlanScript'
        $failures[0].CategoryInfo.Category | Should -Be 'OperationStopped'
        $failures[0].TargetObject | Should -BeExactly $missing
        $failures[0].Exception.Data['ExitCode'] | Should -Be 1
        $failures[0].Exception.Message | Should -BeExactly "rdsplan: cannot read ${missing}: no such file"
    }

    It 'Test-RdsPlanScript reports 7-only syntax in a hand-written script as findings, not an error' {
        $script = Join-Path $TestDrive 'hand.ps1'
        [System.IO.File]::WriteAllText($script, "`$x = `$null`n`$y = `$x ?? 'default'`n")
        $verdicts = @(Test-RdsPlanScript -Path $script -ErrorAction Stop)
        $verdicts.Count | Should -Be 1
        $verdicts[0].Ok | Should -BeFalse
        $sevenOnly = @($verdicts[0].Findings | Where-Object { $_.Code -ceq 'ps7-only' -and $_.Line -eq 2 -and $_.Severity -ceq 'error' })
        $sevenOnly.Count | Should -BeGreaterOrEqual 1
        $sevenOnly[0].PSObject.TypeNames[0] | Should -BeExactly 'RdsPlan.ScriptFinding'
    }

    It 'the module parses cleanly and has no PowerShell 7-only syntax (Test-RdsPlanScript on its files, joined into one)' {
        # One verify for all files, as a merged module would be; each finding is named by its own file and line.
        $joined = Join-Path $TestDrive 'RdsPlan-joined.ps1'
        $text = [System.Text.StringBuilder]::new()
        $starts = [System.Collections.Generic.List[object]]::new()
        $line = 1
        foreach ($file in Get-RdsPlanModuleSourceFile) {
            $tokens = $null
            $parseErrors = $null
            $null = [System.Management.Automation.Language.Parser]::ParseFile($file, [ref]$tokens, [ref]$parseErrors)
            @($parseErrors | ForEach-Object { '{0}:{1} {2}' -f $file, $_.Extent.StartLineNumber, $_.Message }) | Should -BeNullOrEmpty
            $lines = [System.IO.File]::ReadAllText($file).TrimEnd("`r", "`n") -split '\r?\n'
            $starts.Add([pscustomobject]@{ File = $file; Line = $line })
            $null = $text.Append(($lines -join "`n") + "`n")
            $line += $lines.Count
        }
        $starts.Count | Should -BeGreaterThan 2
        [System.IO.File]::WriteAllText($joined, $text.ToString())
        $verdict = Test-RdsPlanScript -Path $joined -ErrorAction Stop
        $verdict.Path | Should -BeExactly $joined
        # A module is not a rendered plan script: header and steps findings are expected; syntax ones are not.
        @($verdict.Findings | Where-Object { @('header-missing', 'steps-missing') -notcontains $_.Code } | ForEach-Object {
                $at = $_.Line
                $from = @($starts | Where-Object { $_.Line -le $at })[-1]
                '{0}:{1}:{2} {3} {4}' -f $from.File, ($at - $from.Line + 1), $_.Column, $_.Code, $_.Message
            }) | Should -BeNullOrEmpty
    }
}

Describe 'hostile paths and values pass through untouched' {
    BeforeAll {
        $hostileNames = @(
            "x'; Write-Host PWNED; '.json"
            "y'; Write-Host ('PW'+'NED1'); '.json"
            '$(Write-Host PWNED2).json'
            '"; Write-Host PWNED3; ".json'
            'a b; c & d | e > f.json'
            '`$env:HOME `n back`tick.json'
            '--help.json'
            '-Path.json'
            # PowerShell ends a '…' string at a typographic single quote too: this one needs "…".
            "‘typographic’ ‚quotes‛ ; Write-Host PWNED4 ’.json"
            '[wild]*card?.json'
            '@(splat) %PATH% ü 日本.json'
        )
    }

    It 'Test-RdsPlan and Get-RdsPlanReview report each hostile file as itself, and nothing runs' {
        $dir = Join-Path $TestDrive 'hostile'
        $null = New-Item -ItemType Directory -Path $dir
        $files = @($hostileNames | ForEach-Object { Join-Path $dir $_ })
        foreach ($file in $files) {
            [System.IO.File]::Copy($RdsPlanResetExample, $file)
        }
        $all = @(& {
                $files | Test-RdsPlan
                $files | ForEach-Object { [pscustomobject]@{ FullName = $_ } } | Get-RdsPlanReview -Format json | ForEach-Object { $_.plan.file }
            } *>&1)
        $validated = @($all | Where-Object { $_.PSObject.TypeNames[0] -eq 'RdsPlan.ValidationResult' })
        $reviewed = @($all | Where-Object { $_ -is [string] })
        @($all | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] } | ForEach-Object { $_.ToString() }) | Should -BeNullOrEmpty
        $all.Count | Should -Be (2 * $files.Count)
        @($validated | ForEach-Object { $_.Path }) | Should -BeExactly $files
        @($validated | Where-Object { -not $_.Valid }) | Should -BeNullOrEmpty
        $reviewed | Should -BeExactly $files
        Get-RdsPlanInjectedLine -InputObject $all | Should -BeNullOrEmpty
        $text = ($all | Out-String)
        $text | Should -Not -Match '(?m)PWNED\d?\s*$'
        $text.Contains("NED1`n") | Should -BeFalse
    }

    It "the brief's file x'; Write-Host PWNED; '.json also works relative to the current location" {
        $dir = Join-Path $TestDrive 'relative'
        $null = New-Item -ItemType Directory -Path $dir
        $name = "x'; Write-Host PWNED; '.json"
        [System.IO.File]::Copy($RdsPlanResetExample, (Join-Path $dir $name))
        Push-Location -LiteralPath $dir
        try {
            $all = @(& { Test-RdsPlan -Path $name } *>&1)
        }
        finally {
            Pop-Location
        }
        $all.Count | Should -Be 1
        ConvertTo-Json -InputObject $all -Depth 5 -Compress | Should -BeExactly (ConvertTo-Json -Depth 5 -Compress -InputObject @([pscustomobject][ordered]@{ Path = (Join-Path $dir $name); Valid = $true; Steps = 8; Diagnostics = @() }))
        Get-RdsPlanInjectedLine -InputObject $all | Should -BeNullOrEmpty
    }

    It 'hostile plan values come back verbatim in the review' {
        $plan = Get-Content -LiteralPath $RdsPlanResetExample -Raw | ConvertFrom-Json -AsHashtable
        $description = "'; Write-Host PWNED; `$(Write-Host PWNED5) `"; & whoami; ``$x ‘’‚‛"
        $plan['description'] = $description
        $file = Join-Path $TestDrive 'hostile-values.json'
        [System.IO.File]::WriteAllText($file, (ConvertTo-Json -InputObject $plan -Depth 20))
        $all = @(& { (Get-RdsPlanReview -Path $file -Format json).plan.description } *>&1)
        $all | Should -BeExactly @($description)
        Get-RdsPlanInjectedLine -InputObject $all | Should -BeNullOrEmpty
    }

    Context 'with Windows PowerShell 5.1''s Legacy argument passing' {
        BeforeAll {
            $spaced = Join-Path $TestDrive "a b; c 'd' ‘e’.json"
            $quoted = Join-Path $TestDrive 'say "PWNED7".json'
            [System.IO.File]::Copy($RdsPlanResetExample, $spaced)
            [System.IO.File]::Copy($RdsPlanResetExample, $quoted)
            # The module reads the preference where the caller's script would set it: the global scope.
            $passingBefore = $global:PSNativeCommandArgumentPassing
        }
        AfterEach {
            $global:PSNativeCommandArgumentPassing = $passingBefore
        }

        It 'spaces and quotes still arrive intact' {
            $global:PSNativeCommandArgumentPassing = 'Legacy'
            $all = @(& { Test-RdsPlan -Path $spaced } *>&1)
            ConvertTo-Json -InputObject $all -Depth 5 -Compress | Should -BeExactly (ConvertTo-Json -Depth 5 -Compress -InputObject @([pscustomobject][ordered]@{ Path = $spaced; Valid = $true; Steps = 8; Diagnostics = @() }))
        }

        It 'a double quote in a plan path arrives intact, because the values go on stdin' {
            $global:PSNativeCommandArgumentPassing = 'Legacy'
            $all = @(& { Test-RdsPlan -Path $quoted } *>&1)
            ConvertTo-Json -InputObject $all -Depth 5 -Compress | Should -BeExactly (ConvertTo-Json -Depth 5 -Compress -InputObject @([pscustomobject][ordered]@{ Path = $quoted; Valid = $true; Steps = 8; Diagnostics = @() }))
            Get-RdsPlanInjectedLine -InputObject $all | Should -BeNullOrEmpty
        }

        It 'a double quote in the CLI''s own path, the one value still on the command line, is refused before node starts' {
            $global:PSNativeCommandArgumentPassing = 'Legacy'
            $folder = Join-Path $TestDrive 'say "PWNED8"'
            $null = New-Item -ItemType Directory -Path $folder
            $cli = Join-Path $folder 'rdsplan.mjs'
            [System.IO.File]::WriteAllText($cli, '')
            $cliBefore = $env:RDSPLAN_CLI
            try {
                $env:RDSPLAN_CLI = $cli
                $record = { Test-RdsPlan -Path $spaced } | Should -Throw -ErrorId 'RdsPlan.UnsafeArgument,Test-RdsPlan' -PassThru
            }
            finally {
                $env:RDSPLAN_CLI = $cliBefore
            }
            $record.Exception.Message | Should -BeExactly "cannot start rdsplan from a path containing a double quote in this PowerShell (native argument passing is 'Legacy'): $cli. Move the package, or set RDSPLAN_CLI to a copy of rdsplan.mjs elsewhere."
            $record.CategoryInfo.Category | Should -Be 'InvalidArgument'
            Get-RdsPlanInjectedLine -InputObject @($record.ToString()) | Should -BeNullOrEmpty
        }
    }
}
