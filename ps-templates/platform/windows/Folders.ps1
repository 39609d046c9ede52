# rdsplan platform (Windows): the owner and DACL of a folder, and a folder created with a DACL
# of its own (the backup folder).
#
# Only the calls: whether a folder can be trusted, and when one is created, is the runtime's
# decision (runtime/Host.ps1). New-Item and then Set-Acl would leave a new folder in
# C:\ProgramData with the DACL it inherits there (Users may create files in it) until Set-Acl
# ran; the .NET calls below create it with its own DACL at once. Windows PowerShell 5.1
# (.NET Framework) has them on System.IO.Directory, PowerShell 7 (.NET) as
# System.IO.FileSystemAclExtensions: Get-RdsDirectoryAcl and New-RdsDirectoryWithSecurity hold
# the only lines that differ, and the only ones of this file the Pester tests do not run.

# Returns a folder's DirectorySecurity with its owner and access rules (the .NET call of Windows PowerShell 5.1 or of PowerShell 7).
function Get-RdsDirectoryAcl {
    param([Parameter(Mandatory)] [string] $Path)
    $sections = [System.Security.AccessControl.AccessControlSections]'Owner, Access'
    if ($PSVersionTable.PSEdition -eq 'Desktop') { return [System.IO.Directory]::GetAccessControl($Path, $sections) }
    else { return [System.IO.FileSystemAclExtensions]::GetAccessControl([System.IO.DirectoryInfo]::new($Path), $sections) }
}

# Creates a folder (and its missing parents) with the security descriptor of an SDDL string; nothing when it exists (the .NET call of Windows PowerShell 5.1 or of PowerShell 7).
function New-RdsDirectoryWithSecurity {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [string] $Sddl)
    $security = [System.Security.AccessControl.DirectorySecurity]::new()
    $security.SetSecurityDescriptorSddlForm($Sddl)
    if ($PSVersionTable.PSEdition -eq 'Desktop') { [void][System.IO.Directory]::CreateDirectory($Path, $security) }
    else { [System.IO.FileSystemAclExtensions]::Create([System.IO.DirectoryInfo]::new($Path), $security) }
}

# Returns $null when the folder does not exist, else its owner and access rules: @{ Owner; Access = @(@{ Sid; Allow; Rights; InheritOnly }) }.
function Get-RdsDirectorySecurity {
    param([Parameter(Mandatory)] [string] $Path)
    if (-not [System.IO.Directory]::Exists($Path)) { return $null }
    $acl = Get-RdsDirectoryAcl -Path $Path
    $sidType = [System.Security.Principal.SecurityIdentifier]
    $access = [System.Collections.Generic.List[hashtable]]::new()
    foreach ($rule in $acl.GetAccessRules($true, $true, $sidType)) {
        # FileSystemRights is an Int32 enumeration: GENERIC_READ (0x80000000) reads as negative; -band gives the unsigned value.
        $rights = [long][int]$rule.FileSystemRights -band 0xFFFFFFFFL
        $access.Add(@{
                Sid = [string]$rule.IdentityReference.Value; Allow = ([string]$rule.AccessControlType -eq 'Allow')
                Rights = $rights; InheritOnly = (([int]$rule.PropagationFlags -band 2) -ne 0)
            })
    }
    return @{ Owner = [string]$acl.GetOwner($sidType).Value; Access = $access.ToArray() }
}

# Creates a folder and its missing parents owned by Administrators with a protected DACL: SYSTEM and Administrators full control, inherited by what is created inside; nothing when it exists.
function New-RdsProtectedDirectory {
    param([Parameter(Mandatory)] [string] $Path)
    New-RdsDirectoryWithSecurity -Path $Path -Sddl 'O:BAD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)'
}
