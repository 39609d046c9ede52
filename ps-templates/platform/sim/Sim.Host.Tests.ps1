# Sim.Host.ps1: the token's elevation (WindowsPrincipal.IsInRole of Administrators) and the
# owner and DACL of real folders (the backup folder), as the state's "folders" holds them.
BeforeAll {
    . (Join-Path $PSScriptRoot '../../../test/support/pester/SimHost.ps1')
    Set-StrictMode -Version 3.0
    $ErrorActionPreference = 'Stop'
    foreach ($file in Get-SimTestTemplateFile) { . $file }

    $Protected = 'O:BAD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)'
    $FullAccess = 2032127

    function New-SimTestHost {
        # A state file of the default host (with the token asked for) in TestDrive, loaded.
        param([string] $Name, [string] $Token = 'Elevated', [hashtable] $Folders = @{})
        $statePath = Get-SimTestStatePath -Name ($Name + '.json')
        $document = New-RdsSimDefaultState -Token $Token
        if ($Folders.Count -gt 0) { $document.folders = $Folders }
        Write-SimTestState -Path $statePath -State $document
        Initialize-RdsPlatform -Option $statePath
        return $statePath
    }
}

Describe 'Elevation' {
    It 'the default token is elevated; the token UAC gives without "Run as administrator" is not' {
        $elevatedPath = New-SimTestHost -Name 'elevated'
        $elevated = Test-RdsElevation
        Complete-RdsPlatform
        $filteredPath = New-SimTestHost -Name 'filtered' -Token 'NotElevated'
        $filtered = Test-RdsElevation
        Complete-RdsPlatform
        $saved = Read-SimTestState -Path $filteredPath

        $elevated | Should -BeExactly $true
        $filtered | Should -BeExactly $false
        (Read-SimTestState -Path $elevatedPath).calls['Test-RdsElevation'] | Should -Be 1
        # Administrators deny-only (not an enabled group), medium integrity, no backup/restore/ownership privileges.
        $saved.token.groups -ccontains 'S-1-5-32-544' | Should -BeFalse
        $saved.token.groups -ccontains 'S-1-16-8192' | Should -BeTrue
        $saved.token.groups -ccontains 'S-1-16-12288' | Should -BeFalse
        @($saved.token.privileges.Keys) -join ',' | Should -BeExactly 'SeShutdownPrivilege'
    }

    It 'a token is elevated when its groups hold Administrators, whatever else it has' {
        $statePath = Get-SimTestStatePath -Name 'groups.json'
        Write-SimTestState -Path $statePath -State @{ token = @{ user = 'S-1-5-21-1-2-3-1001'; groups = @('S-1-1-0', 's-1-5-32-544'); privileges = @{} } }
        Initialize-RdsPlatform -Option $statePath
        Test-RdsElevation | Should -BeExactly $true
        Complete-RdsPlatform
    }
}

Describe 'Folder security' {
    It 'a missing folder is $null; one the state does not know has what C:\ProgramData passes on: Users may write' {
        $null = New-SimTestHost -Name 'unknown'
        $missing = Get-RdsDirectorySecurity -Path (Join-Path $TestDrive 'no-such-folder')
        $folder = Join-Path $TestDrive 'made-by-someone'
        [void][System.IO.Directory]::CreateDirectory($folder)
        $security = Get-RdsDirectorySecurity -Path $folder
        Complete-RdsPlatform

        $missing | Should -Be $null
        $security.Owner | Should -BeExactly 'S-1-5-32-544'
        $users = @($security.Access | Where-Object { $_.Sid -eq 'S-1-5-32-545' })
        ConvertTo-SimTestJson -InputObject $users | Should -BeExactly (ConvertTo-SimTestJson -InputObject @(
                @{ Sid = 'S-1-5-32-545'; Allow = $true; Rights = 0x1200a9; InheritOnly = $false }
                @{ Sid = 'S-1-5-32-545'; Allow = $true; Rights = 0x116; InheritOnly = $false }
            ))
        ConvertTo-SimTestJson -InputObject @($security.Access | Where-Object { $_.Sid -eq 'S-1-3-0' }) | Should -BeExactly (ConvertTo-SimTestJson -InputObject @(@{ Sid = 'S-1-3-0'; Allow = $true; Rights = 0x10000000; InheritOnly = $true }))
    }

    It 'New-RdsProtectedDirectory creates the folder and its missing parents for SYSTEM and Administrators only, and the state keeps them' {
        $statePath = New-SimTestHost -Name 'protected'
        $folder = Join-Path $TestDrive 'rdsplan/backups/rdsh01'
        New-RdsProtectedDirectory -Path ($folder + [System.IO.Path]::DirectorySeparatorChar)
        $security = Get-RdsDirectorySecurity -Path $folder
        $parent = Get-RdsDirectorySecurity -Path (Join-Path $TestDrive 'rdsplan')
        Complete-RdsPlatform
        $saved = Read-SimTestState -Path $statePath
        Initialize-RdsPlatform -Option $statePath
        $reloaded = Get-RdsDirectorySecurity -Path $folder
        Complete-RdsPlatform

        [System.IO.Directory]::Exists($folder) | Should -BeTrue
        $expected = @{ Owner = 'S-1-5-32-544'; Access = @(@{ Sid = 'S-1-5-18'; Allow = $true; Rights = $FullAccess; InheritOnly = $false }, @{ Sid = 'S-1-5-32-544'; Allow = $true; Rights = $FullAccess; InheritOnly = $false }) }
        ConvertTo-SimTestJson -InputObject $security | Should -BeExactly (ConvertTo-SimTestJson -InputObject $expected)
        ConvertTo-SimTestJson -InputObject $parent | Should -BeExactly (ConvertTo-SimTestJson -InputObject $expected)
        ConvertTo-SimTestJson -InputObject $reloaded | Should -BeExactly (ConvertTo-SimTestJson -InputObject $expected)
        $created = [string[]]@($saved.folders.Keys)
        [System.Array]::Sort($created, [System.StringComparer]::Ordinal)
        $created -join '|' | Should -BeExactly (@((Join-Path $TestDrive 'rdsplan'), (Join-Path $TestDrive 'rdsplan/backups'), $folder) -join '|')
        foreach ($path in $created) { $saved.folders[$path].sddl | Should -BeExactly $Protected }
        # Not a change of the host the plan is about: not in the call log, as Export-RdsRegistryKey is not.
        $saved.calls['New-RdsProtectedDirectory'] | Should -Be 1
        @($saved.callLog) | Should -HaveCount 0
    }

    It 'a folder created while the run holds the lock is saved at once: a run killed after it leaves the folder protected for the next run' {
        $statePath = New-SimTestHost -Name 'killed'
        $folder = Join-Path $TestDrive 'killed/backups/rdsh01'
        $null = Lock-RdsHost -Name 'rdsplan'
        New-RdsProtectedDirectory -Path $folder
        # What a kill at this point leaves: the state file as it is now, never unlocked or completed.
        $killed = [System.IO.File]::ReadAllText($statePath)
        $saved = Read-SimTestState -Path $statePath
        Unlock-RdsHost -Name 'rdsplan'
        Complete-RdsPlatform
        [System.IO.File]::WriteAllText($statePath, $killed)
        Initialize-RdsPlatform -Option $statePath
        $next = Get-RdsDirectorySecurity -Path $folder
        Complete-RdsPlatform

        $saved.folders[$folder].sddl | Should -BeExactly $Protected
        $next.Owner | Should -BeExactly 'S-1-5-32-544'
        @($next.Access | ForEach-Object { $_.Sid }) -join ',' | Should -BeExactly 'S-1-5-18,S-1-5-32-544'
    }

    It 'an existing folder is left as it is, also one another account owns' {
        $folder = Join-Path $TestDrive 'theirs'
        [void][System.IO.Directory]::CreateDirectory($folder)
        $theirs = 'O:S-1-5-21-1004336348-1177238915-682003330-1105D:PAI(A;OICI;FA;;;S-1-5-21-1004336348-1177238915-682003330-1105)(A;OICI;FA;;;BA)'
        $statePath = New-SimTestHost -Name 'theirs' -Folders @{ $folder = @{ sddl = $theirs } }
        New-RdsProtectedDirectory -Path $folder
        $security = Get-RdsDirectorySecurity -Path $folder
        Complete-RdsPlatform

        $security.Owner | Should -BeExactly 'S-1-5-21-1004336348-1177238915-682003330-1105'
        (Read-SimTestState -Path $statePath).folders[$folder].sddl | Should -BeExactly $theirs
    }

    It 'a token that is not elevated cannot make Administrators the owner: nothing is created' {
        $null = New-SimTestHost -Name 'no-owner' -Token 'NotElevated'
        $folder = Join-Path $TestDrive 'never/created'
        $result = Invoke-SimTestStep { New-RdsProtectedDirectory -Path $folder }
        Complete-RdsPlatform

        ConvertTo-SimTestJson -InputObject $result | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $false; Error = 'The security identifier is not allowed to be the owner of this object. (' + $folder + ')' })
        [System.IO.Directory]::Exists((Join-Path $TestDrive 'never')) | Should -BeFalse
    }

    It 'deny rules are reported as such; a folder without a DACL gives Everyone full control, as .NET shows a null DACL' {
        $denied = Join-Path $TestDrive 'denied'
        $open = Join-Path $TestDrive 'open'
        foreach ($folder in @($denied, $open)) { [void][System.IO.Directory]::CreateDirectory($folder) }
        $null = New-SimTestHost -Name 'kinds' -Folders @{
            $denied = @{ sddl = 'O:SYD:P(D;OICI;0x116;;;BU)(A;OICI;FA;;;BA)' }
            $open   = @{ sddl = 'O:SYD:NO_ACCESS_CONTROL' }
        }
        $deniedSecurity = Get-RdsDirectorySecurity -Path $denied
        $openSecurity = Get-RdsDirectorySecurity -Path $open
        Complete-RdsPlatform

        ConvertTo-SimTestJson -InputObject $deniedSecurity | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Owner = 'S-1-5-18'; Access = @(@{ Sid = 'S-1-5-32-545'; Allow = $false; Rights = 0x116; InheritOnly = $false }, @{ Sid = 'S-1-5-32-544'; Allow = $true; Rights = $FullAccess; InheritOnly = $false }) })
        ConvertTo-SimTestJson -InputObject $openSecurity | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Owner = 'S-1-5-18'; Access = @(@{ Sid = 'S-1-1-0'; Allow = $true; Rights = $FullAccess; InheritOnly = $false }) })
    }

    It 'a folder entry with a malformed SDDL or without an owner is refused when loading' {
        foreach ($case in @(@{ Sddl = 'O:BAD:(A;;QQ;;;BA)'; Message = 'The SDDL form of a security descriptor object is invalid. (O:BAD:(A;;QQ;;;BA))' }, @{ Sddl = 'D:P(A;;FA;;;BA)'; Message = 'folders: the SDDL needs an owner (C:\rdsplan)' })) {
            $statePath = Get-SimTestStatePath -Name 'bad-folder.json'
            Write-SimTestState -Path $statePath -State @{ folders = @{ 'C:\rdsplan' = @{ sddl = $case.Sddl } } }
            $thrown = { Initialize-RdsPlatform -Option $statePath } | Should -Throw -PassThru
            $thrown.Exception.Message | Should -BeExactly ('invalid simulated host state: ' + $case.Message + ' (' + $statePath + ')')
        }
    }
}
