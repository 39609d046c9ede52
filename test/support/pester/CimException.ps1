<#
.SYNOPSIS
    A stand-in for Microsoft.Management.Infrastructure.CimException, the error Invoke-CimMethod and
    Get-CimInstance throw, for the Pester tests of platform/windows (the mocks throw it) and of
    platform/sim (whose own stand-in must have the same shape).
.DESCRIPTION
    Dot-source it in BeforeAll:
        . (Join-Path $PSScriptRoot '../../../test/support/pester/CimException.ps1')
    The real type cannot be built on Linux pwsh. What Windows documents of it (DOMAIN.md, "CIM
    errors") is reproduced with real .NET members, so the code under test reads them as it reads
    the real ones: HResult is not set (a plain Exception's 0x80131500), Message is the localized
    Windows text, ErrorData.CimInstanceProperties['error_Code'].Value holds the Windows code
    (UInt32), the collection's indexer answers $null for a property the instance lacks (as
    CimKeyedCollection does), and StatusCode/NativeErrorCode hold the MI result, not the code.
#>

if ($null -eq ('RdsPlanTest.CimException' -as [type])) {
    Add-Type -Language CSharp -TypeDefinition @'
namespace RdsPlanTest
{
    using System;
    using System.Collections.Generic;

    public sealed class CimProperty
    {
        public CimProperty(string name, object value) { Name = name; Value = value; }
        public string Name { get; private set; }
        public object Value { get; private set; }
    }

    public sealed class CimPropertyCollection
    {
        private readonly Dictionary<string, CimProperty> items = new Dictionary<string, CimProperty>(StringComparer.OrdinalIgnoreCase);
        public void Add(CimProperty property) { items[property.Name] = property; }
        public CimProperty this[string name] { get { CimProperty found; return items.TryGetValue(name, out found) ? found : null; } }
        public int Count { get { return items.Count; } }
    }

    public sealed class CimInstance
    {
        public CimInstance(string className) { ClassName = className; CimInstanceProperties = new CimPropertyCollection(); }
        public string ClassName { get; private set; }
        public CimPropertyCollection CimInstanceProperties { get; private set; }
    }

    public sealed class CimException : Exception
    {
        public CimException(string message, CimInstance errorData, uint statusCode, string nativeErrorCode) : base(message)
        {
            ErrorData = errorData;
            StatusCode = statusCode;
            NativeErrorCode = nativeErrorCode;
        }
        public CimInstance ErrorData { get; private set; }
        public uint StatusCode { get; private set; }
        public string NativeErrorCode { get; private set; }
    }
}
'@
}

# Windows' message for ERROR_FILE_NOT_FOUND on a German host: localized, and without the code in it.
$RdsTestFileNotFoundGerman = 'Das System kann die angegebene Datei nicht finden. '

function New-RdsTestCimException {
    # A CimException as Invoke-CimMethod throws it for a provider error: the code only in ErrorData's error_Code.
    [CmdletBinding()]
    [OutputType([System.Exception])]
    param(
        [Parameter(Mandatory = $true)] [long] $Code,
        [string] $Message = $RdsTestFileNotFoundGerman,
        [uint32] $StatusCode = 1,
        [string] $NativeErrorCode = 'Failed'
    )
    $errorData = [RdsPlanTest.CimInstance]::new('MSFT_WmiError')
    $errorData.CimInstanceProperties.Add([RdsPlanTest.CimProperty]::new('error_Code', [uint32]($Code -band 0xFFFFFFFFL)))
    $errorData.CimInstanceProperties.Add([RdsPlanTest.CimProperty]::new('error_Type', 'HRESULT'))
    $errorData.CimInstanceProperties.Add([RdsPlanTest.CimProperty]::new('error_WindowsErrorMessage', $Message))
    return [RdsPlanTest.CimException]::new($Message, $errorData, $StatusCode, $NativeErrorCode)
}

function Get-RdsTestCimErrorShape {
    # What a caller can observe of a CIM error, to compare two of them: the HResult, the message, error_Code (value and type), StatusCode.
    [CmdletBinding()]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param(
        [Parameter(Mandatory = $true)] [System.Exception] $Exception
    )
    $code = $Exception.ErrorData.CimInstanceProperties['error_Code']
    return [ordered]@{
        HResult       = '0x{0:X8}' -f $Exception.HResult
        Message       = $Exception.Message
        ErrorCode     = '0x{0:X8}' -f $code.Value
        ErrorCodeType = $code.Value.GetType().FullName
        Missing       = $null -eq $Exception.ErrorData.CimInstanceProperties['NoSuchProperty']
        StatusCode    = [long]$Exception.StatusCode
    }
}
