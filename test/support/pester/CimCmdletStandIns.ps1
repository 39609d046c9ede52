# Linux pwsh has no CimCmdlets: Pester's Mock needs a command of the name, with every parameter
# platform/windows passes. Dot-source it in BeforeAll; on Windows the real cmdlets stay.
if ($null -eq (Get-Command -Name 'Get-CimInstance' -ErrorAction SilentlyContinue)) {
    function Get-CimInstance {
        [CmdletBinding()]
        param([string] $Namespace, [string] $ClassName, [string] $Filter)
        throw 'Get-CimInstance is not mocked'
    }
}
if ($null -eq (Get-Command -Name 'Invoke-CimMethod' -ErrorAction SilentlyContinue)) {
    function Invoke-CimMethod {
        [CmdletBinding()]
        param([object] $InputObject, [string] $Namespace, [string] $ClassName, [string] $MethodName, [System.Collections.IDictionary] $Arguments)
        throw 'Invoke-CimMethod is not mocked'
    }
}
