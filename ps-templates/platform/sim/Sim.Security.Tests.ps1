# Sim.Security.ps1: the simulated token and key security. The GracePeriod ownership dance of
# DOMAIN.md ("Taking ownership"), access checks from the DACL, owner rules, a written SDDL read
# back as Windows stores it (DOMAIN.md "ACL write-back"), AddAccessRule's refusal of a DACL not
# in canonical order, privileges that report their previous state.
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
        # It was disabled before (AdjustTokenPrivileges' PreviousState).
        ConvertTo-SimTestJson -InputObject $steps.EnableTakeOwnership | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $true; Value = $false })
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

    It 'restoring NETWORK SERVICE as owner needs SeRestorePrivilege; the SDDL, already in the form Windows writes (PAI), reads back byte-identical' {
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
        $state.calls['*'] | Should -Be $state.callLog.Count
        ConvertTo-SimTestJson -InputObject $state.callLog[0] | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ call = 'Remove-RdsRegistryValue'; path = $SimGracePeriodPath; name = $SimTimebombName })
        foreach ($read in @('Enable-RdsPrivilege', 'Get-RdsRegistrySddl', 'Test-RdsRegistryKey')) {
            $state.calls[$read] | Should -BeGreaterThan 0 -Because $read
            $state.callLog.call | Should -Not -Contain $read
        }
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
            $steps.Set = Invoke-SimTestStep { Set-RdsRegistrySddl -Path $k -View 'Default' -Sddl $text; Get-RdsRegistrySddl -Path $k -View 'Default' }
            $steps.Malformed = Invoke-SimTestStep { Set-RdsRegistrySddl -Path $k -View 'Default' -Sddl 'O:BAG:SYD:PAI(A;CI;KA;;BA)' }
            $steps.MissingKey = Invoke-SimTestStep { Set-RdsRegistrySddl -Path 'HKLM\SOFTWARE\Nope' -View 'Default' -Sddl $text }
            $steps.GetMissing = Invoke-SimTestStep { Get-RdsRegistrySddl -Path 'HKLM\SOFTWARE\Nope' -View 'Default' }
            Complete-RdsPlatform
            $state = Read-SimTestState -Path $statePath
        }

        It 'a new key inherits the container-inheritable ACEs of its parent (marked ID) and is owned by BA' {
            $created | Should -BeExactly 'O:BAG:SYD:AI(A;CIIOID;KA;;;CO)(A;CIID;KA;;;SY)(A;CIID;KA;;;BA)(A;CIID;KR;;;BU)(A;CIID;KR;;;AC)'
        }

        It 'stores the descriptor as Windows writes it: well-known SIDs as their aliases' {
            ConvertTo-SimTestJson -InputObject $steps.Set | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $true; Value = 'O:BAG:SYD:PAI(A;CI;KA;;;BA)(A;CI;KR;;;BU)' })
            (Get-SimTestStateKey -State $state -Path $k).sddl | Should -BeExactly 'O:BAG:SYD:PAI(A;CI;KA;;;BA)(A;CI;KR;;;BU)'
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

Describe 'a written descriptor reads back as Windows stores it (SetSecurityInfo)' {
    BeforeAll {
        $statePath = Get-SimTestStatePath -Name 'writeback.json'
        $k = 'HKLM\SOFTWARE\Contoso'
        $software = 'O:BAG:SYD:PAI(A;CIIO;KA;;;CO)(A;CI;KA;;;SY)(A;CI;KA;;;BA)(A;CI;KR;;;BU)'
        Write-SimTestState -Path $statePath -State @{
            registry = @{
                'HKLM\SOFTWARE'                     = @{ sddl = $software }
                'HKLM\SOFTWARE\Contoso'             = @{ sddl = 'O:BAG:SYD:AI(A;CIID;KA;;;SY)' }
                'HKLM\SOFTWARE\Contoso\Sub'         = @{ sddl = 'O:BAG:SYD:AI(A;CI;KR;;;AU)(A;CIID;KA;;;SY)' }
                'HKLM\SOFTWARE\Contoso\Sub\Deeper'  = @{ sddl = 'O:BAG:SYD:(A;CIID;KA;;;SY)' }
                'HKLM\SOFTWARE\Contoso\Sealed'      = @{ sddl = 'O:BAG:SYD:PAI(A;CI;KA;;;SY)' }
            }
        }
        Initialize-RdsPlatform -Option $statePath
        # Set-RdsRegistrySddl opens the key with TakeOwnership: WRITE_OWNER from the privilege.
        [void](Enable-RdsPrivilege -Name 'SeTakeOwnershipPrivilege')
        $read = [ordered]@{}
        $write = {
            param([string] $Sddl)
            Set-RdsRegistrySddl -Path $k -View 'Default' -Sddl $Sddl
            Get-RdsRegistrySddl -Path $k -View 'Default'
        }
        $read.Protected = & $write 'O:BAG:SYD:P(A;CI;KA;;;BA)(A;CI;KR;;;BU)'
        $read.NotCanonical = & $write 'O:BAG:SYD:P(A;CI;KA;;;BA)(D;CI;KW;;;WD)(A;CI;KR;;;BU)'
        # Not protected: the inherited entries given are replaced by what HKLM\SOFTWARE passes on, after the explicit ones.
        $read.Inherits = & $write 'O:BAG:SYD:(A;CIID;KA;;;WD)(A;CI;KR;;;AU)'
        # An inherited deny before an explicit allow: moving the allow ahead would change what the DACL grants.
        $read.Crossing = & $write 'O:BAG:SYD:AI(D;CIID;KW;;;WD)(A;CI;KA;;;BA)'
        $read.Reset = & $write 'O:BAG:SYD:PAI(A;CI;KA;;;SY)(A;CI;KR;;;BU)(A;CI;KW;;;BA)'
        $read.Sub = Get-RdsRegistrySddl -Path ($k + '\Sub') -View 'Default'
        $read.Deeper = Get-RdsRegistrySddl -Path ($k + '\Sub\Deeper') -View 'Default'
        $read.Sealed = Get-RdsRegistrySddl -Path ($k + '\Sealed') -View 'Default'
        Complete-RdsPlatform
        $state = Read-SimTestState -Path $statePath
    }

    It 'D:P( reads back D:PAI(' {
        $read.Protected | Should -BeExactly 'O:BAG:SYD:PAI(A;CI;KA;;;BA)(A;CI;KR;;;BU)'
    }

    It 'a DACL not in canonical order is written in its order (allow and deny are never moved past each other)' {
        $read.NotCanonical | Should -BeExactly 'O:BAG:SYD:PAI(A;CI;KA;;;BA)(D;CI;KW;;;WD)(A;CI;KR;;;BU)'
    }

    It 'an unprotected DACL: explicit entries first, the inherited ones derived from the parent again' {
        $read.Inherits | Should -BeExactly 'O:BAG:SYD:AI(A;CI;KR;;;AU)(A;CIIOID;KA;;;CO)(A;CIID;KA;;;SY)(A;CIID;KA;;;BA)(A;CIID;KR;;;BU)'
    }

    It 'where putting the explicit entries first would move an allow past a deny, the order stays and the DACL is protected' {
        $read.Crossing | Should -BeExactly 'O:BAG:SYD:PAI(D;CIID;KW;;;WD)(A;CI;KA;;;BA)'
    }

    It 'the inheritable entries are passed on to the subkeys that inherit, down the tree, not to a protected one' {
        $read.Sub | Should -BeExactly 'O:BAG:SYD:AI(A;CI;KR;;;AU)(A;CIID;KA;;;SY)(A;CIID;KR;;;BU)(A;CIID;KW;;;BA)'
        $read.Deeper | Should -BeExactly 'O:BAG:SYD:AI(A;CIID;KR;;;AU)(A;CIID;KA;;;SY)(A;CIID;KR;;;BU)(A;CIID;KW;;;BA)'
        $read.Sealed | Should -BeExactly 'O:BAG:SYD:PAI(A;CI;KA;;;SY)'
        (Get-SimTestStateKey -State $state -Path ($k + '\Sub\Deeper')).sddl | Should -BeExactly $read.Deeper
    }
}

Describe 'a DACL not in canonical order (an allow entry before a deny entry)' {
    BeforeAll {
        $statePath = Get-SimTestStatePath -Name 'noncanonical.json'
        $k = 'HKLM\SOFTWARE\Fabrikam\RdsAgent'
        $nonCanonical = 'O:BAG:SYD:PAI(A;CI;KR;;;BA)(D;CI;KW;;;WD)(A;CI;KA;;;SY)'
        Write-SimTestState -Path $statePath -State @{ registry = @{ 'HKLM\SOFTWARE\Fabrikam\RdsAgent' = @{ sddl = $nonCanonical } } }
        Initialize-RdsPlatform -Option $statePath
        $steps = [ordered]@{}
        $steps.Read = Invoke-SimTestStep { Get-RdsRegistrySddl -Path $k -View 'Default' }
        $steps.Rule = Invoke-SimTestStep { Add-RdsRegistryAccessRule -Path $k -View 'Default' -Sid 'S-1-5-32-544' -Rights 'FullControl' }
        $steps.After = Invoke-SimTestStep { Get-RdsRegistrySddl -Path $k -View 'Default' }
        # The raw edit the runtime falls back to (Grant-RdsRegistryAccess): the whole SDDL, the new entry first.
        $steps.Raw = Invoke-SimTestStep {
            [void](Enable-RdsPrivilege -Name 'SeTakeOwnershipPrivilege')
            Set-RdsRegistrySddl -Path $k -View 'Default' -Sddl 'O:BAG:SYD:PAI(A;CI;0xf003f;;;S-1-5-32-544)(A;CI;KR;;;BA)(D;CI;KW;;;WD)(A;CI;KA;;;SY)'
            Get-RdsRegistrySddl -Path $k -View 'Default'
        }
        Complete-RdsPlatform
    }

    It 'reads as the state file gives it' {
        ConvertTo-SimTestJson -InputObject $steps.Read | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $true; Value = $nonCanonical })
    }

    It 'Add-RdsRegistryAccessRule refuses it with the .NET message, as RegistrySecurity.AddAccessRule does, and changes nothing' {
        ConvertTo-SimTestJson -InputObject $steps.Rule | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $false; Error = 'This access control list is not in canonical form and therefore cannot be modified. (' + $k + ')' })
        ConvertTo-SimTestJson -InputObject $steps.After | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $true; Value = $nonCanonical })
    }

    It 'Set-RdsRegistrySddl writes it in the order given (aliases, AI)' {
        ConvertTo-SimTestJson -InputObject $steps.Raw | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $true; Value = 'O:BAG:SYD:PAI(A;CI;KA;;;BA)(A;CI;KR;;;BA)(D;CI;KW;;;WD)(A;CI;KA;;;SY)' })
    }
}

Describe 'Enable-RdsPrivilege reports the previous state (a token whose privileges start enabled, as a SYSTEM service may have them)' {
    It 'returns $true for an enabled privilege, $false for a disabled one; Disable-RdsPrivilege returns nothing' {
        $statePath = Get-SimTestStatePath -Name 'system.json'
        Write-SimTestState -Path $statePath -State @{
            token = @{
                user       = 'S-1-5-18'
                groups     = @('S-1-5-32-544', 'S-1-1-0', 'S-1-5-11')
                privileges = @{ SeTakeOwnershipPrivilege = @{ held = $true; enabled = $true }; SeRestorePrivilege = @{ held = $true; enabled = $false } }
            }
        }
        Initialize-RdsPlatform -Option $statePath
        $steps = [ordered]@{}
        $steps.TakeOwnership = Invoke-SimTestStep { Enable-RdsPrivilege -Name 'SeTakeOwnershipPrivilege' }
        $steps.Restore = Invoke-SimTestStep { Enable-RdsPrivilege -Name 'SeRestorePrivilege' }
        $steps.RestoreAgain = Invoke-SimTestStep { Enable-RdsPrivilege -Name 'SeRestorePrivilege' }
        $steps.Disable = Invoke-SimTestStep { Disable-RdsPrivilege -Name 'SeRestorePrivilege' }
        Complete-RdsPlatform
        $state = Read-SimTestState -Path $statePath
        ConvertTo-SimTestJson -InputObject $steps | Should -BeExactly (ConvertTo-SimTestJson -InputObject ([ordered]@{
                    TakeOwnership = @{ Ok = $true; Value = $true }
                    Restore       = @{ Ok = $true; Value = $false }
                    RestoreAgain  = @{ Ok = $true; Value = $true }
                    Disable       = @{ Ok = $true; Value = $null }
                }))
        ConvertTo-SimTestJson -InputObject $state.token.privileges | Should -BeExactly '{"SeRestorePrivilege":{"enabled":false,"held":true},"SeTakeOwnershipPrivilege":{"enabled":true,"held":true}}'
    }
}

Describe 'the default host holds what .NET is in the way of' {
    It 'HKLM\SOFTWARE\Fabrikam\RdsAgent: a DACL not in canonical order that AddAccessRule refuses; HARDWARE\DESCRIPTION\System: a value read as Unknown' {
        $statePath = Get-SimTestStatePath -Name 'default-fidelity.json'
        Initialize-RdsPlatform -Option $statePath
        $agent = 'HKLM\SOFTWARE\Fabrikam\RdsAgent'
        $steps = [ordered]@{}
        $steps.Sddl = Invoke-SimTestStep { Get-RdsRegistrySddl -Path $agent -View 'Default' }
        $steps.Rule = Invoke-SimTestStep { Add-RdsRegistryAccessRule -Path $agent -View 'Default' -Sid 'S-1-5-32-544' -Rights 'FullControl' }
        $steps.Value = Invoke-SimTestStep { Get-RdsRegistryValue -Path 'HKLM\HARDWARE\DESCRIPTION\System' -Name 'Configuration Data' -View 'Default' }
        Complete-RdsPlatform
        $state = Read-SimTestState -Path $statePath
        ConvertTo-SimTestJson -InputObject $steps | Should -BeExactly (ConvertTo-SimTestJson -InputObject ([ordered]@{
                    Sddl  = @{ Ok = $true; Value = 'O:BAG:SYD:PAI(A;CI;KA;;;SY)(A;CI;KA;;;BA)(A;CI;KR;;;BU)(D;CI;KW;;;NU)' }
                    Rule  = @{ Ok = $false; Error = 'This access control list is not in canonical form and therefore cannot be modified. (' + $agent + ')' }
                    Value = @{ Ok = $true; Value = @{ Name = 'Configuration Data'; Type = 'Unknown'; Data = $null } }
                }))
        (Get-SimTestStateValue -State $state -Path 'HKLM\HARDWARE\DESCRIPTION\System' -Name 'Configuration Data').type | Should -BeExactly 'FullResourceDescriptor'
    }
}
