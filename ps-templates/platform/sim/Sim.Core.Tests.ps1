# Sim.Core.ps1: the built-in default host and its state file (contents, the platform API's
# return shapes over it, deterministic saving, reload, schema), fault injection and call
# counters, and the host lock file that keeps two runs off one simulated host.
BeforeAll {
    . (Join-Path $PSScriptRoot '../../../test/support/pester/SimHost.ps1')
    Set-StrictMode -Version 3.0
    $ErrorActionPreference = 'Stop'
    foreach ($file in Get-SimTestTemplateFile) { . $file }
}

Describe 'Built-in default host and its state file' {
    Context 'a run over a missing state file reads the default host and saves it' {
        BeforeAll {
            $statePath = Get-SimTestStatePath -Name 'default.json'
            $servicesKey = 'HKLM\SYSTEM\CurrentControlSet\Services'
            $policyKey = 'HKLM\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services'
            Initialize-RdsPlatform -Option $statePath
            $read = @{
                Identity     = Get-RdsHostIdentity
                GraceSddl    = Get-RdsRegistrySddl -Path $SimGracePeriodPath -View 'Default'
                GraceNames   = @(Get-RdsRegistryValueName -Path $SimGracePeriodPath -View 'Default')
                Timebomb     = Get-RdsRegistryValue -Path $SimGracePeriodPath -Name $SimTimebombName.ToLowerInvariant() -View 'Default'
                Mode         = Get-RdsRegistryValue -Path 'HKLM\SYSTEM\CurrentControlSet\Control\Terminal Server\RCM\Licensing Core' -Name 'LicensingMode' -View 'Default'
                Servers      = Get-RdsRegistryValue -Path ($servicesKey + '\TermService\Parameters\LicenseServers') -Name 'SpecifiedLicenseServers' -View 'Default'
                Store        = @(Get-RdsRegistrySubkeyName -Path 'HKLM\SOFTWARE\Microsoft\MSLicensing\Store' -View 'Default')
                MsLicensing  = @(Get-RdsRegistrySubkeyName -Path 'HKLM\SOFTWARE\Microsoft\MSLicensing' -View 'Default')
                PolicyExists = Test-RdsRegistryKey -Path $policyKey -View 'Default'
                PolicyNames  = @(Get-RdsRegistryValueName -Path $policyKey -View 'Default')
                MissingKey   = Test-RdsRegistryKey -Path 'HKLM\SOFTWARE\Contoso' -View 'Default'
                MissingValue = Get-RdsRegistryValue -Path 'HKLM\SOFTWARE\Contoso' -Name 'x' -View 'Default'
                MissingNames = @(Get-RdsRegistryValueName -Path 'HKLM\SOFTWARE\Contoso' -View 'Default')
                TermService  = Get-RdsService -Name 'termservice'
                Licensing    = Get-RdsService -Name 'TermServLicensing'
                NoService    = Get-RdsService -Name 'NoSuchService'
                Setting      = Get-RdsTerminalServiceSetting
                Days         = Get-RdsGracePeriodDays
            }
            Complete-RdsPlatform
            $state = Read-SimTestState -Path $statePath
        }

        It 'saves the state file in its format' {
            $state.format | Should -BeExactly 'rdsplan-sim-state/1'
        }

        It 'GracePeriod: owned by NETWORK SERVICE, Administrators read only, holds the timebomb' {
            $read.GraceSddl | Should -BeExactly $SimGracePeriodSddl
            ConvertTo-SimTestJson -InputObject $read.GraceNames | Should -BeExactly (ConvertTo-SimTestJson -InputObject @($SimTimebombName))
            # Case-insensitive lookup, stored case returned; canonical Binary = lowercase hex.
            $read.Timebomb.Name | Should -BeExactly $SimTimebombName
            $read.Timebomb.Type | Should -BeExactly 'Binary'
            $read.Timebomb.Data | Should -MatchExactly '^([0-9a-f]{2})+$'
            (Get-SimTestStateKey -State $state -Path $SimGracePeriodPath).sddl | Should -BeExactly $SimGracePeriodSddl
        }

        It 'licensing values, the MSLicensing cache, an empty policy key, absent keys and values' {
            ConvertTo-SimTestJson -InputObject $read.Mode | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Name = 'LicensingMode'; Type = 'DWord'; Data = 5 })
            ConvertTo-SimTestJson -InputObject $read.Servers | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Name = 'SpecifiedLicenseServers'; Type = 'MultiString'; Data = @() })
            ConvertTo-SimTestJson -InputObject $read.Store | Should -BeExactly '["LICENSE000","LICENSE001"]'
            ConvertTo-SimTestJson -InputObject $read.MsLicensing | Should -BeExactly '["HardwareID","Store"]'
            $read.PolicyExists | Should -BeExactly $true
            ConvertTo-SimTestJson -InputObject $read.PolicyNames | Should -BeExactly '[]'
            $read.MissingKey | Should -BeExactly $false
            $read.MissingValue | Should -Be $null
            ConvertTo-SimTestJson -InputObject $read.MissingNames | Should -BeExactly '[]'
        }

        It 'the saved cache and certificate values are Binary' {
            (Get-SimTestStateValue -State $state -Path 'HKLM\SOFTWARE\Microsoft\MSLicensing\HardwareID' -Name 'ClientHWID').type | Should -BeExactly 'Binary'
            foreach ($license in @('LICENSE000', 'LICENSE001')) {
                (Get-SimTestStateValue -State $state -Path ('HKLM\SOFTWARE\Microsoft\MSLicensing\Store\' + $license) -Name 'ClientLicense').type | Should -BeExactly 'Binary' -Because $license
            }
            $rcm = Get-SimTestStateKey -State $state -Path 'HKLM\SYSTEM\CurrentControlSet\Control\Terminal Server\RCM'
            $pairs = @(foreach ($value in $rcm.values) { $value.name + '|' + $value.type })
            foreach ($pair in @('Certificate|Binary', 'X509 Certificate|Binary', 'X509 Certificate ID|Binary')) {
                $pairs -ccontains $pair | Should -BeTrue -Because "RCM holds $pair"
            }
        }

        It 'only GracePeriod is locked: Administrators have full control on ordinary keys' {
            (Get-SimTestStateKey -State $state -Path 'HKLM\SYSTEM\CurrentControlSet\Services\TermService').sddl | Should -BeLikeExactly '*(A;CIID;KA;;;BA)*'
        }

        It 'services, dependencies and start modes (mirrored in the registry)' {
            ConvertTo-SimTestJson -InputObject $read.TermService | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{
                    Name               = 'TermService'
                    StartMode          = 'Manual'
                    Status             = 'Running'
                    DependentServices  = @('UmRdpService')
                    ServicesDependedOn = @('RpcSs')
                })
            ConvertTo-SimTestJson -InputObject $read.Licensing | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{
                    Name               = 'TermServLicensing'
                    StartMode          = 'Automatic'
                    Status             = 'Running'
                    DependentServices  = @()
                    ServicesDependedOn = @('RpcSs', 'EventLog')
                })
            $read.NoService | Should -Be $null
            $names = [string[]]@($state.services.Keys)
            [System.Array]::Sort($names, [System.StringComparer]::Ordinal)
            $names -join ',' | Should -BeExactly 'EventLog,RpcSs,TermServLicensing,TermService,UmRdpService'
            (Get-SimTestStateValue -State $state -Path ($servicesKey + '\TermService') -Name 'Start').data | Should -Be 3
            (Get-SimTestStateValue -State $state -Path ($servicesKey + '\TermServLicensing') -Name 'Start').data | Should -Be 2
        }

        It 'WMI settings, grace days, identity and token' {
            ConvertTo-SimTestJson -InputObject $read.Setting | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ LicensingType = 5; SpecifiedLicenseServers = @(); PolicySourceLicensingType = 0; PolicySourceConfiguredLicenseServers = 0 })
            # In its grace period with a reset due (New-RdsSimDefaultState: 21 days left).
            $read.Days | Should -Be 21
            ConvertTo-SimTestJson -InputObject $read.Identity | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ ComputerName = 'RDSH01'; UserName = 'CONTOSO\Administrator'; IsDomainJoined = $true })
            $state.token.user | Should -MatchExactly '^S-1-5-21-\d+-\d+-\d+-500$'
            $state.token.groups -ccontains 'S-1-5-32-544' | Should -BeTrue -Because 'the token holds Administrators'
            foreach ($privilege in @('SeTakeOwnershipPrivilege', 'SeRestorePrivilege', 'SeBackupPrivilege', 'SeShutdownPrivilege')) {
                ConvertTo-SimTestJson -InputObject $state.token.privileges[$privilege] | Should -BeExactly '{"enabled":false,"held":true}' -Because $privilege
            }
            ConvertTo-SimTestJson -InputObject $state.terminalServices | Should -BeExactly '{"graceDays":21,"graceDaysThrows":false,"timebombGraceDays":21}'
        }

        It 'saves the call counters of the run' {
            $state.calls['Get-RdsRegistryValue'] | Should -Be 4
            $state.calls['Get-RdsService'] | Should -Be 3
            $state.calls.Contains('*') | Should -BeFalse
            ConvertTo-SimTestJson -InputObject $state.callLog | Should -BeExactly '[]'
        }

        It 'the saved state validates against schemas/sim-state.schema.json, which is not vacuous' {
            $schemaFile = Join-Path $PSScriptRoot '../../../schemas/sim-state.schema.json'
            $schemaErrors = $null
            $valid = Test-Json -Json ([System.IO.File]::ReadAllText($statePath)) -SchemaFile $schemaFile -ErrorVariable schemaErrors -ErrorAction SilentlyContinue
            @($schemaErrors | ForEach-Object { [string]$_ }) | Should -BeNullOrEmpty
            $valid | Should -BeExactly $true
            $broken = Read-SimTestState -Path $statePath
            $broken.registry = @{ HKLM = @{ values = @(@{ name = 'x'; type = 'DWord'; data = -1 }) } }
            Test-Json -Json (ConvertTo-Json -InputObject $broken -Depth 64) -SchemaFile $schemaFile -ErrorAction SilentlyContinue | Should -BeExactly $false
        }
    }

    Context 'reloading and saving again' {
        It 'is byte-stable (sorted keys, same order) apart from the counters' {
            $statePath = Get-SimTestStatePath -Name 'stable.json'
            Initialize-RdsPlatform -Option $statePath
            $null = Get-RdsHostIdentity
            $null = Get-RdsService -Name 'TermService'
            Complete-RdsPlatform
            $before = [System.IO.File]::ReadAllText($statePath)
            Initialize-RdsPlatform -Option $statePath
            Complete-RdsPlatform
            $after = [System.IO.File]::ReadAllText($statePath)
            $withoutCalls = foreach ($text in @($before, $after)) {
                $document = ConvertFrom-Json -InputObject $text -AsHashtable -Depth 64
                $document.Remove('calls')
                ConvertTo-Json -InputObject $document -Depth 64 -Compress
            }
            $withoutCalls[1] | Should -BeExactly $withoutCalls[0]
            # The counters are what differs: the first run read more.
            $after | Should -Not -BeExactly $before
            Initialize-RdsPlatform -Option $statePath
            Complete-RdsPlatform
            [System.IO.File]::ReadAllText($statePath) | Should -BeExactly $after
            # Pretty-printed, ASCII, newline-terminated, top-level keys sorted.
            $after.EndsWith("}`n") | Should -BeTrue
            $after | Should -MatchExactly '^[\x00-\x7f]*$'
            $keys = [string[]]@((ConvertFrom-Json -InputObject $after -AsHashtable).Keys)
            $sorted = [string[]]$keys.Clone()
            [System.Array]::Sort($sorted, [System.StringComparer]::Ordinal)
            $keys -join ',' | Should -BeExactly ($sorted -join ',')
        }
    }

    Context 'a state that cannot be used' {
        It 'an empty -Option is refused' {
            $thrown = { Initialize-RdsPlatform -Option '' } | Should -Throw -PassThru
            $thrown.Exception.Message | Should -BeExactly 'the simulated platform needs a state file'
            # An ArgumentException is what the runner refuses; any other error fails the run.
            $thrown.Exception | Should -BeOfType ([System.ArgumentException])
        }

        It 'a fresh run that did not initialize is told so' {
            $step = Start-SimTestJob -ScriptBlock { Invoke-SimTestStep { Get-RdsHostIdentity } } | Receive-Job -Wait -AutoRemoveJob
            $step.Ok | Should -BeFalse
            $step.Error | Should -MatchExactly 'not initialized'
        }

        It 'a DWord out of range is reported with the value and the state file, which is left as it is' {
            $statePath = Get-SimTestStatePath -Name 'bad-dword.json'
            $text = '{"registry": {"HKLM\\SOFTWARE": {"values": [{"name": "a", "type": "DWord", "data": 4294967296}]}}}'
            [System.IO.File]::WriteAllText($statePath, $text)
            $thrown = { Initialize-RdsPlatform -Option $statePath } | Should -Throw -PassThru
            $thrown.Exception.Message | Should -BeExactly ('invalid simulated host state: invalid DWord data (HKLM\SOFTWARE\a) (' + $statePath + ')')
            [System.IO.File]::ReadAllText($statePath) | Should -BeExactly $text
        }

        It 'a malformed SDDL is reported with the Windows message, and the state file is left as it is' {
            $statePath = Get-SimTestStatePath -Name 'bad-sddl.json'
            $text = '{"registry": {"HKLM\\SOFTWARE\\X": {"sddl": "O:BAG:SYD:(A;;QQ;;;BA)"}}}'
            [System.IO.File]::WriteAllText($statePath, $text)
            $thrown = { Initialize-RdsPlatform -Option $statePath } | Should -Throw -PassThru
            $thrown.Exception.Message | Should -MatchExactly '^invalid simulated host state: The SDDL form of a security descriptor object is invalid\.'
            [System.IO.File]::ReadAllText($statePath) | Should -BeExactly $text
        }
    }

    Context 'a minimal hand-written state' {
        BeforeAll {
            $statePath = Get-SimTestStatePath -Name 'minimal.json'
            Write-SimTestState -Path $statePath -State @{
                registry = @{ 'HKLM\SOFTWARE\Contoso\App' = @{ values = @(@{ name = 'Level'; type = 'dword'; data = 7 }) } }
                services = @{ Foo = @{ startMode = 'Disabled'; status = 'Stopped' } }
            }
            Initialize-RdsPlatform -Option $statePath
            $sddl = Get-RdsRegistrySddl -Path 'HKLM\SOFTWARE\Contoso\App' -View 'Default'
            $level = Get-RdsRegistryValue -Path 'HKLM\SOFTWARE\Contoso\App' -Name 'level' -View 'Default'
            $foo = Get-RdsService -Name 'Foo'
            Complete-RdsPlatform
            $state = Read-SimTestState -Path $statePath
        }

        It 'a value type in any case is read in its canonical form' {
            ConvertTo-SimTestJson -InputObject $level | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Name = 'Level'; Type = 'DWord'; Data = 7 })
        }

        It 'a key without SDDL inherits from its (created) parents' {
            $sddl | Should -BeExactly 'O:BAG:SYD:AI(A;CIIOID;KA;;;CO)(A;CIID;KA;;;SY)(A;CIID;KA;;;BA)(A;CIID;KR;;;BU)'
        }

        It 'the missing parents and the service key are saved; the start mode is in the registry' {
            $foo.StartMode | Should -BeExactly 'Disabled'
            foreach ($key in @('HKLM\SOFTWARE', 'HKLM\SOFTWARE\Contoso', 'HKLM\SOFTWARE\Contoso\App', 'HKLM\SYSTEM\CurrentControlSet\Services\Foo')) {
                @($state.registry.Keys) -ccontains $key | Should -BeTrue -Because "the state holds $key"
            }
            (Get-SimTestStateValue -State $state -Path 'HKLM\SYSTEM\CurrentControlSet\Services\Foo' -Name 'Start').data | Should -Be 4
        }
    }
}

Describe 'Fault injection and call counters' {
    BeforeAll {
        $key = 'HKLM\SOFTWARE\Contoso'
    }

    It 'the nth call of a function fails with the given message; the other calls apply' {
        $statePath = Get-SimTestStatePath -Name 'nth.json'
        $state = New-SimTestDefaultState -Path $statePath
        $state.faults = @(@{ call = 'Set-RdsRegistryValue'; nth = 3; message = 'The device is not ready.' })
        Write-SimTestState -Path $statePath -State $state
        Initialize-RdsPlatform -Option $statePath
        $steps = foreach ($i in 1..4) {
            Invoke-SimTestStep { Set-RdsRegistryValue -Path $key -Name ('v' + $i) -Type 'DWord' -Data $i -View 'Default' }
        }
        $names = @(Get-RdsRegistryValueName -Path $key -View 'Default')
        Complete-RdsPlatform
        $state = Read-SimTestState -Path $statePath

        ($steps | ForEach-Object { $_.Ok }) -join ',' | Should -BeExactly 'True,True,False,True'
        $steps[2].Error | Should -BeExactly 'The device is not ready.'
        ConvertTo-SimTestJson -InputObject $names | Should -BeExactly '["v1","v2","v4"]'
        $state.calls['Set-RdsRegistryValue'] | Should -Be 4
        $state.calls['Get-RdsRegistryValueName'] | Should -Be 1
        $state.calls['*'] | Should -Be 4
        ConvertTo-SimTestJson -InputObject $state.faults | Should -BeExactly (ConvertTo-SimTestJson -InputObject @(@{ call = 'Set-RdsRegistryValue'; nth = 3; message = 'The device is not ready.'; error = 'Failed'; fired = 1 }))
        $expectedLog = @(foreach ($i in 1..4) { @{ call = 'Set-RdsRegistryValue'; path = $key; name = 'v' + $i } })
        ConvertTo-SimTestJson -InputObject $state.callLog | Should -BeExactly (ConvertTo-SimTestJson -InputObject $expectedLog)
    }

    It 'a path-specific AccessDenied fault fails every call on that path with the real message, and only there' {
        $statePath = Get-SimTestStatePath -Name 'path.json'
        $store = 'HKLM\SOFTWARE\Microsoft\MSLicensing\Store'
        $state = New-SimTestDefaultState -Path $statePath
        $state.faults = @(
            @{ call = 'Remove-RdsRegistryValue'; path = 'hklm\software\microsoft\mslicensing\store\license000'; error = 'AccessDenied' }
            @{ call = 'Stop-RdsService'; name = 'TermServLicensing'; error = 'AccessDenied' }
            @{ call = 'Get-RdsRegistryValue'; name = 'ClientHWID'; error = 'NotFound' }
        )
        Write-SimTestState -Path $statePath -State $state
        Initialize-RdsPlatform -Option $statePath
        $denied1 = Invoke-SimTestStep { Remove-RdsRegistryValue -Path ($store + '\LICENSE000') -Name 'ClientLicense' -View 'Default' }
        $denied2 = Invoke-SimTestStep { Remove-RdsRegistryValue -Path ($store + '\LICENSE000') -Name 'ProductID' -View 'Default' }
        $other = Invoke-SimTestStep { Remove-RdsRegistryValue -Path ($store + '\LICENSE001') -Name 'ClientLicense' -View 'Default' }
        $otherFunction = Invoke-SimTestStep { Set-RdsRegistryValue -Path ($store + '\LICENSE000') -Name 'ClientLicense' -Type 'Binary' -Data '00' -View 'Default' }
        $service = Invoke-SimTestStep { Stop-RdsService -Name 'TermServLicensing' }
        $read = Invoke-SimTestStep { Get-RdsRegistryValue -Path 'HKLM\SOFTWARE\Microsoft\MSLicensing\HardwareID' -Name 'ClientHWID' -View 'Default' }
        Complete-RdsPlatform
        $state = Read-SimTestState -Path $statePath

        ConvertTo-SimTestJson -InputObject $denied1 | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $false; Error = 'Requested registry access is not allowed. (' + $store + '\LICENSE000)' })
        ConvertTo-SimTestJson -InputObject $denied2 | Should -BeExactly (ConvertTo-SimTestJson -InputObject $denied1)
        $other.Ok | Should -BeTrue
        $otherFunction.Ok | Should -BeTrue
        ConvertTo-SimTestJson -InputObject $service | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $false; Error = 'Access is denied. (TermServLicensing)' })
        ConvertTo-SimTestJson -InputObject $read | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $false; Error = 'The system cannot find the file specified. (HKLM\SOFTWARE\Microsoft\MSLicensing\HardwareID)' })
        # Nothing of the failed calls was applied.
        Get-SimTestStateValue -State $state -Path ($store + '\LICENSE000') -Name 'ProductID' | Should -Not -BeNullOrEmpty
        (Get-SimTestStateValue -State $state -Path ($store + '\LICENSE000') -Name 'ClientLicense').data | Should -BeExactly '00'
        Get-SimTestStateValue -State $state -Path ($store + '\LICENSE001') -Name 'ClientLicense' | Should -Be $null
        $state.services.TermServLicensing.status | Should -BeExactly 'Running'
        ($state.faults | ForEach-Object { $_.fired }) -join ',' | Should -BeExactly '2,1,1'
    }

    It '"*" with nth counts mutating calls of any kind (reads and privileges do not count)' {
        $statePath = Get-SimTestStatePath -Name 'star.json'
        $state = New-SimTestDefaultState -Path $statePath
        $state.faults = @(@{ call = '*'; nth = 3 })
        Write-SimTestState -Path $statePath -State $state
        Initialize-RdsPlatform -Option $statePath
        $steps = [ordered]@{
            m1 = Invoke-SimTestStep { New-RdsRegistryKey -Path $key -View 'Default' }
            r1 = Invoke-SimTestStep { Get-RdsRegistryValue -Path $key -Name 'x' -View 'Default' }
            p1 = Invoke-SimTestStep { Enable-RdsPrivilege -Name 'SeBackupPrivilege' }
            m2 = Invoke-SimTestStep { Set-RdsServiceStartMode -Name 'TermService' -StartMode 'Manual' }
            r2 = Invoke-SimTestStep { Get-RdsService -Name 'TermService' | Out-Null }
            m3 = Invoke-SimTestStep { Set-RdsLicensingType -Type 2 }
            m4 = Invoke-SimTestStep { Set-RdsLicensingType -Type 2 }
        }
        Complete-RdsPlatform
        $state = Read-SimTestState -Path $statePath

        foreach ($label in @('m1', 'r1', 'p1', 'm2', 'r2', 'm4')) { $steps[$label].Ok | Should -BeTrue -Because $label }
        ConvertTo-SimTestJson -InputObject $steps.m3 | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $false; Error = 'simulated failure of Set-RdsLicensingType (2)' })
        $state.calls['*'] | Should -Be 4
        ($state.callLog | ForEach-Object { $_.call }) -join ',' | Should -BeExactly 'New-RdsRegistryKey,Set-RdsServiceStartMode,Set-RdsLicensingType,Set-RdsLicensingType'
        (Get-SimTestStateValue -State $state -Path 'HKLM\SYSTEM\CurrentControlSet\Control\Terminal Server\RCM\Licensing Core' -Name 'LicensingMode').data | Should -Be 2
    }

    It 'an invalid fault is reported when loading the state' {
        $statePath = Get-SimTestStatePath -Name 'badfault.json'
        $state = New-SimTestDefaultState -Path $statePath
        $state.faults = @(@{ call = 'Set-RdsRegistryValue'; nth = 0 })
        Write-SimTestState -Path $statePath -State $state
        $written = [System.IO.File]::ReadAllText($statePath)
        $thrown = { Initialize-RdsPlatform -Option $statePath } | Should -Throw -PassThru
        $thrown.Exception.Message | Should -BeExactly ('invalid simulated host state: faults: nth counts from 1 (' + $statePath + ')')
        [System.IO.File]::ReadAllText($statePath) | Should -BeExactly $written
    }
}

Describe 'Host lock file' {
    BeforeAll {
        $key = 'HKLM\SOFTWARE\Contoso'
    }

    AfterEach {
        # A failed test must not leave its lock file open for the next one.
        Unlock-RdsHost -Name 'rdsplan'
    }

    It 'Lock creates the state file name + .lock, a second lock is Held, Unlock removes it' {
        $statePath = Get-SimTestStatePath -Name 'lock.json'
        $run = Invoke-SimTestLockedRun -StatePath $statePath
        $state = Read-SimTestState -Path $statePath

        ConvertTo-SimTestJson -InputObject $run.Lock | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $true; Value = @{ Status = 'Acquired'; Lock = $statePath + '.lock' } })
        $run.LockFile | Should -BeTrue
        ConvertTo-SimTestJson -InputObject $run.Again | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $true; Value = @{ Status = 'Held'; Lock = $statePath + '.lock' } })
        $run.Unlock.Ok | Should -BeTrue
        $run.LockFileAfter | Should -BeFalse
        [System.IO.File]::Exists($statePath + '.lock') | Should -BeFalse
        (Get-SimTestStateValue -State $state -Path $key -Name 'Run').data | Should -BeExactly 'lock.json'
    }

    It 'a run against a state file whose lock is held elsewhere is refused, and leaves that lock alone' {
        $statePath = Get-SimTestStatePath -Name 'held.json'
        $lockText = '{"name":"rdsplan","processId":1}' + "`n"
        [System.IO.File]::WriteAllText($statePath + '.lock', $lockText)
        $run = Invoke-SimTestLockedRun -StatePath $statePath

        @($run.Keys) -join ',' | Should -BeExactly 'Lock'
        ConvertTo-SimTestJson -InputObject $run.Lock | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $true; Value = @{ Status = 'Held'; Lock = $statePath + '.lock' } })
        [System.IO.File]::ReadAllText($statePath + '.lock') | Should -BeExactly $lockText
        [System.IO.File]::Exists($statePath) | Should -BeFalse
    }

    It 'a run refused the lock never saves, even when it goes on and unlocks' {
        $statePath = Get-SimTestStatePath -Name 'refused.json'
        $null = New-SimTestDefaultState -Path $statePath
        $before = [System.IO.File]::ReadAllText($statePath)
        [System.IO.File]::WriteAllText($statePath + '.lock', '{"name":"rdsplan","processId":1}' + "`n")
        Initialize-RdsPlatform -Option $statePath
        $lock = Invoke-SimTestStep { Lock-RdsHost -Name 'rdsplan' }
        Set-RdsRegistryValue -Path $key -Name 'Lost' -Type 'DWord' -Data 1 -View 'Default'
        Unlock-RdsHost -Name 'rdsplan'
        Complete-RdsPlatform

        $lock.Value.Status | Should -BeExactly 'Held'
        [System.IO.File]::ReadAllText($statePath) | Should -BeExactly $before
        [System.IO.File]::Exists($statePath + '.lock') | Should -BeTrue
    }

    It 'a run that locks works on the state as saved at lock time and saves at unlock, not after' {
        $statePath = Get-SimTestStatePath -Name 'reloaded.json'
        $null = New-SimTestDefaultState -Path $statePath
        Initialize-RdsPlatform -Option $statePath
        $null = Get-RdsHostIdentity
        # Another run saves the host between this run's Initialize and its lock.
        $text = [regex]::Replace([System.IO.File]::ReadAllText($statePath), '"graceDays": \d+', '"graceDays": 50')
        [System.IO.File]::WriteAllText($statePath, $text)
        Lock-RdsHost -Name 'rdsplan'
        $days = Get-RdsGracePeriodDays
        Set-RdsRegistryValue -Path $key -Name 'Kept' -Type 'DWord' -Data 1 -View 'Default'
        Unlock-RdsHost -Name 'rdsplan'
        # After the unlock the host may belong to another run: nothing more is saved.
        Set-RdsRegistryValue -Path $key -Name 'AfterUnlock' -Type 'DWord' -Data 1 -View 'Default'
        Complete-RdsPlatform
        $state = Read-SimTestState -Path $statePath

        $days | Should -Be 50
        (Get-SimTestStateValue -State $state -Path $key -Name 'Kept').data | Should -Be 1
        Get-SimTestStateValue -State $state -Path $key -Name 'AfterUnlock' | Should -Be $null
        $state.terminalServices.graceDays | Should -Be 50
        $state.calls['Get-RdsHostIdentity'] | Should -Be 1
        $state.calls['Unlock-RdsHost'] | Should -Be 1
    }

    It 'a lock file whose process is gone is Abandoned: taken over, as Windows gives an abandoned mutex to the next WaitOne' {
        $statePath = Get-SimTestStatePath -Name 'abandoned.json'
        # A process that ran and ended: its id names no running process now.
        $program = [System.Environment]::ProcessPath
        $arguments = @('-NoLogo', '-NoProfile', '-NonInteractive', '-Command', 'exit 0')
        # pwsh installed as a dotnet tool is 'dotnet pwsh.dll'.
        if ([System.IO.Path]::GetFileNameWithoutExtension($program) -eq 'dotnet') { $arguments = @([System.Environment]::GetCommandLineArgs()[0]) + $arguments }
        $gone = Start-Process -FilePath $program -ArgumentList $arguments -PassThru
        $gone.WaitForExit()
        $gone.ExitCode | Should -Be 0
        [System.IO.File]::WriteAllText($statePath + '.lock', '{"name":"rdsplan","processId":' + $gone.Id + ',"user":"CONTOSO\\Administrator"}' + "`n")
        $run = Invoke-SimTestLockedRun -StatePath $statePath
        $state = Read-SimTestState -Path $statePath

        ConvertTo-SimTestJson -InputObject $run.Lock | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $true; Value = @{ Status = 'Abandoned'; Lock = $statePath + '.lock' } })
        $run.LockFile | Should -BeTrue
        $run.Again.Value.Status | Should -BeExactly 'Held'
        $run.LockFileAfter | Should -BeFalse
        (Get-SimTestStateValue -State $state -Path $key -Name 'Run').data | Should -BeExactly 'abandoned.json'
    }

    It 'a lock file names its process and when it started: the id of a live process that started at another time was reused, the lock is Abandoned' {
        $statePath = Get-SimTestStatePath -Name 'reused.json'
        Initialize-RdsPlatform -Option $statePath
        $taken = Lock-RdsHost -Name 'rdsplan'
        $holder = ConvertFrom-Json -InputObject ([System.IO.File]::ReadAllText($statePath + '.lock')) -AsHashtable
        $again = Lock-RdsHost -Name 'rdsplan'
        Unlock-RdsHost -Name 'rdsplan'
        # This process is alive, but the lock says it started in 2001: another process had the id.
        [System.IO.File]::WriteAllText($statePath + '.lock', '{"name":"rdsplan","processId":' + $PID + ',"processStart":"2001-01-01T00:00:00.0000000Z"}' + "`n")
        $reused = Lock-RdsHost -Name 'rdsplan'

        $taken.Status | Should -BeExactly 'Acquired'
        @($holder.Keys | Sort-Object) -join ',' | Should -BeExactly 'name,processId,processStart,user'
        $holder.processId | Should -Be $PID
        ([datetime]$holder.processStart).ToUniversalTime() | Should -Be ([System.Diagnostics.Process]::GetCurrentProcess().StartTime.ToUniversalTime())
        # The same process, started when the lock says: alive, so Held.
        $again.Status | Should -BeExactly 'Held'
        $reused.Status | Should -BeExactly 'Abandoned'
    }

    It 'a lock file that cannot be read, or names a live process, is Held and left alone' {
        $statePath = Get-SimTestStatePath -Name 'unreadable.json'
        foreach ($text in @("rdsplan 4242 CONTOSO\someone-else`n", '{"name":"rdsplan","processId":' + $PID + '}' + "`n", '{"name":"rdsplan"}')) {
            [System.IO.File]::WriteAllText($statePath + '.lock', $text)
            Initialize-RdsPlatform -Option $statePath
            (Lock-RdsHost -Name 'rdsplan').Status | Should -BeExactly 'Held' -Because $text
            [System.IO.File]::ReadAllText($statePath + '.lock') | Should -BeExactly $text
        }
    }

    It 'the lock needs an elevated token, as the Global\ mutex needs SeCreateGlobalPrivilege: access denied, no lock file, nothing saved' {
        $statePath = Get-SimTestStatePath -Name 'not-elevated.json'
        [System.IO.File]::WriteAllText($statePath, (ConvertTo-RdsJson -InputObject (New-RdsSimDefaultState -Token 'NotElevated')))
        $before = [System.IO.File]::ReadAllText($statePath)
        Initialize-RdsPlatform -Option $statePath
        $lock = Invoke-SimTestStep { Lock-RdsHost -Name 'rdsplan' }
        Complete-RdsPlatform

        ConvertTo-SimTestJson -InputObject $lock | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $false; Error = "Access to the path 'Global\rdsplan-rdsplan' is denied." })
        [System.IO.File]::Exists($statePath + '.lock') | Should -BeFalse
        [System.IO.File]::ReadAllText($statePath) | Should -BeExactly $before

        # A service account holds SeCreateGlobalPrivilege without being an administrator.
        $state = Read-SimTestState -Path $statePath
        $state.token.privileges['SeCreateGlobalPrivilege'] = @{ held = $true; enabled = $true }
        Write-SimTestState -Path $statePath -State $state
        Initialize-RdsPlatform -Option $statePath
        (Lock-RdsHost -Name 'rdsplan').Status | Should -BeExactly 'Acquired'
    }

    It 'a fleet (one state file per host) runs in parallel processes; a second run on a held host is refused' {
        $lockedRun = { param([string] $StatePath, [int] $HoldMilliseconds) Invoke-SimTestLockedRun -StatePath $StatePath -HoldMilliseconds $HoldMilliseconds }
        $fleet = foreach ($name in @('host-a', 'host-b', 'host-c')) {
            $statePath = Get-SimTestStatePath -Name ($name + '.json')
            @{ StatePath = $statePath; Job = Start-SimTestJob -ScriptBlock $lockedRun -ArgumentList $statePath, 1500 }
        }
        foreach ($member in $fleet) {
            $run = $member.Job | Receive-Job -Wait -AutoRemoveJob
            $run.Lock.Ok | Should -BeTrue -Because $member.StatePath
            $state = Read-SimTestState -Path $member.StatePath
            (Get-SimTestStateValue -State $state -Path $key -Name 'Run').data | Should -BeExactly ([System.IO.Path]::GetFileName($member.StatePath))
            [System.IO.File]::Exists($member.StatePath + '.lock') | Should -BeFalse
        }

        # Two runs on one host: the second starts while the first holds the lock.
        $shared = Get-SimTestStatePath -Name 'shared.json'
        $first = Start-SimTestJob -ScriptBlock $lockedRun -ArgumentList $shared, 4000
        $deadline = [System.DateTime]::UtcNow.AddSeconds(60)
        while (-not [System.IO.File]::Exists($shared + '.lock') -and [System.DateTime]::UtcNow -lt $deadline) { [System.Threading.Thread]::Sleep(100) }
        [System.IO.File]::Exists($shared + '.lock') | Should -BeTrue
        $second = Invoke-SimTestLockedRun -StatePath $shared
        ConvertTo-SimTestJson -InputObject $second.Lock | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $true; Value = @{ Status = 'Held'; Lock = $shared + '.lock' } })
        [System.IO.File]::Exists($shared + '.lock') | Should -BeTrue
        $done = $first | Receive-Job -Wait -AutoRemoveJob
        $done.Lock.Ok | Should -BeTrue
        $state = Read-SimTestState -Path $shared
        (Get-SimTestStateValue -State $state -Path $key -Name 'Run').data | Should -BeExactly 'shared.json'
        [System.IO.File]::Exists($shared + '.lock') | Should -BeFalse
    }
}
