# Sim.Security.ps1: the simulated token and key security. The GracePeriod ownership dance of
# DOMAIN.md ("Taking ownership"), access checks from the DACL, owner rules, SDDL kept
# byte-identical.
BeforeAll {
    . (Join-Path $PSScriptRoot '../../../test/support/pester/SimHost.ps1')
    Set-StrictMode -Version 3.0
    $ErrorActionPreference = 'Stop'
    foreach ($file in Get-SimTestTemplateFile) { . $file }

    $denied = 'Requested registry access is not allowed. (' + $SimGracePeriodPath + ')'
    $invalidOwner = 'The security identifier is not allowed to be the owner of this object. (' + $SimGracePeriodPath + ')'
    $ownedSddl = 'O:BAG:SYD:PAI(A;CI;KA;;;NS)(A;CI;KA;;;SY)(A;CI;KR;;;BA)'
    $openedSddl = 'O:BAG:SYD:PAI(A;CI;KA;;;NS)(A;CI;KA;;;SY)(A;CI;KA;;;BA)'
}

Describe 'Ownership dance on RCM\GracePeriod (the default host)' {
    BeforeAll {
        $statePath = Get-SimTestStatePath -Name 'dance.json'
        $g = $SimGracePeriodPath
        Initialize-RdsPlatform -Option $statePath
        $saved = Get-RdsRegistrySddl -Path $g -View 'Default'
        $steps = [ordered]@{}
        $steps.RemoveBefore = Invoke-SimTestStep { Remove-RdsRegistryValue -Path $g -Name $SimTimebombName -View 'Default' }
        $steps.SetBefore = Invoke-SimTestStep { Set-RdsRegistryValue -Path $g -Name 'x' -Type 'DWord' -Data 1 -View 'Default' }
        $steps.RuleBefore = Invoke-SimTestStep { Add-RdsRegistryAccessRule -Path $g -View 'Default' -Sid 'S-1-5-32-544' -Rights 'FullControl' }
        $steps.OwnerWithoutPrivilege = Invoke-SimTestStep { Set-RdsRegistryOwner -Path $g -View 'Default' -Sid 'S-1-5-32-544' }
        $steps.ReadBefore = Invoke-SimTestStep { (Get-RdsRegistryValue -Path $g -Name $SimTimebombName -View 'Default').Type }
        $steps.EnableTakeOwnership = Invoke-SimTestStep { Enable-RdsPrivilege -Name 'SeTakeOwnershipPrivilege' }
        $steps.ForeignOwner = Invoke-SimTestStep { Set-RdsRegistryOwner -Path $g -View 'Default' -Sid 'S-1-5-19' }
        $steps.TakeOwnership = Invoke-SimTestStep { Set-RdsRegistryOwner -Path $g -View 'Default' -Sid 'S-1-5-32-544'; Get-RdsRegistrySddl -Path $g -View 'Default' }
        $steps.RemoveOwnedNoRule = Invoke-SimTestStep { Remove-RdsRegistryValue -Path $g -Name $SimTimebombName -View 'Default' }
        $steps.AddRule = Invoke-SimTestStep { Add-RdsRegistryAccessRule -Path $g -View 'Default' -Sid 'S-1-5-32-544' -Rights 'FullControl'; Get-RdsRegistrySddl -Path $g -View 'Default' }
        $steps.Remove = Invoke-SimTestStep { Remove-RdsRegistryValue -Path $g -Name $SimTimebombName -View 'Default'; Get-RdsRegistryValueName -Path $g -View 'Default' }
        $steps.RemoveMissing = Invoke-SimTestStep { Remove-RdsRegistryValue -Path $g -Name $SimTimebombName -View 'Default' }
        $steps.RestoreWithoutRestorePrivilege = Invoke-SimTestStep { Set-RdsRegistrySddl -Path $g -View 'Default' -Sddl $saved; Get-RdsRegistrySddl -Path $g -View 'Default' }
        $steps.SddlAfterRefusal = Invoke-SimTestStep { Get-RdsRegistrySddl -Path $g -View 'Default' }
        $steps.EnableRestore = Invoke-SimTestStep { Enable-RdsPrivilege -Name 'SeRestorePrivilege' }
        $steps.Restore = Invoke-SimTestStep { Set-RdsRegistrySddl -Path $g -View 'Default' -Sddl $saved; Get-RdsRegistrySddl -Path $g -View 'Default' }
        $steps.Identical = Invoke-SimTestStep { (Get-RdsRegistrySddl -Path $g -View 'Default') -ceq $saved }
        Disable-RdsPrivilege -Name 'SeTakeOwnershipPrivilege'
        Disable-RdsPrivilege -Name 'SeRestorePrivilege'
        $steps.SetAfterRestore = Invoke-SimTestStep { Set-RdsRegistryValue -Path $g -Name 'x' -Type 'DWord' -Data 1 -View 'Default' }
        $steps.KeyStillThere = Invoke-SimTestStep { Test-RdsRegistryKey -Path $g -View 'Default' }
        Complete-RdsPlatform
        $state = Read-SimTestState -Path $statePath
    }

    It 'starts from the SDDL of DOMAIN.md' {
        $saved | Should -BeExactly $SimGracePeriodSddl
    }

    It 'before taking ownership, Administrators can read but not write or change the DACL' {
        ConvertTo-SimTestJson -InputObject $steps.ReadBefore | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $true; Value = 'Binary' })
        foreach ($label in @('RemoveBefore', 'SetBefore', 'RuleBefore')) {
            ConvertTo-SimTestJson -InputObject $steps[$label] | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $false; Error = $denied }) -Because $label
        }
    }

    It 'taking ownership needs SeTakeOwnershipPrivilege enabled, and an owner from the token' {
        ConvertTo-SimTestJson -InputObject $steps.OwnerWithoutPrivilege | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $false; Error = $denied })
        $steps.EnableTakeOwnership.Ok | Should -BeTrue
        ConvertTo-SimTestJson -InputObject $steps.ForeignOwner | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $false; Error = $invalidOwner })
        ConvertTo-SimTestJson -InputObject $steps.TakeOwnership | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $true; Value = $ownedSddl })
        # Ownership alone gives WRITE_DAC, not write access to values.
        ConvertTo-SimTestJson -InputObject $steps.RemoveOwnedNoRule | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $false; Error = $denied })
    }

    It 'the owner can grant itself full control (merged into its ACE), then delete only the value' {
        ConvertTo-SimTestJson -InputObject $steps.AddRule | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $true; Value = $openedSddl })
        # No value names left: nothing is output.
        ConvertTo-SimTestJson -InputObject $steps.Remove | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $true; Value = $null })
        ConvertTo-SimTestJson -InputObject $steps.RemoveMissing | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $false; Error = 'No value exists with that name. (' + $SimGracePeriodPath + '\' + $SimTimebombName + ')' })
    }

    It 'restoring NETWORK SERVICE as owner needs SeRestorePrivilege; the SDDL reads back byte-identical' {
        ConvertTo-SimTestJson -InputObject $steps.RestoreWithoutRestorePrivilege | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $false; Error = $invalidOwner })
        ConvertTo-SimTestJson -InputObject $steps.SddlAfterRefusal | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $true; Value = $openedSddl })
        $steps.EnableRestore.Ok | Should -BeTrue
        ConvertTo-SimTestJson -InputObject $steps.Restore | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $true; Value = $SimGracePeriodSddl })
        ConvertTo-SimTestJson -InputObject $steps.Identical | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $true; Value = $true })
        ConvertTo-SimTestJson -InputObject $steps.SetAfterRestore | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $false; Error = $denied })
        ConvertTo-SimTestJson -InputObject $steps.KeyStillThere | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $true; Value = $true })
    }

    It 'saves the key with its original SDDL, the value gone, the privileges disabled again' {
        $key = Get-SimTestStateKey -State $state -Path $SimGracePeriodPath
        $key.sddl | Should -BeExactly $SimGracePeriodSddl
        ConvertTo-SimTestJson -InputObject $key.values | Should -BeExactly '[]'
        ConvertTo-SimTestJson -InputObject $state.token.privileges.SeTakeOwnershipPrivilege | Should -BeExactly '{"enabled":false,"held":true}'
        ConvertTo-SimTestJson -InputObject $state.token.privileges.SeRestorePrivilege | Should -BeExactly '{"enabled":false,"held":true}'
    }

    It 'logs every mutating call in order (also the refused ones) and only counts the reads' {
        ConvertTo-SimTestJson -InputObject @($state.callLog | ForEach-Object { $_.call }) | Should -BeExactly (ConvertTo-SimTestJson -InputObject @(
                'Remove-RdsRegistryValue'
                'Set-RdsRegistryValue'
                'Add-RdsRegistryAccessRule'
                'Set-RdsRegistryOwner'
                'Set-RdsRegistryOwner'
                'Set-RdsRegistryOwner'
                'Remove-RdsRegistryValue'
                'Add-RdsRegistryAccessRule'
                'Remove-RdsRegistryValue'
                'Remove-RdsRegistryValue'
                'Set-RdsRegistrySddl'
                'Set-RdsRegistrySddl'
                'Set-RdsRegistryValue'
            ))
        $state.calls['*'] | Should -Be 13
        ConvertTo-SimTestJson -InputObject $state.callLog[0] | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ call = 'Remove-RdsRegistryValue'; path = $SimGracePeriodPath; name = $SimTimebombName })
        $state.calls['Enable-RdsPrivilege'] | Should -Be 2
    }
}

Describe 'Token and DACL rules' {
    It 'Enable-RdsPrivilege fails with ERROR_NOT_ALL_ASSIGNED for a privilege the token does not hold' {
        $statePath = Get-SimTestStatePath -Name 'noprivs.json'
        $state = New-SimTestDefaultState -Path $statePath
        $state.token.privileges.SeRestorePrivilege.held = $false
        Write-SimTestState -Path $statePath -State $state
        Initialize-RdsPlatform -Option $statePath
        $restore = Invoke-SimTestStep { Enable-RdsPrivilege -Name 'SeRestorePrivilege' }
        $unknown = Invoke-SimTestStep { Enable-RdsPrivilege -Name 'SeDebugPrivilege' }
        $disableNotHeld = Invoke-SimTestStep { Disable-RdsPrivilege -Name 'SeRestorePrivilege' }
        $takeOwnership = Invoke-SimTestStep { Enable-RdsPrivilege -Name 'SeTakeOwnershipPrivilege' }
        Complete-RdsPlatform
        $state = Read-SimTestState -Path $statePath

        ConvertTo-SimTestJson -InputObject $restore | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $false; Error = 'Not all privileges or groups referenced are assigned to the caller. (SeRestorePrivilege)' })
        ConvertTo-SimTestJson -InputObject $unknown | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $false; Error = 'Not all privileges or groups referenced are assigned to the caller. (SeDebugPrivilege)' })
        ConvertTo-SimTestJson -InputObject $disableNotHeld | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $true; Value = $null })
        $takeOwnership.Ok | Should -BeTrue
        ConvertTo-SimTestJson -InputObject $state.token.privileges.SeTakeOwnershipPrivilege | Should -BeExactly '{"enabled":true,"held":true}'
        ConvertTo-SimTestJson -InputObject $state.token.privileges.SeRestorePrivilege | Should -BeExactly '{"enabled":false,"held":false}'
    }

    Context 'a standard user (no Administrators group) on keys with deny, WRITE_OWNER and inherit-only ACEs' {
        BeforeAll {
            $statePath = Get-SimTestStatePath -Name 'user.json'
            $user = 'S-1-5-21-1-2-3-1001'
            Write-SimTestState -Path $statePath -State @{
                token    = @{ user = $user; groups = @('S-1-1-0', 'S-1-5-32-545', 'S-1-5-11'); privileges = @{} }
                registry = @{
                    'HKLM\SOFTWARE'         = @{ sddl = 'O:BAG:SYD:PAI(A;CIIO;KA;;;CO)(A;CI;KA;;;SY)(A;CI;KA;;;BA)(A;CI;KR;;;BU)' }
                    'HKLM\SOFTWARE\Shared'  = @{ sddl = 'O:BAG:SYD:PAI(D;;0x2;;;S-1-5-21-1-2-3-1001)(A;CI;KA;;;BU)' }
                    'HKLM\SOFTWARE\Owned'   = @{ sddl = 'O:BAG:SYD:PAI(A;CI;0x80000;;;WD)(A;CI;KR;;;BU)' }
                    'HKLM\SOFTWARE\Inherit' = @{ sddl = 'O:BAG:SYD:PAI(A;CIIO;KA;;;BU)' }
                }
            }
            Initialize-RdsPlatform -Option $statePath
            $steps = [ordered]@{}
            $steps.Software = Invoke-SimTestStep { Set-RdsRegistryValue -Path 'HKLM\SOFTWARE\Contoso' -Name 'a' -Type 'String' -Data 'b' -View 'Default' }
            $steps.Deny = Invoke-SimTestStep { Set-RdsRegistryValue -Path 'HKLM\SOFTWARE\Shared' -Name 'a' -Type 'String' -Data 'b' -View 'Default' }
            $steps.DenyDoesNotBlockCreate = Invoke-SimTestStep { New-RdsRegistryKey -Path 'HKLM\SOFTWARE\Shared\Sub' -View 'Default'; Get-RdsRegistrySddl -Path 'HKLM\SOFTWARE\Shared\Sub' -View 'Default' }
            $steps.WriteOwner = Invoke-SimTestStep { Set-RdsRegistryOwner -Path 'HKLM\SOFTWARE\Owned' -View 'Default' -Sid $user; Get-RdsRegistrySddl -Path 'HKLM\SOFTWARE\Owned' -View 'Default' }
            $steps.OwnerMayChangeDacl = Invoke-SimTestStep { Add-RdsRegistryAccessRule -Path 'HKLM\SOFTWARE\Owned' -View 'Default' -Sid $user -Rights 'ReadKey, WriteKey'; Get-RdsRegistrySddl -Path 'HKLM\SOFTWARE\Owned' -View 'Default' }
            $steps.OwnerNowWrites = Invoke-SimTestStep { Set-RdsRegistryValue -Path 'HKLM\SOFTWARE\Owned' -Name 'a' -Type 'DWord' -Data 3 -View 'Default'; (Get-RdsRegistryValue -Path 'HKLM\SOFTWARE\Owned' -Name 'a' -View 'Default').Data }
            $steps.InheritOnly = Invoke-SimTestStep { Set-RdsRegistryValue -Path 'HKLM\SOFTWARE\Inherit' -Name 'a' -Type 'DWord' -Data 3 -View 'Default' }
            $steps.InheritOnlyChild = Invoke-SimTestStep { New-RdsRegistryKey -Path 'HKLM\SOFTWARE\Inherit\Child' -View 'Default' }
            $steps.BadRights = Invoke-SimTestStep { Add-RdsRegistryAccessRule -Path 'HKLM\SOFTWARE\Owned' -View 'Default' -Sid 'BU' -Rights 'Everything' }
            $steps.BadSid = Invoke-SimTestStep { Set-RdsRegistryOwner -Path 'HKLM\SOFTWARE\Owned' -View 'Default' -Sid 'Administrators' }
            Complete-RdsPlatform
            $state = Read-SimTestState -Path $statePath
        }

        It 'the user cannot write HKLM\SOFTWARE; a deny ACE wins' {
            ConvertTo-SimTestJson -InputObject $steps.Software | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $false; Error = 'Requested registry access is not allowed. (HKLM\SOFTWARE\Contoso)' })
            ConvertTo-SimTestJson -InputObject $steps.Deny | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $false; Error = 'Requested registry access is not allowed. (HKLM\SOFTWARE\Shared)' })
            Get-SimTestStateKey -State $state -Path 'HKLM\SOFTWARE\Contoso' | Should -Be $null
            ConvertTo-SimTestJson -InputObject (Get-SimTestStateKey -State $state -Path 'HKLM\SOFTWARE\Shared').values | Should -BeExactly '[]'
        }

        It 'the explicit deny (KEY_SET_VALUE) does not block creating a subkey and is not inherited; the new key is owned by the user' {
            # The child inherits full control of BU; its owner is the user (no BA in the token).
            ConvertTo-SimTestJson -InputObject $steps.DenyDoesNotBlockCreate | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $true; Value = 'O:S-1-5-21-1-2-3-1001G:SYD:AI(A;CIID;KA;;;BU)' })
            (Get-SimTestStateKey -State $state -Path 'HKLM\SOFTWARE\Shared\Sub').sddl | Should -BeExactly 'O:S-1-5-21-1-2-3-1001G:SYD:AI(A;CIID;KA;;;BU)'
        }

        It 'WRITE_OWNER in the DACL allows taking ownership; the owner may then change the DACL and write' {
            ConvertTo-SimTestJson -InputObject $steps.WriteOwner | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $true; Value = 'O:S-1-5-21-1-2-3-1001G:SYD:PAI(A;CI;0x80000;;;WD)(A;CI;KR;;;BU)' })
            ConvertTo-SimTestJson -InputObject $steps.OwnerMayChangeDacl | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $true; Value = 'O:S-1-5-21-1-2-3-1001G:SYD:PAI(A;CI;0x80000;;;WD)(A;CI;KR;;;BU)(A;CI;0x2001f;;;S-1-5-21-1-2-3-1001)' })
            ConvertTo-SimTestJson -InputObject $steps.OwnerNowWrites | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $true; Value = 3 })
            (Get-SimTestStateValue -State $state -Path 'HKLM\SOFTWARE\Owned' -Name 'a').data | Should -Be 3
        }

        It 'an inherit-only ACE grants nothing on the key itself' {
            ConvertTo-SimTestJson -InputObject $steps.InheritOnly | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $false; Error = 'Requested registry access is not allowed. (HKLM\SOFTWARE\Inherit)' })
            ConvertTo-SimTestJson -InputObject $steps.InheritOnlyChild | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $false; Error = 'Requested registry access is not allowed. (HKLM\SOFTWARE\Inherit\Child)' })
            Get-SimTestStateKey -State $state -Path 'HKLM\SOFTWARE\Inherit\Child' | Should -Be $null
        }

        It 'rejects unknown rights and SIDs with the .NET messages' {
            ConvertTo-SimTestJson -InputObject $steps.BadRights | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $false; Error = 'Cannot convert value "Everything" to type "System.Security.AccessControl.RegistryRights".' })
            ConvertTo-SimTestJson -InputObject $steps.BadSid | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $false; Error = "Value was invalid. (SID 'Administrators')" })
        }
    }

    Context 'Set-RdsRegistrySddl on a new key of the default host' {
        BeforeAll {
            $statePath = Get-SimTestStatePath -Name 'sddl.json'
            $k = 'HKLM\SOFTWARE\Contoso'
            $text = 'O:S-1-5-32-544G:S-1-5-18D:PAI(A;CI;KA;;;S-1-5-32-544)(A;CI;KR;;;S-1-5-32-545)'
            Initialize-RdsPlatform -Option $statePath
            New-RdsRegistryKey -Path $k -View 'Default'
            $created = Get-RdsRegistrySddl -Path $k -View 'Default'
            $steps = [ordered]@{}
            $steps.Set = Invoke-SimTestStep { Set-RdsRegistrySddl -Path $k -View 'Default' -Sddl $text; (Get-RdsRegistrySddl -Path $k -View 'Default') -ceq $text }
            $steps.Malformed = Invoke-SimTestStep { Set-RdsRegistrySddl -Path $k -View 'Default' -Sddl 'O:BAG:SYD:PAI(A;CI;KA;;BA)' }
            $steps.MissingKey = Invoke-SimTestStep { Set-RdsRegistrySddl -Path 'HKLM\SOFTWARE\Nope' -View 'Default' -Sddl $text }
            $steps.GetMissing = Invoke-SimTestStep { Get-RdsRegistrySddl -Path 'HKLM\SOFTWARE\Nope' -View 'Default' }
            Complete-RdsPlatform
            $state = Read-SimTestState -Path $statePath
        }

        It 'a new key inherits the container-inheritable ACEs of its parent (marked ID) and is owned by BA' {
            $created | Should -BeExactly 'O:BAG:SYD:AI(A;CIIOID;KA;;;CO)(A;CIID;KA;;;SY)(A;CIID;KA;;;BA)(A;CIID;KR;;;BU)(A;CIID;KR;;;AC)'
        }

        It 'stores the given text exactly (full SIDs stay full SIDs)' {
            ConvertTo-SimTestJson -InputObject $steps.Set | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $true; Value = $true })
            (Get-SimTestStateKey -State $state -Path $k).sddl | Should -BeExactly $text
        }

        It 'rejects malformed SDDL and missing keys' {
            ConvertTo-SimTestJson -InputObject $steps.Malformed | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{
                    Ok    = $false
                    Error = 'The SDDL form of a security descriptor object is invalid. (O:BAG:SYD:PAI(A;CI;KA;;BA)) (HKLM\SOFTWARE\Contoso)'
                })
            ConvertTo-SimTestJson -InputObject $steps.MissingKey | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $false; Error = 'registry key not found (HKLM\SOFTWARE\Nope)' })
            ConvertTo-SimTestJson -InputObject $steps.GetMissing | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $false; Error = 'registry key not found (HKLM\SOFTWARE\Nope)' })
            Get-SimTestStateKey -State $state -Path 'HKLM\SOFTWARE\Nope' | Should -Be $null
        }

        It 'leaves GracePeriod and its timebomb alone' {
            Get-SimTestStateValue -State $state -Path $SimGracePeriodPath -Name $SimTimebombName | Should -Not -BeNullOrEmpty
            (Get-SimTestStateKey -State $state -Path $SimGracePeriodPath).sddl | Should -BeExactly $SimGracePeriodSddl
        }
    }
}
