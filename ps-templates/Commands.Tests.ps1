# Every command the templates call, checked with PowerShell's own parser.
#
# The tests run the templates in pwsh 7, which has every cmdlet, while a generated script must
# also run on Windows PowerShell 5.1: a template that started to call a cmdlet 5.1 lacks, an
# alias, or a parameter only one of the two knows would pass every run-time test. So the rule
# is static: every command is a function ps-templates defines or a command of the allow-list in
# README.md ("Cmdlet surface", the only copy of the list), called from a layer its row allows.
# This file sits at the top of ps-templates/, outside the layer folders the renderer reads, and
# *.Tests.ps1 files are not scanned (their helpers are not template functions).

BeforeAll {
    Set-StrictMode -Version 3.0

    # The folders the renderer concatenates (src/render/templates.ts); 'all' in the table names each.
    $script:Layers = @('runtime', 'actions', 'platform/sim', 'platform/windows', 'fleet')
    # Only these may call what exists on Windows alone: the others run on Linux pwsh in the tests too.
    $script:WindowsLayers = @('platform/windows', 'fleet')
    $script:WindowsOnly = 'windows-only: not on Linux pwsh'
    $script:TableHeader = @('command', 'module', 'layers', 'Linux pwsh', 'not in both', 'Windows PowerShell 5.1 vs PowerShell 7')
    # Not $IsWindows, which is 6.0+: this reads the same in any PowerShell that runs the file.
    $script:OnWindows = [System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT

    # Aliases of Windows PowerShell 5.1 that pwsh on Linux does not define, so Get-Command cannot
    # name them here: the built-in ones (InitialSessionState.BuiltInAliases of 5.1) and those its
    # Management and Utility modules export. 'sc' (Set-Content, not sc.exe) is why this list exists.
    $script:WindowsPowerShellAlias = @{
        ac = 'Add-Content'; asnp = 'Add-PSSnapin'; cat = 'Get-Content'; cfs = 'ConvertFrom-String'; clear = 'Clear-Host'
        cnsn = 'Connect-PSSession'; compare = 'Compare-Object'; cp = 'Copy-Item'; cpp = 'Copy-ItemProperty'; curl = 'Invoke-WebRequest'
        diff = 'Compare-Object'; dnsn = 'Disconnect-PSSession'; epsn = 'Export-PSSession'; gin = 'Get-ComputerInfo'; gsnp = 'Get-PSSnapin'
        gsv = 'Get-Service'; gwmi = 'Get-WmiObject'; ipsn = 'Import-PSSession'; ise = 'powershell_ise.exe'; iwmi = 'Invoke-WmiMethod'
        kill = 'Stop-Process'; lp = 'Out-Printer'; ls = 'Get-ChildItem'; man = 'help'; mount = 'New-PSDrive'; mv = 'Move-Item'
        npssc = 'New-PSSessionConfigurationFile'; ogv = 'Out-GridView'; ps = 'Get-Process'; rm = 'Remove-Item'; rmdir = 'Remove-Item'
        rsnp = 'Remove-PSSnapin'; rujb = 'Resume-Job'; rwmi = 'Remove-WmiObject'; sasv = 'Start-Service'; sc = 'Set-Content'
        shcm = 'Show-Command'; sleep = 'Start-Sleep'; sort = 'Sort-Object'; spsv = 'Stop-Service'; start = 'Start-Process'
        stz = 'Set-TimeZone'; sujb = 'Suspend-Job'; swmi = 'Set-WmiInstance'; tee = 'Tee-Object'; trcm = 'Trace-Command'
        wget = 'Invoke-WebRequest'; write = 'Write-Output'
    }

    # Commands PowerShell 6 and 7 added (as src/verify/ps7-only.ts knows them): pwsh has them,
    # 5.1 does not, so no allow-list entry may be one.
    $script:PowerShell7Command = @(
        'Join-String', 'Get-Error', 'Test-Json', 'ConvertFrom-Markdown', 'Show-Markdown', 'Get-MarkdownOption',
        'Set-MarkdownOption', 'Get-Uptime', 'Remove-Alias', 'Remove-Service', 'Get-ExperimentalFeature',
        'Enable-ExperimentalFeature', 'Disable-ExperimentalFeature', 'Get-PSSubsystem', 'Get-SecureRandom',
        'ConvertTo-CliXml', 'ConvertFrom-CliXml'
    )

    function Get-RdsCommandTable {
        <#
        .SYNOPSIS
        Reads the allow-list table of README.md's "Cmdlet surface": @{ Rows; Problems }.
        #>
        param([Parameter(Mandatory = $true)] [string] $Path)
        $lines = [System.IO.File]::ReadAllLines($Path)
        $rows = [System.Collections.Generic.List[object]]::new()
        $problems = [System.Collections.Generic.List[string]]::new()
        $seen = [System.Collections.Generic.HashSet[string]]::new([System.StringComparer]::OrdinalIgnoreCase)
        $inSection = $false
        $header = $null
        for ($i = 0; $i -lt $lines.Length; $i++) {
            $line = $lines[$i]
            if ($line.StartsWith('## ')) {
                $inSection = $line -eq '## Cmdlet surface'
                continue
            }
            if (-not $inSection -or -not $line.StartsWith('|')) { continue }
            $where = 'README.md:' + ($i + 1)
            $cells = @($line.Trim().Trim('|').Split('|') | ForEach-Object { $_.Trim() })
            if ($null -eq $header) {
                $header = $cells
                if (($header -join '|') -cne ($script:TableHeader -join '|')) {
                    $problems.Add($where + ': the columns must be: ' + ($script:TableHeader -join ' | '))
                }
                continue
            }
            if ($line -match '^\|(\s*:?-+:?\s*\|)+$') { continue }
            if ($cells.Count -ne $script:TableHeader.Count) {
                $problems.Add($where + ': ' + $cells.Count + ' cells, not ' + $script:TableHeader.Count + ' (a note must not hold a |)')
                continue
            }
            if ($cells[0] -notmatch '^`([^`]+)`$') {
                $problems.Add($where + ': the command must be in backticks: ' + $cells[0])
                continue
            }
            $command = $Matches[1]
            if (-not $seen.Add($command)) { $problems.Add($where + ': ' + $command + ' is listed twice') }
            $layers = [string[]]@($cells[2].Split(',') | ForEach-Object { $_.Trim() })
            foreach ($layer in $layers) {
                if ($script:Layers -notcontains $layer -and $layer -ne 'all') {
                    $problems.Add($where + ': ' + $command + ': unknown layer ''' + $layer + ''' (known: all, ' + ($script:Layers -join ', ') + ')')
                }
            }
            if ($layers -contains 'all' -and $layers.Count -gt 1) { $problems.Add($where + ': ' + $command + ': ''all'' stands alone') }
            if ($cells[3] -cne 'yes' -and $cells[3] -cne $script:WindowsOnly) {
                $problems.Add($where + ': ' + $command + ': the Linux pwsh column says ''yes'' or ''' + $script:WindowsOnly + '''')
            }
            $missing = [System.Collections.Generic.List[string]]::new()
            if ($cells[4] -cne [string][char]0x2013) {
                foreach ($parameter in $cells[4].Split(',')) {
                    if ($parameter.Trim() -match '^`-([A-Za-z]+)`$') { $missing.Add($Matches[1]) }
                    else { $problems.Add($where + ': ' + $command + ': ''not in both'' holds `-Name`, ... or ' + [char]0x2013 + ', not ''' + $parameter.Trim() + '''') }
                }
            }
            if ($cells[1] -eq '') { $problems.Add($where + ': ' + $command + ': no module') }
            if ($cells[5] -eq '') { $problems.Add($where + ': ' + $command + ': no note on 5.1 and 7') }
            $rows.Add([pscustomobject]@{
                    Command = $command
                    Module  = $cells[1]
                    Layers  = $layers
                    Linux   = $cells[3]
                    Missing = $missing.ToArray()
                    Where   = $where
                })
        }
        if ($null -eq $header) { $problems.Add($Path + ': no table in the "Cmdlet surface" section') }
        return @{ Rows = $rows.ToArray(); Problems = $problems.ToArray() }
    }

    function Get-RdsTemplateSource {
        <#
        .SYNOPSIS
        Parses every template: @{ Files; Functions (name -> where defined); Commands (every CommandAst) }.
        #>
        param([Parameter(Mandatory = $true)] [string] $Root)
        $paths = @([System.IO.Directory]::GetFiles($Root, '*.ps1', [System.IO.SearchOption]::AllDirectories) | Where-Object { -not $_.EndsWith('.Tests.ps1') })
        [System.Array]::Sort($paths, [System.StringComparer]::Ordinal)
        $files = [System.Collections.Generic.List[object]]::new()
        $functions = [System.Collections.Generic.Dictionary[string, string]]::new([System.StringComparer]::OrdinalIgnoreCase)
        $commands = [System.Collections.Generic.List[object]]::new()
        foreach ($path in $paths) {
            $relative = $path.Substring($Root.TrimEnd('/', '\').Length + 1).Replace('\', '/')
            $layer = ''
            if ($relative.Contains('/')) { $layer = $relative.Substring(0, $relative.LastIndexOf('/')) }
            $tokens = $null
            $errors = $null
            $ast = [System.Management.Automation.Language.Parser]::ParseFile($path, [ref]$tokens, [ref]$errors)
            $file = [pscustomobject]@{ Path = $relative; Layer = $layer; Ast = $ast; Errors = @($errors) }
            $files.Add($file)
            foreach ($definition in $ast.FindAll({ param($node) $node -is [System.Management.Automation.Language.FunctionDefinitionAst] }, $true)) {
                if (-not $functions.ContainsKey($definition.Name)) { $functions[$definition.Name] = Get-RdsLocation -File $file -Ast $definition }
            }
            foreach ($command in $ast.FindAll({ param($node) $node -is [System.Management.Automation.Language.CommandAst] }, $true)) {
                $commands.Add([pscustomobject]@{
                        File  = $file
                        Ast   = $command
                        Name  = $command.GetCommandName()
                        Where = Get-RdsLocation -File $file -Ast $command.CommandElements[0]
                    })
            }
        }
        return @{ Files = $files.ToArray(); Functions = $functions; Commands = $commands.ToArray() }
    }

    function Get-RdsLocation {
        <#
        .SYNOPSIS
        'layer/file.ps1:line:column' of a syntax tree node, for findings.
        #>
        param([Parameter(Mandatory = $true)] [object] $File, [Parameter(Mandatory = $true)] [object] $Ast)
        return $File.Path + ':' + $Ast.Extent.StartLineNumber + ':' + $Ast.Extent.StartColumnNumber
    }

    function Get-RdsTableRow {
        <#
        .SYNOPSIS
        The allow-list row of a command, or $null.
        #>
        param([Parameter(Mandatory = $true)] [string] $Name)
        foreach ($row in $script:Table.Rows) {
            if ($row.Command -eq $Name) { return $row }
        }
        return $null
    }

    function Test-RdsLayerAllowed {
        <#
        .SYNOPSIS
        Whether a row allows its command in a layer.
        #>
        param([Parameter(Mandatory = $true)] [object] $Row, [Parameter(Mandatory = $true)] [string] $Layer)
        return ($Row.Layers -contains 'all' -or $Row.Layers -contains $Layer)
    }

    function Get-RdsEnclosingScope {
        <#
        .SYNOPSIS
        The function a node is in, or the file's script block: where its variables are assigned.
        #>
        param([Parameter(Mandatory = $true)] [System.Management.Automation.Language.Ast] $Ast)
        $node = $Ast.Parent
        while ($null -ne $node.Parent) {
            if ($node -is [System.Management.Automation.Language.FunctionDefinitionAst]) { return $node }
            $node = $node.Parent
        }
        return $node
    }

    function Get-RdsParameterArgument {
        <#
        .SYNOPSIS
        The argument a command passes to a named parameter (a prefix counts): @{ Found; Value }.
        #>
        param([Parameter(Mandatory = $true)] [System.Management.Automation.Language.CommandAst] $Command, [Parameter(Mandatory = $true)] [string] $Name)
        $elements = $Command.CommandElements
        for ($i = 1; $i -lt $elements.Count; $i++) {
            $element = $elements[$i]
            if ($element -isnot [System.Management.Automation.Language.CommandParameterAst]) { continue }
            if ($element.ParameterName -eq '' -or -not $Name.StartsWith($element.ParameterName, [System.StringComparison]::OrdinalIgnoreCase)) { continue }
            if ($null -ne $element.Argument) { return @{ Found = $true; Value = $element.Argument } }
            if ($i + 1 -lt $elements.Count -and $elements[$i + 1] -isnot [System.Management.Automation.Language.CommandParameterAst]) { return @{ Found = $true; Value = $elements[$i + 1] } }
            return @{ Found = $true; Value = $null }
        }
        return @{ Found = $false; Value = $null }
    }

    function Get-RdsAssignedName {
        <#
        .SYNOPSIS
        The variable an assignment's left side names ($x or [type]$x), or $null.
        #>
        param([Parameter(Mandatory = $true)] [System.Management.Automation.Language.Ast] $Left)
        if ($Left -is [System.Management.Automation.Language.ConvertExpressionAst]) { $Left = $Left.Child }
        if ($Left -is [System.Management.Automation.Language.VariableExpressionAst]) { return $Left.VariablePath.UserPath }
        return $null
    }

    function Test-RdsScriptBlockVariable {
        <#
        .SYNOPSIS
        Whether a variable can only hold a script block whose commands this check sees.
        .DESCRIPTION
        True when the variable is a [scriptblock] parameter, or every assignment to it in its
        scope is a { } literal, another such variable, or (fleet only) [scriptblock]::Create: the
        fleet runs the rendered plan's text, which is these templates again.
        #>
        param(
            [Parameter(Mandatory = $true)] [System.Management.Automation.Language.Ast] $Scope,
            [Parameter(Mandatory = $true)] [string] $Name,
            [Parameter(Mandatory = $true)] [AllowEmptyString()] [string] $Layer,
            [Parameter(Mandatory = $true)] [AllowEmptyCollection()] [System.Collections.Generic.HashSet[string]] $Seen
        )
        if (-not $Seen.Add($Name)) { return $false }
        $parameters = @($Scope.FindAll({ param($node) $node -is [System.Management.Automation.Language.ParameterAst] -and $node.Name.VariablePath.UserPath -eq $Name }, $true))
        $assignments = @($Scope.FindAll({ param($node) $node -is [System.Management.Automation.Language.AssignmentStatementAst] -and (Get-RdsAssignedName -Left $node.Left) -eq $Name }, $true))
        $loops = @($Scope.FindAll({ param($node) $node -is [System.Management.Automation.Language.ForEachStatementAst] -and $node.Variable.VariablePath.UserPath -eq $Name }, $true))
        if ($loops.Count -gt 0 -or $parameters.Count + $assignments.Count -eq 0) { return $false }
        foreach ($parameter in $parameters) {
            $types = @($parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.Language.TypeConstraintAst] } | ForEach-Object { $_.TypeName.FullName })
            if ($types.Count -ne 1 -or @('scriptblock', 'System.Management.Automation.ScriptBlock') -notcontains $types[0]) { return $false }
        }
        foreach ($assignment in $assignments) {
            if ($assignment.Operator -ne [System.Management.Automation.Language.TokenKind]::Equals -or $assignment.Right -isnot [System.Management.Automation.Language.CommandExpressionAst]) { return $false }
            $value = $assignment.Right.Expression
            if ($value -is [System.Management.Automation.Language.ScriptBlockExpressionAst]) { continue }
            if ($value -is [System.Management.Automation.Language.VariableExpressionAst] -and (Test-RdsScriptBlockVariable -Scope $Scope -Name $value.VariablePath.UserPath -Layer $Layer -Seen $Seen)) { continue }
            $isCreate = $value -is [System.Management.Automation.Language.InvokeMemberExpressionAst] -and $value.Static -and
                $value.Expression -is [System.Management.Automation.Language.TypeExpressionAst] -and
                @('scriptblock', 'System.Management.Automation.ScriptBlock') -contains $value.Expression.TypeName.FullName -and
                $value.Member -is [System.Management.Automation.Language.StringConstantExpressionAst] -and $value.Member.Value -eq 'Create'
            if ($isCreate -and $Layer -eq 'fleet') { continue }
            return $false
        }
        return $true
    }

    function Test-RdsKnownDynamicInvocation {
        <#
        .SYNOPSIS
        Whether a command without a literal name is one of the invocations README.md allows.
        #>
        param([Parameter(Mandatory = $true)] [object] $Command)
        $ast = $Command.Ast
        $layer = $Command.File.Layer
        if ($ast.InvocationOperator -ne [System.Management.Automation.Language.TokenKind]::Ampersand) { return $false }
        $target = $ast.CommandElements[0]
        $scope = Get-RdsEnclosingScope -Ast $ast
        if ($target -is [System.Management.Automation.Language.VariableExpressionAst]) {
            $name = $target.VariablePath.UserPath
            # Its callers pass a literal, allow-listed -FilePath (checked below).
            $isNative = $layer -eq 'platform/windows' -and $name -eq 'FilePath' -and
                $scope -is [System.Management.Automation.Language.FunctionDefinitionAst] -and $scope.Name -eq 'Invoke-RdsNativeCommand'
            if ($isNative) { return $true }
            # One answer per variable and scope: platform/sim builds its default state with dozens of & $v calls.
            $key = $Command.File.Path + ':' + $scope.Extent.StartOffset + ':' + $name.ToLowerInvariant()
            if (-not $script:ScriptBlockVariable.ContainsKey($key)) {
                $seen = [System.Collections.Generic.HashSet[string]]::new([System.StringComparer]::OrdinalIgnoreCase)
                $script:ScriptBlockVariable[$key] = Test-RdsScriptBlockVariable -Scope $scope -Name $name -Layer $layer -Seen $seen
            }
            return $script:ScriptBlockVariable[$key]
        }
        # The runner calls what Register-RdsAction and Register-RdsFinalizer stored: literal
        # names of template functions (checked below).
        $isRegistered = $layer -eq 'runtime' -and $target -is [System.Management.Automation.Language.MemberExpressionAst] -and
            $target -isnot [System.Management.Automation.Language.InvokeMemberExpressionAst] -and
            $target.Expression -is [System.Management.Automation.Language.VariableExpressionAst] -and
            $target.Member -is [System.Management.Automation.Language.StringConstantExpressionAst]
        if (-not $isRegistered) { return $false }
        $holder = $target.Expression.VariablePath.UserPath
        $member = $target.Member.Value
        return (($holder -eq 'definition' -and @('Test', 'Set', 'Undo') -contains $member) -or ($holder -eq 'finalizer' -and $member -eq 'Function'))
    }

    function Get-RdsSplatKey {
        <#
        .SYNOPSIS
        The keys a splatted variable can hold: @{ Known; Names }, Known false unless every write to it is literal.
        #>
        param([Parameter(Mandatory = $true)] [System.Management.Automation.Language.Ast] $Scope, [Parameter(Mandatory = $true)] [string] $Name)
        $keys = [System.Collections.Generic.List[string]]::new()
        $known = $true
        $assigned = $false
        foreach ($assignment in $Scope.FindAll({ param($node) $node -is [System.Management.Automation.Language.AssignmentStatementAst] }, $true)) {
            $left = $assignment.Left
            if ((Get-RdsAssignedName -Left $left) -eq $Name) {
                $assigned = $true
                if ($assignment.Right -is [System.Management.Automation.Language.CommandExpressionAst] -and $assignment.Right.Expression -is [System.Management.Automation.Language.HashtableAst]) {
                    foreach ($pair in $assignment.Right.Expression.KeyValuePairs) {
                        if ($pair.Item1 -is [System.Management.Automation.Language.StringConstantExpressionAst]) { $keys.Add($pair.Item1.Value) } else { $known = $false }
                    }
                }
                else { $known = $false }
            }
            elseif ($left -is [System.Management.Automation.Language.IndexExpressionAst] -and (Get-RdsAssignedName -Left $left.Target) -eq $Name) {
                if ($left.Index -is [System.Management.Automation.Language.StringConstantExpressionAst]) { $keys.Add($left.Index.Value) } else { $known = $false }
            }
            elseif ($left -is [System.Management.Automation.Language.MemberExpressionAst] -and (Get-RdsAssignedName -Left $left.Expression) -eq $Name) {
                if ($left.Member -is [System.Management.Automation.Language.StringConstantExpressionAst]) { $keys.Add($left.Member.Value) } else { $known = $false }
            }
        }
        # $x.Add('Key', ...) and the like write keys this check cannot read.
        $calls = @($Scope.FindAll({ param($node) $node -is [System.Management.Automation.Language.InvokeMemberExpressionAst] -and $node.Expression -is [System.Management.Automation.Language.VariableExpressionAst] -and $node.Expression.VariablePath.UserPath -eq $Name }, $true))
        return @{ Known = ($known -and $assigned -and $calls.Count -eq 0); Names = $keys.ToArray() }
    }

    function Get-RdsAliasTable {
        <#
        .SYNOPSIS
        Every alias name (this pwsh's and Windows PowerShell 5.1's) -> what it stands for.
        #>
        $aliases = [System.Collections.Generic.Dictionary[string, string]]::new([System.StringComparer]::OrdinalIgnoreCase)
        foreach ($alias in Get-Command -CommandType Alias) { $aliases[$alias.Name] = [string]$alias.Definition }
        foreach ($entry in $script:WindowsPowerShellAlias.GetEnumerator()) {
            if (-not $aliases.ContainsKey($entry.Key) -or $aliases[$entry.Key] -eq '') { $aliases[$entry.Key] = $entry.Value }
        }
        return $aliases
    }

    function Assert-RdsNoFinding {
        <#
        .SYNOPSIS
        Fails the test with one line per finding (file:line:column: command: why).
        #>
        param([Parameter(Mandatory = $true)] [string] $Rule, [Parameter(Mandatory = $true)] [AllowEmptyCollection()] [string[]] $Finding)
        if ($Finding.Count -gt 0) {
            throw ($Rule + ' (ps-templates/README.md, "Cmdlet surface"); ' + $Finding.Count + " finding(s):`n  " + ($Finding -join "`n  "))
        }
    }

    $script:ScriptBlockVariable = @{}
    $script:Table = Get-RdsCommandTable -Path (Join-Path $PSScriptRoot 'README.md')
    $script:Source = Get-RdsTemplateSource -Root $PSScriptRoot
}

Describe 'The allow-list in README.md' {
    It 'is a table in the "Cmdlet surface" section the check can read' {
        Assert-RdsNoFinding -Rule 'the allow-list table must be readable' -Finding $Table.Problems
        $Table.Rows.Count | Should -BeGreaterThan 0
    }

    It 'names full Verb-Noun cmdlet names or native .exe programs, no alias and nothing PowerShell 7 added' {
        $aliases = Get-RdsAliasTable
        $findings = [System.Collections.Generic.List[string]]::new()
        foreach ($row in $Table.Rows) {
            $name = $row.Command
            if ($row.Module -eq 'native') {
                if ($name -cnotmatch '^[a-z0-9]+\.exe$') { $findings.Add($row.Where + ': ' + $name + ': a native program is named with .exe (lower case)') }
            }
            elseif ($name -notmatch '^[A-Za-z]+-[A-Za-z]+$') {
                # Not the approved-verb list: ForEach-Object and Where-Object are built-in exceptions to it.
                $findings.Add($row.Where + ': ' + $name + ': not a Verb-Noun cmdlet name')
            }
            if ($aliases.ContainsKey($name)) { $findings.Add($row.Where + ': ' + $name + ': an alias (of ' + $aliases[$name] + '), not a command') }
            if ($script:PowerShell7Command -contains $name) { $findings.Add($row.Where + ': ' + $name + ': PowerShell 6/7 added it; Windows PowerShell 5.1 does not have it') }
        }
        Assert-RdsNoFinding -Rule 'allow-list entries are full names of commands both versions have' -Finding $findings
    }

    It 'says truthfully where each entry resolves in this pwsh: its module, or windows-only' {
        $findings = [System.Collections.Generic.List[string]]::new()
        foreach ($row in $Table.Rows) {
            $isNative = $row.Module -eq 'native'
            if ($row.Linux -eq $WindowsOnly -and -not $OnWindows) {
                # The column's claim, tested: such a command must not exist here.
                $present = @(Get-Command -Name $row.Command -ErrorAction SilentlyContinue)
                if ($present.Count -gt 0) { $findings.Add($row.Where + ': ' + $row.Command + ': marked windows-only, but this pwsh has it (' + $present[0].CommandType + ' in ' + $present[0].Source + ')') }
                continue
            }
            if ($isNative) {
                if ($row.Linux -ne $WindowsOnly) { $findings.Add($row.Where + ': ' + $row.Command + ': native programs are Windows programs: mark it windows-only') }
                elseif (@(Get-Command -Name $row.Command -CommandType Application -ErrorAction SilentlyContinue).Count -eq 0) { $findings.Add($row.Where + ': ' + $row.Command + ': not found on this Windows host') }
                continue
            }
            $command = @(Get-Command -Name $row.Command -CommandType Cmdlet, Function -ErrorAction SilentlyContinue)
            if ($command.Count -eq 0) {
                $findings.Add($row.Where + ': ' + $row.Command + ': no such cmdlet or function in pwsh ' + $PSVersionTable.PSVersion + ' (mark it ''' + $WindowsOnly + ''' if it exists on Windows only)')
            }
            elseif ($command[0].ModuleName -cne $row.Module) {
                $findings.Add($row.Where + ': ' + $row.Command + ': in module ' + $command[0].ModuleName + ', not ' + $row.Module)
            }
            elseif ($command[0].Name -cne $row.Command) {
                $findings.Add($row.Where + ': ' + $row.Command + ': spelled ' + $command[0].Name)
            }
        }
        Assert-RdsNoFinding -Rule 'allow-list entries resolve as their rows say' -Finding $findings
    }

    It 'allows Windows-only commands only in platform/windows and fleet, native programs and Add-Type only in platform/windows' {
        $findings = [System.Collections.Generic.List[string]]::new()
        foreach ($row in $Table.Rows) {
            $layers = $row.Layers -join ', '
            if ($row.Linux -eq $WindowsOnly -and @($row.Layers | Where-Object { $WindowsLayers -notcontains $_ }).Count -gt 0) {
                $findings.Add($row.Where + ': ' + $row.Command + ': Windows-only but allowed in ' + $layers + '; only ' + ($WindowsLayers -join ' and ') + ' may call it')
            }
            if (($row.Module -eq 'native' -or $row.Command -eq 'Add-Type') -and $layers -cne 'platform/windows') {
                $findings.Add($row.Where + ': ' + $row.Command + ': allowed in ' + $layers + '; only platform/windows may call it')
            }
        }
        Assert-RdsNoFinding -Rule 'the layers of the allow-list keep Windows in platform/windows' -Finding $findings
    }
}

Describe 'The commands ps-templates calls' {
    It 'come from templates that parse, each in a layer folder' {
        $findings = [System.Collections.Generic.List[string]]::new()
        foreach ($file in $Source.Files) {
            foreach ($parseError in $file.Errors) { $findings.Add($file.Path + ':' + $parseError.Extent.StartLineNumber + ':' + $parseError.Extent.StartColumnNumber + ': parse error: ' + $parseError.Message) }
            if ($Layers -notcontains $file.Layer) { $findings.Add($file.Path + ': not in a layer folder (' + ($Layers -join ', ') + ')') }
        }
        foreach ($layer in $Layers) {
            if (@($Source.Files | Where-Object { $_.Layer -eq $layer }).Count -eq 0) { $findings.Add('ps-templates/' + $layer + ': no template found') }
        }
        Assert-RdsNoFinding -Rule 'every template parses and belongs to a layer' -Finding $findings
        $Source.Commands.Count | Should -BeGreaterThan 100
    }

    It 'are functions ps-templates defines or allow-listed commands of the caller''s layer' {
        $findings = [System.Collections.Generic.List[string]]::new()
        foreach ($command in $Source.Commands) {
            $name = $command.Name
            if ($null -eq $name -or $Source.Functions.ContainsKey($name)) { continue }
            $row = Get-RdsTableRow -Name $name
            if ($null -eq $row) {
                $findings.Add($command.Where + ': ' + $name + ': neither a function of ps-templates nor on the allow-list')
            }
            elseif (-not (Test-RdsLayerAllowed -Row $row -Layer $command.File.Layer)) {
                $findings.Add($command.Where + ': ' + $name + ': allowed in ' + ($row.Layers -join ', ') + ' only, not in ' + $command.File.Layer)
            }
        }
        Assert-RdsNoFinding -Rule 'a template calls only its own functions and allow-listed commands' -Finding $findings
    }

    It 'are never aliases, and no function takes an alias''s name' {
        $aliases = Get-RdsAliasTable
        $findings = [System.Collections.Generic.List[string]]::new()
        foreach ($command in $Source.Commands) {
            if ($null -ne $command.Name -and $aliases.ContainsKey($command.Name)) {
                $findings.Add($command.Where + ': ' + $command.Name + ': an alias (of ' + $aliases[$command.Name] + '): write the full command name')
            }
        }
        foreach ($entry in $Source.Functions.GetEnumerator()) {
            if ($aliases.ContainsKey($entry.Key)) { $findings.Add($entry.Value + ': function ' + $entry.Key + ': an alias of ' + $aliases[$entry.Key] + ' has that name and wins over the function') }
        }
        Assert-RdsNoFinding -Rule 'no aliases' -Finding $findings
    }

    It 'are named by literals, apart from the dynamic invocations README.md lists' {
        $findings = [System.Collections.Generic.List[string]]::new()
        foreach ($command in $Source.Commands) {
            if ($null -eq $command.Name -and -not (Test-RdsKnownDynamicInvocation -Command $command)) {
                $text = $command.Ast.Extent.Text.Split("`n")[0].Trim()
                $findings.Add($command.Where + ': ' + $text + ': the command''s name is not a literal')
            }
        }
        Assert-RdsNoFinding -Rule 'every command is named statically' -Finding $findings
    }

    It 'include nothing Windows-only in the runtime, the actions and platform/sim' {
        $findings = [System.Collections.Generic.List[string]]::new()
        foreach ($command in $Source.Commands) {
            $name = $command.Name
            if ($WindowsLayers -contains $command.File.Layer -or $null -eq $name) { continue }
            if ($name -eq 'Invoke-RdsNativeCommand') {
                $findings.Add($command.Where + ': ' + $name + ': starts a native Windows program')
                continue
            }
            if ($Source.Functions.ContainsKey($name)) { continue }
            $row = Get-RdsTableRow -Name $name
            if ($null -ne $row -and $row.Linux -eq $WindowsOnly) { $findings.Add($command.Where + ': ' + $name + ': exists on Windows only (' + $row.Where + ')') }
        }
        Assert-RdsNoFinding -Rule 'only platform/windows and fleet call Windows-only commands' -Finding $findings
    }

    It 'pass no parameter that Windows PowerShell 5.1 or PowerShell 7 lacks' {
        $findings = [System.Collections.Generic.List[string]]::new()
        foreach ($command in $Source.Commands) {
            if ($null -eq $command.Name -or $Source.Functions.ContainsKey($command.Name)) { continue }
            $row = Get-RdsTableRow -Name $command.Name
            if ($null -eq $row -or $row.Missing.Count -eq 0) { continue }
            foreach ($element in $command.Ast.CommandElements) {
                $given = @()
                if ($element -is [System.Management.Automation.Language.CommandParameterAst]) {
                    $given = @($element.ParameterName)
                }
                elseif ($element -is [System.Management.Automation.Language.VariableExpressionAst] -and $element.Splatted) {
                    $splat = Get-RdsSplatKey -Scope (Get-RdsEnclosingScope -Ast $command.Ast) -Name $element.VariablePath.UserPath
                    if (-not $splat.Known) { $findings.Add($command.Where + ': ' + $command.Name + ' @' + $element.VariablePath.UserPath + ': splats a hashtable whose keys are not all literal, so its parameters cannot be checked') }
                    $given = $splat.Names
                }
                foreach ($parameter in $given) {
                    foreach ($missing in $row.Missing) {
                        if ($parameter -ne '' -and $missing.StartsWith($parameter, [System.StringComparison]::OrdinalIgnoreCase)) {
                            $findings.Add($command.Where + ': ' + $command.Name + ' -' + $parameter + ': -' + $missing + ' is not in both Windows PowerShell 5.1 and PowerShell 7 (' + $row.Where + ')')
                        }
                    }
                }
            }
        }
        Assert-RdsNoFinding -Rule 'parameters exist in both versions' -Finding $findings
    }

    It 'call ConvertFrom-Json only as (ConvertFrom-Json -InputObject ...), alone in parentheses' {
        $findings = [System.Collections.Generic.List[string]]::new()
        foreach ($command in $Source.Commands) {
            if ($command.Name -ne 'ConvertFrom-Json') { continue }
            $pipeline = $command.Ast.Parent
            $alone = $pipeline -is [System.Management.Automation.Language.PipelineAst] -and $pipeline.PipelineElements.Count -eq 1 -and
                $pipeline.Parent -is [System.Management.Automation.Language.ParenExpressionAst]
            if (-not $alone -or -not (Get-RdsParameterArgument -Command $command.Ast -Name 'InputObject').Found) {
                $findings.Add($command.Where + ': ' + $command.Ast.Parent.Extent.Text + ': 5.1 writes a JSON array into the pipeline as one object, 7 enumerates it; write (ConvertFrom-Json -InputObject $text), in @(...) where the JSON may be an array')
            }
        }
        Assert-RdsNoFinding -Rule 'ConvertFrom-Json gives the same values in both versions' -Finding $findings
    }

    It 'start native programs only through Invoke-RdsNativeCommand with a literal, allow-listed -FilePath' {
        $Source.Functions.ContainsKey('Invoke-RdsNativeCommand') | Should -BeTrue -Because 'the rule names the one function that runs native programs'
        $findings = [System.Collections.Generic.List[string]]::new()
        foreach ($command in $Source.Commands) {
            if ($null -eq $command.Name) { continue }
            $row = Get-RdsTableRow -Name $command.Name
            if ($null -ne $row -and $row.Module -eq 'native') {
                $findings.Add($command.Where + ': ' + $command.Name + ': called directly; use Invoke-RdsNativeCommand -FilePath ''' + $command.Name + '''')
            }
            if ($command.Name -ne 'Invoke-RdsNativeCommand') { continue }
            $filePath = Get-RdsParameterArgument -Command $command.Ast -Name 'FilePath'
            if ($filePath.Value -isnot [System.Management.Automation.Language.StringConstantExpressionAst]) {
                $findings.Add($command.Where + ': Invoke-RdsNativeCommand: -FilePath must be a literal program name')
                continue
            }
            $program = $filePath.Value.Value
            $row = Get-RdsTableRow -Name $program
            if ($null -eq $row -or $row.Module -ne 'native') { $findings.Add($command.Where + ': Invoke-RdsNativeCommand -FilePath ''' + $program + ''': not a native program of the allow-list') }
            elseif (-not (Test-RdsLayerAllowed -Row $row -Layer $command.File.Layer)) { $findings.Add($command.Where + ': ' + $program + ': allowed in ' + ($row.Layers -join ', ') + ' only, not in ' + $command.File.Layer) }
        }
        Assert-RdsNoFinding -Rule 'native programs run through Invoke-RdsNativeCommand' -Finding $findings
    }

    It 'register action and finalizer functions by literal names of functions ps-templates defines' {
        $expected = @{ 'Register-RdsAction' = @('Test', 'Set', 'Undo'); 'Register-RdsFinalizer' = @('Function') }
        $registrations = @($Source.Commands | Where-Object { $null -ne $_.Name -and $expected.ContainsKey($_.Name) })
        $registrations.Count | Should -BeGreaterThan 0 -Because 'every action template registers itself'
        $findings = [System.Collections.Generic.List[string]]::new()
        foreach ($command in $registrations) {
            foreach ($parameter in $expected[$command.Name]) {
                $argument = (Get-RdsParameterArgument -Command $command.Ast -Name $parameter).Value
                if ($argument -isnot [System.Management.Automation.Language.StringConstantExpressionAst]) {
                    $findings.Add($command.Where + ': ' + $command.Name + ' -' + $parameter + ': must be a literal function name (the runner calls it with &)')
                }
                elseif (-not $Source.Functions.ContainsKey($argument.Value)) {
                    $findings.Add($command.Where + ': ' + $command.Name + ' -' + $parameter + ' ''' + $argument.Value + ''': no such function in ps-templates')
                }
            }
        }
        Assert-RdsNoFinding -Rule 'the runner''s dynamic calls reach template functions' -Finding $findings
    }
}
